"""Each agent's history (engine/history.py) and the survey snapshots a run keeps with it:
constructed cases, survey dates and their checks, and one small run surveyed end to end."""

from __future__ import annotations

import datetime

import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from conftest import one_error_line, run_cli

from panopticum.engine import history
from panopticum.engine.metrics import REGIONAL
from panopticum.errors import PanopticumError
from panopticum.params.scenarios import load_scenario
from panopticum.store import RunStore, start_run
from panopticum.surveys.keep import Keeper, cut_days, survey_days, window_path
from panopticum.surveys.snapshot import COLUMNS, LEFT, kept_days, read_snapshot, snapshot_path

MEDIA_BIT, CRITICISE_BIT = 1 << 1, 1 << 2
START = datetime.date(2023, 1, 1)


def record(h, day, here=None, market=None, acts=None, inspected=None, punished=None):
    n = h.media_days.shape[0]
    none = jnp.zeros(n, bool)
    return history.record(
        h, jnp.int32(day), jnp.ones(n, bool) if here is None else jnp.asarray(here),
        none if market is None else jnp.asarray(market), jnp.zeros(n, jnp.uint8) if acts is None else jnp.asarray(acts, jnp.uint8),
        none if inspected is None else jnp.asarray(inspected), none if punished is None else jnp.asarray(punished))


def last(h, event: str) -> np.ndarray:
    return history.last_days(h.last)[history.EVENTS.index(event)]


def test_last_event_days_and_media_count_on_constructed_days():
    h = history.empty(4)
    assert (last(h, "media") == history.NONE).all()
    h = record(h, 0, acts=[MEDIA_BIT, 0, 0, 0])
    h = record(h, 5, acts=[0, MEDIA_BIT | CRITICISE_BIT, 0, 0], inspected=[False, False, True, False])
    h = record(h, 9, acts=[MEDIA_BIT, 0, 0, 0], market=[False, True, False, False], punished=[False, False, False, True])
    assert last(h, "media").tolist() == [9, 5, -1, -1]  # watched on day d: last_media == d
    assert last(h, "criticise").tolist() == [-1, 5, -1, -1]
    assert last(h, "inspected").tolist() == [-1, -1, 5, -1]
    assert last(h, "trade").tolist() == [-1, 9, -1, -1]
    assert last(h, "punished").tolist() == [-1, -1, -1, 9]
    assert np.asarray(h.media_days).tolist() == [2, 1, 0, 0]
    # the longest run still fits: day 36,499 decodes as itself
    assert last(record(h, 36_499, acts=[MEDIA_BIT] * 4), "media").tolist() == [36_499] * 4


def test_leavers_are_frozen_and_the_burn_in_is_not_recorded():
    h = record(history.empty(2), -3, acts=[MEDIA_BIT, MEDIA_BIT], inspected=[True, True])  # a burn-in day
    assert (last(h, "media") == -1).all() and (last(h, "inspected") == -1).all() and int(h.media_days.sum()) == 0
    h = record(h, 4, acts=[MEDIA_BIT, MEDIA_BIT])
    h = record(h, 7, here=[True, False], acts=[MEDIA_BIT, MEDIA_BIT], inspected=[True, True], punished=[True, True])
    assert last(h, "media").tolist() == [7, 4] and last(h, "inspected").tolist() == [7, -1]
    assert last(h, "punished").tolist() == [7, -1] and np.asarray(h.media_days).tolist() == [2, 1]
    h = history.witness(h, jnp.int32(8), jnp.asarray([False, True]), jnp.asarray([1.0, 2.0]))
    assert np.asarray(h.witnessed_media).tolist() == [False, True]
    h = history.witness(h, jnp.int32(-1), jnp.asarray([True, True]), jnp.asarray([1.0, 0.0]))  # burn-in update
    assert np.asarray(h.witnessed_media).tolist() == [False, True]


def test_history_costs_at_most_16_bytes_an_agent():
    h = history.empty(1000)
    assert sum(a.nbytes for a in (h.last, h.media_days, h.witnessed_media)) == 1000 * history.BYTES_PER_AGENT
    assert history.BYTES_PER_AGENT <= 16


