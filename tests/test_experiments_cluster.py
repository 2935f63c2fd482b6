"""Experiments on a real Dask LocalCluster of 2 worker processes, end to end.

Every experiment here has the same population, days, chunk length and batch shape, so each
worker compiles the model once for the whole module.
"""

from __future__ import annotations

import json
import os
import signal

import duckdb
import numpy as np
import pytest

from panopticum.cli import main
from panopticum.experiments.execute import connect, run_experiment
from panopticum.experiments.outcomes import reduce_series
from panopticum.experiments.report import load_results, write_experiment_report
from panopticum.experiments.spec import load_experiment
from panopticum.experiments.store import ExperimentStore
from panopticum.store import RunStore

AGENTS, DAYS, SEED, REPLICATES = 10_000, 16, 3, 2

HEAD = f"""
[experiment]
name = "{{name}}"
scenario = "quick.toml"
agents = {AGENTS}
days = {DAYS}
seed = {SEED}
replicates = {REPLICATES}
batch_points = 2
chunk_days = 8
keep_series = {{series}}
design = "{{design}}"
samples = {{samples}}

[[vary]]
path = "cameras.coverage_market"

[[vary]]
path = "media.closed_border_supply"
range = [0.0, 0.6]

[[outcomes]]
name = "freedom"
metric = "freedom_index"
aggregate = "mean_last"
days = 8

[[outcomes]]
name = "media_final"
metric = "prevalence_media"
aggregate = "final"

[[outcomes]]
name = "supply"
metric = "supply"
aggregate = "mean"
"""


QUICK = """[scenario]
name = "quick"
description = "The 2023 baseline from day 0, without the burn-in (these tests are of the experiment machinery)"
extends = "baseline-2023"

[timeline]
burn_in_days = 0
"""


def experiment(tmp_path, name: str, design: str = "morris", samples: int = 3, series: bool = False):
    (tmp_path / "quick.toml").write_text(QUICK)
    path = tmp_path / f"{name}.toml"
    path.write_text(HEAD.format(name=name, design=design, samples=samples, series=str(series).lower()))
    return load_experiment(str(path))


@pytest.fixture(scope="module")
def client():
    client, cluster = connect(workers=2)
    yield client
    client.close()
    cluster.close()


