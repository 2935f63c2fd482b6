"""A scenario whose calibrated parameters are a calibration's posterior medians."""

from __future__ import annotations

import json
from pathlib import Path

from panopticum.calibration.abc import load_posterior
from panopticum.calibration.results import summary


def _toml_value(path: str, value: float) -> str:
    from panopticum.params.schema import SPEC_BY_PATH

    return str(int(round(value))) if SPEC_BY_PATH[path].kind is int else f"{value:.4g}"


def median_scenario(folder: Path, name: str, days: int = 365, start_date: str = "2023-01-01") -> str:
    """The TOML text of scenario ``name``: the calibration's base scenario with each
    calibrated parameter at its posterior median (4 significant digits), and a header
    saying where the values come from."""
    meta = json.loads((Path(folder) / "calibration.json").read_text())
    table = summary(load_posterior(Path(folder)), meta["priors"])
    sections: dict[str, list[str]] = {}
    for row in table.itertuples():
        section, _, key = row.parameter.rpartition(".")
        sections.setdefault(section, []).append(
            f"{key} = {_toml_value(row.parameter, row.median)}"
            f"  # 90% interval {row.low_90:.3g} to {row.high_90:.3g}, prior {row.prior_low:.3g} to {row.prior_high:.3g}")
    lines = [
        f"# {meta['scenario']} with the posterior medians of calibration {meta['id']}: targets {meta['targets']},",
        f"# ABC-SMC (pyabc), {meta['generations_done']} generations of {meta['population_size']} particles, "
        f"{meta['simulations']:,} simulations",
        f"# of {meta['agents']:,} agents from {meta['start_date']} ({meta['days']:,} days), "
        f"{meta['wall_seconds']:,.0f} s of wall time (docs/calibration.md).",
        "[scenario]",
        f'name = "{name}"',
        f'description = "{meta["scenario"]} with the free parameters calibrated to {meta["targets"]} (posterior medians)"',
        f"days = {days}",
        f'extends = "{meta["scenario"]}"',
    ]
    timeline = sections.pop("timeline", [])
    lines += ["", "[timeline]", f"start_date = {start_date}", *timeline]
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"
