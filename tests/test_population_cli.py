"""`panopticum population` end to end: summary, saving, and one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from panopticum.population import load_population


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "panopticum", "population", *args],
        capture_output=True, text=True, cwd=cwd, timeout=120,
        env={**os.environ, "COLUMNS": "120"},
    )


def _one_line_error(res, *words):
    assert res.returncode != 0
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error:")
    for w in words:
        assert w in lines[0]


def test_builds_prints_summary_and_saves(tmp_path):
    out = tmp_path / "c.pop"
    res = run("--agents", "20000", "--seed", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    for words in ("26,500,000", "20,000", "inminban", "school class", "friend", "kin", "mean degree",
                  "Pyongyang", "Military", "By region"):
        assert words in res.stdout, words
    pop = load_population(out)
    assert pop.n == 20_000 and pop.seed == 2


@pytest.mark.parametrize("agents", ["9999", "26500001"])
def test_agents_out_of_range(agents, tmp_path):
    res = run("--agents", agents, "--out", str(tmp_path / "x.pop"))
    _one_line_error(res, "n_agents", "10,000", "26,500,000")
    assert os.listdir(tmp_path) == []


def test_unknown_option():
    _one_line_error(run("--bogus"), "--bogus")


def test_not_a_number():
    _one_line_error(run("--agents", "many"))


def test_unwritable_output(tmp_path):
    res = run("--agents", "10000", "--out", str(tmp_path / "no" / "x.pop"))
    _one_line_error(res, "no such directory")
    assert os.listdir(tmp_path) == []
