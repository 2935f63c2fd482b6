"""A calibration's results as Markdown tables, for docs/calibration.md and README's results.

    python -m panopticum.calibration.tables STORE/calibrations/ID [--scenario NAME --seeds 1,2,3,4]

prints the generations (epsilon, simulations, wall time, from pyabc's database), the
posterior (``summary.parquet``), the predictive check (``predictive.parquet``) and, with
``--scenario``, that scenario's value of every target over the given seeds, computed as
the calibration computes it (:class:`~panopticum.calibration.simulator.Simulator`), so
the published tables are regenerated, never typed.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from panopticum.calibration.observables import RESPONDENTS, observed_values


def number(value: float, count: bool | None = None) -> str:
    """Counts (people) whole, with thousands separators; shares to 3 significant digits.
    ``count`` None: a count if 100 or more."""
    if not math.isfinite(value):
        return "-"
    return f"{value:,.0f}" if (abs(value) >= 100 if count is None else count) else f"{value:.3g}"


def is_count(observed: float) -> bool:
    """Targets are shares (at most 1) or counts of people (observed in the tens or more)."""
    return observed > 1


def target_label(label: str) -> str:
    return label.replace("[", " ").replace("]", "")


def generations_table(folder: Path) -> str:
    import pyabc

    history = pyabc.History(f"sqlite:///{(Path(folder) / 'abc.db').resolve()}")
    pops = history.get_all_populations()
    lines = ["| generation | epsilon | simulations | wall time |", "|---|---|---|---|"]
    for row in pops.itertuples():
        name = "prior sample (first tolerance)" if row.t < 0 else str(row.t)
        eps = "" if row.t < 0 else f"{row.epsilon:.3g}"
        lines.append(f"| {name} | {eps} | {row.samples} | {row.wall_time:,.0f} s |")
    return "\n".join(lines)


def posterior_table(folder: Path) -> str:
    table = pd.read_parquet(Path(folder) / "summary.parquet")
    lines = ["| parameter | prior | median | 90% interval | width kept |", "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| `{r.parameter}` | {r.prior_low:.3g} - {r.prior_high:.3g} | {r.median:.3g} | "
                     f"{r.low_90:.3g} - {r.high_90:.3g} | {r.width_kept:.2f} |")
    return "\n".join(lines)


def observed_text(observed: float, uncertainty: float, bound: str) -> str:
    if bound == "upper":
        return f"at most {number(observed)}"
    if bound == "lower":
        return f"at least {number(observed)}"
    return f"{number(observed)} ± {number(uncertainty)}"


def predictive_table(folder: Path) -> str:
    check = pd.read_parquet(Path(folder) / "predictive.parquet")
    draws = int(check["draws_estimated"].max())
    lines = ["| target | observed | simulated 90% | median | consistent | surveys: draws estimated (respondents) |",
             "|---|---|---|---|---|---|"]
    for r in check.itertuples():
        c = is_count(r.observed)
        survey = "" if math.isnan(r.respondents_median) else f"{r.draws_estimated} of {draws} ({r.respondents_median:.0f})"
        lines.append(f"| {target_label(r.target)} | {observed_text(r.observed, r.uncertainty, r.bound)} | "
                     f"{number(r.sim_low_90, c)} - {number(r.sim_high_90, c)} | {number(r.sim_median, c)} | "
                     f"{'yes' if r.consistent else 'no'} | {survey} |")
    return "\n".join(lines)


def scenario_table(folder: Path, scenario: str, seeds: list[int]) -> str:
    """``scenario``'s value of every target of the calibration over ``seeds``: the range
    over the seeds (a survey's: over the seeds whose frame held enough to estimate)."""
    from panopticum.calibration.simulator import Simulator
    from panopticum.calibration.targets import load_targets

    meta = json.loads((Path(folder) / "calibration.json").read_text())
    targets = load_targets(str(Path(folder) / "targets.toml"))
    fixed = {"timeline.burn_in_days": meta["burn_in_days"]} if meta.get("burn_in_days") is not None else {}
    simulator = Simulator(scenario, meta["agents"], targets.start_date, targets.days, list(targets.targets), fixed=fixed)
    runs = pd.DataFrame([simulator.observe({}, seed) for seed in seeds])
    obs, unc, bound = observed_values(list(targets.targets))
    lines = [f"| target | observed | `{scenario}`, seeds {', '.join(map(str, seeds))} |", "|---|---|---|"]
    for label in obs:
        values = runs[label].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if finite.size:
            c = is_count(obs[label])
            shown = f"{number(finite.min(), c)} - {number(finite.max(), c)}"
            if finite.size < values.size:
                shown += f" ({finite.size} of {values.size} seeds estimable)"
        else:
            n = runs[label + RESPONDENTS].to_numpy(dtype=float) if label + RESPONDENTS in runs else np.zeros(1)
            shown = f"not estimable: {n.min():.0f}-{n.max():.0f} respondents in the frame"
        lines.append(f"| {target_label(label)} | {observed_text(obs[label], unc[label], bound[label])} | {shown} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a calibration's folder (STORE/calibrations/ID)")
    parser.add_argument("--scenario", help="also simulate this scenario's value of every target")
    parser.add_argument("--seeds", default="1,2,3,4", help="seeds of the scenario's runs (comma-separated)")
    args = parser.parse_args(argv)
    print(generations_table(args.folder), posterior_table(args.folder), predictive_table(args.folder), sep="\n\n")
    if args.scenario:
        print()
        print(scenario_table(args.folder, args.scenario, [int(s) for s in args.seeds.split(",")]))


if __name__ == "__main__":
    main()
