"""The dashboard page (Solara): scenario and parameters on the left, run status and the
charts, map, comparison, run store, experiments and surveys on the right (the last two
in :mod:`.browse`). Served by :mod:`.server`."""

from __future__ import annotations

from html import escape as esc

import solara

from panopticum.dashboard import charts, form, state, tilemap
from panopticum.dashboard.browse import ExperimentsView, SurveysView
from panopticum.dashboard.reports import run_report_url
from panopticum.dashboard.runner import CANCELLED, COMPLETE, FAILED, LiveRun
from panopticum.dashboard.series import from_store
from panopticum.dashboard.storeview import list_runs, open_store, report_html, store_dir
from panopticum.errors import PanopticumError

CSS = """
.pan-field { margin: 0; }
.pan-field .v-input--switch { margin-top: 0; padding-top: 0; }
.pan-field .v-input__slot { margin-bottom: 0; }
.pan-field .v-messages:empty { min-height: 0; }
.pan-chart, .pan-map { background: #fff; }
.pan-caps { color: #555; font-size: 0.85em; }
.pan-table td, .pan-table th { padding: 2px 8px; text-align: left; font-size: 0.85em; }
.pan-scroll { max-height: 320px; overflow: auto; border: 1px solid #eee; }
.pan-select tbody tr { cursor: pointer; }
.pan-plot { background: #fff; }
"""


def _field_class(path: str) -> str:
    return "pan-field-" + path.replace(".", "-")


def _current_context():
    """The tab's kernel context, for updates that arrive from the run's thread."""
    try:
        import solara.server.kernel_context

        return solara.server.kernel_context.get_current_context()
    except (ImportError, RuntimeError):
        return None


def _set_override(path: str, value) -> None:
    state.overrides.value = {**state.overrides.value, path: value}
    state.field_errors.value = {k: v for k, v in state.field_errors.value.items() if k != path}


def _base_values(ref: str) -> dict:
    from panopticum.params.schema import flatten_parameters

    try:
        return flatten_parameters(form.check_scenario(ref, {}).params)
    except PanopticumError:
        return {}


# --- the form ------------------------------------------------------------------------------------

@solara.component
def FieldWidget(field: form.Field, value):
    error = state.field_errors.value.get(field.path)
    with solara.Tooltip(field.tooltip), solara.Column(classes=["pan-field", _field_class(field.path)], gap="0px"):
        if field.widget == form.SWITCH:
            solara.Switch(label=field.label, value=bool(value), on_value=lambda v: _set_override(field.path, v))
        elif field.widget in (form.SLIDER, form.INT_SLIDER):
            Slider = solara.SliderInt if field.widget == form.INT_SLIDER else solara.SliderFloat
            Slider(f"{field.label}: {form.display(value)}", value=value, min=field.low, max=field.high,
                   step=field.step, on_value=lambda v: _set_override(field.path, v), thumb_label=False)
        else:
            def typed(text: str) -> None:
                state.texts.value = {**state.texts.value, field.path: text}
                try:
                    _set_override(field.path, form.parse_text(field.path, text))
                except PanopticumError as exc:
                    state.field_errors.value = {**state.field_errors.value, field.path: str(exc)}

            text = state.texts.value.get(field.path, form.display(value))
            solara.InputText(field.label, value=text, on_value=typed, error=bool(error), message=error, dense=True)


@solara.component
def ParameterForm():
    ref = state.scenario_ref.value
    base = solara.use_memo(lambda: _base_values(ref), dependencies=[ref])
    values = {**base, **state.overrides.value}
    solara.HTML(tag="div", unsafe_innerHTML="<b>Key parameters</b> (hover for unit, range and source)")
    keys = form.key_fields()
    with solara.ColumnsResponsive(6, gutters=False, classes=["pan-switches"]):
        for field in keys:
            if field.widget == form.SWITCH:
                FieldWidget(field, values.get(field.path, field.default))
    for field in keys:
        if field.widget != form.SWITCH:
            FieldWidget(field, values.get(field.path, field.default))
    groups = form.groups()
    solara.Select("All parameters of", values=list(groups), value=state.group)
    for field in groups.get(state.group.value, []):
        FieldWidget(field, values.get(field.path, field.default))


