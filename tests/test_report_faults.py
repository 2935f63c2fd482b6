"""Reports of runs that once broke them: no detections at all, a scenario name with ``$``."""

from __future__ import annotations

import pytest
from conftest import NO_BURN_IN, run_cli

from panopticum.store import RunStore, start_run

MATH_NAME = "$x_$ study"  # not valid mathtext: it broke the figures when parsed as math


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from panopticum.run import enable_compilation_cache

    cache = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    cache.mkdir(exist_ok=True)
    enable_compilation_cache(cache)
    base = tmp_path_factory.mktemp("report-faults")
    scenario = base / "dollars.toml"
    scenario.write_text(f'[scenario]\nname = "{MATH_NAME}"\nextends = "baseline-2023"\n')
    store = RunStore.open(base / "store", create=True)
    quiet = start_run(store, "no-surveillance", agents=10_000, days=7, seed=1, chunk_days=7, overrides=NO_BURN_IN)
    dollars = start_run(store, str(scenario), agents=10_000, days=7, seed=1, chunk_days=7, overrides=NO_BURN_IN)
    return store, quiet, dollars


def test_a_run_without_detections_can_be_reported(runs, tmp_path, capsys):
    store, quiet, _ = runs
    assert store.metrics(quiet).query("metric == 'detections_all'")["value"].sum() == 0
    out = tmp_path / "quiet.html"
    code, _, err = run_cli(["report", quiet, "--out", out, "--store", store.root], capsys)
    assert code == 0, err
    assert "fig-attribution" in out.read_text() and "Traceback" not in err


def test_dollar_signs_in_a_scenario_name_are_text(runs, tmp_path, capsys):
    store, quiet, dollars = runs
    out = tmp_path / "dollars.html"
    code, _, err = run_cli(["report", dollars, "--out", out, "--store", store.root], capsys)
    assert code == 0, err
    assert MATH_NAME in out.read_text()
    code, _, err = run_cli(["compare", quiet, dollars, "--out", tmp_path / "both.svg", "--store", store.root], capsys)
    assert code == 0, err
    assert MATH_NAME in (tmp_path / "both.svg").read_text()  # drawn as the characters typed, not as math
