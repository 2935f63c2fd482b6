"""What the dashboard's experiment browser lists and shows.

The run store's experiments (``panopticum sweep`` and ``panopticum sensitivity``), read
from their own files (definition, design, status and finished batches) through
:mod:`panopticum.experiments`, not from the catalog, which a running sweep rebuilds and
may hold locked. Nothing is written. An experiment still running shows the points
finished so far.
"""

from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import json
import os
from typing import Any

import numpy as np
import pandas as pd

from panopticum.errors import PanopticumError

SAMPLED = ("saltelli", "morris")  # the designs that have sensitivity indices
FIXED = ("point", "replicate", "seed")


@dataclasses.dataclass(frozen=True)
class ExperimentRow:
    experiment_id: str
    name: str
    design: str
    status: str
    points_done: int
    points: int
    runs_done: int
    runs: int
    created: str  # UTC, to the minute


def _store(root: str | os.PathLike):
    from panopticum.experiments import ExperimentStore

    return ExperimentStore.open(root)


def _when(stamp: str) -> str:
    try:
        return datetime.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(stamp or "")


def _done(store, experiment_id: str, replicates: int) -> tuple[int, int]:
    """(points with every replicate finished, runs finished), from the batch files."""
    import pyarrow.parquet as pq

    files = store.batch_files(experiment_id)
    points = np.concatenate([pq.read_table(f, columns=["point"])["point"].to_numpy() for f in files]) if files else []
    if not len(points):
        return 0, 0
    _, counts = np.unique(points, return_counts=True)
    return int((counts >= max(replicates, 1)).sum()), int(len(points))


def _age(store, experiment_id: str) -> tuple[int, str]:
    """A key that sorts experiments oldest first: the time their definition was written (to
    the nanosecond: ids and ``created`` stamps count whole seconds)."""
    try:
        return (store.dir(experiment_id) / "definition.json").stat().st_mtime_ns, experiment_id
    except OSError:
        return 0, experiment_id