def _use_file(name: str, data: bytes) -> None:
    try:
        label, path = form.save_upload(name, data)
    except PanopticumError as exc:
        state.message.value = str(exc)
        return
    state.uploads.value = {**state.uploads.value, label: path}
    _choose_scenario(path)


def _choose_scenario(ref: str) -> None:
    state.scenario_ref.value = ref
    state.overrides.value, state.field_errors.value, state.texts.value = {}, {}, {}
    state.message.value = ""


@solara.component
def ScenarioPanel():
    from panopticum.params.scenarios import builtin_names

    choices = {name: name for name in builtin_names()} | state.uploads.value
    current = next((k for k, v in choices.items() if v == state.scenario_ref.value), state.scenario_ref.value)
    solara.Select("Scenario", values=list(choices), value=current, on_value=lambda k: _choose_scenario(choices[k]))
    solara.FileDrop(label="...or drop a scenario .toml here", on_file=lambda f: _use_file(f["name"], f["data"]), lazy=False)
    pasted, set_pasted = solara.use_state("")
    with solara.Column(classes=["pan-paste"], gap="0px"):
        solara.InputTextArea("...or paste one", value=pasted, on_value=set_pasted, rows=2, continuous_update=True)
    solara.Button("Use the pasted scenario", on_click=lambda: _use_file("pasted.toml", pasted.encode("utf-8")),
                  disabled=not pasted.strip(), text=True)


# --- running -------------------------------------------------------------------------------------

def _start_run() -> None:
    state.message.value = ""
    if state.field_errors.value:
        state.message.value = "fix the parameters marked in red first"
        return
    try:
        agents, days = form.check_size(state.agents_text.value, state.days_text.value)
        seed = int(state.seed_text.value) if state.seed_text.value.strip().isdigit() else None
        if seed is None:
            raise PanopticumError(f"seed must be a whole number 0 or more, got {state.seed_text.value!r}")
        form.check_scenario(state.scenario_ref.value, state.overrides.value)
        store = open_store()
    except PanopticumError as exc:
        state.message.value = str(exc)
        return
    context = _current_context()

    def on_update(progress) -> None:
        def apply() -> None:
            follow = state.shown.value is None or state.day.value >= state.shown.value.days - 1
            state.progress.value = progress
            if progress.series is not None and progress.series.days:
                state.shown.value = progress.series
                if follow or state.shown.value.run_id != progress.run_id:
                    state.day.value = progress.series.days - 1
            if progress.status == FAILED:
                state.message.value = progress.error or "the run failed"

        if context is None:
            apply()
        elif context.closed_event.is_set():  # the tab is gone: nobody is watching this run
            run.cancel()
        else:
            with context:
                apply()

    run = LiveRun(store, state.scenario_ref.value, agents=agents, days=days, seed=seed,
                  overrides=state.overrides.value, on_update=on_update)
    state.live.value = run
    state.progress.value = run.progress
    run.start()


@solara.component
def RunPanel():
    progress = state.progress.value
    running = progress is not None and not progress.finished
    lo_a, hi_a = form.DEMO_AGENTS
    lo_d, hi_d = form.DEMO_DAYS
    with solara.Row():
        solara.InputText("Agents", value=state.agents_text, dense=True, continuous_update=True)
        solara.InputText("Days", value=state.days_text, dense=True, continuous_update=True)
        solara.InputText("Seed", value=state.seed_text, dense=True, continuous_update=True)
    solara.Text(f"Demo size: {lo_a:,}-{hi_a:,} agents, {lo_d}-{hi_d} days (the command line runs more).",
                classes=["pan-caps"])
    with solara.Row():
        solara.Button("Run", on_click=_start_run, color="primary", disabled=running)
        solara.Button("Cancel", on_click=lambda: state.live.value and state.live.value.cancel(), disabled=not running)
    if state.message.value:
        solara.Error(state.message.value, classes=["pan-message"])
    if state.field_errors.value:
        for msg in state.field_errors.value.values():
            solara.Error(msg, dense=True, classes=["pan-field-error"])