def assert_each_unit_once(store: ExperimentStore, experiment_id: str, units: int) -> None:
    results = store.results(experiment_id)
    assert len(results) == units
    assert results["key"].is_unique
    assert sorted(zip(results.point, results.replicate)) == sorted(
        (p, r) for p in range(units // REPLICATES) for r in range(REPLICATES))


@pytest.fixture(scope="module")
def morris(client, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("morris")
    exp = experiment(tmp, "small-morris", series=True)
    experiment_id = run_experiment(exp, tmp / "store", client=client)
    return exp, ExperimentStore.open(tmp / "store"), experiment_id


def test_morris_runs_end_to_end(morris, tmp_path):
    exp, store, experiment_id = morris
    res = load_results(store, experiment_id)
    units = res.definition["points"] * REPLICATES
    assert_each_unit_once(store, experiment_id, units)
    assert store.status(experiment_id)["status"] == "complete"
    indices = res.indices()
    mu_star = indices[indices["index"] == "mu_star"].set_index(["outcome", "factor"]).value
    # the closed border's supply sets the day's supply level and nothing else does
    assert mu_star["supply", "media.closed_border_supply"] > 0.1
    assert mu_star["supply", "cameras.coverage_market"] == 0.0
    con = duckdb.connect(str(store.root / "catalog.duckdb"), read_only=True)
    assert con.sql("SELECT status, units_done FROM experiments").fetchall() == [("complete", units)]
    row = con.execute("SELECT parameters, outcomes FROM points LIMIT 1").fetchone()
    assert set(json.loads(row[0])) == {"cameras.coverage_market", "media.closed_border_supply"}
    assert set(json.loads(row[1])) == {"freedom", "media_final", "supply"}
    main(["report", "small-morris", "--store", str(store.root), "--out", str(tmp_path / "r.html")])
    page = (tmp_path / "r.html").read_text()
    assert 'id="fig-musigma-freedom"' in page and 'id="fig-scatter-supply"' in page and "mu_star" in page


def test_the_dashboard_browses_a_sweep_of_the_model(morris):
    from panopticum.dashboard.experimentsview import list_experiments, load_experiment_view

    exp, store, experiment_id = morris
    (row,), problems = list_experiments(store.root)
    points = store.definition(experiment_id)["points"]
    assert problems == [] and (row.points_done, row.points, row.runs_done) == (points, points, points * REPLICATES)
    view = load_experiment_view(store.root, experiment_id)
    assert view.parameters == ["cameras.coverage_market", "media.closed_border_supply"]
    assert len(view.runs) == points * REPLICATES and view.runs[["freedom", "media_final", "supply"]].notna().all().all()
    assert set(view.indices["factor"]) == set(view.parameters) and view.indices_note == ""


def test_a_point_rerun_alone_matches_its_batched_result_bit_for_bit(morris, tmp_path, capsys):
    exp, store, experiment_id = morris
    results = store.results(experiment_id)
    series = store.series(experiment_id)
    point = results.sort_values("point").iloc[-1]
    params = json.loads(point.parameters)
    sets = [a for path, value in params.items() for a in ("--set", f"{path}={json.dumps(value)}")]
    # the documented command: the experiment's seed, its replicates as an ensemble
    main(["run", "--scenario", exp.scenario_ref, "--agents", str(AGENTS), "--days", str(DAYS), "--seed", str(SEED),
          "--ensemble", str(REPLICATES), "--store", str(tmp_path / "runs"), *sets])
    runs = RunStore.open(tmp_path / "runs")
    alone = runs.metrics(runs.resolve("latest"))
    for outcome in exp.outcomes:
        for replicate in range(REPLICATES):
            key = results[(results.point == point.point) & (results.replicate == replicate)].key.item()
            batched = series[(series.key == key) & (series.outcome == outcome.name)].sort_values("day").value.to_numpy()
            mine = alone[(alone.member == replicate) & (alone.metric == outcome.metric) & (alone.region == "ALL")]
            mine = mine.sort_values("day").value.to_numpy()
            assert np.array_equal(batched, mine), (outcome.name, replicate)
            stored = results[results.key == key][outcome.name].item()
            assert reduce_series(outcome, mine[None, :], exp.start_date)[0] == stored


def test_sobol_runs_end_to_end(client, tmp_path):
    exp = experiment(tmp_path, "small-sobol", design="saltelli", samples=4)
    experiment_id = run_experiment(exp, tmp_path / "store", client=client)
    store = ExperimentStore.open(tmp_path / "store")
    res = load_results(store, experiment_id)
    assert res.design.rows == 4 * (2 + 2)
    assert_each_unit_once(store, experiment_id, res.definition["points"] * REPLICATES)
    indices = res.indices().set_index(["outcome", "factor", "index"])
    assert set(indices.index.get_level_values("index")) == {"S1", "ST"}
    assert np.isfinite(indices.loc[("supply", "media.closed_border_supply", "ST"), "value"])
    assert np.isfinite(indices.conf.loc["freedom"]).all()
    write_experiment_report(store, experiment_id, tmp_path / "sobol.html")
    assert 'id="fig-sobol-freedom"' in (tmp_path / "sobol.html").read_text()


def test_killing_a_worker_mid_sweep_still_lands_every_point_once(client, tmp_path):
    exp = experiment(tmp_path, "killed", design="latin", samples=16)
    killed = []

    def kill_one(done: int, total: int) -> None:
        if killed:
            return
        busy = [worker for worker, keys in client.processing().items() if keys]  # one in the middle of a batch
        if busy:
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    experiment_id = run_experiment(exp, tmp_path / "store", client=client, on_progress=kill_one)
    store = ExperimentStore.open(tmp_path / "store")
    assert killed and killed[0] not in client.run(os.getpid).values()
    units = store.definition(experiment_id)["points"] * REPLICATES
    assert_each_unit_once(store, experiment_id, units)
    assert store.status(experiment_id)["status"] == "complete"


def test_an_interrupted_sweep_resumes_with_no_point_lost_or_repeated(client, tmp_path):
    exp = experiment(tmp_path, "interrupted", design="latin", samples=16)

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_experiment(exp, tmp_path / "store", client=client, on_progress=interrupt)
    store = ExperimentStore.open(tmp_path / "store")
    (experiment_id,) = store.ids()
    assert store.status(experiment_id)["status"] == "incomplete"
    first = store.results(experiment_id).set_index("key")
    units = store.definition(experiment_id)["points"] * REPLICATES
    assert 0 < len(first) < units
    seen = []
    resumed = run_experiment(exp, tmp_path / "store", client=client, resume=True,
                             on_start=lambda eid, done, total: seen.append((done, total)))
    assert resumed == experiment_id and store.ids() == [experiment_id]
    assert seen[0][0] >= len(first) and seen[0][1] == units
    assert_each_unit_once(store, experiment_id, units)
    after = store.results(experiment_id).set_index("key").loc[first.index]
    assert after[["freedom", "media_final"]].equals(first[["freedom", "media_final"]])


def test_the_sweep_command_runs_and_resumes_with_nothing_left_to_do(tmp_path, capsys):
    (tmp_path / "quick.toml").write_text(QUICK)
    path = tmp_path / "cli.toml"
    path.write_text(HEAD.format(name="cli", design="grid", samples="1\nlevels = 2", series="false"))
    store = tmp_path / "store"
    main(["sweep", str(path), "--store", str(store), "--workers", "1"])
    (experiment_id,) = ExperimentStore.open(store).ids()
    assert f"experiment {experiment_id} complete" in " ".join(capsys.readouterr().out.split())
    main(["sweep", str(path), "--store", str(store), "--workers", "1", "--resume"])
    assert ExperimentStore.open(store).ids() == [experiment_id]
    assert_each_unit_once(ExperimentStore.open(store), experiment_id, 4 * REPLICATES)
    main(["report", experiment_id, "--store", str(store), "--out", str(tmp_path / "grid.html")])
    assert 'id="fig-grid-freedom"' in (tmp_path / "grid.html").read_text()
