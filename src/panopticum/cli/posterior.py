"""``panopticum run --posterior CALIBRATION --ensemble K``: K draws of a calibration's posterior.

The K draws run one after another, each a stored run of its own parameters (the draw's
values as overrides, seed ``seed + i``), so each has its own manifest and resumes like any
run: a stored run records one set of parameters for all its members. Running them as one
batched program (the experiment layer's ``Simulation.run_batch``) was measured to save
about 10% on the CPU at 10,000 agents (docs/calibration.md, budget).
"""

from __future__ import annotations

import json

from rich.console import Console

from panopticum.errors import PanopticumError


def run_posterior(calibration, scenario, population, agents, days, seed, assignments, store_dir, draws, chunk_days) -> list[str]:
    from panopticum.calibration.abc import load_posterior, resolve
    from panopticum.calibration.results import draw
    from panopticum.cli.run import _check_inputs, run_with_progress
    from panopticum.run import enable_compilation_cache
    from panopticum.store import RunStore, start_run

    folder = resolve(store_dir, calibration)
    meta = json.loads((folder / "calibration.json").read_text())
    scenario = scenario or meta["scenario"]
    if population is None and agents is None:
        agents = meta["agents"]
    particles = draw(load_posterior(folder), draws, seed)
    clash = sorted({a.split("=", 1)[0].strip() for a in assignments or []} & set(particles[0]))
    if clash:
        raise PanopticumError(f"--set {clash[0]} clashes with the posterior, which sets it")
    _check_inputs(scenario, assignments, days, 1, population, agents, seed, chunk_days)
    store = RunStore.open(store_dir, create=True)
    enable_compilation_cache()
    err, ids = Console(stderr=True), []
    for i, particle in enumerate(particles):
        overrides = list(assignments or []) + [f"{p}={v!r}" for p, v in particle.items()]
        if meta.get("burn_in_days") is not None:  # as the calibration's simulations ran
            overrides.append(f"timeline.burn_in_days={meta['burn_in_days']}")

        def work(on_stage, on_chunk, overrides=overrides, i=i):
            return start_run(store, scenario, population=population, agents=agents, days=days, seed=seed + i,
                             overrides=overrides, members=1, chunk_days=chunk_days, on_stage=on_stage, on_chunk=on_chunk)

        ids.append(run_with_progress(err, f"posterior draw {i + 1}/{draws}", work))
    console = Console()
    console.print(f"{draws} posterior draws of calibration {folder.name} stored in {store_dir}/: {' '.join(ids)}")
    return ids