@solara.component
def RunStatus():
    progress = state.progress.value
    if progress is None:
        return
    fraction = progress.days_done / progress.days if progress.days else 0
    words = {COMPLETE: "complete", CANCELLED: "cancelled (kept in the store as interrupted; "
             "`panopticum resume` continues it)", FAILED: "failed"}
    text = words.get(progress.status, progress.stage)
    solara.Text(f"Run {progress.run_id or ''}: {progress.days_done} of {progress.days} days, {text}",
                classes=["pan-status"], style={"font-weight": "bold"})
    solara.ProgressLinear(value=fraction * 100 if not progress.finished or fraction else False)


# --- the views -----------------------------------------------------------------------------------

@solara.component
def DayBar():
    series = state.shown.value
    if series is None or not series.days:
        return
    day = min(state.day.value, series.days - 1)
    with solara.Column(classes=["pan-daybar"], gap="0px"):
        with solara.Column(classes=["pan-day"]):
            solara.SliderInt(f"Day: {series.dates[day]}", value=day, min=0, max=series.days - 1,
                             on_value=state.day.set, thumb_label=False)
        with solara.Column(classes=["pan-smooth"], style={"max-width": "520px"}):
            solara.SliderInt(f"Smoothing: {state.smooth_days.value}-day means of daily rates",
                             value=state.smooth_days, min=1, max=30, thumb_label=False)


def _svg(markup: str, name: str):
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=[f"pan-{name}"])


@solara.component
def ChartsView():
    series = state.shown.value
    if series is None or not series.days:
        solara.Info("Run a scenario, or open a stored run from the Run store tab.")
        return
    day = min(state.day.value, series.days - 1)
    dates, smooth = series.dates, state.smooth_days.value
    with solara.ColumnsResponsive(12, large=6):
        for build in charts.MAIN_CHARTS:
            chart = build(series)
            _svg(charts.render(chart, dates, series.events, day, smooth), f"chart-{chart.key}")
        with solara.Column():
            solara.Select("Any metric", values=list(series.metrics), value=state.extra_metric)
            metric = state.extra_metric.value if series.has(state.extra_metric.value) else series.metrics[0]
            _svg(charts.render(charts.metric_chart(series, metric), dates, series.events, day, smooth), "chart-any")


@solara.component
def MapView():
    series = state.shown.value
    if series is None or not series.days:
        solara.Info("The map colours the regions once a run has days to show.")
        return
    metrics = series.regional_metrics()
    metric = state.map_metric.value if state.map_metric.value in metrics else metrics[0]
    solara.Select("Colour by", values=metrics, value=metric, on_value=state.map_metric.set)
    _svg(tilemap.map_for(series, metric, min(state.day.value, series.days - 1)), "map")


@solara.component
def CompareView():
    store = solara.use_memo(open_store, dependencies=[])
    other = solara.use_memo(lambda: from_store(store, state.compare_id.value) if state.compare_id.value else None,
                            dependencies=[state.compare_id.value])
    rows = list_runs(store)
    series = state.shown.value
    if not rows:
        solara.Info(f"No runs in {store_dir()} to compare with yet.")
        return
    choices = {r.choice: r.run_id for r in rows if series is None or r.run_id != series.run_id}
    current = next((k for k, v in choices.items() if v == state.compare_id.value), None)
    solara.Select("Compare with", values=list(choices), value=current,
                  on_value=lambda k: state.compare_id.set(choices.get(k)))
    metrics = sorted(set(series.metrics if series else ()) | set(other.metrics if other else ()),
                     key=lambda m: (series or other).metrics.index(m) if m in (series or other).metrics else 999)
    if not metrics:
        return
    metric = state.compare_metric.value if state.compare_metric.value in metrics else metrics[0]
    solara.Select("Metric", values=metrics, value=metric, on_value=state.compare_metric.set)
    chart, dates = charts.compare_chart(series, other, metric)
    events = (series.events if series else ()) or (other.events if other else ())
    _svg(charts.render(chart, dates, events, None, state.smooth_days.value), "chart-compare")


