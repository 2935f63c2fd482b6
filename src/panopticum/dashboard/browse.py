"""The page's Experiments and Surveys views (Solara): browse the run store's experiments and
kept survey studies, chart them, and open their HTML reports (served by :mod:`.reports`).

What they list and compute lives in :mod:`.experimentsview` and :mod:`.surveysview`; the
charts are :mod:`.plots`. Every failure to read something becomes a message in the page.
"""

from __future__ import annotations

import math
from html import escape as esc

import solara

from panopticum.dashboard import experimentsview as EV
from panopticum.dashboard import plots, state
from panopticum.dashboard import surveysview as SV
from panopticum.dashboard.reports import experiment_report_url, study_report_url
from panopticum.dashboard.storeview import open_store, store_dir
from panopticum.errors import PanopticumError

MAX_ROWS = 500  # runs listed in the page; the CSV download has them all


@solara.component
def SelectableTable(headers: list[tuple[str, str]], items: list[dict], selected: str | None, on_select, name: str):
    """A table whose rows are chosen with a click; ``items`` are dicts with a ``key``."""
    chosen = [i for i in items if i["key"] == selected]
    table = solara.v.DataTable(
        headers=[{"text": text, "value": value, "sortable": False} for text, value in headers],
        items=items, item_key="key", single_select=True, v_model=chosen, dense=True,
        hide_default_footer=True, disable_pagination=True, class_=f"pan-select pan-{name}",
    )
    solara.v.use_event(table, "click:row", lambda _widget, _event, item: on_select(item["key"]))


def _cell(value) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return esc(str(value))


def html_table(frame, name: str, limit: int = MAX_ROWS) -> None:
    head = "".join(f"<th>{esc(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.head(limit).itertuples(index=False))
    more = f"<p class=pan-caps>the first {limit:,} of {len(frame):,} rows</p>" if len(frame) > limit else ""
    solara.HTML(tag="div", unsafe_innerHTML=f"<table class=pan-table>{'<tr>' + head + '</tr>'}{body}</table>{more}",
                classes=[f"pan-{name}", "pan-scroll"])


def facts_table(pairs: list[tuple[str, str]], name: str) -> None:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in pairs)
    solara.HTML(tag="table", unsafe_innerHTML=body, classes=["pan-table", f"pan-{name}"])


def report_link(url: str, label: str, enabled: bool = True) -> None:
    """A button that opens a report the dashboard serves, in a tab of its own."""
    solara.Button(label, href=url if enabled else None, target="_blank", disabled=not enabled, outlined=True,
                  classes=["pan-report-link"])


def _svg(markup: str, name: str) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=[f"pan-{name}"])


def _load(build, *args):
    """``(what build(*args) returns, None)``, or ``(None, the reason it failed)``: a store
    that cannot be read is a message in the page, not a traceback."""
    try:
        return build(*args), None
    except PanopticumError as exc:
        return None, str(exc)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"cannot read the store: {type(exc).__name__}: {exc}"


def _listed(lister, source, refresh):
    """``((rows, problems), error)`` of a listing, memoised until ``refresh`` changes."""
    def listing():
        found, error = _load(lister, source)
        return (found or ([], [])), error

    return solara.use_memo(listing, dependencies=[refresh, str(source)])


def _listing(lister, source, title: str, empty: str) -> tuple[list, int]:
    """``(rows, refresh count)`` of a listing, drawn under its title and a refresh button,
    with the store's error and problems above them, or ``empty`` when there are none
    (hooks: call it unconditionally, at the top of a component)."""
    refresh, set_refresh = solara.use_state(0)
    (rows, problems), error = _listed(lister, source, refresh)
    with solara.Row(style={"align-items": "center"}):
        solara.Text(title, classes=["pan-caps"])
        solara.Button("Refresh", on_click=lambda: set_refresh(refresh + 1), text=True, small=True)
    if error:
        solara.Error(error, classes=["pan-message"])
    for line in problems:
        solara.Warning(line, dense=True)
    if not rows:
        solara.Info(empty, classes=["pan-empty"])
    return rows, refresh


# --- experiments ---------------------------------------------------------------------------------

