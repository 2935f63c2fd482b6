"""The dashboard's experiment and survey browsers without a browser: what they list, the
tables and charts they build, and the reports they serve (tests/test_dashboard_browse_page.py
drives the same views in Chromium)."""

from __future__ import annotations

import asyncio
import datetime
import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from panopticum.dashboard import experimentsview as EV
from panopticum.dashboard import plots, reports
from panopticum.dashboard import surveysview as SV
from panopticum.dashboard.storeview import STORE_ENV
from panopticum.errors import PanopticumError
from panopticum.experiments import ExperimentStore
from panopticum.store import RunStore
from panopticum.surveys.questions import QUESTION_NAMES
from store_fixtures import freedom


@pytest.fixture
def empty_store(tmp_path):
    return RunStore.open(tmp_path / "empty", create=True)


# --- experiments ---------------------------------------------------------------------------------

def test_an_empty_store_lists_no_experiments_and_no_studies(empty_store):
    assert EV.list_experiments(empty_store.root) == ([], [])
    assert SV.list_studies(empty_store) == ([], [])


def test_experiments_are_listed_newest_first_with_points_and_runs_done(browse_store):
    root, ids = browse_store
    rows, problems = EV.list_experiments(root)
    assert problems == []
    assert [r.experiment_id for r in rows] == [ids["morris"], ids["grid"]]
    morris, grid = rows
    assert (grid.name, grid.design, grid.status) == ("tiny-grid", "grid", "complete")
    assert (grid.points_done, grid.points, grid.runs_done, grid.runs) == (4, 4, 8, 8)  # 2 x 2 points, 2 replicates
    assert (morris.points_done, morris.points, morris.runs_done, morris.runs) == (3, 3, 3, 3)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", grid.created)


def test_an_experiment_shows_each_run_with_its_parameters_seed_and_outcomes(browse_store):
    root, ids = browse_store
    view = EV.load_experiment_view(root, ids["grid"])
    assert view.parameters == ["cameras.coverage_market", "informants.share"]  # the factors' order
    assert list(view.runs.columns) == ["point", "replicate", "seed", *view.parameters, "freedom", "media"]
    assert len(view.runs) == 8 and set(view.runs["seed"]) == {3}
    assert sorted(set(view.runs["cameras.coverage_market"])) == [0.0, 0.8]
    for run in view.runs.itertuples(index=False):
        params = {"cameras.coverage_market": run[3], "informants.share": run[4]}
        assert run.freedom == pytest.approx(freedom(params, run.replicate))
    assert view.indices is None and "grid design has no sensitivity indices" in view.indices_note


def test_a_morris_experiment_has_its_indices(browse_store):
    root, ids = browse_store
    view = EV.load_experiment_view(root, ids["morris"])
    assert view.indices is not None and view.indices_note == ""
    table = EV.indices_table(view.indices, "freedom")
    assert set(table.index) == {"cameras.coverage_market", "informants.share"}
    assert {"mu_star", "sigma", "mu"} <= set(table.columns)
    # one trajectory: mu* is the one elementary effect, |0.3 * 0.8 / 0.8| and |5 * 0.04 / 0.04|
    # scaled to the unit range: 0.3 * 0.8 = 0.24 and 5 * 0.04 = 0.2
    mu_star = view.indices.query("outcome == 'freedom' and index == 'mu_star'").set_index("factor")["value"]
    assert mu_star["cameras.coverage_market"] == pytest.approx(0.24)
    assert mu_star["informants.share"] == pytest.approx(0.2)
    rows = EV.index_rows(view.indices, "freedom")
    assert [r.label for r in rows] == list(table.index)  # largest mu* first
    svg = plots.intervals(rows, key="indices", title="t", unit="", reference_label="")
    assert svg.count('class="estimate"') == 2  # mu* of each factor; sigma of one trajectory is undefined


