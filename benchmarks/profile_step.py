"""Profile of one day's step, phase by phase, at a given size (default 1M agents).

Each phase's cost is measured as the difference between two jitted *prefixes* of the day:
the day up to and including the phase, returning everything computed so far, less the day
up to the phase before. XLA fuses differently in a prefix than in the real step (a prefix
returns what the step would keep in registers; the step carries the new state), so the
differences are a guide to where the work is, not parts that add up to the step; the whole
step is timed too. The tie update (every
``cadence`` days) is timed on its own, and so is a bare counter-hash uniform, the model's
most repeated operation.

    python benchmarks/profile_step.py                      # 1M agents
    python benchmarks/profile_step.py --agents 100000 --repeats 5

Wall and process CPU times are both printed: on a shared machine the CPU time says how
much work a phase is, the wall time how long it took beside the other jobs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine import analysis, behaviour, build_schedule, build_world, channels, escape, media, metrics, recruitment, social
from panopticum.engine import random as rnd
from panopticum.engine.channels import phones
from panopticum.engine.context import Today
from panopticum.engine.enforcement import enforce
from panopticum.engine.simulate import Simulation
from panopticum.engine.step import next_leads
from panopticum.params.scenarios import load_scenario
from panopticum.engine import engine_params
from panopticum.population import build_population, load_population, save_population

PHASES = ["begin", "choose", "media", "channels", "analyse", "enforce", "escape", "new state", "metrics"]


def prefix(layout, upto: int):
    """The day up to phase ``upto`` (an index in PHASES), returning all it computed."""

    def day(key, state, world, params, levels):
        out = {}
        words = rnd.day_words(jax.random.fold_in(key, state.day))
        today = Today.begin(world, state, params, levels, layout, words)
        out["free"] = today.free
        if upto >= 1:
            choices = behaviour.choose(today)
            today = dataclasses.replace(today, acts=choices.acts, market=choices.market, stocked=choices.stocked)
            out["choices"] = choices
        if upto >= 2:
            out["media"] = media.daily_supply(today)
        if upto >= 3:
            records = channels.collect(today)
            out["records"] = records
        if upto >= 4:
            analysed = analysis.analyse(today, records)
            out["analysed"] = analysed
        if upto >= 5:
            outcome = enforce(today, analysed.detected)
            out["outcome"] = outcome
        if upto >= 6:
            hazard = escape.hazard(today)
            leaving = escape.leave(today, hazard)
            out["escape"] = (hazard, leaving)
        if upto >= 7:
            # The new state's fields that need more than a select (step.py).
            out["new"] = (
                social.count_acts(state.acts_since, choices.acts),
                next_leads(today, analysed.detected),
                phones.next_log(today),
                recruitment.update(today, state.informant, outcome.fined | outcome.bribed | (state.detained == 1)),
            )
        if upto >= 8:
            out["metrics"] = metrics.compute(today, choices, analysed, outcome, state, layout, hazard, leaving)
        return out

    return jax.jit(day)


def timed(fn, args, repeats: int) -> tuple[float, float]:
    """Median (wall, process CPU) seconds of ``fn(*args)`` after a warm-up call."""
    jax.block_until_ready(fn(*args))
    walls, cpus = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        jax.block_until_ready(fn(*args))
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--cache", default="", help="folder to keep the built population in")
    args = ap.parse_args()
    n = args.agents
    path = os.path.join(args.cache, f"pop-{n}-seed0.pop") if args.cache else ""
    if path and os.path.exists(path):
        pop = load_population(path)
    else:
        pop = build_population(n, 0)
        if path:
            os.makedirs(args.cache, exist_ok=True)
            save_population(pop, path)
    scenario = load_scenario("baseline-2023")
    world, layout = build_world(pop)
    del pop
    cadence = scenario.params.beliefs.cadence_days
    sim = Simulation(world, layout, cadence)
    params = engine_params(scenario.params)
    schedule = build_schedule(scenario.params, 30)
    # A state some weeks in, so queues, leads and detentions are populated.
    state = None
    for chunk in sim.run(0, params, schedule, chunk_days=30):
        state = chunk.state
    one = jax.tree_util.tree_map(lambda a: a[0], state)
    key = jax.random.key(0)
    levels = jax.tree_util.tree_map(lambda a: jnp.asarray(a[10]), schedule)
    args_ = (key, one, world, params, levels)
    print(f"{n:,} agents, {layout.n_edges:,} tie ends; load {os.getloadavg()[0]:.1f}; median of {args.repeats}")
    print(f"{'phase':<12} {'wall ms':>9} {'cpu ms':>9} {'ns/agent':>9}")
    before = (0.0, 0.0)
    for i, name in enumerate(PHASES):
        wall, cpu = timed(prefix(layout, i), args_, args.repeats)
        print(f"{name:<12} {(wall - before[0]) * 1e3:>9.1f} {(cpu - before[1]) * 1e3:>9.1f} {(wall - before[0]) / n * 1e9:>9.1f}")
        before = (wall, cpu)
    from panopticum.engine.step import make_step

    step = jax.jit(make_step(layout, cadence))
    no_update = dataclasses.replace(levels, day=jnp.int32(0))  # (0 + 1) % 7 != 0: no tie update
    wall, cpu = timed(step, (key, one, world, params, no_update), args.repeats)
    print(f"{'whole step':<12} {wall * 1e3:>9.1f} {cpu * 1e3:>9.1f} {wall / n * 1e9:>9.1f}")
    upd = jax.jit(lambda s, w, p, words, supply: social.update(s, w, p, words, cadence, layout.n, supply))
    wall, cpu = timed(upd, (one, world, params, rnd.day_words(key), levels.supply), args.repeats)
    print(f"{'tie update':<12} {wall * 1e3:>9.1f} {cpu * 1e3:>9.1f} {wall / n * 1e9:>9.1f}  (every {cadence} days)")
    k = 32
    # With the index hashes stored in the world, as the step reads them. The draws below one
    # half are counted: a float sum would time float additions in series, not the draws.
    draws = jax.jit(lambda words, hashes: jnp.sum(sum((rnd.uniform(words, s, n, hashes) < 0.5).astype(jnp.int32) for s in range(k))))
    wall, cpu = timed(draws, (rnd.day_words(key), world.index_hash), args.repeats)
    print(f"{k} uniforms   {wall * 1e3:>9.1f} {cpu * 1e3:>9.1f} {wall / n * 1e9:>9.1f}  ({wall / n / k * 1e9:.2f} ns a number)")
    state_bytes = sum(np.asarray(a).nbytes for a in jax.tree_util.tree_leaves(one)) / n
    world_bytes = sum(np.asarray(a).nbytes for a in jax.tree_util.tree_leaves(world)) / n
    mem = step.lower(key, one, world, params, no_update).compile().memory_analysis()
    temp = getattr(mem, "temp_size_in_bytes", 0) / n if mem is not None else float("nan")
    print(f"bytes per agent: state {state_bytes:.0f}, world {world_bytes:.0f} (ties included), step temporaries {temp:.0f}")


if __name__ == "__main__":
    main()
