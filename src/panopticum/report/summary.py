"""Short national summaries of a run: a few figures, first month against last month.

For an ensemble each figure is the median over members of the member's mean over the
window, with the 5-95% band across members.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from panopticum.engine.metrics import ALL_METRICS
from panopticum.params.model import BEHAVIOURS, CHANNELS

BAND = (5, 95)


def summary_metrics() -> list[tuple[str, str]]:
    """(metric, label) of the figures a summary shows, in order."""
    rows = [(f"prevalence_{b}", f"prevalence: {b}") for b in BEHAVIOURS]
    rows += [(f"detections_{c}", f"detections: {c}") for c in CHANNELS]
    rows += [
        ("detections_all", "detections: any channel"),
        ("punished", "punished"),
        ("share_detained", "share detained"),
        ("share_in_system", "share in the system"),
        ("freedom_index", "freedom index"),
    ]
    return rows


@dataclasses.dataclass
class Figure:
    metric: str
    label: str
    unit: str
    first: tuple[float, float, float]  # median, low, high over members
    last: tuple[float, float, float]


def windows(days: pd.Series) -> tuple[tuple[int, int], tuple[int, int]]:
    """The first and last month of the days present (halves for runs under 60 days)."""
    lo, hi = int(days.min()), int(days.max())
    span = hi - lo + 1
    width = 30 if span >= 60 else max(span // 2, 1)
    return (lo, lo + width - 1), (hi - width + 1, hi)


def _band(values: np.ndarray) -> tuple[float, float, float]:
    if len(values) == 0:
        return (float("nan"),) * 3
    lo, hi = np.percentile(values, BAND)
    return float(np.median(values)), float(lo), float(hi)


def national_summary(metrics: pd.DataFrame) -> tuple[list[Figure], tuple[tuple[int, int], tuple[int, int]]]:
    """The summary figures of a run's tidy metrics (region ``ALL``), and the two windows."""
    nat = metrics[metrics["region"] == "ALL"]
    if "member" not in nat:
        nat = nat.assign(member=0)
    first, last = windows(nat["day"])
    out = []
    for metric, label in summary_metrics():
        rows = nat[nat["metric"] == metric]
        if rows.empty:
            continue
        bands = []
        for lo, hi in (first, last):
            w = rows[(rows["day"] >= lo) & (rows["day"] <= hi)]
            bands.append(_band(w.groupby("member")["value"].mean().to_numpy()))
        out.append(Figure(metric, label, ALL_METRICS[metric].unit, bands[0], bands[1]))
    return out, (first, last)


def format_value(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "-"
    if unit.startswith("share"):
        return f"{100 * value:.2f}%"
    if unit == "0-1":
        return f"{value:.3f}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value else "0"


def format_band(band: tuple[float, float, float], unit: str, members: int) -> str:
    text = format_value(band[0], unit)
    if members > 1:
        text += f" [{format_value(band[1], unit)}-{format_value(band[2], unit)}]"
    return text


SHORT_UNITS = {
    "share of adults": "% adults",
    "share of people": "% people",
    "per 100,000 adults per day": "/100k adults/day",
}


def display_unit(unit: str) -> str:
    return SHORT_UNITS.get(unit, unit)
