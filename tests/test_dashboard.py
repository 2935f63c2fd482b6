"""The dashboard's parts without a browser: series, charts, map, form, live runs, the command."""

from __future__ import annotations

import datetime
import re
import socket

import numpy as np
import pandas as pd
import pytest

from panopticum.dashboard import charts, form, tilemap
from panopticum.dashboard.runner import CANCELLED, COMPLETE, LiveRun, chunk_days_for
from panopticum.dashboard.series import COUNTRY, RunSeries, from_store, from_tidy
from panopticum.engine.metrics import ALL_METRICS, REGIONAL
from panopticum.errors import PanopticumError
from panopticum.params.model import BEHAVIOURS
from panopticum.params.schema import SPEC_BY_PATH
from panopticum.run import REGION_LABELS

START = datetime.date(2023, 1, 1)


def fake_series(metrics: list[str], days: int = 20) -> RunSeries:
    """Every metric on every region, rising by day, different per region."""
    rows = []
    for m in metrics:
        for r_i, region in enumerate(REGION_LABELS):
            for d in range(days):
                rows.append((0, d, region, m, 0.01 * d + 0.001 * r_i))
    frame = pd.DataFrame(rows, columns=["member", "day", "region", "metric", "value"])
    return from_tidy(frame, START, "fake", events=[(datetime.date(2023, 1, 10), "something happens")])


# --- series -------------------------------------------------------------------------------------

def test_from_tidy_takes_the_median_over_members_and_keeps_national_metrics_national():
    rows = [(member, 0, "ALL", "prevalence_trade", v) for member, v in enumerate((0.1, 0.5, 0.2))]
    rows += [(member, 0, "Pyongyang", "prevalence_trade", 0.3) for member in range(3)]
    rows += [(member, 0, "ALL", "backlog_cameras", 10.0 * member) for member in range(3)]
    s = from_tidy(pd.DataFrame(rows, columns=["member", "day", "region", "metric", "value"]), START, "x")
    assert s.national("prevalence_trade")[0] == pytest.approx(0.2)
    assert s.by_region("prevalence_trade", 0)["Pyongyang"] == pytest.approx(0.3)
    assert s.national("backlog_cameras")[0] == pytest.approx(10.0)
    assert s.regional_metrics() == ["prevalence_trade"]  # the backlog has no regional values to map
    assert s.metrics.index("prevalence_trade") < s.metrics.index("backlog_cameras")  # the registry's order


# --- charts ---------------------------------------------------------------------------------------

def test_risk_chart_draws_perceived_against_true_risk_only_where_the_run_has_true_risk():
    perceived = [f"perceived_risk_{b}" for b in BEHAVIOURS]
    alone = charts.risk_chart(fake_series(perceived))
    assert [line.label for line in alone.lines] == [f"{b} perceived" for b in BEHAVIOURS]
    assert "true" not in alone.title
    both = charts.risk_chart(fake_series(perceived + [f"true_risk_{b}" for b in BEHAVIOURS]))
    assert len(both.lines) == 2 * len(BEHAVIOURS)
    assert [line.dashed for line in both.lines] == [False, True] * len(BEHAVIOURS)
    assert "true" in both.title


def test_every_main_chart_draws_from_the_metric_registry():
    s = fake_series(list(ALL_METRICS), days=10)
    for build in charts.MAIN_CHARTS:
        chart = build(s)
        assert chart.lines, chart.key
        svg = charts.render(chart, s.dates, s.events)
        assert svg.startswith("<svg") and svg.count('class="series"') == len(chart.lines)
    detections = charts.detections_chart(s)
    assert "all" not in [line.label for line in detections.lines]  # the total is not a channel


