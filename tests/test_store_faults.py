"""The run store under faults: files deleted or damaged, a full disk, a read-only store.

Each test damages a copy of one small complete run, then checks that the store answers with
one clear line (no traceback) and stays readable, or repairs the run to exactly the
uninterrupted result.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import NO_BURN_IN, NO_BURN_IN_ARGS, one_error_line, run_cli

from panopticum.errors import PanopticumError
from panopticum.store import RunStore, resume_run, start_run

AGENTS, DAYS, CHUNK, SEED = 10_000, 21, 7, 3


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """One complete run in its own store: (store root, run id)."""
    from panopticum.run import enable_compilation_cache

    cache = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    cache.mkdir(exist_ok=True)
    enable_compilation_cache(cache)
    store = RunStore.open(tmp_path_factory.mktemp("base") / "store", create=True)
    run_id = start_run(store, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=NO_BURN_IN)
    return store.root, run_id


def copy_of(base, tmp_path: Path, name: str = "store") -> tuple[RunStore, str]:
    root, run_id = base
    shutil.copytree(root, tmp_path / name)
    return RunStore.open(tmp_path / name), run_id


def values(store: RunStore, run_id: str) -> pd.DataFrame:
    return store.metrics(run_id).drop(columns=["run_id"]).sort_values(["member", "day", "region", "metric"]) \
        .reset_index(drop=True)


def reference(base) -> pd.DataFrame:
    return values(RunStore.open(base[0]), base[1])


def interrupted_run(store: RunStore, stop_at: int) -> str:
    """A run of the base's scenario stopped (as by Ctrl-C) once ``stop_at`` days are done."""
    created = []

    def on_chunk(done: int, days: int) -> None:
        if done >= stop_at:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        start_run(store, "baseline-2023", agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=NO_BURN_IN,
                  on_chunk=on_chunk, on_created=created.append)
    assert store.status(created[0])["status"] == "incomplete"
    return created[0]