def test_an_unfinished_experiment_shows_what_is_done_and_says_why_it_has_no_indices(browse_store, tmp_path):
    root, ids = browse_store
    store = ExperimentStore.open(tmp_path / "store", create=True)
    shutil.copytree(ExperimentStore.open(root).dir(ids["morris"]), store.dir(ids["morris"]))
    store.batch_files(ids["morris"])[0].unlink()  # a batch of 2 points not yet written
    store.update_status(ids["morris"], status="interrupted")
    (row,), _ = EV.list_experiments(store.root)
    assert (row.status, row.points_done, row.runs_done) == ("incomplete", 1, 1)  # as `panopticum` shows it
    view = EV.load_experiment_view(store.root, ids["morris"])
    assert len(view.runs) == 1 and view.indices is None
    assert "The indices need every point: 1 of 3 design rows are done" in view.indices_note


def test_a_damaged_experiment_is_one_line_and_the_others_still_list(browse_store, tmp_path):
    root, ids = browse_store
    store = ExperimentStore.open(tmp_path / "store", create=True)
    for key in ("grid", "morris"):
        shutil.copytree(ExperimentStore.open(root).dir(ids[key]), store.dir(ids[key]))
    (store.dir(ids["grid"]) / "definition.json").write_text("{not json")
    rows, problems = EV.list_experiments(store.root)
    assert [r.experiment_id for r in rows] == [ids["morris"]]
    assert len(problems) == 1 and problems[0].startswith(f"{ids['grid']} cannot be read")
    with pytest.raises(PanopticumError):
        EV.load_experiment_view(store.root, ids["grid"])
    with pytest.raises(PanopticumError, match="no experiment 'exp-nothing'"):
        EV.load_experiment_view(store.root, "exp-nothing")


def test_parameters_plot_as_numbers_dates_as_days_and_switches_as_0_and_1():
    values, dates = EV.numeric(pd.Series(["2021-01-01", "2021-01-31"]))
    assert dates and values[1] - values[0] == 30
    assert datetime.date.fromordinal(int(values[0])) == datetime.date(2021, 1, 1)
    assert EV.numeric(pd.Series([True, False]))[0].tolist() == [1.0, 0.0]
    assert EV.numeric(pd.Series([0.5, 2]))[0].tolist() == [0.5, 2.0]


def test_scatter_draws_a_dot_per_run_and_joins_the_means_of_repeated_values():
    svg = plots.scatter([0, 0, 1, 1, np.nan], [1.0, 3.0, 5.0, 7.0, 2.0], key="k", title="t", x_label="x", y_label="y",
                        tips=["a", "b", "c", "d", "e"])
    assert svg.count('class="dot"') == 4 and 'data-dots="4"' in svg  # the NaN is left out
    assert "<title>a</title>" in svg
    path = re.search(r'class="means" d="([^"]+)"', svg).group(1)
    assert path.count("L") == 1  # two distinct values, one segment between their means (2 and 6)
    single = plots.scatter([0.5, 1.0], [1.0, 2.0], key="k", title="t", x_label="x", y_label="y")
    assert 'class="means"' not in single  # no repeats, no line
    assert "2021-01-01" in plots.scatter([datetime.date(2021, 1, 1).toordinal()] * 2, [1, 2], key="k", title="t",
                                         x_label="x", y_label="y", x_dates=True)
    assert "no finished runs yet" in plots.scatter([], [], key="k", title="t", x_label="x", y_label="y")


# --- surveys -------------------------------------------------------------------------------------

def test_kept_studies_are_listed_with_their_design_and_samples(browse_store):
    root, ids = browse_store
    rows, problems = SV.list_studies(RunStore.open(root))
    assert problems == [] and [r.key for r in rows] == [ids["study"]]
    row = rows[0]
    assert (row.design, row.date, row.replicates) == ("stimson-2024", "2023-12-31", 20)
    assert row.samples == "40 escapees + 100 phone residents"


