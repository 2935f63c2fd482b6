"""Agent-steps per second of Epstein's Model 1: panopticum (JAX) against Mesa 3.

Measures, in one run of this script on one machine:

- ours at 40x40, 100x100, 1000x1000 and 4000x4000 (NetLogo's defaults: 70% citizens,
  4% cops, vision 7, L = 0.82, J_max = 30);
- Mesa's own example (``mesa.examples.advanced.epstein_civil_violence``) at 40x40 and
  100x100 with the same parameters.

agent-steps/s = (citizens + cops) x steps / seconds, the median of several timed runs,
after a warm-up run that absorbs JAX's compile time (and Mesa's neighbourhood caches).
Rewrites only its own section of ``benchmarks/RESULTS.md`` (between
``<!-- epstein:start -->`` and ``<!-- epstein:end -->``), creating the file or section.

Usage: ``python benchmarks/epstein.py [--quick]`` (``--quick`` skips 4000x4000 and times
fewer steps; for a smoke test, not for the record).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import jax

from panopticum.epstein import EpsteinParams, init, run_jit
from panopticum.epstein.docking import _NoCollect, mesa_epstein, mesa_kwargs

sys.path.insert(0, str(Path(__file__).parent))
from population import machine as host_machine  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
START, END = "<!-- epstein:start -->", "<!-- epstein:end -->"


def time_ours(size: int, steps: int, repeats: int) -> dict:
    params = EpsteinParams(width=size, height=size)
    init_key, run_key = jax.random.split(jax.random.key(0))
    state = jax.block_until_ready(jax.jit(init)(init_key, params))
    state, _ = jax.block_until_ready(run_jit(run_key, state, params, steps=steps))  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        state, _ = jax.block_until_ready(run_jit(run_key, state, params, steps=steps))
        times.append(time.perf_counter() - t0)
    agents = params.n_citizens + params.n_cops
    sec = statistics.median(times)
    return {"impl": "panopticum (JAX)", "grid": f"{size}x{size}", "agents": agents,
            "steps": steps, "repeats": repeats, "seconds": sec,
            "steps_per_s": steps / sec, "agent_steps_per_s": agents * steps / sec}


def time_ours_batch(size: int, steps: int, repeats: int, runs: int) -> dict:
    """``runs`` independent runs (seeds) advanced together under ``jax.vmap``."""
    params = EpsteinParams(width=size, height=size)
    keys = jax.random.split(jax.random.key(0), runs)
    init_keys, run_keys = keys, jax.vmap(lambda k: jax.random.fold_in(k, 1))(keys)
    states = jax.block_until_ready(jax.jit(jax.vmap(lambda k: init(k, params)))(init_keys))
    batch = jax.jit(jax.vmap(lambda k, s: run_jit(k, s, params, steps=steps)))
    states, _ = jax.block_until_ready(batch(run_keys, states))  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        states, _ = jax.block_until_ready(batch(run_keys, states))
        times.append(time.perf_counter() - t0)
    agents = (params.n_citizens + params.n_cops) * runs
    sec = statistics.median(times)
    return {"impl": f"panopticum (JAX), {runs} runs vmapped", "grid": f"{size}x{size}",
            "agents": agents, "steps": steps, "repeats": repeats, "seconds": sec,
            "steps_per_s": steps / sec, "agent_steps_per_s": agents * steps / sec}


def time_mesa(size: int, steps: int, repeats: int) -> dict:
    _, model_cls = mesa_epstein()
    kwargs = mesa_kwargs(EpsteinParams(width=size, height=size))
    model = model_cls(seed=0, **kwargs)
    model.datacollector = _NoCollect()  # time the model, not its bookkeeping
    model.step()  # warm-up: fills Mesa's neighbourhood caches
    agents = len(model.agents)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            model.step()
        times.append(time.perf_counter() - t0)
    sec = statistics.median(times)
    return {"impl": "Mesa 3.3.1", "grid": f"{size}x{size}", "agents": agents,
            "steps": steps, "repeats": repeats, "seconds": sec,
            "steps_per_s": steps / sec, "agent_steps_per_s": agents * steps / sec}


def machine() -> str:
    return f"{host_machine()}, jax {jax.__version__}, {jax.devices()[0].platform}"


def render(rows: list[dict], notes: list[str], load: tuple[float, float] | None = None) -> str:
    lines = [
        START,
        "## Epstein civil violence (Model 1): panopticum vs Mesa",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}, by "
        "`python benchmarks/epstein.py`, all rows in one run. NetLogo's defaults (70% "
        "citizens, 4% cops, vision 7, L = 0.82, J_max = 30), the same for Mesa. "
        "agent-steps/s = (citizens + cops) x steps / seconds, the median of the timed "
        "repeats, after a warm-up run (compile time excluded). Mesa runs its own example "
        "with its DataCollector replaced by a no-op (faster than as shipped, so the ratios "
        "are conservative). The vmapped rows advance 8 independent runs (seeds) together, "
        "as a docking or a parameter sweep does; their agents column counts all 8."
        + (f" 1-minute load average {load[0]:.1f} at the start and {load[1]:.1f} at the end "
           "on this shared machine: other jobs ran alongside, so both columns are "
           "pessimistic; the ratios, measured side by side, less so." if load else ""),
        "",
        "| implementation | grid | agents | steps x repeats | s per step | steps/s | agent-steps/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['impl']} | {r['grid']} | {r['agents']:,} | {r['steps']} x {r['repeats']} | "
            f"{r['seconds'] / r['steps']:.4g} | {r['steps_per_s']:.4g} | "
            f"{r['agent_steps_per_s']:,.0f} |"
        )
    lines += [""] + notes + [END]
    return "\n".join(lines) + "\n"


def write_section(text: str, path: Path = RESULTS) -> None:
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    if START in old and END in old:
        head, rest = old.split(START, 1)
        _, tail = rest.split(END, 1)
        new = head + text.rstrip("\n") + tail
    else:
        new = old.rstrip("\n") + "\n\n" + text
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(new)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke test: small, not recorded")
    args = ap.parse_args(argv)
    q = args.quick
    plan_ours = [(40, 200 if not q else 20, 5), (100, 200 if not q else 20, 5),
                 (1000, 20 if not q else 2, 3)]
    if not q:
        plan_ours.append((4000, 5, 3))
    plan_mesa = [(40, 20 if not q else 3, 3), (100, 3 if not q else 1, 3)]
    rows = []
    load0 = os.getloadavg()[0]
    for size, steps, reps in plan_mesa:
        rows.append(time_mesa(size, steps, reps))
        print(rows[-1], file=sys.stderr, flush=True)
    for size, steps, reps in plan_ours:
        rows.append(time_ours(size, steps, reps))
        print(rows[-1], file=sys.stderr, flush=True)
    for size, steps, reps in plan_ours[:2]:
        rows.append(time_ours_batch(size, steps, reps, runs=8))
        print(rows[-1], file=sys.stderr, flush=True)
    by = {(r["impl"].split()[0], r["grid"]): r for r in rows if "vmapped" not in r["impl"]}
    batch = {r["grid"]: r for r in rows if "vmapped" in r["impl"]}
    notes = []
    for grid in ("40x40", "100x100"):
        ratio = by[("panopticum", grid)]["agent_steps_per_s"] / by[("Mesa", grid)]["agent_steps_per_s"]
        bratio = batch[grid]["agent_steps_per_s"] / by[("Mesa", grid)]["agent_steps_per_s"]
        notes.append(f"- {grid}: one panopticum run is **{ratio:,.0f}x** Mesa's agent-steps/s; "
                     f"8 runs vmapped together, **{bratio:,.0f}x** "
                     f"(target at 100x100: at least 1,000x).")
    if ("panopticum", "4000x4000") in by:
        r = by[("panopticum", "4000x4000")]
        notes.append(f"- 4000x4000 ({r['agents']:,} agents): **{r['steps_per_s']:.2f} steps/s** "
                     "(target: faster than 1 step/s).")
    text = render(rows, notes, (load0, os.getloadavg()[0]))
    print(text)
    if not q:
        write_section(text)


if __name__ == "__main__":
    main()
