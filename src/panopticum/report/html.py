"""One self-contained HTML report of a stored run: figures embedded as base64 images.

Sections: the run and its scenario; national figures (a summary table and time series);
attribution of detections to channels; small multiples by region; the policy timeline's
events; the virtual surveys kept in the run (``panopticum survey``); every parameter with
its value, unit, range and source. The timeline's events are also marked on every time axis.
"""

from __future__ import annotations

import base64
import datetime
import html
import os
from pathlib import Path

from panopticum.errors import PanopticumError
from panopticum.report import figures as F
from panopticum.report.summary import display_unit, format_band, national_summary
from panopticum.store.layout import atomic_write

STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1250px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.1em} h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.sub{color:#555;margin-top:0} table{border-collapse:collapse;font-size:.88em;margin:.6em 0}
td,th{padding:.25em .7em;border-bottom:1px solid #eee;text-align:left;vertical-align:top} th{background:#f6f6f6}
td.num{text-align:right;font-variant-numeric:tabular-nums} figure{margin:1em 0} figure img{max-width:100%;border:1px solid #eee}
figcaption{color:#555;font-size:.9em} .changed{background:#fff6d5} .muted{color:#888} code{font-size:.95em}
nav a{margin-right:1em}
"""


def esc(value) -> str:
    return html.escape(str(value))


def image_tag(fig, fig_id: str, alt: str, fmt: str = "png") -> str:
    data = base64.b64encode(F.encode(fig, fmt)).decode("ascii")
    mime = "image/svg+xml" if fmt == "svg" else "image/png"
    return f'<img id="{fig_id}" alt="{esc(alt)}" src="data:{mime};base64,{data}">'


def figure_block(fig, fig_id: str, caption: str, fmt: str = "png") -> str:
    return f'<figure>{image_tag(fig, fig_id, caption, fmt)}<figcaption>{esc(caption)}</figcaption></figure>'


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>"
            f"<style>{STYLE}</style></head><body>\n{body}\n<p class=\"muted\">Made by panopticum, a research "
            "simulator: every agent is synthetic; it models surveillance and performs none.</p></body></html>\n")


def write_html(out: Path, text: str) -> None:
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise PanopticumError(f"cannot write {out}: {exc.strerror or exc}") from None


def summary_table(run: F.RunData) -> str:
    figures, (first, last) = national_summary(run.metrics)
    start = datetime.date.fromisoformat(run.manifest["start_date"])
    label = lambda w: f"{start + datetime.timedelta(days=w[0])} to {start + datetime.timedelta(days=w[1])}"  # noqa: E731
    rows = "".join(
        f"<tr><td>{esc(f.label)}</td><td class=muted>{esc(display_unit(f.unit))}</td>"
        f"<td class=num>{esc(format_band(f.first, f.unit, run.members))}</td>"
        f"<td class=num>{esc(format_band(f.last, f.unit, run.members))}</td></tr>"
        for f in figures
    )
    band = " Median over members, 5-95% band in brackets." if run.members > 1 else ""
    return (f"<table><tr><th>national figure</th><th>unit</th><th>{label(first)}</th><th>{label(last)}</th></tr>"
            f"{rows}</table><p class=muted>Means over each window.{band}</p>")


def parameters_table(manifest: dict) -> str:
    from panopticum.params.schema import SPEC_BY_PATH, describe_range

    overrides = set(manifest.get("overrides", {}))
    rows = []
    for path, value in manifest["parameters"].items():
        spec = SPEC_BY_PATH.get(path)
        default = spec.default.isoformat() if spec is not None and hasattr(spec.default, "isoformat") else getattr(spec, "default", "")
        changed = spec is not None and value != default
        note = " (--set)" if path in overrides else (" (scenario)" if changed else "")
        rows.append(
            f"<tr class=\"{'changed' if changed else ''}\"><td><code>{esc(path)}</code></td><td class=num>{esc(value)}{note}</td>"
            f"<td>{esc(spec.unit if spec else '')}</td><td>{esc(describe_range(path) if spec else '')}</td>"
            f"<td>{esc(spec.doc if spec else '')}</td><td>{esc(spec.source if spec else '')}</td></tr>"
        )
    return ("<p>Highlighted: values that differ from the defaults.</p><table><tr><th>parameter</th><th>value</th>"
            "<th>unit</th><th>range</th><th>what it does</th><th>source</th></tr>" + "".join(rows) + "</table>")


def timeline_table(run: F.RunData) -> str:
    lo, hi = run.metrics["date"].min().date(), run.metrics["date"].max().date()
    rows = "".join(
        f"<tr class=\"{'' if lo <= d <= hi else 'muted'}\"><td>{d}</td><td>{esc(t)}</td>"
        f"<td>{'within the run' if lo <= d <= hi else 'outside the run'}</td></tr>"
        for d, t in run.events
    )
    return f"<table><tr><th>date</th><th>event</th><th></th></tr>{rows}</table>"


def run_facts(run: F.RunData, status: dict) -> str:
    m = run.manifest
    facts = [
        ("run", run.run_id), ("status", status["status"]),
        ("scenario", f"{m['scenario']['name']} ({m['scenario'].get('source', '')})"),
        ("seed", m["seed"]), ("ensemble members", m["members"]),
        ("agents", f"{int(m['agents']):,} ({m['people_per_agent']:,.0f} people each)"),
        ("days", f"{m['days']} from {m['start_date']}"), ("parameter hash", m.get("param_hash", "")),
        ("created", m["created"]), ("versions", ", ".join(f"{k} {v}" for k, v in m["versions"].items())),
        ("platform", f"{m['platform']['system']}, {m['platform']['jax_backend']}"),
    ]
    return "<table>" + "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts) + "</table>"


def survey_sections(run_dir: Path) -> str:
    """The virtual surveys kept in a run (``panopticum survey``), one section each; empty if none."""
    from panopticum.surveys.figures import survey_section
    from panopticum.surveys.results import kept_results, read_results

    sections = []
    for k, folder in enumerate(kept_results(run_dir)):
        meta, estimates, scores = read_results(folder)
        sections.append(survey_section(meta, scores, estimates, anchor=f"survey-{k}"))
    return "\n".join(sections)


REPORT_FIGURES = ("fig-national", "fig-attribution", "fig-regions-freedom", "fig-regions-media", "fig-regions-detections")


def build_report(store, run_id: str) -> str:
    run = F.load_run(store, run_id)
    status = store.status(run_id)
    if run.metrics.empty:
        raise PanopticumError(f"run {run_id} has no days simulated yet; nothing to report")
    m = run.manifest
    parts = [
        f"<h1>{esc(m['scenario']['name'])}</h1><p class=sub>{esc(m['scenario'].get('description', ''))}</p>",
        "<nav><a href=#run>run</a><a href=#national>national</a><a href=#attribution>attribution</a>"
        "<a href=#regions>regions</a><a href=#timeline>timeline</a><a href=#parameters>parameters</a></nav>",
    ]
    if status["status"] != "complete":
        parts.append(f"<p><b>This run is {esc(status['status'])}: {status.get('days_done', 0)} of {m['days']} days.</b></p>")
    parts += [
        "<h2 id=run>The run</h2>", run_facts(run, status),
        "<h2 id=national>National figures</h2>", summary_table(run),
        figure_block(F.national_figure(run), "fig-national",
                     "National figures over time; dotted vertical lines mark the policy timeline's events."),
        "<h2 id=attribution>Attribution of detections to channels</h2>",
        figure_block(F.attribution_figure(run), "fig-attribution",
                     "Which surveillance channels produced the true records that were analysed and led to detection."),
        "<h2 id=regions>By region</h2>",
        figure_block(F.regions_figure(run, "freedom_index"), "fig-regions-freedom", "Freedom index by region."),
        figure_block(F.regions_figure(run, "prevalence_media", percent=True), "fig-regions-media",
                     "Foreign media watching by region."),
        figure_block(F.regions_figure(run, "detections_all"), "fig-regions-detections", "Detections (any channel) by region."),
        "<h2 id=timeline>Policy timeline</h2>", timeline_table(run),
        survey_sections(store.run_dir(run_id)),
        "<h2 id=parameters>Parameters</h2>", parameters_table(m),
    ]
    return page(f"panopticum report: {m['scenario']['name']} ({run_id})", "\n".join(parts))


def write_report(store, run_id: str, out: str | os.PathLike) -> Path:
    out = Path(out)
    write_html(out, build_report(store, run_id))
    return out
