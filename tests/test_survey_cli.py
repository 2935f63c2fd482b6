"""The survey snapshot contract, loading a stored run's survey data, and ``panopticum survey``.

The stored run here is made by hand (a manifest and snapshot files written to the contract),
so these tests exercise the survey side without running the engine.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from panopticum.cli import main
from panopticum.errors import PanopticumError
from panopticum.population import build_population
from panopticum.store import RunStore
from panopticum.surveys import load_snapshot, read_snapshot, synthetic_snapshot, write_snapshot
from panopticum.surveys.snapshot import SNAPSHOT_SCHEMA, snapshot_path

START = datetime.date(2023, 1, 1)
AGENTS, SEED, DAYS, KEPT = 10_000, 3, 365, (180, 364)


def make_run(root, survey_days=KEPT) -> tuple[RunStore, str]:
    store = RunStore.open(root, create=True)
    pop = build_population(AGENTS, SEED)
    manifest = {
        "scenario": {"name": "baseline-2023", "description": "", "source": "built-in"}, "overrides": {},
        "parameters": {}, "seed": SEED, "days": DAYS, "members": 1, "agents": AGENTS,
        "people_per_agent": pop.scale, "population": json.loads(json.dumps(dict(pop.meta))),
        "start_date": START.isoformat(), "versions": {"panopticum": "test", "jax": "-"},
        "platform": {"jax_backend": "cpu", "system": "test"}, "created": "2026-01-01T00:00:00+00:00",
        "population_source": {"kind": "built", "agents": AGENTS, "seed": SEED},
    }
    run_id = store.create_run(manifest, chunk_days=DAYS)
    for day in survey_days:
        snap = synthetic_snapshot(pop, seed=day, day=day, start_date=START)
        write_snapshot(snapshot_path(store.run_dir(run_id), 0, day), snap.columns, day, snap.date)
    store.update_status(run_id, status="complete", days_done=DAYS)
    return store, run_id


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("store") / "runs-store")


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")


def survey(*args, capsys) -> tuple[int, str, str]:
    try:
        main(["survey", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_snapshot_file_keeps_the_contract(tmp_path):
    pop = build_population(AGENTS, SEED)
    snap = synthetic_snapshot(pop, seed=1, day=100, start_date=START)
    path = tmp_path / "day-00100.parquet"
    write_snapshot(path, snap.columns, 100, snap.date)
    assert pq.read_schema(path).remove_metadata().equals(SNAPSHOT_SCHEMA)
    meta = pq.read_metadata(path).metadata
    assert meta[b"day"] == b"100" and meta[b"date"] == b"2023-04-11"
    columns, day, date = read_snapshot(path)
    assert (day, date) == (100, datetime.date(2023, 4, 11))
    for name, values in snap.columns.items():
        assert columns[name].dtype == SNAPSHOT_SCHEMA.field(name).type.to_pandas_dtype()
        assert np.array_equal(columns[name], values), name


def test_a_stored_snapshot_loads_with_the_run_populations_ties(stored):
    store, run_id = stored
    snap = load_snapshot(store, run_id)
    assert snap.day == 364 and snap.date == datetime.date(2023, 12, 31)
    pop = build_population(AGENTS, SEED)
    assert np.array_equal(snap.tie_indptr, pop.tie_indptr) and np.array_equal(snap.tie_index, pop.tie_index)
    assert load_snapshot(store, run_id, datetime.date(2023, 6, 30)).day == 180


@pytest.mark.parametrize("date, message", [
    (datetime.date(2024, 3, 1), "date 2024-03-01 is outside run .* \\(2023-01-01 to 2023-12-31\\)"),
    (datetime.date(2023, 3, 1), "kept no survey data on 2023-03-01; kept: 2023-06-30, 2023-12-31"),
])
def test_a_date_the_run_did_not_keep_is_refused(stored, date, message):
    store, run_id = stored
    with pytest.raises(PanopticumError, match=message):
        load_snapshot(store, run_id, date)


def test_survey_prints_scores_keeps_them_in_the_run_and_writes_out(stored, tmp_path, capsys):
    store, run_id = stored
    out = tmp_path / "out"
    code, stdout, err = survey(run_id, "--design", "stimson-2024", "--replicates", "8", "--date", "2023-06-30",
                               "--out", str(out), "--store", str(store.root), capsys=capsys)
    assert code == 0, err
    for text in ("stimson-2024: escapees (40 respondents)", "phone residents (100 respondents)",
                 "all samples pooled (140 respondents)", "media_past_year", "RDS-II (Volz-Heckathorn)",
                 "network scale-up", "coverage"):
        assert text in stdout, text
    scores = pd.read_csv(out / "scores.csv")
    assert {"truth", "mean", "bias", "rmse", "coverage", "deff"} <= set(scores.columns)
    assert len(pd.read_parquet(out / "estimates.parquet")) == 8 * len(scores)
    html = (out / "survey.html").read_text()
    assert html.count("<img") == 3 and "Virtual survey: stimson-2024 on 2023-06-30" in html
    kept = store.run_dir(run_id) / "survey" / "results" / "stimson-2024-2023-06-30"
    assert (kept / "scores.csv").read_text() == (out / "scores.csv").read_text()


def test_the_run_report_shows_kept_surveys(stored, tmp_path, capsys):
    from panopticum.report.html import survey_sections

    store, run_id = stored
    code, _, err = survey(run_id, "--design", "srs-1000", "--replicates", "3", "--store", str(store.root), capsys=capsys)
    assert code == 0, err
    html = survey_sections(store.run_dir(run_id))
    assert "Virtual survey: srs-1000 on 2023-12-31" in html and "<img" in html


def one_line(code: int, err: str) -> str:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def test_bad_input_gets_one_clear_line(stored, tmp_path, capsys):
    store, run_id = stored
    args = ("--replicates", "2", "--store", str(store.root))
    code, _, err = survey(run_id, "--design", "gallup", *args, capsys=capsys)
    line = one_line(code, err)
    assert "unknown survey design 'gallup'; built-in: mou-defectors, resident-phone-2022, srs-1000, stimson-2024" in line
    code, _, err = survey(run_id, "--design", "srs-1000", "--date", "2030-01-01", *args, capsys=capsys)
    assert "date 2030-01-01 is outside run" in one_line(code, err)
    big = tmp_path / "big.toml"
    big.write_text('[design]\nname = "big"\n\n[[sample]]\nframe = "escapee"\nrespondents = 100000\n')
    code, _, err = survey(run_id, "--design", str(big), *args, capsys=capsys)
    assert "design big asks for 100,000 escapee but the escapee frame holds" in one_line(code, err)
    code, _, err = survey(run_id, "--design", "srs-1000", "--set", "response.fear=2", *args, capsys=capsys)
    assert "response.fear=2 is outside its valid range [0.0, 1.0]" in one_line(code, err)
    bare_store, bare_run = make_run(tmp_path / "bare", survey_days=())
    code, _, err = survey(bare_run, "--design", "srs-1000", "--store", str(bare_store.root), capsys=capsys)
    assert one_line(code, err) == (f"error: run {bare_run} kept no survey data; keep it with "
                                   "`panopticum run --survey-at DATE` or a scenario [[survey]] table")
    assert not (bare_store.run_dir(bare_run) / "survey").exists()  # nothing half-written


def test_the_console_script_runs_the_survey_command(stored):
    store, run_id = stored
    done = subprocess.run([sys.executable, "-m", "panopticum", "survey", run_id, "--design", "resident-phone-2022",
                           "--replicates", "2", "--store", str(store.root)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "resident-phone-2022: phone residents (50 respondents)" in done.stdout
