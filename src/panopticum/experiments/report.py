"""An experiment's results: its outcome table, indices, figures and one HTML report."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.experiments import figures as EF
from panopticum.experiments.analysis import row_outcomes, sensitivity_indices
from panopticum.experiments.design import Design, problem_for
from panopticum.experiments.spec import Factor
from panopticum.experiments.store import ExperimentStore


@dataclasses.dataclass
class ExperimentResults:
    experiment_id: str
    definition: dict
    status: dict
    design: Design
    rows: pd.DataFrame  # per design row: factor values, mean outcomes, replicates found
    results: pd.DataFrame  # per unit
    outcomes: list[str]

    def indices(self) -> pd.DataFrame | None:
        if self.design.kind not in ("saltelli", "morris"):
            return None
        d = self.definition
        return sensitivity_indices(self.design, self.rows, self.outcomes, resamples=d.get("resamples", 1000),
                                   confidence=d.get("confidence", 0.95), seed=d["seed"])


def load_results(store: ExperimentStore, ref: str) -> ExperimentResults:
    """An experiment's design and finished points, from the store (id, prefix or name)."""
    experiment_id = store.resolve(ref)
    d = store.definition(experiment_id)
    factors = tuple(Factor(**{**f, "paths": tuple(f["paths"]), "values": tuple(f["values"]) if f["values"] else None})
                    for f in d["factors"])
    frame = store.design(experiment_id)
    X = frame[[f.name for f in factors]].to_numpy(dtype=np.float64)
    design = Design(d["design"], factors, X, problem_for(factors), d["levels"], d.get("second_order", False))
    outcomes = [o["name"] for o in d["outcomes"]]
    results = store.results(experiment_id)
    for name in outcomes:
        if name not in results:
            results[name] = pd.Series(dtype=np.float64)
    rows = row_outcomes(design, frame["point"].to_numpy(), results, outcomes)
    rows = pd.concat([frame[[f.name for f in factors]], rows.reset_index(drop=True)], axis=1)
    return ExperimentResults(experiment_id, d, store.status(experiment_id), design, rows, results, outcomes)


def _html():
    from panopticum.report import html

    return html


def _facts(res: ExperimentResults) -> str:
    H = _html()
    d, s = res.definition, res.status
    done = int(res.results["key"].nunique()) if len(res.results) else 0
    items = [
        ("experiment", f"{d['name']} ({res.experiment_id})"), ("description", d.get("description", "")),
        ("status", f"{s['status']}: {done} of {s['units']} runs"), ("base scenario", d["scenario"]),
        ("design", f"{d['design']}, {res.design.rows} rows, {d['points']} distinct points, {d['replicates']} replicates each"),
        ("agents / days", f"{d.get('agents') or d.get('population')} / {d['days']}"), ("seed", d["seed"]),
        ("definition hash", d["definition_hash"]),
    ]
    body = "".join(f"<tr><th>{H.esc(k)}</th><td>{H.esc(v)}</td></tr>" for k, v in items)
    return f"<table>{body}</table>"


def _factors_table(res: ExperimentResults) -> str:
    H = _html()
    rows = "".join(
        f"<tr><td>{H.esc(f.name)}</td><td>{H.esc(f.kind)}</td><td>{H.esc(', '.join(f.paths))}</td>"
        f"<td class=num>{f.low:g}</td><td class=num>{f.high:g}</td><td>{H.esc(f.distribution)}</td></tr>"
        for f in res.design.factors)
    return ("<table><tr><th>factor</th><th>kind</th><th>parameters</th><th>low</th><th>high</th>"
            f"<th>distribution</th></tr>{rows}</table>")