def test_render_marks_the_timeline_events_and_the_cursor_and_follows_the_data():
    s = fake_series(["prevalence_trade"], days=20)
    chart = charts.metric_chart(s, "prevalence_trade")
    svg = charts.render(chart, s.dates, s.events, cursor=5)
    assert "something happens" in svg and 'class="cursor"' in svg
    moved = charts.render(chart, s.dates, s.events, cursor=6)
    assert moved != svg
    path = re.search(r'class="series"[^>]* d="([^"]+)"', svg).group(1)
    assert path.count("L") == 19  # one segment per day after the first
    outside = charts.render(chart, s.dates, [(datetime.date(2030, 1, 1), "later")])
    assert "later" not in outside


def test_smoothing_is_a_trailing_mean():
    values = np.array([0.0, 0.0, 3.0, 3.0, np.nan, 6.0])
    assert charts.smooth(values, 3) == pytest.approx([0.0, 0.0, 1.0, 2.0, 3.0, 4.5])
    assert charts.smooth(values, 1) is values


def test_compare_chart_puts_two_runs_on_their_dates():
    a = fake_series(["prevalence_media"], days=10)
    b = dataclass_replace_start(fake_series(["prevalence_media"], days=10), START + datetime.timedelta(days=5))
    chart, dates = charts.compare_chart(a, b, "prevalence_media")
    assert len(chart.lines) == 2 and len(dates) == 15
    assert np.isnan(chart.lines[1].values[:5]).all() and np.isfinite(chart.lines[1].values[5:]).all()


def dataclass_replace_start(series: RunSeries, start: datetime.date) -> RunSeries:
    import dataclasses

    return dataclasses.replace(series, start=start)


# --- the map ----------------------------------------------------------------------------------------

def test_tile_map_draws_the_eleven_regions_coloured_by_the_chosen_metric_and_day():
    s = fake_series(["prevalence_media", "freedom_index"], days=5)
    regions = [r for r in REGION_LABELS if r != COUNTRY]
    assert len(regions) == 11
    svg = tilemap.map_for(s, "prevalence_media", 4)
    tiles = re.findall(r'<g class="tile" data-region="([^"]+)"', svg)
    assert sorted(tiles) == sorted(regions)
    fills = re.findall(r'<rect x="\d+" y="\d+" width="\d+" height="\d+" rx="6" fill="(#[0-9a-f]{6})"', svg)
    assert len(set(fills)) == len(regions)  # each region's value differs, so does its colour
    assert 'data-date="2023-01-05"' in svg
    assert tilemap.map_for(s, "prevalence_media", 0) != svg
    assert set(tilemap.positions(regions).values()).__len__() == len(regions)  # no two tiles overlap


def test_colour_scale_runs_from_light_to_dark():
    light, dark = tilemap.colour_for(0.0), tilemap.colour_for(1.0)
    brightness = lambda c: sum(int(c[i:i + 2], 16) for i in (1, 3, 5))  # noqa: E731
    assert brightness(light) > brightness(tilemap.colour_for(0.5)) > brightness(dark)
    assert tilemap.colour_for(float("nan")) == "#dddddd"


# --- the form ----------------------------------------------------------------------------------------

def test_the_form_has_one_field_per_parameter_with_its_unit_range_and_source():
    fields = form.all_fields()
    assert [f.path for f in fields] == list(SPEC_BY_PATH)
    for f in fields:
        spec = SPEC_BY_PATH[f.path]
        assert spec.unit in f.tooltip and spec.source in f.tooltip and "Range:" in f.tooltip
        if f.widget == form.SLIDER:  # the default is a position of the slider
            assert (f.default - f.low) / f.step == pytest.approx(round((f.default - f.low) / f.step))
    switches = {f.path for f in form.key_fields() if f.widget == form.SWITCH}
    assert switches == {p for p, s in SPEC_BY_PATH.items() if s.kind is bool}


def test_a_bad_value_gets_the_schemas_message():
    assert form.parse_text("analysis.capacity_human", "500") == 500.0
    assert form.parse_text("timeline.law_2020", "2021-01-01") == datetime.date(2021, 1, 1)
    with pytest.raises(PanopticumError, match="outside its range"):
        form.parse_text("analysis.capacity_human", "-5")
    with pytest.raises(PanopticumError, match="date"):
        form.parse_text("timeline.law_2020", "last tuesday")
    with pytest.raises(PanopticumError, match="demo cap"):
        form.check_size(10_000_000, 30)
    with pytest.raises(PanopticumError, match="whole number"):
        form.check_size("many", 30)
    assert form.check_size("10,000", "30") == (10_000, 30)


