"""Batching: points and seeds as runs with keys, grouped into batches the engine runs at once.

A *unit* is one run: a point's parameter values and one replicate. Its key, the hash of
the point's parameter values, the experiment's seed and the replicate, names it in the
store: a unit whose key is stored is never run again. Replicate r of every point draws
from the key ``fold_in(key(seed), r)`` (member r of an ensemble of ``seed``), on the
population built from ``(agents, seed)``, so point p re-run alone,
``panopticum run --scenario BASE --agents N --days D --seed S --ensemble K --set ...``,
gives replicate r as its member r, bit for bit.

A batch holds at most ``batch_points x replicates`` units as one leading axis of members.
The units are cut, in order, into the fewest batches of that size, all of one size but the
last, which is padded with copies of its last unit (dropped from the results) so that every
batch has one shape and the sweep compiles once. The size is the smallest that keeps that
number of batches, so padding is less than one unit a batch: 14 units at 8 a batch run as
two batches of 7, not 8 and 6 padded to 8 (two runs thrown away, a seventh of the work).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from panopticum.experiments.design import Design, row_parameters
from panopticum.experiments.outcomes import outcome_series, reduce_series
from panopticum.experiments.spec import RunSpec
from panopticum.member_params import stack_schedules


@dataclasses.dataclass(frozen=True)
class Unit:
    key: str
    point: int
    replicate: int
    parameters: dict[str, Any]


def canonical(parameters: dict[str, Any]) -> str:
    return json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)


def unit_key(parameters: dict[str, Any], seed: int, replicate: int) -> str:
    """sha256 of the point's parameter values, the seed and the replicate (20 hex digits)."""
    text = json.dumps({"parameters": canonical(parameters), "seed": seed, "replicate": replicate}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def design_points(design: Design, base: dict[str, Any]) -> tuple[list[dict[str, Any]], np.ndarray]:
    """The distinct points' parameters, and for each design row the point it runs (rows that
    set the same values, as Morris trajectories may, share one point)."""
    points: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    row_point = np.empty(design.rows, dtype=np.int64)
    for i, row in enumerate(design.X):
        params = row_parameters(design.factors, row, base)
        text = canonical(params)
        if text not in seen:
            seen[text] = len(points)
            points.append(params)
        row_point[i] = seen[text]
    return points, row_point


def make_units(points: list[dict[str, Any]], seed: int, replicates: int) -> list[Unit]:
    return [Unit(unit_key(p, seed, r), i, r, p) for i, p in enumerate(points) for r in range(replicates)]


def batch_size(units: int, most: int) -> int:
    """The size of every batch when ``units`` runs are cut into batches of at most ``most``:
    the smallest that needs no more batches than ``most`` would."""
    batches = -(-units // most)
    return -(-units // batches) if units else most


def make_batches(units: list[Unit], most: int) -> list[list[Unit]]:
    """``units`` in order, cut into batches of :func:`batch_size` (the last may be shorter)."""
    size = batch_size(len(units), most)
    return [units[i : i + size] for i in range(0, len(units), size)]


def batch_id(units: list[Unit]) -> str:
    return hashlib.sha256(",".join(u.key for u in units).encode()).hexdigest()[:16]


def run_units(spec: RunSpec, base, sim, units: list[Unit], size: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run one batch of units on a compiled :class:`~panopticum.engine.Simulation`, padded to
    ``size`` members, each unit's parameters set on ``base`` (the base scenario's validated
    parameters); returns one row of outcomes per unit (and the outcome series if kept)."""
    from panopticum.engine import build_schedule, engine_params, member_keys
    from panopticum.engine.timeline import burn_in_schedule
    from panopticum.params.schema import make_parameters

    padded = units + [units[-1]] * (size - len(units))
    models = {}
    for u in padded:
        text = canonical(u.parameters)
        if text not in models:
            params = make_parameters(u.parameters, base=base)
            models[text] = (engine_params(params), build_schedule(params, spec.days), burn_in_schedule(params))
    chosen = [models[canonical(u.parameters)] for u in padded]
    batch_params = {k: np.array([p[k] for p, _, _ in chosen], dtype=np.float32) for k in chosen[0][0]}
    schedule = stack_schedules([s for _, s, _ in chosen])
    burn_in = stack_schedules([b for _, _, b in chosen])
    keys = member_keys(spec.seed, spec.replicates)[np.array([u.replicate for u in padded])]
    series = {o.name: [] for o in spec.outcomes}
    for chunk in sim.run_batch(keys, batch_params, schedule, chunk_days=spec.chunk_days, burn_in=burn_in):
        for o in spec.outcomes:
            series[o.name].append(outcome_series(o, chunk.regional, chunk.national))
    n = len(units)
    full = {name: np.concatenate(parts, axis=1)[:n] for name, parts in series.items()}
    frame = pd.DataFrame({
        "key": [u.key for u in units],
        "point": np.array([u.point for u in units], dtype=np.int64),
        "replicate": np.array([u.replicate for u in units], dtype=np.int32),
        "seed": np.int64(spec.seed),
        "parameters": [canonical(u.parameters) for u in units],
    })
    for o in spec.outcomes:
        frame[o.name] = reduce_series(o, full[o.name], spec.start_date)
    if not spec.keep_series:
        return frame, None
    days = np.arange(spec.days)
    dates = (np.datetime64(spec.start_date) + days).astype("datetime64[D]")
    parts = []
    for o in spec.outcomes:
        values = full[o.name].astype(np.float64)
        parts.append(pd.DataFrame({
            "key": np.repeat([u.key for u in units], spec.days), "day": np.tile(days, n).astype(np.int32),
            "date": np.tile(dates, n), "outcome": o.name, "metric": o.metric, "region": o.region,
            "value": values.ravel(),
        }))
    return frame, pd.concat(parts, ignore_index=True)
