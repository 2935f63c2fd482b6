"""Outcomes: each run's daily series of a metric, reduced to one number on the worker.

Only the outcome metrics' series leave the engine's arrays, and each is reduced at once
(mean over the last N days, value at a date, ...), so what a batch sends back is a few
numbers per run whatever the number of days; daily series are kept only when an
experiment asks (``keep_series = true``).
"""

from __future__ import annotations

import datetime

import numpy as np

from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.errors import PanopticumError
from panopticum.experiments.spec import Outcome
from panopticum.population import REGION_NAMES

_REGIONAL_INDEX = {m.name: i for i, m in enumerate(REGIONAL)}
_NATIONAL_INDEX = {m.name: i for i, m in enumerate(NATIONAL)}
REGION_LABELS = list(REGION_NAMES) + ["ALL"]


def outcome_series(outcome: Outcome, regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """``[members, days]`` of the outcome's metric in its region, from the engine's arrays
    (``regional [members, days, regions + 1, metrics]``, ``national [members, days, metrics]``)."""
    if outcome.metric in _REGIONAL_INDEX:
        return regional[:, :, REGION_LABELS.index(outcome.region), _REGIONAL_INDEX[outcome.metric]]
    if outcome.metric in _NATIONAL_INDEX:
        return national[:, :, _NATIONAL_INDEX[outcome.metric]]
    raise PanopticumError(f"unknown outcome metric '{outcome.metric}'")


def reduce_series(outcome: Outcome, series: np.ndarray, start: datetime.date) -> np.ndarray:
    """One value per member from ``series [members, days]`` (float64 of the float32 values)."""
    x = np.asarray(series, dtype=np.float64)
    agg = outcome.aggregate
    if agg == "mean":
        return x.mean(axis=1)
    if agg == "mean_last":
        return x[:, -int(outcome.days):].mean(axis=1)
    if agg == "final":
        return x[:, -1]
    if agg == "at_date":
        return x[:, (outcome.date - start).days]
    if agg == "min":
        return x.min(axis=1)
    if agg == "max":
        return x.max(axis=1)
    if agg == "sum":
        return x.sum(axis=1)
    raise PanopticumError(f"unknown aggregate '{agg}'")
