"""The dashboard's time-series charts, drawn as plain SVG.

A chart is a few lines over the run's dates with the policy timeline's events marked as
dotted verticals and the selected day as a solid one. Plain SVG (no plotting library, no
JavaScript) keeps a redraw to a few milliseconds of string building, so moving a slider
redraws at once; the browser scales the result.

Which lines a chart holds is read from the metric names the run has, not listed here:
perceived risk is drawn against true risk for each behaviour where the model reports a
``true_risk_<behaviour>``, and alone where it does not.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import math

import numpy as np

from panopticum.engine.metrics import ALL_METRICS
from panopticum.params.model import BEHAVIOURS, CHANNELS

BEHAVIOUR_COLOURS = dict(zip(BEHAVIOURS, ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")))
CHANNEL_COLOURS = dict(zip(CHANNELS, ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d")))
OTHER_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
WIDTH, PLOT_HEIGHT = 540, 160
LEFT, RIGHT, TOP, AXIS = 56, 14, 26, 22


@dataclasses.dataclass(frozen=True)
class Line:
    label: str
    values: np.ndarray
    colour: str
    dashed: bool = False


@dataclasses.dataclass(frozen=True)
class Chart:
    key: str
    title: str
    unit: str
    lines: tuple[Line, ...]
    scale: float = 1.0  # shares are drawn as percentages
    log: bool = False
    smoothable: bool = False


def _colour(i: int) -> str:
    return OTHER_COLOURS[i % len(OTHER_COLOURS)]


def present(series, prefix: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """The run's metrics whose names start with ``prefix``, in the registry's order."""
    return [m for m in series.metrics if m.startswith(prefix) and m not in exclude]


def prevalence_chart(series) -> Chart:
    lines = [Line(b, series.national(f"prevalence_{b}"), BEHAVIOUR_COLOURS[b]) for b in BEHAVIOURS
             if series.has(f"prevalence_{b}")]
    return Chart("prevalence", "Prevalence of each behaviour", "% of adults on the day", tuple(lines), scale=100)


def risk_chart(series) -> Chart:
    """Perceived risk per behaviour, and the true risk beside it (dashed) where the run has it."""
    lines, with_truth = [], False
    for b in BEHAVIOURS:
        colour = BEHAVIOUR_COLOURS[b]
        if series.has(f"perceived_risk_{b}"):
            lines.append(Line(f"{b} perceived", series.national(f"perceived_risk_{b}"), colour))
        if series.has(f"true_risk_{b}"):
            with_truth = True
            lines.append(Line(f"{b} true", series.national(f"true_risk_{b}"), colour, dashed=True))
    title = "Perceived (solid) versus true (dashed) risk" if with_truth else "Perceived risk of punishment"
    return Chart("risk", title, "probability", tuple(lines))


def detections_chart(series) -> Chart:
    names = present(series, "detections_", exclude=("detections_all",))
    lines = [Line(m.removeprefix("detections_"), series.national(m), CHANNEL_COLOURS.get(m[11:], _colour(i)))
             for i, m in enumerate(names)]
    return Chart("detections", "Detections by channel", "per 100,000 adults per day", tuple(lines), smoothable=True)


def records_chart(series) -> Chart:
    lines = (Line("collected", series.total(present(series, "records_collected_")), "#1f77b4"),
             Line("analysed", series.total(present(series, "records_analysed_")), "#ff7f0e", dashed=True))
    return Chart("records", "Records collected versus analysed", "records per day (log scale)", lines, log=True,
                 smoothable=True)


def detained_chart(series) -> Chart:
    lines = [Line("detained", series.national("share_detained"), "#d62728")] if series.has("share_detained") else []
    return Chart("detained", "Detained", "% of adults", tuple(lines), scale=100)


def metric_chart(series, metric: str) -> Chart:
    """Any one metric of the run, for the metrics the fixed charts leave out."""
    info = ALL_METRICS.get(metric)
    unit = info.unit if info else ""
    share = unit.startswith("share")
    lines = (Line(metric, series.national(metric), "#1f77b4"),) if series.has(metric) else ()
    return Chart(f"metric-{metric}", metric.replace("_", " ").capitalize(), unit.replace("share of", "% of") if share else unit,
                 lines, scale=100 if share else 1.0, smoothable=not share)


MAIN_CHARTS = (prevalence_chart, risk_chart, detections_chart, records_chart, detained_chart)


def compare_chart(current, other, metric: str) -> tuple[Chart, np.ndarray]:
    """``metric`` in two runs on one date axis (the union of their dates): ``(chart, dates)``."""
    runs = [r for r in (current, other) if r is not None and r.has(metric) and r.days]
    if not runs:
        return metric_chart(current, metric) if current is not None else Chart("compare", metric, "", ()), np.array([], "datetime64[D]")
    first = min(r.dates[0] for r in runs)
    last = max(r.dates[-1] for r in runs)
    dates = np.arange(first, last + 1)
    lines = []
    for i, run in enumerate(runs):
        values = np.full(len(dates), np.nan)
        offset = int((run.dates[0] - first).astype(int))
        values[offset:offset + run.days] = run.national(metric)
        lines.append(Line(run.label if i or other is None else f"this run: {run.label}", values,
                          ("#1f77b4", "#d62728")[i], dashed=i == 1))
    info = ALL_METRICS.get(metric)
    share = bool(info and info.unit.startswith("share"))
    unit = (info.unit.replace("share of", "% of") if share else info.unit) if info else ""
    return Chart("compare", f"{metric.replace('_', ' ').capitalize()}: two runs", unit, tuple(lines),
                 scale=100 if share else 1.0, smoothable=not share), dates


# --- drawing ------------------------------------------------------------------------------------

def smooth(values: np.ndarray, days: int) -> np.ndarray:
    """Trailing mean over ``days`` days (NaN-aware; the first days average what there is)."""
    if days <= 1 or len(values) == 0:
        return values
    finite = np.isfinite(values)
    sums = np.cumsum(np.where(finite, values, 0.0))
    counts = np.cumsum(finite)
    lag_s = np.concatenate([np.zeros(days), sums[:-days]])[: len(values)]
    lag_c = np.concatenate([np.zeros(days), counts[:-days]])[: len(values)]
    n = counts - lag_c
    return np.where(n > 0, (sums - lag_s) / np.maximum(n, 1), np.nan)


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    return [round(k * step, 12) for k in range(first, max(last, first + 1) + 1)]


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:g}M"
    if a >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:.3g}"


def _date_label(date: np.datetime64, span_days: int) -> str:
    d = date.astype(datetime.date)
    return d.strftime("%d %b") if span_days <= 120 else d.strftime("%b %Y")


def _x(i: float, n: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (i / max(n - 1, 1))


def _path(xs: np.ndarray, ys: np.ndarray) -> str:
    parts, pen = [], False
    for x, y in zip(xs, ys):
        if not math.isfinite(y):
            pen = False
            continue
        parts.append(f"{'L' if pen else 'M'}{x:.1f},{y:.1f}")
        pen = True
    return "".join(parts)


def _legend(lines, y0: float) -> tuple[str, float]:
    out, x, y = [], LEFT, y0
    for line in lines:
        w = 26 + 6.2 * len(line.label)
        if x + w > WIDTH - RIGHT and x > LEFT:
            x, y = LEFT, y + 14
        dash = ' stroke-dasharray="5,3"' if line.dashed else ""
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 18}" y2="{y - 4}" stroke="{line.colour}" stroke-width="2"{dash}/>'
                   f'<text x="{x + 22}" y="{y}" font-size="10">{html.escape(line.label)}</text>')
        x += w
    return "".join(out), y


def render(chart: Chart, dates: np.ndarray, events=(), cursor: int | None = None, smooth_days: int = 1) -> str:
    """The chart as an ``<svg>`` element (a string): lines, axes, events and the cursor."""
    n = len(dates)
    esc = html.escape
    top, bottom = TOP, TOP + PLOT_HEIGHT
    lines = [dataclasses.replace(line, values=smooth(np.asarray(line.values, float), smooth_days)
                                 if chart.smoothable else np.asarray(line.values, float)) for line in chart.lines]
    if chart.log:
        lines = [dataclasses.replace(line, values=np.log10(np.maximum(line.values, 1.0))) for line in lines]
    values = [line.values * (1 if chart.log else chart.scale) for line in lines]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    lo = 0.0 if not chart.log else (math.floor(float(finite.min())) if finite.size else 0.0)
    hi = float(finite.max()) if finite.size else 1.0
    if chart.log:  # one tick per power of ten
        ticks = [float(k) for k in range(int(lo), max(math.ceil(hi), int(lo) + 1) + 1)]
    else:
        ticks = nice_ticks(lo, hi if hi > lo else lo + 1.0)
    lo, hi = ticks[0], ticks[-1]
    to_y = lambda v: bottom - (v - lo) / (hi - lo) * PLOT_HEIGHT  # noqa: E731
    body = [f'<text x="{LEFT}" y="14" font-size="12.5" font-weight="bold">{esc(chart.title)}</text>',
            f'<text x="{WIDTH - RIGHT}" y="14" font-size="10" fill="#555" text-anchor="end">{esc(chart.unit)}</text>']
    for t in ticks:
        y = to_y(t)
        label = _fmt(10 ** t) if chart.log else _fmt(t)
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e6e6e6"/>'
                    f'<text x="{LEFT - 5}" y="{y + 3:.1f}" font-size="10" text-anchor="end" fill="#444">{label}</text>')
    body.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" stroke="#888"/>')
    if n:
        for i in sorted({round(k * (n - 1) / 4) for k in range(5)}):
            x = _x(i, n)
            anchor = "start" if i == 0 else "end" if i == n - 1 else "middle"
            body.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#888"/>'
                        f'<text x="{x:.1f}" y="{bottom + 15}" font-size="10" text-anchor="{anchor}" fill="#444">'
                        f'{_date_label(dates[i], n)}</text>')
        first, last = dates[0], dates[-1]
        for date, text in events:
            d = np.datetime64(date, "D")
            if first <= d <= last:
                x = _x(int((d - first).astype(int)), n)
                body.append(f'<g class="event"><title>{esc(str(date))}: {esc(text)}</title>'
                            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#555" stroke-dasharray="2,2"/>'
                            f'<text transform="translate({x - 3:.1f},{top + 2}) rotate(-90)" font-size="8.5" fill="#555" '
                            f'text-anchor="end">{esc(text)}</text></g>')
        xs = np.array([_x(i, n) for i in range(n)])
        for line, v in zip(lines, values):
            dash = ' stroke-dasharray="5,3"' if line.dashed else ""
            body.append(f'<path class="series" data-label="{esc(line.label)}" d="{_path(xs, to_y(v))}" fill="none" '
                        f'stroke="{line.colour}" stroke-width="1.6"{dash}/>')
        if cursor is not None and 0 <= cursor < n:
            x = _x(cursor, n)
            body.append(f'<line class="cursor" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#000" '
                        f'stroke-width="1"/>')
    else:
        body.append(f'<text x="{(LEFT + WIDTH) / 2}" y="{top + PLOT_HEIGHT / 2}" text-anchor="middle" fill="#888" '
                    'font-size="11">no days simulated yet</text>')
    legend, last_y = _legend(chart.lines, bottom + 34)
    body.append(legend)
    height = last_y + 8
    return (f'<svg class="pan-chart" data-chart="{esc(chart.key)}" data-days="{n}" data-lines="{len(lines)}" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" style="max-width:{WIDTH}px" '
            f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" role="img" '
            f'aria-label="{esc(chart.title)}">{"".join(body)}</svg>')