@solara.component
def StoreView():
    store = solara.use_memo(open_store, dependencies=[])
    refresh, set_refresh = solara.use_state(0)
    rows = solara.use_memo(lambda: list_runs(store), dependencies=[refresh, state.progress.value])
    solara.Text(f"Run store: {store_dir()}", classes=["pan-caps"])
    if not rows:
        solara.Info("No runs yet: a run started here lands in this store.")
        return
    head = "".join(f"<th>{h}</th>" for h in ("run", "scenario", "status", "seed", "agents", "members", "days"))
    body = "".join(f"<tr><td>{esc(r.run_id)}</td><td>{esc(r.scenario)}</td><td>{esc(r.status)}</td><td>{r.seed}</td>"
                   f"<td>{r.agents:,}</td><td>{r.members}</td><td>{esc(r.days)}</td></tr>" for r in rows)
    solara.HTML(tag="table", unsafe_innerHTML=f"<tr>{head}</tr>{body}", classes=["pan-table"])
    choices = {r.choice: r.run_id for r in rows}
    current = next((k for k, v in choices.items() if v == state.report_id.value), None)
    solara.Select("Run", values=list(choices), value=current, on_value=lambda k: state.report_id.set(choices.get(k)))

    def show() -> None:
        try:
            series = from_store(store, state.report_id.value)
        except PanopticumError as exc:
            state.message.value = str(exc)
            return
        state.shown.value, state.day.value = series, max(series.days - 1, 0)

    def open_report() -> None:
        try:
            state.report.value = report_html(store, state.report_id.value)
        except PanopticumError as exc:
            state.report.value, state.message.value = "", str(exc)

    chosen = state.report_id.value is not None
    with solara.Row():
        solara.Button("Show in the charts", on_click=show, disabled=not chosen)
        solara.Button("Compare with the shown run", on_click=lambda: state.compare_id.set(state.report_id.value),
                      disabled=not chosen)
        solara.Button("Open its report", on_click=open_report, disabled=not chosen)
        solara.Button("...in a new tab", href=run_report_url(state.report_id.value) if chosen else None,
                      target="_blank", disabled=not chosen, text=True)
        solara.Button("Refresh", on_click=lambda: set_refresh(refresh + 1), text=True)
    if state.report.value:
        solara.FileDownload(state.report.value.encode("utf-8"), filename=f"report-{state.report_id.value}.html",
                            label="Download the report")
        solara.HTML(tag="iframe", attributes={"srcdoc": state.report.value, "title": "run report"},
                    style="width:100%;height:900px;border:1px solid #ddd", classes=["pan-report"])


VIEWS = {"Charts": ChartsView, "Map": MapView, "Compare": CompareView, "Run store": StoreView,
         "Experiments": ExperimentsView, "Surveys": SurveysView}


@solara.component
def Page():
    solara.Title("panopticum dashboard")
    solara.Style(CSS)
    with solara.Columns([4, 8]):
        with solara.Column():
            solara.HTML(tag="div", unsafe_innerHTML="<h2>panopticum</h2><p>A synthetic country, day by day. "
                        "Every agent is synthetic.</p>")
            ScenarioPanel()
            RunPanel()
            ParameterForm()
        with solara.Column():
            RunStatus()
            DayBar()
            solara.ToggleButtonsSingle(value=state.view, values=list(VIEWS), classes=["pan-views"])
            VIEWS[state.view.value]()
