"""Tiny experiments and survey studies in a run store, for the dashboard's browsers.

- :func:`tiny_experiment`: an experiment run by :func:`panopticum.experiments.run_experiment`
  itself (its plan, store layout, batches and status), on an in-process Dask client, with
  the engine replaced by a formula of the parameters: the browsers read what the
  experiment layer writes, in a second instead of a compile. ``tests/test_experiments_cluster.py``
  checks the browser on a sweep of the real engine.
- :func:`tiny_study`: a stored run made by hand with a synthetic survey snapshot (as in
  ``tests/test_survey_cli.py``), surveyed by ``panopticum survey``, which keeps the study.
"""

from __future__ import annotations

import contextlib
import io
import datetime
import json
from pathlib import Path

import numpy as np
import pandas as pd

AGENTS, SEED = 10_000, 3
START = datetime.date(2023, 1, 1)
SURVEY_DAY = 364

EXPERIMENT = """
[experiment]
name = "{name}"
description = "A tiny {design} experiment for the dashboard's tests"
scenario = "baseline-2023"
agents = {agents}
days = 8
seed = {seed}
replicates = {replicates}
batch_points = 2
design = "{design}"
samples = 1
levels = 2

[[vary]]
path = "cameras.coverage_market"
range = [0.0, 0.8]

[[vary]]
path = "informants.share"
range = [0.0, 0.04]

[[outcomes]]
name = "freedom"
metric = "freedom_index"
aggregate = "mean_last"
days = 4

[[outcomes]]
name = "media"
metric = "prevalence_media"
aggregate = "final"
"""


def freedom(parameters: dict, replicate: int) -> float:
    """The stand-in outcome: falls with camera coverage and the informants' share."""
    return 0.9 - 0.3 * parameters["cameras.coverage_market"] - 5.0 * parameters["informants.share"] + 0.01 * replicate


def _fake_units(spec, base, sim, units, size):
    """``run_units`` without the engine: the frame a batch writes, outcomes from :func:`freedom`."""
    from panopticum.experiments.batching import canonical

    frame = pd.DataFrame({
        "key": [u.key for u in units], "point": np.array([u.point for u in units], dtype=np.int64),
        "replicate": np.array([u.replicate for u in units], dtype=np.int32), "seed": np.int64(spec.seed),
        "parameters": [canonical(u.parameters) for u in units],
    })
    frame["freedom"] = [freedom(u.parameters, u.replicate) for u in units]
    frame["media"] = [0.02 + 0.1 * u.parameters["informants.share"] for u in units]
    return frame, None


def tiny_experiment(root: Path, folder: Path, name: str, design: str = "grid", replicates: int = 2) -> str:
    """Run a tiny experiment into the store at ``root``; returns its id. ``grid``: 2 x 2
    points; ``morris``: one trajectory of 3 points, so it has indices."""
    import pytest
    from distributed import Client

    from panopticum.experiments import execute, load_experiment

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(EXPERIMENT.format(name=name, design=design, agents=AGENTS, seed=SEED, replicates=replicates))
    with pytest.MonkeyPatch.context() as patch, contextlib.ExitStack() as stack:
        patch.setattr(execute, "run_units", _fake_units)
        patch.setattr(execute, "_simulation", lambda spec: None)
        client = stack.enter_context(Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None))
        return execute.run_experiment(load_experiment(str(path)), root, client=client)


def _survey_run(root: Path) -> str:
    """A complete run of ``AGENTS`` agents keeping one synthetic survey snapshot."""
    from panopticum.population import build_population
    from panopticum.store import RunStore
    from panopticum.surveys import synthetic_snapshot, write_snapshot
    from panopticum.surveys.snapshot import snapshot_path

    store = RunStore.open(root, create=True)
    pop = build_population(AGENTS, SEED)
    manifest = {
        "scenario": {"name": "baseline-2023", "description": "", "source": "built-in"}, "overrides": {},
        "parameters": {}, "seed": SEED, "days": 365, "members": 1, "agents": AGENTS,
        "people_per_agent": pop.scale, "population": json.loads(json.dumps(dict(pop.meta))),
        "start_date": START.isoformat(), "versions": {"panopticum": "test", "jax": "-"},
        "platform": {"jax_backend": "cpu", "system": "test"}, "created": "2026-01-01T00:00:00+00:00",
        "population_source": {"kind": "built", "agents": AGENTS, "seed": SEED},
    }
    run_id = store.create_run(manifest, chunk_days=365)
    snap = synthetic_snapshot(pop, seed=SURVEY_DAY, day=SURVEY_DAY, start_date=START)
    write_snapshot(snapshot_path(store.run_dir(run_id), 0, SURVEY_DAY), snap.columns, SURVEY_DAY, snap.date)
    store.update_status(run_id, status="complete", days_done=365)
    return run_id


def tiny_study(root: Path, design: str = "stimson-2024", replicates: int = 20) -> str:
    """Survey a hand-made run with ``panopticum survey``; returns the study's key, RUN/FOLDER."""
    from panopticum.cli import main
    from panopticum.store import RunStore
    from panopticum.surveys.results import kept_results

    run_id = _survey_run(root)
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            main(["survey", run_id, "--design", design, "--replicates", str(replicates), "--store", str(root)])
        except SystemExit as exc:
            if exc.code:
                raise AssertionError(f"panopticum survey exited with {exc.code}") from None
    folder = kept_results(RunStore.open(root).run_dir(run_id))[-1]
    return f"{run_id}/{folder.name}"