@solara.component
def ExperimentsView():
    root = store_dir()
    rows, refresh = _listing(EV.list_experiments, root, f"Experiments in {root}",
                    "No experiments in this store yet. `panopticum sweep FILE` (or `panopticum sensitivity "
                    "FILE`) with this store runs one; it is listed here as its points finish (docs/experiments.md).")
    if not rows:
        return
    items = [{"key": r.experiment_id, "name": r.name, "id": r.experiment_id, "design": r.design, "status": r.status,
              "points": f"{r.points_done}/{r.points}", "runs": f"{r.runs_done}/{r.runs}", "date": r.created}
             for r in rows]
    SelectableTable([("name", "name"), ("experiment", "id"), ("design", "design"), ("status", "status"),
                     ("points done", "points"), ("runs done", "runs"), ("started (UTC)", "date")],
                    items, state.experiment_id.value, state.experiment_id.set, "experiments")
    if state.experiment_id.value in {r.experiment_id for r in rows}:
        ExperimentDetail(state.experiment_id.value, refresh)
    else:
        solara.Info("Click an experiment to see its points, its outcomes against a parameter and its indices.")


@solara.component
def ExperimentDetail(experiment_id: str, refresh: int):
    root = store_dir()
    view, error = solara.use_memo(lambda: _load(EV.load_experiment_view, root, experiment_id),
                                  dependencies=[experiment_id, refresh])
    if error:
        solara.Error(error, classes=["pan-message"])
        return
    d = view.definition
    solara.HTML(tag="div", unsafe_innerHTML=f"<h3>{esc(view.name)}</h3><p>{esc(d.get('description') or '')}</p>")
    size = f"{int(d['agents']):,} agents" if d.get("agents") else f"population {d.get('population')}"
    facts_table([("design", f"{d['design']}: {view.rows} design rows, {d['points']} distinct points, "
                            f"{d['replicates']} replicate(s) each"),
                 ("status", f"{view.status['status']}: {len(view.runs):,} of {view.status['units']:,} runs, "
                            f"{view.rows_done} of {view.rows} design rows done"),
                 ("base scenario", f"{d['scenario']}, {size}, {d['days']} days, seed {d['seed']}"),
                 ("factors", "; ".join(f"{f['name']} ({f['kind']}, {f['low']:g} to {f['high']:g})" for f in view.factors))],
                "experiment-facts")
    with solara.Row():
        report_link(experiment_report_url(experiment_id), "Open its report", enabled=not view.runs.empty)
        if not view.runs.empty:
            solara.FileDownload(view.runs.to_csv(index=False).encode("utf-8"), filename=f"{experiment_id}-points.csv",
                                label="Download the points (CSV)")
    if view.runs.empty:
        solara.Info("No point of this experiment has finished yet.")
        return
    solara.HTML(tag="div", unsafe_innerHTML="<b>Points</b>: one row per run (point and replicate), "
                "its parameters, seed and outcomes")
    html_table(view.runs, "points")
    outcome = state.experiment_outcome.value if state.experiment_outcome.value in view.outcome_names else view.outcome_names[0]
    parameter = (state.experiment_parameter.value if state.experiment_parameter.value in view.parameters
                 else (view.parameters or [None])[0])
    with solara.Row():
        solara.Select("Outcome", values=view.outcome_names, value=outcome, on_value=state.experiment_outcome.set)
        if parameter is not None:
            solara.Select("Against", values=view.parameters, value=parameter, on_value=state.experiment_parameter.set)
    if parameter is not None:
        xs, dates = EV.numeric(view.runs[parameter])
        tips = [f"point {p}, replicate {r}: {parameter} = {x}, {outcome} = {y:.4g}"
                for p, r, x, y in zip(view.runs["point"], view.runs["replicate"], view.runs[parameter], view.runs[outcome])]
        _svg(plots.scatter(xs, view.runs[outcome].to_numpy(dtype=float), key="experiment-scatter",
                           title=f"{outcome} against {parameter}", x_label=parameter, y_label=outcome, x_dates=dates,
                           tips=tips), "experiment-chart")
    spec = next(o for o in view.outcomes if o["name"] == outcome)
    solara.Text(EV.outcome_label(spec) + "; one dot per run, the red line joins the means of repeated values",
                classes=["pan-caps"])
    solara.HTML(tag="div", unsafe_innerHTML=f"<b>Sensitivity indices of {esc(outcome)}</b>")
    if view.indices is None:
        solara.Info(view.indices_note, classes=["pan-no-indices"])
        return
    html_table(EV.indices_table(view.indices, outcome).reset_index(), "indices")
    unit = "Sobol' S1 and ST, bars: confidence intervals" if d["design"] == "saltelli" else \
        "Morris mu* (bar: bootstrap interval) and sigma"
    _svg(plots.intervals(EV.index_rows(view.indices, outcome), key="experiment-indices", title=f"Indices of {outcome}",
                         unit=unit, reference_label=""), "indices-chart")