def test_an_uploaded_scenario_is_checked_and_named_as_the_user_named_it():
    label, path = form.save_upload("my study.toml", b'[scenario]\nname = "twice"\nextends = "baseline-2023"\n'
                                                     b"[informants]\nshare = 0.02\n")
    assert label == "twice (from my study.toml)"
    assert form.check_scenario(path, {}).params.informants.share == 0.02
    with pytest.raises(PanopticumError, match=r"^bad\.toml: .*outside its range"):
        form.save_upload("bad.toml", b"[informants]\nshare = 5\n")
    with pytest.raises(PanopticumError, match="malformed TOML in broken.toml"):
        form.save_upload("broken.toml", b"[informants\n")
    with pytest.raises(PanopticumError, match="a scenario is a .toml file"):
        form.save_upload("notes.txt", b"")


def test_chunks_divide_the_days_where_they_can():
    assert chunk_days_for(90) == 9 and chunk_days_for(180) == 15 and chunk_days_for(7) == 7
    assert all(chunk_days_for(d) >= 1 for d in range(1, 800, 37))


# --- live runs -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from panopticum.run import enable_compilation_cache
    from panopticum.store import RunStore

    cache = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    cache.mkdir(exist_ok=True)
    enable_compilation_cache(cache)
    return RunStore.open(tmp_path_factory.mktemp("dashboard-store"), create=True)


def test_a_live_run_reports_each_chunk_then_completes_into_the_store(store):
    updates = []
    run = LiveRun(store, "baseline-2023", agents=10_000, days=15, chunk_days=5,
                  overrides={"informants.share": 0.02}, on_update=updates.append).start()
    assert run.join(timeout=600)
    assert run.progress.status == COMPLETE, run.progress.error
    shown = [u.series.days for u in updates if u.series is not None]
    assert list(dict.fromkeys(shown)) == [5, 10, 15]  # the charts grow chunk by chunk
    assert store.status(run.progress.run_id)["status"] == "complete"
    assert store.manifest(run.progress.run_id)["parameters"]["informants.share"] == 0.02
    stored = from_store(store, run.progress.run_id)
    assert np.array_equal(stored.values, updates[-1].series.values, equal_nan=True)
    assert len(stored.metrics) >= len(REGIONAL)


def test_cancel_stops_a_run_between_chunks_and_leaves_it_resumable(store):
    run = None

    def cancel_at_first_chunk(progress):
        if progress.series is not None:
            run.cancel()

    run = LiveRun(store, "baseline-2023", agents=10_000, days=15, chunk_days=5, on_update=cancel_at_first_chunk)
    run.start()
    assert run.join(timeout=600)
    assert run.progress.status == CANCELLED
    status = store.status(run.progress.run_id)
    assert status["days_done"] == 5 and status["status"] == "incomplete"


def test_a_run_that_cannot_start_reports_a_message_not_a_traceback(store):
    run = LiveRun(store, "no-such-scenario", agents=10_000, days=5).start()
    assert run.join(timeout=60)
    assert run.progress.status == "failed" and "unknown scenario" in run.progress.error


# --- the command ------------------------------------------------------------------------------------

def test_dashboard_command_refuses_a_port_in_use_with_one_line(tmp_path, capsys):
    from panopticum.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SystemExit) as exit_:
            main(["dashboard", "--port", str(port), "--store", str(tmp_path / "store")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"error: cannot listen on 127.0.0.1:{port}")


def test_dashboard_command_is_listed(capsys):
    from panopticum.cli import main

    main(["dashboard", "--help"])  # help returns normally, without serving
    out = capsys.readouterr().out
    assert "--port" in out and "--store" in out and "--host" in out