def list_experiments(root: str | os.PathLike) -> tuple[list[ExperimentRow], list[str]]:
    """The store's experiments, newest first, and one line for each that cannot be read."""
    store = _store(root)
    rows, problems = [], []
    for experiment_id in sorted(store.ids(), key=lambda i: _age(store, i), reverse=True):
        try:
            d, s = store.definition(experiment_id), store.status(experiment_id)
            replicates = int(d["replicates"])
            points_done, runs_done = _done(store, experiment_id, replicates)
            rows.append(ExperimentRow(experiment_id, str(d["name"]), str(d["design"]), str(s["status"]), points_done,
                                      int(d["points"]), runs_done, int(s["units"]), _when(s.get("created"))))
        except (PanopticumError, OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{experiment_id} cannot be read: {exc}")
    return rows, problems


@dataclasses.dataclass
class ExperimentView:
    """One experiment as the page shows it."""

    experiment_id: str
    definition: dict[str, Any]
    status: dict[str, Any]
    factors: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    runs: pd.DataFrame  # one row per finished run: point, replicate, seed, each varied parameter, each outcome
    parameters: list[str]  # the varied parameters' paths, in the factors' order
    rows_done: int  # design rows with every replicate in
    rows: int
    indices: pd.DataFrame | None  # outcome, factor, index, value, conf
    indices_note: str  # why there are none, when there are none

    @property
    def name(self) -> str:
        return str(self.definition["name"])

    @property
    def outcome_names(self) -> list[str]:
        return [o["name"] for o in self.outcomes]


def _parameter_order(columns: list[str], factors: list[dict[str, Any]]) -> list[str]:
    ordered = []
    for f in factors:
        for pattern in f["paths"]:
            ordered += [c for c in columns if fnmatch.fnmatchcase(c, pattern) and c not in ordered]
    return ordered + [c for c in columns if c not in ordered]


def _runs_table(results: pd.DataFrame, outcomes: list[str], factors: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    if results.empty:
        return pd.DataFrame(columns=[*FIXED, *outcomes]), []
    params = pd.DataFrame.from_records([json.loads(p) for p in results["parameters"]], index=results.index)
    names = _parameter_order(list(params.columns), factors)
    table = pd.concat([results[list(FIXED)], params[names], results[outcomes]], axis=1)
    return table.sort_values(["point", "replicate"], kind="stable").reset_index(drop=True), names


def _indices(res, rows_done: int) -> tuple[pd.DataFrame | None, str]:
    kind = res.design.kind
    if kind not in SAMPLED:
        return None, f"A {kind} design has no sensitivity indices (saltelli and morris designs do)."
    if rows_done < res.design.rows:
        return None, (f"The indices need every point: {rows_done} of {res.design.rows} design rows are done "
                      "(`panopticum sweep FILE --resume` finishes the experiment).")
    try:
        return res.indices(), ""
    except PanopticumError as exc:
        return None, str(exc)


def load_experiment_view(root: str | os.PathLike, experiment_id: str) -> ExperimentView:
    """One experiment's points, outcomes and indices (a PanopticumError if it cannot be read)."""
    from panopticum.experiments import load_results

    store = _store(root)
    if experiment_id not in store.ids():
        raise PanopticumError(f"no experiment {experiment_id!r} in {store.root}")
    try:
        res = load_results(store, experiment_id)
    except PanopticumError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PanopticumError(f"cannot read experiment {experiment_id}: {exc}") from None
    d = res.definition
    runs, names = _runs_table(res.results, res.outcomes, d["factors"])
    rows_done = int((res.rows["replicates"] >= int(d["replicates"])).sum())
    indices, note = _indices(res, rows_done)
    return ExperimentView(res.experiment_id, d, res.status, d["factors"], d["outcomes"], runs, names, rows_done,
                          res.design.rows, indices, note)


def numeric(values: pd.Series) -> tuple[np.ndarray, bool]:
    """A parameter column as numbers to plot: ``(values, are_dates)``; dates become ordinal
    days, switches 0 and 1."""
    if values.dtype == bool:
        return values.to_numpy(dtype=np.float64), False
    as_number = pd.to_numeric(values, errors="coerce")
    if as_number.notna().any() or values.isna().all():
        return as_number.to_numpy(dtype=np.float64), False
    days = [datetime.date.fromisoformat(str(v)).toordinal() if isinstance(v, str) else np.nan for v in values]
    return np.asarray(days, dtype=np.float64), True


def outcome_label(outcome: dict[str, Any]) -> str:
    """``freedom: mean_last 90 days of freedom_index (ALL)``."""
    how = outcome["aggregate"] + (f" {outcome['days']} days" if outcome.get("days") else "")
    how += f" {outcome['date']}" if outcome.get("date") else ""
    return f"{outcome['name']}: {how} of {outcome['metric']} ({outcome.get('region', 'ALL')})"


def indices_table(indices: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The indices of one outcome, a factor a row (largest total or mu* first), ``value ±
    half-width`` as text."""
    sub = indices[indices["outcome"] == outcome]
    wide = sub.pivot(index="factor", columns="index", values="value")
    conf = sub.pivot(index="factor", columns="index", values="conf")
    order = "ST" if "ST" in wide else "mu_star"
    wide = wide.sort_values(order, ascending=False)
    cols = [c for c in ("S1", "ST", "mu_star", "sigma", "mu") if c in wide]
    text = {c: [f"{v:.3g}" + (f" ± {e:.2g}" if np.isfinite(e) else "") for v, e in zip(wide[c], conf.loc[wide.index, c])]
            for c in cols}
    return pd.DataFrame(text, index=wide.index)


INDEX_COLOURS = {"S1": "#1f77b4", "ST": "#d62728", "mu_star": "#1f77b4", "sigma": "#ff7f0e"}


def index_rows(indices: pd.DataFrame, outcome: str) -> list:
    """The indices of one outcome as chart rows, a factor a row: S1 and ST (Sobol') or mu*
    and sigma (Morris), each with its confidence interval where SALib gives one."""
    from panopticum.dashboard.plots import Interval, IntervalRow

    sub = indices[(indices["outcome"] == outcome) & indices["index"].isin(list(INDEX_COLOURS))]
    rows = []
    for factor in indices_table(indices, outcome).index:
        mine = sub[sub["factor"] == factor]
        marks = []
        for r in mine.itertuples():
            half = r.conf if np.isfinite(r.conf) else np.nan
            marks.append(Interval(r.index, r.value, r.value - half, r.value + half, INDEX_COLOURS[r.index],
                                  f"{factor}: {r.index} = {r.value:.3g}" + (f" ± {half:.2g}" if np.isfinite(half) else "")))
        rows.append(IntervalRow(factor, tuple(marks)))
    return rows
