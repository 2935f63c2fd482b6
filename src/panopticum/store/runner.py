"""Running a scenario into a store, chunk by chunk, and resuming a run that was killed.

After each chunk of days the runner writes, in this order: the chunk's metrics
(``metrics/chunk-DDDDD.parquet``), the state reached (``checkpoint/state.npz``) and the
days done (``status.json``), each atomically. A kill between two of these writes leaves
at worst a chunk file beyond the checkpoint, which :func:`resume_run` rewrites. Because the
engine draws each day's randomness from ``fold_in(member_key, day)``, a resumed run ends
with exactly the metrics of an uninterrupted one.
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError
from panopticum.population import Population, build_population, load_population
from panopticum.run import build_manifest, make_simulation, prepare, scenario_from_manifest, tidy_metrics
from panopticum.store import catalog
from panopticum.store.runstore import COMPLETE, FAILED, RUNNING, RunStore, parameter_hash, process_identity

OnStage = Callable[[str], None]
OnChunk = Callable[[int, int], None]  # (days done, days in the run)


def _population_source(population: Any, pop: Population) -> dict[str, Any]:
    if isinstance(population, (str, os.PathLike)):
        return {"kind": "file", "path": str(Path(population).resolve())}
    return {"kind": "built", "agents": pop.n, "seed": pop.seed}


def start_run(
    store: RunStore,
    scenario: Any,
    *,
    population: Population | str | os.PathLike | None = None,
    agents: int | None = None,
    days: int | None = None,
    seed: int = 0,
    overrides: list[str] | dict[str, Any] | None = None,
    members: int = 1,
    chunk_days: int = 30,
    on_stage: OnStage | None = None,
    on_chunk: OnChunk | None = None,
    on_created: Callable[[str], None] | None = None,
) -> str:
    """Run a scenario into ``store`` (checkpointing every ``chunk_days`` days); returns the run id."""
    if chunk_days < 1:
        raise PanopticumError(f"--chunk-days must be 1 or more, got {chunk_days}")
    stage = on_stage or (lambda _: None)
    stage("building the population")
    scenario, pop, days, override_dict = prepare(
        scenario, population=population, agents=agents, days=days, seed=seed, overrides=overrides, members=members
    )
    manifest = build_manifest(scenario, pop, seed, days, members, override_dict)
    manifest["population_source"] = _population_source(population, pop)
    run_id = store.create_run(manifest, chunk_days)
    manifest = store.manifest(run_id)
    if on_created:
        on_created(run_id)
    _drive(store, run_id, scenario, pop, manifest, None, 0, stage, on_chunk)
    return run_id


def resume_run(store: RunStore, ref: str, on_stage: OnStage | None = None, on_chunk: OnChunk | None = None) -> str:
    """Continue an incomplete run from its last checkpoint, in the same run directory."""
    import jax.numpy as jnp

    from panopticum.engine.state import State

    stage = on_stage or (lambda _: None)
    run_id = store.resolve(ref)
    with catalog.store_lock(store.root):  # claim the run, so that two resumes cannot both run it
        status = store.status(run_id)
        if status["status"] == RUNNING:
            raise PanopticumError(f"run {run_id} is still running (pid {status.get('pid')} on {status.get('host')})")
        if status["status"] == COMPLETE:
            raise PanopticumError(f"run {run_id} is already complete; nothing to resume")
        store.update_status(run_id, status=RUNNING, error=None, **process_identity())
    try:
        manifest = store.manifest(run_id)
        try:
            scenario = scenario_from_manifest(manifest)
        except PanopticumError as exc:
            raise PanopticumError(f"cannot resume run {run_id}: this version of the model rejects its parameters ({exc})") from None
        if parameter_hash(manifest["parameters"]) != manifest.get("param_hash"):
            raise PanopticumError(f"run {run_id}: its manifest's parameters do not match its parameter hash")
        stage("rebuilding the population")
        pop = _population_for(manifest)
        checkpoint = store.load_checkpoint(run_id)
        if checkpoint is None:
            state, first_day = None, 0
        else:
            arrays, first_day = checkpoint
            state = State(**{k: jnp.asarray(v) for k, v in arrays.items()})
        for path in store.chunk_files(run_id):  # chunks past the checkpoint are written again
            if int(path.stem.split("-")[1]) >= first_day:
                path.unlink()
    except BaseException as exc:
        store.update_status(run_id, sync=True, status=FAILED if isinstance(exc, Exception) else "interrupted",
                            error=str(exc))
        raise
    store.sync_catalog()
    _drive(store, run_id, scenario, pop, manifest, state, first_day, stage, on_chunk)
    return run_id


def _population_for(manifest: dict[str, Any]) -> Population:
    source = manifest.get("population_source") or {}
    if source.get("kind") == "file":
        path = Path(source["path"])
        if not path.is_file():
            raise PanopticumError(f"the run's population file {path} is gone; cannot resume")
        pop = load_population(path)
    else:
        pop = build_population(int(manifest["agents"]), int(source.get("seed", manifest["seed"])))
    if pop.n != int(manifest["agents"]) or dict(pop.meta) != manifest["population"]:
        raise PanopticumError("the population rebuilt for this run differs from the one it started with; cannot resume")
    return pop


def _drive(store, run_id, scenario, pop, manifest, state, first_day, stage: OnStage, on_chunk: OnChunk | None) -> None:
    days, seed, members = int(manifest["days"]), int(manifest["seed"]), int(manifest["members"])
    chunk_days = int(manifest["chunk_days"])
    start_date = datetime.date.fromisoformat(manifest["start_date"])
    started = time.perf_counter()
    wall_before = float(store.status(run_id).get("wall_seconds") or 0.0)
    try:
        sim, params, schedule, burn_in = make_simulation(scenario, pop, days)
        if state is None and len(burn_in.day):
            stage(f"compiling the model and settling it ({len(burn_in.day)} days of burn-in)")
        else:
            stage("compiling the model (first chunk)" if first_day < days else "finishing")
        if on_chunk:
            on_chunk(first_day, days)
        for chunk in sim.run(seed, params, schedule, members=members, chunk_days=chunk_days, state=state,
                             first_day=first_day, burn_in=burn_in):
            done = chunk.first_day + chunk.regional.shape[1]
            frame = tidy_metrics(chunk.regional, chunk.national, start_date, first_day=chunk.first_day)
            frame.insert(0, "run_id", run_id)
            store.write_chunk(run_id, chunk.first_day, frame)
            store.save_checkpoint(run_id, chunk.state, done)
            store.update_status(run_id, days_done=done, wall_seconds=round(wall_before + time.perf_counter() - started, 3))
            stage("simulating")
            if on_chunk:
                on_chunk(done, days)
    except BaseException as exc:
        interrupted = not isinstance(exc, Exception)
        store.update_status(run_id, sync=True, status="interrupted" if interrupted else FAILED,
                            error=None if interrupted else f"{type(exc).__name__}: {exc}")
        raise
    store.update_status(run_id, sync=True, status=COMPLETE, days_done=days,
                        wall_seconds=round(wall_before + time.perf_counter() - started, 3))
