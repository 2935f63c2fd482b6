"""A run's daily metrics as dense arrays, ready to draw.

The run store holds tidy rows (member, day, date, region, metric, value); drawing a chart
or a map from those would pivot on every redraw. :class:`RunSeries` pivots once into a
``[metric, region, day]`` array (the median over ensemble members), so a redraw is a
slice.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools

import numpy as np
import pandas as pd

from panopticum.engine.metrics import ALL_METRICS
from panopticum.run import REGION_LABELS

COUNTRY = "ALL"


@dataclasses.dataclass(frozen=True)
class RunSeries:
    """One run's metrics: ``values[metric, region, day]``, NaN where a metric has no value
    (national metrics exist for the country alone)."""

    label: str
    run_id: str | None
    start: datetime.date
    metrics: tuple[str, ...]
    regions: tuple[str, ...]
    values: np.ndarray
    events: tuple[tuple[datetime.date, str], ...]

    @property
    def days(self) -> int:
        return int(self.values.shape[2])

    @property
    def dates(self) -> np.ndarray:
        return np.datetime64(self.start, "D") + np.arange(self.days)

    def has(self, metric: str) -> bool:
        return metric in self._index

    @functools.cached_property
    def _index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.metrics)}

    def national(self, metric: str) -> np.ndarray:
        """The country's daily values of ``metric`` (``[days]``)."""
        return self.values[self._index[metric], self.regions.index(COUNTRY)]

    def total(self, metrics: list[str]) -> np.ndarray:
        """The country's daily sum of several metrics (those this run has)."""
        rows = [self.national(m) for m in metrics if self.has(m)]
        return np.sum(rows, axis=0) if rows else np.full(self.days, np.nan)

    def by_region(self, metric: str, day: int) -> dict[str, float]:
        """Each region's value of ``metric`` on ``day`` (the country left out)."""
        column = self.values[self._index[metric], :, day]
        return {r: float(v) for r, v in zip(self.regions, column) if r != COUNTRY}

    def regional_metrics(self) -> list[str]:
        """Metrics with a value per region (the ones a map can show)."""
        country = self.regions.index(COUNTRY)
        mask = np.isfinite(np.delete(self.values, country, axis=1)).any(axis=(1, 2))
        return [m for m, has in zip(self.metrics, mask) if has]


def _metric_order(names) -> list[str]:
    known = [m for m in ALL_METRICS if m in names]
    return known + sorted(set(names) - set(known))  # metrics of another version of the model last


def from_tidy(frame: pd.DataFrame, start: datetime.date, label: str, run_id: str | None = None,
              events=()) -> RunSeries:
    """Pivot tidy rows (day, region, metric, value, and member for ensembles) into a RunSeries."""
    if frame.empty:
        return RunSeries(label, run_id, start, (), tuple(REGION_LABELS), np.zeros((0, len(REGION_LABELS), 0)), tuple(events))
    if "member" in frame and frame["member"].nunique() > 1:
        frame = frame.groupby(["metric", "region", "day"], observed=True, as_index=False)["value"].median()
    metrics = _metric_order(frame["metric"].astype(str).unique())
    regions = list(REGION_LABELS) + sorted(set(frame["region"].astype(str)) - set(REGION_LABELS))
    m = pd.Categorical(frame["metric"].astype(str), categories=metrics).codes
    r = pd.Categorical(frame["region"].astype(str), categories=regions).codes
    d = frame["day"].to_numpy(dtype=np.int64)
    values = np.full((len(metrics), len(regions), int(d.max()) + 1), np.nan)
    values[m, r, d] = frame["value"].to_numpy(dtype=np.float64)
    return RunSeries(label, run_id, start, tuple(metrics), tuple(regions), values, tuple(events))


def run_label(manifest: dict) -> str:
    text = f"{manifest['scenario']['name']}, seed {manifest['seed']}, {int(manifest['agents']):,} agents"
    return text + (f", {manifest['members']} members" if int(manifest["members"]) > 1 else "")


def from_store(store, run_id: str) -> RunSeries:
    """A stored run (complete or not) as a RunSeries, labelled and with its timeline's events."""
    from panopticum.report.figures import manifest_events

    manifest = store.manifest(run_id)
    start = datetime.date.fromisoformat(manifest["start_date"])
    return from_tidy(store.metrics(run_id), start, f"{run_id} ({run_label(manifest)})", run_id,
                     manifest_events(manifest))
