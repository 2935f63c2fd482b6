"""``panopticum run`` and the store commands from the command line, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import NO_BURN_IN_ARGS


def panopticum(*args: str, cache: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="120")
    if cache is not None:
        env["JAX_COMPILATION_CACHE_DIR"] = str(cache)
    return subprocess.run([sys.executable, "-m", "panopticum", *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    cache = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    cache.mkdir(exist_ok=True)
    base = tmp_path_factory.mktemp("cli")
    store, out = base / "store", base / "out"
    done = panopticum("run", "--scenario", "baseline-2023", "--agents", "10000", "--days", "14", "--seed", "5",
                      "--chunk-days", "7", "--set", "informants.share=0.03", *NO_BURN_IN_ARGS, "--store", str(store), "--out", str(out),
                      cache=cache)
    assert done.returncode == 0, done.stderr
    return done, store, out


def test_run_prints_a_summary_and_writes_the_files(cli_run):
    done, store, out = cli_run
    for text in ("baseline-2023: 10,000 agents, 14 days from 01 Jan 2023, seed 5", "prevalence: trade",
                 "detections: cameras", "share detained", "share in the system", "freedom index", "stored in"):
        assert text in done.stdout
    frame = pd.read_parquet(out / "metrics.parquet")
    assert list(frame.columns) == ["day", "date", "region", "metric", "value"]
    assert sorted(frame["day"].unique()) == list(range(14)) and "ALL" in set(frame["region"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["parameters"]["informants.share"] == 0.03
    assert manifest["overrides"] == {"informants.share": 0.03, "timeline.burn_in_days": 0}
    assert {"panopticum", "jax", "numpy"} <= set(manifest["versions"]) and "python" in manifest["platform"]


def test_runs_and_show(cli_run):
    _, store, _ = cli_run
    listed = panopticum("runs", "--store", str(store))
    assert listed.returncode == 0 and "baseline-2023" in listed.stdout and "complete" in listed.stdout
    shown = panopticum("show", "latest", "--store", str(store))
    assert shown.returncode == 0, shown.stderr
    assert "informants.share = 0.03" in shown.stdout and "freedom index" in shown.stdout


def _one_line_error(done: subprocess.CompletedProcess) -> str:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def test_bad_input_gives_one_line(tmp_path, cli_run):
    _, store, _ = cli_run
    run = ("run", "--agents", "10000", "--days", "7", "--store", str(tmp_path / "s"))
    assert "unknown scenario 'atlantis'" in _one_line_error(panopticum(*run, "--scenario", "atlantis"))
    line = _one_line_error(panopticum(*run, "--scenario", "baseline-2023", "--set", "informants.shar=0.1"))
    assert "unknown parameter 'informants.shar'" in line
    line = _one_line_error(panopticum(*run, "--scenario", "baseline-2023", "--set", "informants.share=7"))
    assert "outside its range [" in line
    bad = tmp_path / "bad.toml"
    bad.write_text('[scenario]\nname = "x"\n[informants]\nshare = = 0.1\n')
    assert "line 4" in _one_line_error(panopticum(*run, "--scenario", str(bad)))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    line = _one_line_error(panopticum("run", "--scenario", "baseline-2023", "--days", "7", "--store", str(blocker / "store")))
    assert "cannot write to the run store" in line
    for command in (("show", "xyz"), ("report", "xyz"), ("resume", "xyz"), ("compare", "xyz", "--out", "x.png")):
        line = _one_line_error(panopticum(*command, "--store", str(store)))
        assert "unknown run 'xyz'" in line and "panopticum runs" in line
    assert "no run store" in _one_line_error(panopticum("runs", "--store", str(tmp_path / "none")))
