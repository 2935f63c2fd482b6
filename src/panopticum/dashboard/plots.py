"""The experiments' and surveys' charts, drawn as plain SVG like the time series.

- :func:`scatter`: an outcome against a parameter, one dot per run, the mean of each
  parameter value's runs joined by a line where values repeat (grids, replicates).
- :func:`intervals`: rows of estimates, each a dot with its interval and a reference tick
  (a survey's estimates against the truth; sensitivity indices with their confidence
  intervals).

No plotting library and no JavaScript: a redraw is string building, and the browser
scales the result.
"""

from __future__ import annotations

import dataclasses
import datetime
import html
import math
import textwrap

import numpy as np

from panopticum.dashboard.charts import nice_ticks

esc = html.escape
WIDTH = 600


def _fmt(v: float, dates: bool = False) -> str:
    if dates:
        return datetime.date.fromordinal(int(round(v))).isoformat()
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.3g}M"
    if a >= 1e4:
        return f"{v / 1e3:.3g}k"
    return f"{v:.3g}"


def _span(values: np.ndarray, pad: float | None = None) -> tuple[list[float], float, float]:
    """Ticks over the finite ``values``; a single value gets ``pad`` (default a tenth of
    itself) on either side."""
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi <= lo:
        pad = pad or abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi)
    return ticks, ticks[0], ticks[-1]


def scatter(xs, ys, *, key: str, title: str, x_label: str, y_label: str, x_dates: bool = False,
            tips=None) -> str:
    """``ys`` against ``xs`` as an ``<svg>`` string: a dot per pair (``tips`` their hover texts),
    and where an x value has several dots, the line through their means. ``x_dates``: the
    xs are ordinal days, labelled as dates."""
    xs, ys = np.asarray(xs, np.float64), np.asarray(ys, np.float64)
    left, right, top, height = 62, 16, 28, 260
    bottom = top + height
    x_ticks, x_lo, x_hi = _span(xs, pad=1.0 if x_dates else None)
    y_ticks, y_lo, y_hi = _span(ys)
    to_x = lambda v: left + (v - x_lo) / (x_hi - x_lo) * (WIDTH - left - right)  # noqa: E731
    to_y = lambda v: bottom - (v - y_lo) / (y_hi - y_lo) * height  # noqa: E731
    body = [f'<text x="{left}" y="15" font-size="12.5" font-weight="bold">{esc(title)}</text>']
    for t in y_ticks:
        y = to_y(t)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="#e6e6e6"/>'
                    f'<text x="{left - 5}" y="{y + 3:.1f}" font-size="10" text-anchor="end" fill="#444">{_fmt(t)}</text>')
    for t in x_ticks:
        x = to_x(t)
        body.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="#888"/>'
                    f'<text x="{x:.1f}" y="{bottom + 15}" font-size="10" text-anchor="middle" fill="#444">'
                    f'{_fmt(t, x_dates)}</text>')
    body.append(f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - right}" y2="{bottom}" stroke="#888"/>'
                f'<text x="{(left + WIDTH - right) / 2:.0f}" y="{bottom + 32}" font-size="11" text-anchor="middle">'
                f'{esc(x_label)}</text>'
                f'<text transform="translate(14,{top + height / 2:.0f}) rotate(-90)" font-size="11" '
                f'text-anchor="middle">{esc(y_label)}</text>')
    ok = np.isfinite(xs) & np.isfinite(ys)
    levels, counts = np.unique(xs[ok], return_counts=True)
    if len(levels) > 1 and counts.max() > 1:  # repeated values: the means, joined
        means = np.array([ys[ok][xs[ok] == v].mean() for v in levels])
        path = "".join(f"{'L' if i else 'M'}{to_x(x):.1f},{to_y(y):.1f}" for i, (x, y) in enumerate(zip(levels, means)))
        body.append(f'<path class="means" d="{path}" fill="none" stroke="#d62728" stroke-width="1.6"/>')
    tips = list(tips) if tips is not None else [None] * len(xs)
    for x, y, tip, good in zip(xs, ys, tips, ok):
        if good:
            title_tag = f"<title>{esc(tip)}</title>" if tip else ""
            body.append(f'<circle class="dot" cx="{to_x(x):.1f}" cy="{to_y(y):.1f}" r="4" fill="#1f77b4" '
                        f'fill-opacity="0.6" stroke="#1f77b4">{title_tag}</circle>')
    if not ok.any():
        body.append(f'<text x="{WIDTH / 2}" y="{top + height / 2}" text-anchor="middle" fill="#888" font-size="11">'
                    'no finished runs yet</text>')
    total = bottom + 42
    return (f'<svg class="pan-plot" data-chart="{esc(key)}" data-dots="{int(ok.sum())}" viewBox="0 0 {WIDTH} {total}" '
            f'width="100%" style="max-width:{WIDTH}px" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="system-ui,sans-serif" role="img" aria-label="{esc(title)}">{"".join(body)}</svg>')


