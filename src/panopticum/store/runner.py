"""Running a scenario into a store, chunk by chunk, and resuming a run that was killed.

After each chunk of days the runner writes, in this order: the chunk's metrics
(``metrics/chunk-DDDDD.parquet``), the state reached (``checkpoint/state.npz``) and the
days done (``status.json``), each atomically. A kill between two of these writes leaves
at worst a chunk file beyond the checkpoint, which :func:`resume_run` rewrites. Because the
engine draws each day's randomness from ``fold_in(member_key, day)``, a resumed run ends
with exactly the metrics of an uninterrupted one.

A run with survey dates writes each snapshot (``survey/member-<m>/day-DDDDD.parquet``,
:mod:`panopticum.surveys.keep`) before the checkpoint of the chunk holding its day, atomically:
a kill before that checkpoint makes the resumed run compute the chunk again and write the
same file again, so each snapshot ends up written once, whole, and as an uninterrupted run
writes it.

Files damaged or removed behind the store's back are repaired, not trusted: a damaged
checkpoint gives way to the one before it, a missing or damaged chunk of the days done sends
the run back to day 0, and a run is marked complete only when every day's chunk is there. A
write that fails (a full disk, a read-only store) ends the run with one line saying so and
how to continue (:func:`store_error`).
"""

from __future__ import annotations

import datetime
import errno
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError
from panopticum.member_params import check_member_overrides, stacked_models
from panopticum.population import Population, build_population, load_population
from panopticum.run import build_manifest, check_memory, make_simulation, prepare, scenario_from_manifest, tidy_metrics
from panopticum.store import catalog, layout
from panopticum.store.runstore import COMPLETE, FAILED, RUNNING, RunStore, process_identity, run_parameter_hash
from panopticum.surveys.keep import Keeper, run_with_cuts, survey_days

OnStage = Callable[[str], None]
OnChunk = Callable[[int, int], None]  # (days done, days in the run)
OnNotice = Callable[[str], None]  # a repair made on the way (a damaged checkpoint passed over)


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
    devices: int = 1,
    survey_at: list[datetime.date | str] | None = None,
    member_overrides: list[dict[str, Any]] | None = None,
) -> str:
    """Run a scenario into ``store`` (checkpointing every ``chunk_days`` days); returns the run id.
    ``devices > 1`` splits the agents over that many devices (a resume runs on one).
    ``survey_at`` adds survey dates to the scenario's: a snapshot of every agent's history is
    kept on each (:mod:`panopticum.surveys.keep`).
    ``member_overrides`` (one dict of numeric parameter values per member) gives each member
    its own parameters on top of the scenario's and ``overrides``: still one program, and
    the manifest records each member's values (:mod:`panopticum.member_params`)."""
    if chunk_days < 1:
        raise PanopticumError(f"--chunk-days must be 1 or more, got {chunk_days}")
    if member_overrides is not None:
        member_overrides = check_member_overrides(member_overrides, members)
        if devices > 1:
            raise PanopticumError("members with their own parameters run on one device: drop --devices")
    stage = on_stage or (lambda _: None)
    stage("building the population")
    scenario, pop, days, override_dict = prepare(
        scenario, population=population, agents=agents, days=days, seed=seed, overrides=overrides, members=members,
        survey_at=survey_at,
    )
    check_memory(pop.n, members, chunk_days)
    if member_overrides is not None:
        stacked_models(scenario, member_overrides, days)  # every member's values checked before the run exists
    manifest = build_manifest(scenario, pop, seed, days, members, override_dict)
    if member_overrides is not None:
        manifest["member_overrides"] = member_overrides
    manifest["population_source"] = _population_source(population, pop)
    try:
        run_id = store.create_run(manifest, chunk_days)
    except OSError as exc:
        raise store_error(exc, store, None) from None
    manifest = store.manifest(run_id)
    if on_created:
        on_created(run_id)
    _drive(store, run_id, scenario, pop, manifest, None, 0, stage, on_chunk, devices)
    return run_id


