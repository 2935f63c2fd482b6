"""``panopticum run --posterior CALIBRATION --ensemble K``: K draws of a calibration's posterior.

The K draws are one stored run of K members, run as one compiled program: the draws'
values are stacked along the member axis (:mod:`panopticum.member_params`), member m has
the ensemble's key m of ``--seed`` and draw m's parameters, and the manifest records each
member's values (the catalog's ``member_parameters`` table lists them). Member m is
therefore member m of ``panopticum run --seed S --ensemble K`` with draw m's values set
(member 0: the single run of seed S), on the population of ``(agents, S)``.
"""

from __future__ import annotations

import json

from rich.console import Console

from panopticum.errors import PanopticumError


def run_posterior(calibration, scenario, population, agents, days, seed, assignments, store_dir, draws, chunk_days) -> str:
    from panopticum.calibration.abc import load_posterior, resolve
    from panopticum.calibration.results import draw
    from panopticum.cli.run import _check_inputs, print_run_summary, run_with_progress
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
    overrides = list(assignments or [])
    if meta.get("burn_in_days") is not None:  # as the calibration's simulations ran
        overrides.append(f"timeline.burn_in_days={meta['burn_in_days']}")
    _check_inputs(scenario, overrides, days, draws, population, agents, seed, chunk_days)
    store = RunStore.open(store_dir, create=True)
    enable_compilation_cache()

    def work(on_stage, on_chunk):
        return start_run(store, scenario, population=population, agents=agents, days=days, seed=seed,
                         overrides=overrides, members=draws, chunk_days=chunk_days, on_stage=on_stage,
                         on_chunk=on_chunk, member_overrides=particles)

    run_id = run_with_progress(Console(stderr=True), f"posterior x{draws}", work)
    console = Console()
    print_run_summary(store, run_id, console)
    console.print(f"{draws} posterior draws of calibration {folder.name}: run [bold]{run_id}[/bold] "
                  f"({draws} members) stored in {store_dir}/")
    return run_id