def test_a_study_draws_each_question_against_its_truth_with_intervals(browse_store):
    root, ids = browse_store
    view = SV.load_study(RunStore.open(root), ids["study"])
    assert view.samples == ["escapees", "phone residents", "all"]
    rows = SV.interval_rows(view, "phone residents")
    asked = [q for q in QUESTION_NAMES if q in set(view.estimates.query("sample == 'phone residents'")["question"])]
    assert len(rows) >= len(asked) and all(np.isfinite(r.reference) for r in rows)
    scores = view.scores.set_index(["sample", "question", "estimator"])
    first = rows[0]  # the first question, the sample share first
    assert first.reference == pytest.approx(view.meta["truth"][asked[0]])
    raw = scores.loc[("phone residents", asked[0], "raw")]
    assert first.intervals[0].label == "sample share"
    assert first.intervals[0].value == pytest.approx(raw["mean"])
    assert first.intervals[0].low <= first.intervals[0].value <= first.intervals[0].high
    own = SV.interval_rows(view, "phone residents", SV.CONFIDENCE)
    assert own[0].intervals[0].value == first.intervals[0].value and own[0].intervals[0].low != first.intervals[0].low
    svg = plots.intervals(rows, key="s", title="t", unit="%", scale=100)
    assert svg.count('class="reference"') == len(rows)
    assert svg.count('class="estimate"') == sum(len(r.intervals) for r in rows)


def test_a_studys_design_and_changed_parameters_are_shown(browse_store):
    root, ids = browse_store
    view = SV.load_study(RunStore.open(root), ids["study"])
    facts = dict(SV.design_facts(view))
    assert facts["samples"] == "40 escapees (escapee frame); 100 phone residents (phone frame)"
    assert "20 replicate surveys on 2023-12-31" in facts["drawn"]
    assert SV.changed_parameters(view) == []
    view.meta["parameters"] = dict(view.meta["parameters"], **{"response.fear": 0.3})
    assert SV.changed_parameters(view) == [("response.fear", 0.3, 0.5)]


def test_only_studies_the_store_keeps_can_be_opened(browse_store):
    root, ids = browse_store
    store = RunStore.open(root)
    run_id = ids["study"].split("/")[0]
    for key in (f"{run_id}/../../../etc", f"{run_id}/nothing", "no-run/x", "no-slash"):
        with pytest.raises(PanopticumError):
            SV.study_folder(store, key)


# --- the reports' addresses ----------------------------------------------------------------------

def _get(app, path: str) -> tuple[int, str]:
    """``GET path`` through an ASGI app: (status, body)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [], "root_path": "", "scheme": "http", "server": ("127.0.0.1", 80), "http_version": "1.1"}
    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body").decode()


def test_reports_are_served_at_their_addresses_and_anything_else_goes_to_the_page(browse_store, monkeypatch):
    root, ids = browse_store
    monkeypatch.setenv(STORE_ENV, str(root))

    async def page(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the page"})

    app = reports.with_reports(page)
    assert _get(app, "/") == (200, "the page")
    status, body = _get(app, reports.experiment_report_url(ids["grid"]))
    assert status == 200 and "<title>panopticum experiment: tiny-grid" in body
    status, body = _get(app, reports.study_report_url(ids["study"]))
    assert status == 200 and "<title>panopticum survey: stimson-2024 on 2023-12-31" in body
    status, body = _get(app, reports.run_report_url(ids["study"].split("/")[0]))  # a run with no metrics
    assert status == 404 and "are missing; `panopticum resume" in body  # the reason, in the page
    for bad in ("/reports/experiments/exp-nothing", "/reports/surveys/x/y", "/reports/runs/nothing",
                "/reports/runs/..%2F..%2Fetc", "/reports/elsewhere"):
        status, body = _get(app, bad)
        assert status == 404 and "Traceback" not in body, bad


def test_an_experiment_with_no_finished_point_has_no_report_but_a_reason(browse_store, tmp_path, monkeypatch):
    root, ids = browse_store
    store = ExperimentStore.open(tmp_path / "store", create=True)
    shutil.copytree(ExperimentStore.open(root).dir(ids["grid"]), store.dir(ids["grid"]))
    for f in store.batch_files(ids["grid"]):
        f.unlink()
    monkeypatch.setenv(STORE_ENV, str(store.root))
    status, body = _get(reports.with_reports(None), reports.experiment_report_url(ids["grid"]))
    assert status == 404 and "has no finished points yet" in body
    view = EV.load_experiment_view(store.root, ids["grid"])
    assert view.runs.empty and json.loads(json.dumps(view.parameters)) == []
