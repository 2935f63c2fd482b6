"""Running an experiment's batches on Dask distributed, landing each in the store at once.

:func:`run_experiment` plans the units (every point x replicate), skips those whose keys
the store already holds (``resume``), and sends batches to a Dask cluster: one of worker
processes sized to the machine by default (one per core, or one per GPU:
:mod:`panopticum.cluster`), or the scheduler at ``scheduler``. Each worker builds the
population and compiles the model once, runs its batches and writes each finished batch's
file itself; the client only counts. Batches are cut from the full list of units in a fixed
order, so a batch run again (after a lost worker, or on resume while an earlier attempt
still runs) writes the same file, and every unit lands exactly once.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from panopticum.cluster import connect
from panopticum.errors import PanopticumError
from panopticum.experiments.batching import (
    Unit,
    batch_id,
    batch_size,
    design_points,
    make_batches,
    make_units,
    run_units,
)
from panopticum.experiments.design import Design, build_design
from panopticum.experiments.spec import Experiment, RunSpec
from panopticum.experiments.store import ExperimentStore, definition_hash, write_batch_files

_WORKER_CACHE: dict[Any, Any] = {}


@dataclasses.dataclass
class Plan:
    """An experiment's design, its distinct points and their units."""

    design: Design
    points: list[dict[str, Any]]
    row_point: Any  # [design rows] -> point
    units: list[Unit]

    def design_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.design.X, columns=[f.name for f in self.design.factors])
        frame.insert(0, "point", self.row_point)
        frame.insert(0, "row", range(self.design.rows))
        return frame


def plan(exp: Experiment) -> Plan:
    design = build_design(exp.factors, exp.design, exp.samples, exp.levels, exp.seed, exp.second_order)
    points, row_point = design_points(design, exp.base_values())
    return Plan(design, points, row_point, make_units(points, exp.seed, exp.replicates))


def _cached(key: Any, build: Callable[[], Any]) -> Any:
    if key not in _WORKER_CACHE:
        _WORKER_CACHE[key] = build()
    return _WORKER_CACHE[key]


def _simulation(spec: RunSpec):
    from panopticum.engine import Simulation, build_world
    from panopticum.run import resolve_population

    def build():
        world, layout = build_world(resolve_population(spec.population, spec.agents, spec.seed))
        return Simulation(world, layout, spec.cadence)

    return _cached(("simulation", spec.population, spec.agents, spec.seed, spec.cadence), build)


def run_batch_task(spec: RunSpec, root: str, experiment_id: str, batch: str, units: list[Unit], size: int) -> pd.DataFrame:
    """On a worker: run one batch, write its file into the store, return its outcomes."""
    from panopticum.params.schema import make_parameters
    from panopticum.run import enable_compilation_cache

    enable_compilation_cache()
    sim = _simulation(spec)
    base = _cached(("base", spec.base), lambda: make_parameters(dict(spec.base)))
    frame, series = run_units(spec, base, sim, units, size)
    frame["batch"] = batch
    frame["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    write_batch_files(root, experiment_id, batch, frame, series)
    return frame


def run_experiment(
    exp: Experiment,
    root: str | os.PathLike,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    client=None,
    resume: bool = False,
    on_start: Callable[[str, int, int], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    sync_seconds: float = 10.0,
) -> str:
    """Run (or ``resume``) an experiment into the store at ``root``; returns its id.

    ``on_start(experiment_id, units_done, units)`` is called once the work is known and
    ``on_progress(units_done, units)`` after each finished batch.
    """
    the_plan = plan(exp)
    own = client is None
    cluster = None
    experiment_id = None
    if own:
        client, cluster = connect(scheduler, workers)
    try:
        store = ExperimentStore.open(root, create=True)
        digest = definition_hash(exp.definition())
        experiment_id = store.resumable(exp.name, digest) if resume else None
        if resume and experiment_id is None:
            raise PanopticumError(f"nothing to resume: no experiment named '{exp.name}' in {root}")
        if experiment_id is None:
            definition = dict(exp.definition(), name=exp.name, description=exp.description, definition_hash=digest,
                              scenario=exp.scenario.name, points=len(the_plan.points), source=exp.source)
            experiment_id = store.create(definition, exp.text, the_plan.design_frame(), len(the_plan.units))
        else:
            store.update_status(experiment_id, status="running")
        _run(exp, store, experiment_id, the_plan, client, on_start, on_progress, sync_seconds)
    except KeyboardInterrupt:
        if experiment_id is not None:
            store.update_status(experiment_id, status="interrupted")
            store.sync_catalog()
        raise
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    return experiment_id


def _run(exp, store, experiment_id, the_plan, client, on_start, on_progress, sync_seconds) -> None:
    from distributed import as_completed

    done = store.done_keys(experiment_id)
    total = len(the_plan.units)
    size = batch_size(total, exp.batch_points * exp.replicates)
    batches = []
    for batch in make_batches(the_plan.units, size):
        todo = [u for u in batch if u.key not in done]
        if todo:
            batches.append(todo)
    count = total - sum(len(b) for b in batches)
    store.update_status(experiment_id, units_done=count)
    if on_start:
        on_start(experiment_id, count, total)
    spec = exp.run_spec()
    root = str(Path(store.root).resolve())
    futures = [
        client.submit(run_batch_task, spec, root, experiment_id, batch_id(b), b, size,
                      key=f"panopticum-{experiment_id}-{batch_id(b)}", pure=False)
        for b in batches
    ]
    last_sync = time.monotonic()
    try:
        for future in as_completed(futures):
            frame = future.result()
            count += len(frame)
            if on_progress:
                on_progress(count, total)
            if time.monotonic() - last_sync > sync_seconds:
                store.update_status(experiment_id, units_done=count)
                store.sync_catalog()
                last_sync = time.monotonic()
    except Exception as exc:
        if isinstance(exc, PanopticumError):
            raise
        store.update_status(experiment_id, status="failed", error=f"{type(exc).__name__}: {exc}")
        store.sync_catalog()
        raise PanopticumError(f"experiment {experiment_id} failed: {type(exc).__name__}: {exc}; "
                              "`--resume` continues it") from None
    finally:
        for future in futures:
            future.cancel()
    store.update_status(experiment_id, status="complete", units_done=count)
    store.sync_catalog()
