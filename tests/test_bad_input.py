"""Bad input a user can give: refused before anything runs, with one line naming the cause."""

from __future__ import annotations

import errno
from pathlib import Path

import pandas as pd
import pytest
from conftest import NO_BURN_IN_ARGS, one_error_line, run_cli

from panopticum.errors import PanopticumError
from panopticum.params.scenarios import load_scenario
from panopticum.run import SEED_LIMIT, check_seed

SMALL_RUN = ["run", "--scenario", "baseline-2023", "--agents", "10000", "--days", "7", "--chunk-days", "7", *NO_BURN_IN_ARGS]


# --- seeds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [2**32, 2**63, 2**64 + 5])
def test_seed_that_would_alias_is_refused_before_the_run(seed, tmp_path, capsys):
    store = tmp_path / "store"
    code, _, err = run_cli([*SMALL_RUN, "--seed", seed, "--store", store], capsys)
    line = one_error_line(err)
    assert code == 2 and "[0, 4294967295]" in line and str(seed) in line
    assert not store.exists()  # no failed run left behind


def test_seed_range_in_the_api():
    assert check_seed(0) == 0 and check_seed(SEED_LIMIT - 1) == SEED_LIMIT - 1
    for bad in (-1, SEED_LIMIT, True, 1.5):
        with pytest.raises(PanopticumError, match="seed must be"):
            check_seed(bad)


def test_largest_seed_differs_from_seed_0():
    import jax

    from panopticum.engine.simulate import member_keys

    assert not (jax.random.key_data(member_keys(SEED_LIMIT - 1, 1)) == jax.random.key_data(member_keys(0, 1))).all()


# --- scenario files -------------------------------------------------------------------------

def test_relative_extends_is_read_from_the_files_directory(tmp_path, monkeypatch):
    study = tmp_path / "studies"
    study.mkdir()
    (study / "base.toml").write_text('[scenario]\nname = "base"\nextends = "baseline-2023"\n[informants]\nshare = 0.05\n')
    (study / "child.toml").write_text('[scenario]\nname = "child"\nextends = "base.toml"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "base.toml").write_text('[scenario]\nname = "decoy"\n[informants]\nshare = 0.01\n')
    monkeypatch.chdir(elsewhere)
    assert load_scenario(str(study / "child.toml")).params.informants.share == 0.05


def test_a_file_or_folder_in_the_current_directory_never_hides_a_builtin(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline-2023").mkdir()  # e.g. made by `--out baseline-2023`
    (tmp_path / "human-only").write_text("not a scenario")
    assert load_scenario("baseline-2023").source == "built-in"
    assert load_scenario("human-only").source == "built-in"
    with pytest.raises(PanopticumError, match="scenario file not found"):
        load_scenario("./baseline-2023")  # a path is a path


def test_scenario_file_that_is_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[scenario]\nname = "Ch\xf4ngjin"\n'.encode("latin-1"))
    code, _, err = run_cli([*SMALL_RUN[:1], "--scenario", path, "--store", tmp_path / "s"], capsys)
    line = one_error_line(err)
    assert code == 2 and "not UTF-8" in line and str(path) in line


@pytest.mark.parametrize("assignment, later", [
    ("timeline.border_reopened=2019-06-01", "timeline.border_reopened"),
    ("timeline.camera_rollout_end=2010-01-01", "timeline.camera_rollout_end"),
])
def test_set_cannot_make_the_timeline_inconsistent(assignment, later, tmp_path, capsys):
    code, _, err = run_cli([*SMALL_RUN, "--set", assignment, "--store", tmp_path / "s"], capsys)
    line = one_error_line(err)
    assert code == 2 and "inconsistent timeline" in line and later in line
    assert not (tmp_path / "s").exists()


def test_consistent_timeline_changes_are_accepted():
    s = load_scenario("baseline-2023", {"timeline.border_closed": "2024-01-01", "timeline.border_reopened": "2025-01-01"})
    assert str(s.params.timeline.border_reopened) == "2025-01-01"


# --- limits checked before running ----------------------------------------------------------

def test_ensemble_too_large_for_memory_is_refused_with_the_estimate(tmp_path, capsys):
    code, _, err = run_cli([*SMALL_RUN, "--ensemble", "100000", "--store", tmp_path / "s"], capsys)
    line = one_error_line(err)
    assert code == 2 and "100,000 members" in line and "GiB" in line and "--ensemble" in line
    assert not (tmp_path / "s").exists()


def test_run_out_that_is_a_file_is_refused_before_running(tmp_path, capsys):
    taken = tmp_path / "results"
    taken.write_text("an existing file")
    code, _, err = run_cli([*SMALL_RUN, "--out", taken, "--store", tmp_path / "s"], capsys)
    assert code == 2 and "not a directory" in one_error_line(err)
    assert not (tmp_path / "s").exists()


def test_run_out_in_a_read_only_directory_is_refused_before_running(tmp_path, capsys, make_readonly):
    locked = tmp_path / "locked"
    locked.mkdir()
    make_readonly(locked)
    code, _, err = run_cli([*SMALL_RUN, "--out", locked / "out", "--store", tmp_path / "s"], capsys)
    assert code == 2 and "not writable" in one_error_line(err)
    assert not (tmp_path / "s").exists()


def test_compare_needs_two_runs(tmp_path, capsys):
    run = tmp_path / "runs" / "20260101-000000-abcd"
    run.mkdir(parents=True)
    (run / "status.json").write_text("{}")
    code, _, err = run_cli(["compare", "latest", "--out", tmp_path / "c.png", "--store", tmp_path], capsys)
    assert code == 2 and "two or more runs" in one_error_line(err)


# --- epstein ---------------------------------------------------------------------------------

def test_epstein_grid_beyond_int32_cells_is_refused(capsys):
    code, _, err = run_cli(["epstein", "--width", "100000", "--height", "100000"], capsys)
    line = one_error_line(err)
    assert code == 2 and "10,000,000,000 cells" in line and "2,147,483,647" in line


def test_epstein_seed_beyond_32_bits_is_refused(capsys):
    code, _, err = run_cli(["epstein", "--seed", str(2**32), "--steps", "1"], capsys)
    assert code == 2 and "--seed" in one_error_line(err)


def test_epstein_out_unwritable_is_refused_before_running(tmp_path, capsys, make_readonly):
    locked = tmp_path / "locked"
    locked.mkdir()
    make_readonly(locked)
    code, out, err = run_cli(["epstein", "--steps", "3", "--out", locked / "counts.csv"], capsys)
    assert code == 2 and "not writable" in one_error_line(err) and "epstein" not in out


def test_epstein_out_failing_write_is_one_line(tmp_path, capsys, monkeypatch):
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    code, _, err = run_cli(["epstein", "--width", "20", "--height", "20", "--steps", "2", "--out",
                            tmp_path / "c.csv"], capsys)
    assert code == 2 and "No space left" in one_error_line(err)
    assert list(Path(tmp_path).iterdir()) == []
