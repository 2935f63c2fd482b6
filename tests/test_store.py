"""The run store: layout, catalog, checkpoints, kill -9 and resume, Ctrl-C, concurrent runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from conftest import NO_BURN_IN, NO_BURN_IN_ARGS

from panopticum.errors import PanopticumError
from panopticum.store import RunStore, parameter_hash, start_run

AGENTS, DAYS, CHUNK, SEED = 10_000, 56, 7, 3
RUN_ARGS = ["run", "--scenario", "baseline-2023", "--agents", str(AGENTS), "--days", str(DAYS), "--seed", str(SEED),
            "--chunk-days", str(CHUNK), *NO_BURN_IN_ARGS]

# A child started from a shell's background job (nohup, &) inherits SIGINT ignored, and
# Python then installs no KeyboardInterrupt handler: this child installs it, as a terminal's
# would have it.
INTERRUPTIBLE = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv[0] = 'panopticum'; runpy.run_module('panopticum', run_name='__main__', alter_sys=True)"
)


@pytest.fixture(scope="session")
def xla_cache(tmp_path_factory) -> str:
    """One JAX compilation cache for this session's runs, in-process and in subprocesses."""
    from panopticum.run import enable_compilation_cache

    path = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    path.mkdir(exist_ok=True)
    enable_compilation_cache(path)
    return str(path)