# --- surveys -------------------------------------------------------------------------------------

@solara.component
def SurveysView():
    store = solara.use_memo(open_store, dependencies=[])
    rows, refresh = _listing(SV.list_studies, store, f"Survey studies kept in the runs of {store_dir()}",
                    "No surveys in this store yet. `panopticum survey RUN --design NAME` draws a study from a run "
                    "that kept survey data (`panopticum run --survey-at DATE`); the study is kept in the run "
                    "and listed here (docs/surveys.md).")
    if not rows:
        return
    items = [{"key": r.key, "design": r.design, "date": r.date, "run": r.run_id, "scenario": r.scenario,
              "samples": r.samples, "replicates": f"{r.replicates:,}", "kept": r.kept} for r in rows]
    SelectableTable([("design", "design"), ("survey date", "date"), ("samples", "samples"),
                     ("replicates", "replicates"), ("run", "run"), ("scenario", "scenario"), ("kept (UTC)", "kept")],
                    items, state.study_key.value, state.study_key.set, "studies")
    if state.study_key.value in {r.key for r in rows}:
        StudyDetail(state.study_key.value, store, refresh)
    else:
        solara.Info("Click a study to see its estimates against the truth.")


@solara.component
def StudyDetail(key: str, store, refresh: int):
    from panopticum.surveys.figures import scores_table

    view, error = solara.use_memo(lambda: _load(SV.load_study, store, key), dependencies=[key, refresh])
    if error:
        solara.Error(error, classes=["pan-message"])
        return
    solara.HTML(tag="div", unsafe_innerHTML=f"<h3>{esc(view.meta['design'])} on {esc(view.meta['date'])}</h3>")
    facts_table(SV.design_facts(view), "study-design")
    changed = SV.changed_parameters(view)
    solara.Text("Survey parameters away from their defaults: " +
                ("; ".join(f"{p} = {v} (default {d})" for p, v, d in changed) if changed else "none"),
                classes=["pan-caps"])
    with solara.Row():
        report_link(study_report_url(key), "Open the study's page")
    titles = {SV.sample_title(s): s for s in view.samples}
    sample = state.study_sample.value if state.study_sample.value in view.samples else view.samples[0]
    kinds = {text: kind for kind, text in SV.INTERVALS.items()}
    kind = state.study_intervals.value if state.study_intervals.value in SV.INTERVALS else SV.SPREAD
    with solara.Row():
        solara.Select("Sample", values=list(titles), value=SV.sample_title(sample),
                      on_value=lambda t: state.study_sample.set(titles[t]))
        solara.Select("Intervals", values=list(kinds), value=SV.INTERVALS[kind],
                      on_value=lambda t: state.study_intervals.set(kinds[t]))
    n = int(view.scores.loc[view.scores["sample"] == sample, "respondents"].iloc[0])
    _svg(plots.intervals(SV.interval_rows(view, sample, kind), key="study-estimates",
                         title=f"{SV.sample_title(sample)} ({n:,} respondents): estimates against the truth",
                         unit="% of adults in the country and free", scale=100), "study-chart")
    solara.Text(f"Dots: the mean estimate over {int(view.meta['replicates']):,} replicate surveys; bars: "
                f"{SV.INTERVALS[kind]}; black ticks: the truth.", classes=["pan-caps"])
    solara.HTML(tag="div", unsafe_innerHTML=scores_table(view.scores[view.scores["sample"] == sample]),
                classes=["pan-table", "pan-scores", "pan-scroll"])