def test_chunk_deleted_before_the_checkpoint_is_run_again(base, tmp_path):
    store = RunStore.open(tmp_path / "store", create=True)
    run_id = interrupted_run(store, stop_at=14)
    (store.run_dir(run_id) / "metrics" / "chunk-00007.parquet").unlink()
    with pytest.raises(PanopticumError, match="days 7-13"):  # show and report refuse the gap
        store.metrics(run_id)
    notes = []
    resume_run(store, run_id, on_notice=notes.append)
    assert any("days 7-13" in n and "day 0" in n for n in notes), notes
    assert store.status(run_id)["status"] == "complete"
    assert sorted(store.metrics(run_id)["day"].unique()) == list(range(DAYS))
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_damaged_checkpoint_falls_back_to_the_previous_one(base, tmp_path, capsys):
    store = RunStore.open(tmp_path / "store", create=True)
    run_id = interrupted_run(store, stop_at=14)
    folder = store.run_dir(run_id) / "checkpoint"
    assert (folder / "previous.npz").is_file()  # the checkpoint of day 7, kept
    data = bytearray((folder / "state.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "state.npz").write_bytes(bytes(data))
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    assert code == 0, err
    assert "note: checkpoint" in err and "state.npz is damaged" in err and "Traceback" not in err
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_no_readable_checkpoint_runs_again_from_day_0(base, tmp_path):
    store = RunStore.open(tmp_path / "store", create=True)
    run_id = interrupted_run(store, stop_at=14)
    for name in ("state.npz", "previous.npz"):
        (store.run_dir(run_id) / "checkpoint" / name).write_bytes(b"PK\x03\x04 not a zip any more")
    notes = []
    resume_run(store, run_id, on_notice=notes.append)
    assert any("day 0" in n for n in notes), notes
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_temporaries_left_by_a_kill_are_removed_by_resume(base, tmp_path):
    store = RunStore.open(tmp_path / "store", create=True)
    run_id = interrupted_run(store, stop_at=7)
    left = [store.run_dir(run_id) / "metrics" / ".chunk-00007.parquet.abc123.tmp",
            store.run_dir(run_id) / "checkpoint" / ".state.npz.def456.tmp"]
    for path in left:
        path.write_bytes(b"half a file")
    resume_run(store, run_id)
    assert not list(store.run_dir(run_id).rglob("*.tmp"))
    assert store.status(run_id)["status"] == "complete"


def test_damaged_chunk_gives_one_line_then_resume_repairs_it(base, tmp_path, capsys):
    store, run_id = copy_of(base, tmp_path)
    chunk = store.run_dir(run_id) / "metrics" / "chunk-00007.parquet"
    chunk.write_bytes(chunk.read_bytes()[:200])
    for argv in (["show", run_id], ["report", run_id, "--out", tmp_path / "r.html"]):
        code, _, err = run_cli([*argv, "--store", store.root], capsys)
        line = one_error_line(err)
        assert code == 2 and "chunk-00007.parquet is damaged" in line and f"resume {run_id} --store" in line
    assert not (tmp_path / "r.html").exists()
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    assert code == 0, err
    assert "is complete but" in err
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_damaged_status_is_listed_and_resume_rewrites_it(base, tmp_path, capsys):
    store, run_id = copy_of(base, tmp_path)
    (store.run_dir(run_id) / "status.json").write_text('{"status": "compl')
    code, out, err = run_cli(["runs", "--store", store.root], capsys)
    assert code == 0, err
    assert run_id in out and "damaged" in out and "resume" in out and "no runs" not in out
    code, _, err = run_cli(["show", run_id, "--store", store.root], capsys)
    assert code == 2 and "status.json" in one_error_line(err) and "resume" in err
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    assert code == 0, err
    status = store.status(run_id)
    assert status["status"] == "complete" and status["days_done"] == DAYS
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


# --- the catalog -------------------------------------------------------------------------------

def catalog_rows(root: Path, sql: str):
    import duckdb

    with duckdb.connect(str(root / "catalog.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_store_named_with_glob_characters_reads_only_its_own_runs(base, tmp_path):
    plain, run_id = copy_of(base, tmp_path, "runs1")
    bracket, _ = copy_of(base, tmp_path, "runs[1]")
    (bracket.run_dir(run_id) / "metrics" / "chunk-00014.parquet").unlink()  # now the two stores differ
    assert bracket.sync_catalog() and plain.sync_catalog()
    own = sum(len(pd.read_parquet(p)) for p in bracket.chunk_files(run_id))
    assert catalog_rows(bracket.root, "SELECT count(*) FROM metrics") == [(own,)]
    assert catalog_rows(plain.root, "SELECT count(*) FROM metrics")[0][0] > own


def test_moved_store_catalog_follows_on_any_command(base, tmp_path, capsys):
    first, run_id = copy_of(base, tmp_path, "first")
    moved = tmp_path / "moved"
    first.root.rename(moved)
    code, _, err = run_cli(["show", run_id, "--store", moved], capsys)
    assert code == 0, err
    assert catalog_rows(moved, "SELECT count(DISTINCT day) FROM metrics") == [(DAYS,)]  # not the old path
    assert catalog_rows(moved, "SELECT root FROM store") == [(str(moved.resolve()),)]


def test_metrics_view_exists_from_the_start_of_a_new_store(tmp_path):
    store = RunStore.open(tmp_path / "new", create=True)
    seen = []

    def on_chunk(done: int, days: int) -> None:
        seen.append((done, catalog_rows(store.root, "SELECT count(*) FROM metrics")[0][0]))

    start_run(store, "baseline-2023", agents=AGENTS, days=14, seed=SEED, chunk_days=CHUNK, on_chunk=on_chunk, overrides=NO_BURN_IN)
    assert seen[0] == (0, 0)  # the view is there, empty, before any chunk
    assert seen[1][0] == 7 and seen[1][1] > 0  # and shows the first chunk during the first run


def test_readers_never_fail_while_the_catalog_is_rewritten(base, tmp_path):
    import subprocess
    import sys

    import duckdb

    store, _ = copy_of(base, tmp_path)
    writer = subprocess.Popen([sys.executable, "-c", (
        "import sys; from panopticum.store import RunStore\n"
        "s = RunStore.open(sys.argv[1])\n"
        "for _ in range(40): assert s.sync_catalog()\n"), str(store.root)])
    failures, reads = [], 0
    while writer.poll() is None or reads < 20:
        try:
            with duckdb.connect(str(store.root / "catalog.duckdb"), read_only=True) as con:
                con.execute("SELECT count(*) FROM runs").fetchall()
        except duckdb.Error as exc:
            failures.append(str(exc))
        reads += 1
    assert writer.wait() == 0
    assert failures == [] and reads >= 20


# --- a full disk, a read-only store ----------------------------------------------------------

def test_disk_full_during_a_run_gives_one_line_and_resume_completes(base, tmp_path, capsys, monkeypatch):
    store_dir = tmp_path / "store"
    real_savez = np.savez
    calls = []

    def savez_on_a_full_disk(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second checkpoint finds the disk full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_savez(*args, **kwargs)

    monkeypatch.setattr(np, "savez", savez_on_a_full_disk)
    code, _, err = run_cli(["run", "--scenario", "baseline-2023", "--agents", AGENTS, "--days", DAYS, "--seed", SEED,
                            "--chunk-days", CHUNK, "--store", store_dir, *NO_BURN_IN_ARGS], capsys)
    line = one_error_line(err)
    assert code == 2 and "is full" in line and "resume" in line and f"--store {store_dir}" in line
    monkeypatch.setattr(np, "savez", real_savez)
    store = RunStore.open(store_dir)
    (run_id,) = store.run_ids()
    assert store.status(run_id)["status"] == "failed" and not list(store_dir.rglob("*.tmp"))
    code, out, err = run_cli(["runs", "--store", store_dir], capsys)
    assert code == 0 and run_id in out
    code, _, err = run_cli(["resume", run_id, "--store", store_dir], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_disk_full_on_a_real_small_tmpfs(base, small_tmpfs, capsys):
    directory, resize = small_tmpfs("1500k")
    store_dir = directory / "store"
    code, _, err = run_cli(["run", "--scenario", "baseline-2023", "--agents", AGENTS, "--days", DAYS, "--seed", SEED,
                            "--chunk-days", CHUNK, "--store", store_dir, *NO_BURN_IN_ARGS], capsys)
    line = one_error_line(err)
    assert code == 2 and "is full" in line, line
    assert not list(store_dir.rglob("*.tmp"))
    resize("50m")  # the user frees space
    store = RunStore.open(store_dir)
    (run_id,) = store.run_ids()
    code, _, err = run_cli(["resume", run_id, "--store", store_dir], capsys)
    assert code == 0, err
    pd.testing.assert_frame_equal(values(store, run_id), reference(base))


def test_read_only_store_is_listed_shown_and_reported_but_not_resumed(base, tmp_path, capsys, make_readonly):
    store = RunStore.open(tmp_path / "store", create=True)
    run_id = interrupted_run(store, stop_at=7)
    before = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()}
    make_readonly(store.root)
    code, out, err = run_cli(["runs", "--store", store.root], capsys)
    assert code == 0 and run_id in out and "incomplete" in out, err
    code, out, err = run_cli(["show", run_id, "--store", store.root], capsys)
    assert code == 0 and "incomplete" in out, err
    code, _, err = run_cli(["report", run_id, "--out", tmp_path / "r.html", "--store", store.root], capsys)
    assert code == 0 and (tmp_path / "r.html").is_file(), err
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    line = one_error_line(err)
    assert code == 2 and "not writable" in line
    assert {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file()} == before


def test_read_only_store_when_the_lock_cannot_be_opened(base, tmp_path, capsys, monkeypatch):
    """The same fault injected: opening ``.lock`` fails with EROFS (for a machine where the
    fixture above cannot mount)."""
    import os

    store, run_id = copy_of(base, tmp_path)
    real_open = os.open

    def erofs_open(path, flags, *args, **kwargs):
        if str(path).endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", erofs_open)
    code, out, err = run_cli(["runs", "--store", store.root], capsys)
    assert code == 0 and run_id in out, err
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    assert code == 2 and "not writable" in one_error_line(err)


def test_ctrl_c_during_resume_names_the_store(base, tmp_path, capsys, monkeypatch):
    import panopticum.store

    store, run_id = copy_of(base, tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(panopticum.store, "resume_run", interrupted)
    code, _, err = run_cli(["resume", run_id, "--store", store.root], capsys)
    assert code == 2
    assert one_error_line(err) == f"error: interrupted; `panopticum resume {run_id} --store {store.root}` continues the run"

