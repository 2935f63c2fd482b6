"""A schematic tile map of the eleven regions, coloured by one metric on one day (plain SVG).

Each region is a square placed roughly where it lies (north at the top, the Chinese
border along the top rows, the sea to the east); no map tiles, nothing fetched. The
military is a region of the model but not a place, so it stands apart with a dashed edge.
Colours run over the metric's range across every region and day of the run, so a tile's
colour means the same on every date.
"""

from __future__ import annotations

import html
import math

import numpy as np

TILE, GAP, MARGIN, TOP = 92, 6, 10, 30

# (column, row) of each region, north-west at (0, 0).
LAYOUT = {
    "Chagang": (1, 0),
    "Ryanggang": (2, 0),
    "North Hamgyong": (3, 0),
    "North Pyongan": (0, 1),
    "South Pyongan": (1, 1),
    "South Hamgyong": (2, 1),
    "Pyongyang": (0, 2),
    "North Hwanghae": (1, 2),
    "Kangwon": (2, 2),
    "South Hwanghae": (0, 3),
}
APART = (3, 3)  # where the military (and any region the layout does not know) is drawn

# A perceptually ordered scale from pale yellow to dark blue (viridis-like, reversed).
STOPS = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def colour_for(fraction: float) -> str:
    """The scale's colour at ``fraction`` in [0, 1] (grey for a missing value)."""
    if not math.isfinite(fraction):
        return "#dddddd"
    f = min(max(fraction, 0.0), 1.0) * (len(STOPS) - 1)
    i = min(int(f), len(STOPS) - 2)
    a, b = _rgb(STOPS[i]), _rgb(STOPS[i + 1])
    t = f - i
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def _fmt(value: float, percent: bool) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value * 100:.1f}%" if percent else f"{value:.3g}"


def positions(regions) -> dict[str, tuple[int, int]]:
    """Each region's tile; regions the layout does not place go to the spare corner, in a row."""
    out, spare = {}, 0
    for region in regions:
        if region in LAYOUT:
            out[region] = LAYOUT[region]
        else:
            out[region] = (APART[0] + spare, APART[1])
            spare += 1
    return out


def render(values: dict[str, float], metric: str, date: str, value_range: tuple[float, float],
           percent: bool = False) -> str:
    """The map as an ``<svg>`` string: one tile per region in ``values``, and a colour key."""
    esc = html.escape
    lo, hi = value_range
    span = hi - lo if math.isfinite(hi - lo) and hi > lo else 1.0
    tiles = positions(values)
    cols = max(c for c, _ in tiles.values()) + 1 if tiles else 4
    rows = max(r for _, r in tiles.values()) + 1 if tiles else 4
    width = MARGIN * 2 + cols * TILE + (cols - 1) * GAP
    height = TOP + rows * (TILE + GAP) + 44
    body = [f'<text x="{MARGIN}" y="18" font-size="13" font-weight="bold">{esc(metric.replace("_", " "))} on {esc(date)}</text>']
    for region, value in values.items():
        col, row = tiles[region]
        x, y = MARGIN + col * (TILE + GAP), TOP + row * (TILE + GAP)
        fill = colour_for((value - lo) / span)
        dark = math.isfinite(value) and (value - lo) / span > 0.45
        ink = "#fff" if dark else "#111"
        apart = region not in LAYOUT
        edge = 'stroke="#333" stroke-dasharray="4,3"' if apart else 'stroke="#fff"'
        words = region.split(" ")
        text = "".join(f'<tspan x="{x + 6}" dy="{13 if k else 0}">{esc(w)}</tspan>' for k, w in enumerate(words))
        body.append(
            f'<g class="tile" data-region="{esc(region)}" data-value="{value!r}"><title>{esc(region)}: '
            f'{_fmt(value, percent)}</title><rect x="{x}" y="{y}" width="{TILE}" height="{TILE}" rx="6" fill="{fill}" '
            f'{edge} stroke-width="1.5"/><text x="{x + 6}" y="{y + 16}" font-size="11" fill="{ink}">{text}</text>'
            f'<text x="{x + 6}" y="{y + TILE - 8}" font-size="13" font-weight="bold" fill="{ink}">'
            f'{_fmt(value, percent)}</text></g>')
    key_y, key_w = height - 34, min(width - 2 * MARGIN, 300)
    steps = 24
    for k in range(steps):
        body.append(f'<rect x="{MARGIN + k * key_w / steps:.1f}" y="{key_y}" width="{key_w / steps + 0.5:.1f}" '
                    f'height="10" fill="{colour_for(k / (steps - 1))}"/>')
    body.append(f'<text x="{MARGIN}" y="{key_y + 23}" font-size="10">{_fmt(lo, percent)}</text>'
                f'<text x="{MARGIN + key_w}" y="{key_y + 23}" font-size="10" text-anchor="end">{_fmt(hi, percent)}</text>'
                f'<text x="{MARGIN + key_w / 2}" y="{key_y + 23}" font-size="10" text-anchor="middle" fill="#555">'
                'range over all regions and days</text>')
    return (f'<svg class="pan-map" data-metric="{esc(metric)}" data-date="{esc(date)}" viewBox="0 0 {width} {height}" '
            f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg" '
            f'font-family="system-ui,sans-serif" role="img" aria-label="map of {esc(metric)}">{"".join(body)}</svg>')


def map_for(series, metric: str, day: int, percent: bool | None = None) -> str:
    """The map of ``metric`` on day ``day`` of a :class:`~panopticum.dashboard.series.RunSeries`."""
    from panopticum.dashboard.series import COUNTRY
    from panopticum.engine.metrics import ALL_METRICS

    if percent is None:
        info = ALL_METRICS.get(metric)
        percent = bool(info and info.unit.startswith("share"))
    values = series.by_region(metric, day)
    country = series.regions.index(COUNTRY)
    everything = np.delete(series.values[series.metrics.index(metric)], country, axis=0)
    finite = everything[np.isfinite(everything)]
    value_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return render(values, metric, str(series.dates[day]), value_range, percent)