def test_media_window_totals_survive_a_restart(tmp_path):
    """The media total kept when a survey's window opens is read back by a resumed run."""

    class Pop:
        n = 3

    day = 400  # the window opens after day 35
    assert cut_days([day]) == {day + 1, day - 364}
    keeper = Keeper([day], START, Pop(), None, {}, members=1, run_dir=tmp_path)
    keeper._keep_window(0, day, np.array([3, 0, 7], np.uint16))
    resumed = Keeper([day], START, Pop(), None, {}, members=1, run_dir=tmp_path)
    assert resumed._window(0, day).tolist() == [3, 0, 7]
    assert Keeper([300], START, Pop(), None, {}, 1, tmp_path)._window(0, 300).tolist() == [0, 0, 0]  # opens at day 0
    keeper.finish()
    assert not window_path(tmp_path, 0, day).exists()
    with pytest.raises(PanopticumError, match="missing or damaged"):
        resumed._window(0, day)


def test_survey_dates_from_scenarios_and_their_checks(tmp_path):
    assert survey_days([START + datetime.timedelta(days=9), START], START, 10) == [0, 9]
    with pytest.raises(PanopticumError, match=r"survey date 2023-01-11 is outside the run \(2023-01-01 to 2023-01-10\)"):
        survey_days([datetime.date(2023, 1, 11)], START, 10)
    base = tmp_path / "study.toml"
    base.write_text('[scenario]\nextends = "baseline-2023"\n\n[[survey]]\ndate = 2023-06-30\n\n[[survey]]\ndate = 2023-03-01\n')
    assert load_scenario(str(base)).survey_dates == (datetime.date(2023, 3, 1), datetime.date(2023, 6, 30))
    child = tmp_path / "child.toml"
    child.write_text(f'[scenario]\nextends = "{base}"\n')
    assert load_scenario(str(child)).survey_dates == (datetime.date(2023, 3, 1), datetime.date(2023, 6, 30))
    bad = tmp_path / "bad.toml"
    bad.write_text('[[survey]]\nday = 3\n')
    with pytest.raises(PanopticumError, match=r"a \[\[survey\]\] table holds one key"):
        load_scenario(str(bad))


@pytest.mark.parametrize("date, cause", [("2024-02-01", "outside the run (2023-01-01 to 2023-01-07)"),
                                         ("31/12/2023", "expects a date YYYY-MM-DD")])
def test_bad_survey_date_is_one_line_before_the_run(date, cause, tmp_path, capsys):
    store = tmp_path / "store"
    code, _, err = run_cli(["run", "--scenario", "baseline-2023", "--agents", "10000", "--days", "7",
                            "--survey-at", date, "--store", store], capsys)
    assert code == 2 and cause in one_error_line(err)
    assert not store.exists()


AGENTS, SEED, DAYS, CHUNK, SURVEY_DAY = 10_000, 3, 14, 7, 9
QUICK = {"timeline.burn_in_days": 0}


@pytest.fixture(scope="module")
def surveyed(tmp_path_factory):
    """The same small run with and without a survey date inside a chunk: (store, with, without)."""
    store = RunStore.open(tmp_path_factory.mktemp("history-store"), create=True)
    date = START + datetime.timedelta(days=SURVEY_DAY)
    plain = start_run(store, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=QUICK)
    kept = start_run(store, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=QUICK,
                     survey_at=[date])
    return store, kept, plain


def test_survey_dates_leave_the_run_bit_identical(surveyed):
    store, kept, plain = surveyed
    a, b = (store.metrics(r).drop(columns="run_id") for r in (kept, plain))
    pd.testing.assert_frame_equal(a, b)
    assert kept_days(store.run_dir(kept)) == [SURVEY_DAY] and kept_days(store.run_dir(plain)) == []
    assert store.manifest(kept)["survey_dates"] == [str(START + datetime.timedelta(days=SURVEY_DAY))]


