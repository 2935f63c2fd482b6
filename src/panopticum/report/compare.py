"""``panopticum compare``: runs side by side in one figure (PNG or SVG) and an HTML page."""

from __future__ import annotations

import os
from pathlib import Path

from panopticum.errors import PanopticumError
from panopticum.report import figures as F
from panopticum.report.html import esc, figure_block, page, summary_table, write_html
from panopticum.store.layout import atomic_write

FORMATS = {".png": "png", ".svg": "svg", ".html": None}


def write_compare(store, run_ids: list[str], out: str | os.PathLike) -> list[Path]:
    """Write the comparison figure to ``out`` (.png/.svg, with an .html page beside it) or an
    .html page alone; returns the files written."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise PanopticumError(f"--out must end in .png, .svg or .html, got '{out.name}'")
    runs = [F.load_run(store, r) for r in run_ids]
    empty = [r.run_id for r in runs if r.metrics.empty]
    if empty:
        raise PanopticumError(f"run {empty[0]} has no days simulated yet; nothing to compare")
    fmt = FORMATS[suffix] or "png"
    written = []
    if FORMATS[suffix]:
        data = F.encode(F.compare_figure(runs), fmt)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(out, lambda p: p.write_bytes(data))
        except OSError as exc:
            raise PanopticumError(f"cannot write {out}: {exc.strerror or exc}") from None
        written.append(out)
    html_path = out if suffix == ".html" else out.with_suffix(".html")
    body = ["<h1>Scenarios side by side</h1>",
            figure_block(F.compare_figure(runs), "fig-compare",
                         "One colour per run; dotted lines mark the policy timeline's events.", fmt)]
    for r in runs:
        body.append(f"<h2>{esc(r.label)} <span class=muted>{esc(r.run_id)}</span></h2>")
        body.append(f"<p class=sub>{esc(r.manifest['scenario'].get('description', ''))}</p>")
        body.append(summary_table(r))
    write_html(html_path, page("panopticum: scenarios side by side", "\n".join(body)))
    written.append(html_path)
    return written