def resume_run(
    store: RunStore, ref: str, on_stage: OnStage | None = None, on_chunk: OnChunk | None = None,
    on_notice: OnNotice | None = None,
) -> str:
    """Continue an incomplete run from its last checkpoint, in the same run directory.

    A damaged ``state.npz`` is passed over for ``previous.npz``, and a run whose chunk files
    of the days done are missing or damaged, or that has no readable checkpoint, runs again
    from day 0; ``on_notice(text)`` hears of each such repair. A complete run with a missing
    or damaged chunk is repaired the same way; one without is refused.
    """
    from panopticum.engine.state import state_field_names, state_from_arrays

    stage = on_stage or (lambda _: None)
    notice = on_notice or (lambda _: None)
    run_id = store.resolve(ref)
    with catalog.store_lock(store.root):  # claim the run, so that two resumes cannot both run it
        try:
            try:
                status = store.status(run_id)
            except PanopticumError as exc:
                notice(f"{exc}; writing a new one from the manifest")
                status = store.repair_status(run_id, days_done=0)
            if status["status"] == RUNNING:
                raise PanopticumError(f"run {run_id} is still running (pid {status.get('pid')} on {status.get('host')})")
            if status["status"] == COMPLETE:
                problem = store.chunk_problem(run_id, int(status["days"]), read=True)
                if problem is None:
                    raise PanopticumError(f"run {run_id} is already complete; nothing to resume")
                notice(f"run {run_id} is complete but {problem}")
            store.update_status(run_id, status=RUNNING, error=None, **process_identity())
        except OSError as exc:
            raise store_error(exc, store, run_id) from None
    try:
        layout.remove_temporaries(store.run_dir(run_id))  # a killed write's leftovers; the run is ours now
        manifest = store.manifest(run_id)
        try:
            scenario = scenario_from_manifest(manifest)
        except PanopticumError as exc:
            raise PanopticumError(f"cannot resume run {run_id}: this version of the model rejects its parameters ({exc})") from None
        if run_parameter_hash(manifest) != manifest.get("param_hash"):
            raise PanopticumError(f"run {run_id}: its manifest's parameters do not match its parameter hash")
        stage("rebuilding the population")
        pop = _population_for(manifest)
        checkpoint = store.load_checkpoint(run_id, state_field_names(), notice)
        state, first_day = None, 0
        if checkpoint is not None:
            arrays, first_day = checkpoint
            problem = store.chunk_problem(run_id, first_day, read=True)
            if problem:
                notice(f"{problem}: running again from day 0")
                first_day = 0
            else:
                state = state_from_arrays(arrays)
        elif int(status.get("days_done") or 0) > 0:
            notice("no readable checkpoint: running again from day 0")
        for path in store.chunk_files(run_id):  # chunks past the checkpoint are written again
            if int(path.stem.split("-")[1]) >= first_day:
                path.unlink()
        store.update_status(run_id, days_done=first_day)
    except BaseException as exc:
        _record_end(store, run_id, exc)
        if isinstance(exc, OSError):
            raise store_error(exc, store, run_id) from None
        raise
    store.sync_catalog()
    _drive(store, run_id, scenario, pop, manifest, state, first_day, stage, on_chunk)
    return run_id


def store_error(exc: OSError, store: RunStore, run_id: str | None) -> PanopticumError:
    """One line for a failed write to the store: what happened, where, and what to do."""
    where = f" ({exc.filename})" if exc.filename else ""
    then = f"; then {store.resume_hint(run_id)} continues the run" if run_id else ""
    if exc.errno == errno.ENOSPC:
        return PanopticumError(f"the disk holding the run store {store.root} is full{where}: free some space{then}")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return PanopticumError(f"the run store {store.root} is not writable ({exc.strerror}){where}: "
                               f"give a writable --store{then}")
    return PanopticumError(f"cannot write to the run store {store.root}: {exc.strerror or exc}{where}{then}")


def _record_end(store: RunStore, run_id: str, exc: BaseException) -> None:
    """Mark the run failed or interrupted; on a full or read-only disk this may fail too, and the
    run's status then reads ``incomplete`` once this process has gone."""
    interrupted = not isinstance(exc, Exception)
    error = None if interrupted else (str(exc) if isinstance(exc, PanopticumError) else f"{type(exc).__name__}: {exc}")
    try:
        store.update_status(run_id, sync=True, status="interrupted" if interrupted else FAILED, error=error)
    except (OSError, PanopticumError):
        pass


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


def _drive(
    store, run_id, scenario, pop, manifest, state, first_day, stage: OnStage, on_chunk: OnChunk | None, devices: int = 1
) -> None:
    days, seed, members = int(manifest["days"]), int(manifest["seed"]), int(manifest["members"])
    chunk_days = int(manifest["chunk_days"])
    start_date = datetime.date.fromisoformat(manifest["start_date"])
    started = time.perf_counter()
    try:
        wall_before = float(store.status(run_id).get("wall_seconds") or 0.0)
        sim, params, schedule, burn_in = make_simulation(scenario, pop, days, devices)
        if manifest.get("member_overrides"):
            params, schedule, burn_in = stacked_models(scenario, manifest["member_overrides"], days)
        keeper = Keeper(survey_days(scenario.survey_dates, start_date, days), start_date, pop, sim.world, params, members,
                        run_dir=store.run_dir(run_id))
        if state is None and len(burn_in.day):
            stage(f"compiling the model and settling it ({len(burn_in.day)} days of burn-in)")
        else:
            stage("compiling the model (first chunk)" if first_day < days else "finishing")
        if on_chunk:
            on_chunk(first_day, days)
        for chunk in run_with_cuts(sim, seed, params, schedule, members=members, chunk_days=chunk_days, state=state,
                                   first_day=first_day, burn_in=burn_in, cuts=keeper.cuts, at_cut=keeper):
            done = chunk.first_day + chunk.regional.shape[1]
            frame = tidy_metrics(chunk.regional, chunk.national, start_date, first_day=chunk.first_day)
            frame.insert(0, "run_id", run_id)
            store.write_chunk(run_id, chunk.first_day, frame)
            store.save_checkpoint(run_id, chunk.state, done)
            # the first chunk refreshes the catalog, so its metrics view shows the run from now on
            store.update_status(run_id, sync=chunk.first_day == first_day, days_done=done,
                                wall_seconds=round(wall_before + time.perf_counter() - started, 3))
            stage("simulating")
            if on_chunk:
                on_chunk(done, days)
        problem = store.chunk_problem(run_id, days)
        if problem:  # a file removed behind the run's back: never call such a run complete
            raise PanopticumError(f"run {run_id}: {problem}; {store.resume_hint(run_id)} computes them again")
        keeper.finish()
        store.update_status(run_id, sync=True, status=COMPLETE, days_done=days,
                            wall_seconds=round(wall_before + time.perf_counter() - started, 3))
    except BaseException as exc:
        _record_end(store, run_id, exc)
        if isinstance(exc, OSError):
            raise store_error(exc, store, run_id) from None
        raise