def test_run_snapshot_agrees_with_the_days_metrics(surveyed):
    store, kept, _ = surveyed
    columns, day, date = read_snapshot(snapshot_path(store.run_dir(kept), 0, SURVEY_DAY))
    assert (day, date) == (SURVEY_DAY, START + datetime.timedelta(days=SURVEY_DAY)) and set(columns) == set(COLUMNS)
    for event in history.EVENTS:
        assert columns[f"last_{event}"].max() <= SURVEY_DAY and columns[f"last_{event}"].min() >= -1
    left = columns["status"] == LEFT
    assert (columns["left_day"][left] <= SURVEY_DAY).all()
    # the window covers the whole run here: some media day iff a last media day
    assert ((columns["media_days_365"] > 0) == (columns["last_media"] >= 0)).all()
    assert (columns["media_days_365"] <= SURVEY_DAY + 1).all()
    # those who watched on the survey day are the day's prevalence of media among adults
    metrics = store.metrics(kept)
    on_day = metrics[(metrics["day"] == SURVEY_DAY) & (metrics["region"] == "ALL")].set_index("metric")["value"]
    adults = (columns["age"] >= 17) & ((columns["left_day"] < 0) | (columns["left_day"] >= SURVEY_DAY))
    for event, metric in (("media", "prevalence_media"), ("criticise", "prevalence_criticise")):
        watched = (columns[f"last_{event}"] == SURVEY_DAY) & adults
        assert watched.sum() == pytest.approx(on_day[metric] * adults.sum(), abs=0.5)
    assert "prevalence_media" in {m.name for m in REGIONAL}
    assert columns["last_inspected"].max() >= 0 and (columns["perceived_risk_media"] > 0).all()


def test_snapshot_is_surveyed_end_to_end(surveyed, tmp_path, capsys):
    store, kept, _ = surveyed
    code, out, err = run_cli(["survey", kept, "--design", "srs-1000", "--replicates", "5", "--store", store.root,
                              "--out", tmp_path / "study"], capsys)
    assert code == 0, err
    scores = pd.read_csv(tmp_path / "study" / "scores.csv")
    truth = scores.set_index(["question"])["truth"]
    columns, _, _ = read_snapshot(snapshot_path(store.run_dir(kept), 0, SURVEY_DAY))
    target = (columns["status"] == 0) & (columns["age"] >= 17)
    media = ((columns["last_media"] >= 0) & target).sum() / target.sum()
    assert truth.loc["media_ever"].iloc[0] == pytest.approx(media, rel=1e-5)  # the truth is the run's
    assert (scores["replicates"] == 5).all() and scores["mean"].notna().all()


def test_a_run_stopped_after_writing_its_snapshot_resumes_to_the_same_file(surveyed, tmp_path, monkeypatch):
    """Stopped between the snapshot and the checkpoint of its chunk: the resumed run writes it
    again, once, byte for byte as the uninterrupted run did."""
    from panopticum.store import resume_run

    store, kept, _ = surveyed
    other = RunStore.open(tmp_path / "stopped", create=True)
    real = RunStore.save_checkpoint

    def stop_at_the_end(self, run_id, state, day):
        if day == DAYS:
            raise KeyboardInterrupt
        real(self, run_id, state, day)

    monkeypatch.setattr(RunStore, "save_checkpoint", stop_at_the_end)
    ids = []
    with pytest.raises(KeyboardInterrupt):
        start_run(other, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=QUICK,
                  survey_at=[START + datetime.timedelta(days=SURVEY_DAY)], on_created=ids.append)
    run_dir = other.run_dir(ids[0])
    written = snapshot_path(run_dir, 0, SURVEY_DAY)
    assert written.is_file() and other.status(ids[0])["days_done"] == CHUNK
    monkeypatch.setattr(RunStore, "save_checkpoint", real)
    resume_run(other, ids[0])
    assert other.status(ids[0])["status"] == "complete"
    assert [p.name for p in (run_dir / "survey" / "member-0").iterdir()] == [written.name]
    assert written.read_bytes() == snapshot_path(store.run_dir(kept), 0, SURVEY_DAY).read_bytes()


def test_the_python_api_keeps_the_same_snapshot_in_memory(surveyed):
    from panopticum.run import run_scenario

    store, kept, _ = surveyed
    date = START + datetime.timedelta(days=SURVEY_DAY)
    result = run_scenario("baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=QUICK,
                          survey_at=[str(date)])
    snap = result.snapshot(date)
    stored, _, _ = read_snapshot(snapshot_path(store.run_dir(kept), 0, SURVEY_DAY))
    for name in COLUMNS:
        np.testing.assert_array_equal(np.asarray(snap[name]).astype(stored[name].dtype), stored[name], err_msg=name)
    with pytest.raises(PanopticumError, match="no survey snapshot on 2023-01-02"):
        result.snapshot("2023-01-02")