def cli(args: list[str], cache: str, interruptible: bool = False, **kw) -> subprocess.Popen:
    env = dict(os.environ, JAX_COMPILATION_CACHE_DIR=cache, COLUMNS="120")
    command = [sys.executable, "-c", INTERRUPTIBLE] if interruptible else [sys.executable, "-m", "panopticum"]
    return subprocess.Popen([*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, **kw)


@pytest.fixture(scope="session")
def ref(tmp_path_factory, xla_cache):
    """An uninterrupted run in its own store: (store, run_id)."""
    store = RunStore.open(tmp_path_factory.mktemp("ref-store"), create=True)
    run_id = start_run(store, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=NO_BURN_IN)
    return store, run_id


def values(store: RunStore, run_id: str) -> pd.DataFrame:
    return store.metrics(run_id).drop(columns=["run_id"]).reset_index(drop=True)


def test_layout_status_and_catalog(ref):
    store, run_id = ref
    d = store.run_dir(run_id)
    assert (d / "manifest.json").is_file() and (d / "checkpoint" / "state.npz").is_file()
    assert [p.name for p in store.chunk_files(run_id)] == [f"chunk-{day:05d}.parquet" for day in range(0, DAYS, CHUNK)]
    assert not list(d.rglob("*.tmp"))
    status = store.status(run_id)
    assert status["status"] == "complete" and status["days_done"] == DAYS
    manifest = store.manifest(run_id)
    assert manifest["param_hash"] == parameter_hash(manifest["parameters"])
    assert manifest["population_source"] == {"kind": "built", "agents": AGENTS, "seed": SEED}
    with duckdb.connect(str(store.root / "catalog.duckdb"), read_only=True) as con:
        row = con.execute("SELECT run_id, scenario, status, seed, agents, days, param_hash FROM runs").fetchall()
        assert row == [(run_id, "baseline-2023", "complete", SEED, AGENTS, DAYS, manifest["param_hash"])]
        n = con.execute("SELECT count(*) FROM metrics WHERE run_id = ?", [run_id]).fetchone()[0]
        trade = con.execute("SELECT avg(value) FROM metrics WHERE region = 'ALL' AND metric = 'prevalence_trade'").fetchone()[0]
    frame = store.metrics(run_id)
    assert n == len(frame)
    assert trade == pytest.approx(frame.query("region == 'ALL' and metric == 'prevalence_trade'")["value"].mean())
    assert sorted(frame["day"].unique()) == list(range(DAYS))
    assert {"run_id", "member", "day", "date", "region", "metric", "value"} == set(frame.columns)


def test_unknown_run_and_missing_store(ref, tmp_path):
    store, run_id = ref
    with pytest.raises(PanopticumError, match="unknown run 'nope'.*panopticum runs"):
        store.resolve("nope")
    assert store.resolve(run_id[:17]) == run_id and store.resolve("latest") == run_id
    with pytest.raises(PanopticumError, match="no run store"):
        RunStore.open(tmp_path / "absent")


def _wait_for_checkpoint(root: Path, proc: subprocess.Popen, timeout: float = 240) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = list(root.glob("runs/*/checkpoint/state.npz"))
        if found:
            return found[0].parent.parent
        if proc.poll() is not None:
            pytest.fail(f"the run ended before its first checkpoint: {proc.stderr.read()}")
        time.sleep(0.005)
    proc.kill()
    pytest.fail("no checkpoint appeared")


def test_kill9_leaves_a_readable_store_and_resume_equals_uninterrupted(ref, tmp_path, xla_cache):
    store_dir = tmp_path / "killed"
    proc = cli([*RUN_ARGS, "--store", str(store_dir)], xla_cache)
    run_dir = _wait_for_checkpoint(store_dir, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = RunStore.open(store_dir)
    run_id = run_dir.name
    status = store.status(run_id)
    assert status["status"] == "incomplete", status
    assert status["days_done"] < DAYS  # status.json follows the checkpoint; the kill may fall between
    for path in store.chunk_files(run_id):  # every file there is whole
        pd.read_parquet(path)
    assert json.loads((run_dir / "manifest.json").read_text())["run_id"] == run_id
    store.sync_catalog()
    with duckdb.connect(str(store_dir / "catalog.duckdb"), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("incomplete",)]
    # resume in a fresh process, as a user would
    done = cli(["resume", run_id, "--store", str(store_dir)], xla_cache)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    assert "complete" in out
    assert store.status(run_id)["status"] == "complete"
    pd.testing.assert_frame_equal(values(store, run_id), values(*ref))
    again = cli(["resume", run_id, "--store", str(store_dir)], xla_cache)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 2 and "already complete" in err and "Traceback" not in err


def test_ctrl_c_marks_the_run_incomplete(tmp_path, xla_cache):
    store_dir = tmp_path / "interrupted"
    proc = cli([*RUN_ARGS, "--store", str(store_dir)], xla_cache, interruptible=True)
    run_dir = _wait_for_checkpoint(store_dir, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert lines == [f"error: interrupted; `panopticum resume {run_dir.name} --store {store_dir}` continues the run"]
    assert "Traceback" not in err
    store = RunStore.open(store_dir)
    assert store.status(run_dir.name)["status"] == "incomplete"
    assert store.status(run_dir.name)["recorded_status"] == "interrupted"


def test_two_runs_into_one_store_both_land(tmp_path, xla_cache):
    store_dir = tmp_path / "shared"
    args = ["run", "--scenario", "baseline-2023", "--agents", str(AGENTS), "--days", "14", "--chunk-days", str(CHUNK),
            "--store", str(store_dir), *NO_BURN_IN_ARGS]
    procs = [cli([*args, "--seed", str(seed)], xla_cache) for seed in (1, 2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    store = RunStore.open(store_dir)
    runs = store.list_runs()
    assert sorted(runs["seed"]) == [1, 2] and set(runs["status"]) == {"complete"}
    with duckdb.connect(str(store_dir / "catalog.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT seed, status FROM runs ORDER BY seed").fetchall()
        n = con.execute("SELECT count(DISTINCT run_id) FROM metrics").fetchone()[0]
    assert rows == [(1, "complete"), (2, "complete")] and n == 2


def test_damaged_catalog_is_rebuilt(ref, tmp_path):
    import shutil

    store, run_id = ref
    copy = tmp_path / "copy"
    shutil.copytree(store.root, copy)
    (copy / "catalog.duckdb").write_bytes(b"this is not a database")
    other = RunStore.open(copy)
    assert other.sync_catalog()
    with duckdb.connect(str(copy / "catalog.duckdb"), read_only=True) as con:
        assert con.execute("SELECT run_id FROM runs").fetchall() == [(run_id,)]
    assert list(copy.glob("catalog.duckdb.damaged-*"))


@pytest.mark.parametrize("members, own, words", [
    (1, [{"informants.share": 5.0}], ["member 0", "informants.share"]),
    (1, [{"informants.share": "many"}], ["member 0", "informants.share", "number"]),
    (1, [{}, {}], ["2 members' parameters", "ensemble of 1"]),
    (2, [{"timeline.burn_in_days": 0}, {"timeline.burn_in_days": 10}], ["share timeline.burn_in_days"]),
])
def test_members_own_parameters_refused_with_one_line_and_nothing_written(tmp_path, members, own, words):
    store = RunStore.open(tmp_path / "store", create=True)
    with pytest.raises(PanopticumError) as info:
        start_run(store, "baseline-2023", agents=10_000, days=5, members=members, member_overrides=own)
    assert "\n" not in str(info.value) and all(w in str(info.value) for w in words), str(info.value)
    assert store.run_ids() == []