@dataclasses.dataclass(frozen=True)
class Interval:
    """One estimate: its value and interval, drawn in ``colour`` and named ``label`` in the key."""

    label: str
    value: float
    low: float
    high: float
    colour: str
    tip: str = ""


@dataclasses.dataclass(frozen=True)
class IntervalRow:
    """A row of the chart: its estimates, and the reference they are judged against (or NaN)."""

    label: str
    intervals: tuple[Interval, ...]
    reference: float = math.nan


def intervals(rows: list[IntervalRow], *, key: str, title: str, unit: str, scale: float = 1.0,
              reference_label: str = "truth", zero: bool = True) -> str:
    """Rows of dots with horizontal intervals and a reference tick each, as an ``<svg>`` string.
    Values are multiplied by ``scale`` (100 for shares drawn as %)."""
    label_w, right, top, line_h, gap = 210, 16, 40, 11, 12
    plot_l = label_w + 8
    values = [v * scale for r in rows for i in r.intervals for v in (i.value, i.low, i.high)]
    values += [r.reference * scale for r in rows]
    finite = np.array([v for v in values if math.isfinite(v)] + ([0.0] if zero else []))
    ticks, lo, hi = _span(finite) if finite.size else ([0.0, 1.0], 0.0, 1.0)
    to_x = lambda v: plot_l + (v * scale - lo) / (hi - lo) * (WIDTH - plot_l - right)  # noqa: E731
    body = [f'<text x="8" y="15" font-size="12.5" font-weight="bold">{esc(title)}</text>',
            f'<text x="8" y="29" font-size="10" fill="#555">{esc(unit)}</text>']
    y, bands = top, []
    for r in rows:
        wrapped = textwrap.wrap(r.label, 36)[:3] or [""]
        band = max(len(r.intervals) * line_h, len(wrapped) * 11) + gap
        bands.append((r, wrapped, y, band))
        y += band
    bottom = y
    for t in ticks:
        x = plot_l + (t - lo) / (hi - lo) * (WIDTH - plot_l - right)
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#ececec"/>'
                    f'<text x="{x:.1f}" y="{bottom + 13}" font-size="10" text-anchor="middle" fill="#444">{_fmt(t)}</text>')
    for k, (r, wrapped, y0, band) in enumerate(bands):
        if k % 2:
            body.append(f'<rect x="0" y="{y0}" width="{WIDTH}" height="{band}" fill="#f6f6f6"/>')
        text = "".join(f'<tspan x="8" dy="{11 if j else 0}">{esc(w)}</tspan>' for j, w in enumerate(wrapped))
        body.append(f'<text x="8" y="{y0 + gap / 2 + 8:.1f}" font-size="10">{text}</text>')
        row = [f'<g class="row" data-label="{esc(r.label)}">']
        for j, iv in enumerate(r.intervals):
            yy = y0 + gap / 2 + line_h * j + line_h / 2
            tip = f"<title>{esc(iv.tip)}</title>" if iv.tip else ""
            if math.isfinite(iv.low) and math.isfinite(iv.high):
                row.append(f'<line x1="{to_x(iv.low):.1f}" y1="{yy:.1f}" x2="{to_x(iv.high):.1f}" y2="{yy:.1f}" '
                           f'stroke="{iv.colour}" stroke-width="2"/>')
            if math.isfinite(iv.value):
                row.append(f'<circle class="estimate" data-series="{esc(iv.label)}" cx="{to_x(iv.value):.1f}" '
                           f'cy="{yy:.1f}" r="3.6" fill="{iv.colour}">{tip}</circle>')
        if math.isfinite(r.reference):
            x = to_x(r.reference)
            row.append(f'<line class="reference" x1="{x:.1f}" y1="{y0 + 3}" x2="{x:.1f}" y2="{y0 + band - 3}" '
                       f'stroke="#111" stroke-width="2"><title>{esc(reference_label)}: '
                       f'{_fmt(r.reference * scale)}</title></line>')
        body.append("".join(row) + "</g>")
    legend = list(dict.fromkeys((iv.label, iv.colour) for r in rows for iv in r.intervals))
    x, ly = 8.0, bottom + 32
    for label, colour in legend + ([(reference_label, None)] if any(math.isfinite(r.reference) for r in rows) else []):
        w = 30 + 6.0 * len(label)
        if x + w > WIDTH - right and x > 8:
            x, ly = 8.0, ly + 14
        mark = (f'<circle cx="{x + 6}" cy="{ly - 4}" r="3.6" fill="{colour}"/>' if colour else
                f'<line x1="{x + 6}" y1="{ly - 10}" x2="{x + 6}" y2="{ly + 2}" stroke="#111" stroke-width="2"/>')
        body.append(f'{mark}<text x="{x + 14}" y="{ly}" font-size="10">{esc(label)}</text>')
        x += w
    total = ly + 10
    return (f'<svg class="pan-plot" data-chart="{esc(key)}" data-rows="{len(rows)}" viewBox="0 0 {WIDTH} {total:.0f}" '
            f'width="100%" style="max-width:{WIDTH}px" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="system-ui,sans-serif" role="img" aria-label="{esc(title)}">{"".join(body)}</svg>')