def _outcomes_table(res: ExperimentResults) -> str:
    H = _html()
    body = ""
    for o in res.definition["outcomes"]:
        v = res.rows[o["name"]].dropna()
        q = np.percentile(v, [5, 50, 95]) if len(v) else [np.nan] * 3
        how = o["aggregate"] + (f" {o['days']} days" if o.get("days") else "") + (f" {o['date']}" if o.get("date") else "")
        body += (f"<tr><td>{H.esc(o['name'])}</td><td>{H.esc(o['metric'])}</td><td>{H.esc(how)}</td>"
                 f"<td>{H.esc(o['region'])}</td>" + "".join(f"<td class=num>{x:.4g}</td>" for x in q) + "</tr>")
    return ("<table><tr><th>outcome</th><th>metric</th><th>aggregate</th><th>region</th><th>5%</th><th>median</th>"
            f"<th>95%</th></tr>{body}</table>")


def _indices_table(indices: pd.DataFrame, outcome: str) -> str:
    H = _html()
    sub = indices[indices.outcome == outcome]
    wide = sub.pivot(index="factor", columns="index", values="value")
    conf = sub.pivot(index="factor", columns="index", values="conf")
    order = "ST" if "ST" in wide else "mu_star"
    wide = wide.sort_values(order, ascending=False)
    cols = [c for c in ("S1", "ST", "mu_star", "sigma", "mu") if c in wide]
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = ""
    for factor, row in wide.iterrows():
        cells = ""
        for c in cols:
            ci = conf.loc[factor, c]
            cells += f"<td class=num>{row[c]:.3g}" + (f" &plusmn; {ci:.2g}" if np.isfinite(ci) else "") + "</td>"
        body += f"<tr><td>{H.esc(factor)}</td>{cells}</tr>"
    return f"<table><tr><th>factor</th>{head}</tr>{body}</table>"


def build_experiment_report(res: ExperimentResults) -> str:
    H = _html()
    d = res.definition
    parts = [f"<h1>{H.esc(d['name'])}</h1><p class=sub>{H.esc(d.get('description', ''))}</p>",
             "<h2>The experiment</h2>", _facts(res), "<h2>Factors</h2>", _factors_table(res),
             "<h2>Outcomes</h2><p>Across design rows, each the mean over its replicates.</p>", _outcomes_table(res)]
    complete = not res.rows[res.outcomes].isna().any().any()
    indices = res.indices() if complete else None
    X = res.rows[[f.name for f in res.design.factors]]
    for name in res.outcomes:
        parts.append(f"<h2>{H.esc(name)}</h2>")
        if indices is not None:
            parts.append(_indices_table(indices, name))
            if res.design.kind == "saltelli":
                parts.append(H.figure_block(EF.sobol_bars(indices, name), f"fig-sobol-{name}",
                                            "Sobol' first-order and total indices, bars the confidence intervals."))
            else:
                parts.append(H.figure_block(EF.morris_bars(indices, name), f"fig-morris-{name}",
                                            "Morris mu* of each factor, bars the bootstrap confidence intervals."))
                parts.append(H.figure_block(EF.mu_sigma(indices, name), f"fig-musigma-{name}",
                                            "Morris sigma against mu*: far right matters most; above the line, "
                                            "effects depend on the other factors or are non-linear."))
        elif res.design.kind in ("saltelli", "morris"):
            parts.append("<p><b>Indices need every point; this experiment is not complete.</b></p>")
        done = res.rows[name].notna()
        if res.design.kind == "grid" and len(res.design.factors) >= 2 and done.any():
            parts.append(H.figure_block(EF.grid_heatmap(X[done], res.rows.loc[done, name], name), f"fig-grid-{name}",
                                        f"{name} over the grid's first two factors."))
        parts.append(H.figure_block(EF.outcome_scatter(X[done], res.rows.loc[done, name], name), f"fig-scatter-{name}",
                                    f"{name} against each factor, one dot per design row."))
    return H.page(f"panopticum experiment: {d['name']} ({res.experiment_id})", "\n".join(parts))


def write_experiment_report(store: ExperimentStore, ref: str, out: str | os.PathLike) -> Path:
    res = load_results(store, ref)
    if res.results.empty:
        raise PanopticumError(f"experiment {res.experiment_id} has no finished points yet; nothing to report")
    out = Path(out)
    _html().write_html(out, build_experiment_report(res))
    return out

