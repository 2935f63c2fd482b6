"""Benchmark: the day-by-day model at several sizes, on one core, on every core, sharded
over several devices; time per simulated day, agent-days per second, peak memory.

Each configuration runs in a fresh subprocess: it builds the population (or loads a cached
file from ``--cache DIR``), runs the baseline scenario for ``--days`` days in chunks, and
reports the compile time, the median seconds per simulated day over the steady chunks
(wall and process CPU), the whole wall time and its peak resident memory. The compile time
is JAX's own account (tracing, lowering to XLA and XLA's compilation or its load from the
persistent cache, summed over every program the run compiles) and the engine's for its
stored executables (computing their key, loading or storing them:
``panopticum.engine.executables``), measured twice: *cold*,
each repeat with an empty compilation cache of its own, and *hit*, one more process of a
single chunk (``--hit-days N``: N days, its engine time reported too) reading the cache the
last repeat wrote (as a second ``panopticum run`` of the same shape does). Configurations:

- ``--cores 1,all``: the same build pinned to one core (CPU affinity) and on every core,
  so the second core's worth is a ratio of two rows of one run;
- ``--devices 1,2``: the agent axis unsharded (1) or sharded over that many devices
  (``Simulation(..., devices=N)``); on a CPU the child forces N host devices
  (``--xla_force_host_platform_device_count``), on a GPU machine it uses N GPUs;
- ``--members K``: an ensemble of K seeds as one program;
- ``--against DIR``: the same measurement with another source tree (for instance
  ``git archive`` of an older commit unpacked in DIR), alternating with this one process by
  process, so a cost ratio between versions is measured under the same load.

The results replace the text between ``<!-- model:start -->`` and ``<!-- model:end -->`` in
``benchmarks/RESULTS.md``, up to the block's first ``### Earlier`` heading: what follows it
(past measurements, moved there by hand) is kept.

    python benchmarks/model.py                                   # 100k and 1M, 365 days
    python benchmarks/model.py --sizes 1000000 --cores 1,all --devices 1,2
    python benchmarks/model.py --sizes 26500000 --days 365 --cache /tmp/pops --cores all
    python benchmarks/model.py --sizes 1000000 --days 146 --against /tmp/old/src --no-write
    python benchmarks/model.py --sizes 26500000 --devices 1 --cores all   # on a GPU machine
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from population import machine  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- model:start -->", "<!-- model:end -->"
SRC = str(Path(__file__).resolve().parent.parent / "src")

CHILD = r"""
import collections, json, os, resource, sys, time
import numpy as np
import jax
compile_events = collections.Counter()
def _listen(event, duration, **_):
    if event.startswith(("/jax/core/compile/", "/panopticum/compile/")):  # panopticum's: its stored executables
        compile_events[event.rsplit("/", 1)[-1]] += duration
jax.monitoring.register_event_duration_secs_listener(_listen)
from panopticum.run import enable_compilation_cache
enable_compilation_cache(os.environ["BENCH_XLA_CACHE"])
from panopticum.engine import Simulation, build_schedule, build_world, engine_params
from panopticum.params.scenarios import load_scenario
from panopticum.population import build_population, load_population, save_population
n, days, chunk, cache, devices, members = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
t_start = time.perf_counter()
path = os.path.join(cache, f"pop-{n}-seed0.pop") if cache else ""
if path and os.path.exists(path):
    pop = load_population(path)
else:
    pop = build_population(n, 0)
    if path:
        save_population(pop, path)
t_pop = time.perf_counter() - t_start
scenario = load_scenario("baseline-2023")
world, layout = build_world(pop)
del pop
cadence = scenario.params.beliefs.cadence_days
sim = Simulation(world, layout, cadence, devices=devices) if devices > 1 else Simulation(world, layout, cadence)
params = engine_params(scenario.params)
schedule = build_schedule(scenario.params, days)
kwargs = {"members": members} if members > 1 else {}
chunks, t, c = [], time.perf_counter(), time.process_time()
for out in sim.run(0, params, schedule, chunk_days=chunk, **kwargs):
    now, cpu = time.perf_counter(), time.process_time()
    chunks.append((now - t, cpu - c, out.regional.shape[1]))
    t, c = now, cpu
t_run = sum(s for s, _, _ in chunks)
steady = [(s / d, p / d) for s, p, d in chunks[1:] if d == chunk] or [(chunks[0][0] / chunks[0][2], chunks[0][1] / chunks[0][2])]
per_day = float(np.median([s for s, _ in steady]))
print(json.dumps({
    "n": n, "days": days, "members": members, "population_seconds": t_pop, "run_seconds": t_run,
    "compile_seconds": sum(compile_events.values()), "compile_parts": dict(compile_events),
    "seconds_per_day": per_day, "cpu_seconds_per_day": float(np.median([p for _, p in steady])),
    "steady_chunks": len(steady), "chunk_seconds": [round(s, 3) for s, _, _ in chunks], "backend": jax.default_backend(), "device_kind": jax.devices()[0].device_kind,
    "device_count": len(jax.devices()), "cpus_used": len(os.sched_getaffinity(0)),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
"""


def run_one(n: int, days: int, chunk: int, cache: str, cores: str, devices: int, members: int, src: str,
            xla_cache: str = "") -> dict:
    """One configuration in a fresh process. ``cores``: "all" or a number of cores to pin to;
    ``xla_cache``: the compilation cache folder (a new empty one if not given)."""
    xla_cache = xla_cache or tempfile.mkdtemp(prefix="panopticum-bench-xla-")
    # ``src`` first, then the caller's own path (where a machine keeps packages it cannot install).
    path = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=path, BENCH_XLA_CACHE=xla_cache)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    if cache and src != SRC:
        cache = os.path.join(cache, "against")  # another version may read another population format
        os.makedirs(cache, exist_ok=True)
    flags = [f for f in env.get("XLA_FLAGS", "").split() if not f.startswith("--xla_force_host_platform_device_count")]
    if devices > 1:
        # Only the CPU backend reads this flag; a GPU machine shards over its GPUs.
        flags.append(f"--xla_force_host_platform_device_count={devices}")
    env["XLA_FLAGS"] = " ".join(flags)
    pin = None
    if cores != "all":
        allowed = sorted(os.sched_getaffinity(0))[: int(cores)]
        pin = lambda: os.sched_setaffinity(0, allowed)  # noqa: E731
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(days), str(chunk), cache, str(devices), str(members)],
        capture_output=True, text=True, env=env, check=False, preexec_fn=pin,
    )
    if out.returncode != 0:
        raise SystemExit(f"{n:,} agents, cores {cores}, devices {devices} failed:\n{out.stderr[-3000:]}")
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row.update(cores=cores, devices=devices, load=load_average(), src=src, xla_cache=xla_cache)
    return row


def with_cache_hit(row: dict, chunk: int, cache: str, members: int, days: int = 0) -> dict:
    """``row`` with ``compile_hit_seconds``: the compile time of one more process reading
    the compilation cache ``row``'s process wrote, ``days`` long (default: a single chunk),
    and that process's ``hit_run_seconds`` (the engine's wall time, loading included)."""
    hit = run_one(row["n"], days or chunk, chunk, cache, row["cores"], row["devices"], members, row["src"],
                  row["xla_cache"])
    shutil.rmtree(row["xla_cache"], ignore_errors=True)
    return dict(row, compile_hit_seconds=hit["compile_seconds"], compile_hit_parts=hit["compile_parts"],
                hit_days=hit["days"], hit_run_seconds=hit["run_seconds"], hit_chunk_seconds=hit["chunk_seconds"])


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def median_row(runs: list[dict]) -> dict:
    best = dict(sorted(runs, key=lambda r: r["seconds_per_day"])[len(runs) // 2])
    best["repeats"] = len(runs)
    best["cpu_seconds_per_day"] = statistics.median(r["cpu_seconds_per_day"] for r in runs)
    best["compile_seconds"] = statistics.median(r["compile_seconds"] for r in runs)
    hit = next(r for r in runs if "compile_hit_seconds" in r)
    best.update({k: hit[k] for k in ("compile_hit_seconds", "hit_days", "hit_run_seconds")})
    best["loads"] = "-".join(sorted({r["load"] for r in runs}, key=float)) if len(runs) > 1 else runs[0]["load"]
    return best


def describe(r: dict) -> str:
    return (
        f"{r['n']:>11,} agents x {r['days']} days x {r['members']}, cores {r['cores']}, devices {r['devices']} "
        f"({r['backend']}): {r['seconds_per_day'] * 1000:.1f} ms/day wall, {r['cpu_seconds_per_day'] * 1000:.1f} ms/day CPU, "
        f"run {r['run_seconds']:.1f} s (compile {r['compile_seconds']:.1f} s cold"
        + (f", {r['compile_hit_seconds']:.2f} s from the cache" if "compile_hit_seconds" in r else "")
        + (f"; {r['hit_days']} days from the cache in {r['hit_run_seconds']:.1f} s" if "hit_run_seconds" in r else "")
        + f"), chunks {_seconds(r['chunk_seconds'])}"
        + (f" (from the cache {_seconds(r['hit_chunk_seconds'])})" if "hit_chunk_seconds" in r else "")
        + f", peak {r['peak_rss_bytes'] / 2**30:.2f} GiB, "
        f"load {r['load']}"
    )


def _seconds(values: list) -> str:
    return ", ".join(f"{v:.2f}" for v in values) + " s"


def ns_per_agent_day(r: dict) -> float:
    return r["seconds_per_day"] / (r["n"] * r["members"]) * 1e9


def table(rows: list[dict]) -> list[str]:
    lines = [
        "| agents | members | days | cores | devices | backend | repeats | run s | compile s cold | compile s hit "
        "| run s hit (days) | ms per day | CPU ms per day | ns per agent-day | agent-days per s | peak GiB | 1-min load |",
        "|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['members']} | {r['days']} | {r['cpus_used'] if r['cores'] == 'all' else r['cores']} | "
            f"{r['devices']} | {r['backend']} | {r['repeats']} | {r['run_seconds']:.1f} | {r['compile_seconds']:.1f} | "
            f"{r.get('compile_hit_seconds', float('nan')):.2f} | {r.get('hit_run_seconds', float('nan')):.1f} ({r.get('hit_days', '-')}) | "
            f"{r['seconds_per_day'] * 1000:.1f} | {r['cpu_seconds_per_day'] * 1000:.1f} | {ns_per_agent_day(r):.3g} | "
            f"{1e9 / ns_per_agent_day(r):.3g} | {r['peak_rss_bytes'] / 2**30:.2f} | {r['loads']} |"
        )
    return lines


def ratios(rows: list[dict], against: list[dict]) -> list[str]:
    """Sentences comparing rows of one run: cores, devices, size, versions."""
    out = []
    by = {(r["n"], r["members"], r["cores"], r["devices"]): r for r in rows}
    for (n, k, cores, devices), r in by.items():
        one = by.get((n, k, "1", 1))
        if cores == "all" and devices == 1 and one:
            out.append(f"- {n:,} agents: every core vs one core, {one['seconds_per_day'] / r['seconds_per_day']:.2f}x "
                       f"(wall per day; 2.0 would be perfect use of two cores).")
        base = by.get((n, k, cores, 1))
        if devices > 1 and base:
            out.append(f"- {n:,} agents, cores {cores}: sharded over {devices} devices vs unsharded, "
                       f"{base['seconds_per_day'] / r['seconds_per_day']:.2f}x.")
    sizes = sorted({r["n"] for r in rows})
    if len(sizes) > 1:
        small, large = by.get((sizes[0], 1, "all", 1)), by.get((sizes[-1], 1, "all", 1))
        if small and large:
            out.append(f"- Time per agent-day at {sizes[-1]:,} relative to {sizes[0]:,}: "
                       f"{ns_per_agent_day(large) / ns_per_agent_day(small):.2f} (1.0 = linear).")
    for a in against:
        mine = by.get((a["n"], a["members"], a["cores"], a["devices"]))
        if mine:
            out.append(f"- {a['n']:,} agents: this version costs {mine['seconds_per_day'] / a['seconds_per_day']:.2f}x "
                       f"the wall time per agent-day of `{a['src']}` and {mine['cpu_seconds_per_day'] / a['cpu_seconds_per_day']:.2f}x "
                       f"its CPU time (alternating processes, medians of {mine['repeats']}); compilation "
                       f"{mine['compile_seconds']:.1f} s cold and {mine['compile_hit_seconds']:.2f} s from the cache against "
                       f"{a['compile_seconds']:.1f} s and {a['compile_hit_seconds']:.2f} s.")
    return out


EARLIER = "### Earlier"


def earlier(text: str) -> list[str]:
    """The block's earlier measurements (from its first ``### Earlier`` heading), kept when
    a new measurement replaces the block's top."""
    if START not in text or END not in text:
        return []
    block = text[text.index(START): text.index(END)]
    return ["", block[block.index(EARLIER):].rstrip("\n")] if EARLIER in block else []


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk", type=int, default=73, help="days per compiled chunk (365 = 5 x 73)")
    ap.add_argument("--cores", default="1,all", help="comma-separated: a number of cores to pin to, or all")
    ap.add_argument("--devices", default="1", help="comma-separated device counts to shard the agents over (1: unsharded)")
    ap.add_argument("--members", type=int, default=1, help="ensemble members run as one program")
    ap.add_argument("--repeats", type=int, default=3, help="runs per configuration under 2M agents (median kept)")
    ap.add_argument("--hit-days", type=int, default=0,
                    help="days of the process that reads the compilation cache (default: one chunk)")
    ap.add_argument("--against", default="", help="another source tree to measure alternately (a cost ratio)")
    ap.add_argument("--cache", default="", help="folder to keep built populations in")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
    cores = args.cores.split(",")
    devices = [int(d) for d in args.devices.split(",")]
    rows, against = [], []
    for n in [int(s) for s in args.sizes.split(",")]:
        repeats = args.repeats if n * args.members < 2_000_000 else 1
        configs = [(c, d) for c in cores for d in devices]
        runs: dict = {cfg: [] for cfg in configs}
        other: dict = {cfg: [] for cfg in configs}
        # Round-robin over configurations so that a change of load touches all of them.
        for repeat in range(repeats):
            for cfg in configs:
                for src, into, label in ((SRC, runs, ""), (args.against, other, "  against: ")):
                    if not src:
                        continue
                    row = run_one(n, args.days, args.chunk, args.cache, *cfg, args.members, src)
                    if repeat == repeats - 1:
                        row = with_cache_hit(row, args.chunk, args.cache, args.members, args.hit_days)
                    else:
                        shutil.rmtree(row["xla_cache"], ignore_errors=True)
                    into[cfg].append(row)
                    print(label + describe(row), flush=True)
        rows += [median_row(runs[cfg]) for cfg in configs]
        against += [median_row(other[cfg]) for cfg in configs if other[cfg]]
    notes = ratios(rows, against)
    print("\n".join(notes))
    if args.no_write:
        return
    command = " ".join(sys.argv[1:])
    lines = [
        START,
        "## Model",
        "",
        f"`python benchmarks/model.py {command}` on {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC; "
        f"machine: {machine()}.",
        "The baseline scenario run in chunks of "
        f"{args.chunk} days; *run* is the engine's wall time including compilation (population building or "
        "loading not included), *ms per day* the median over the steady chunks (wall, and the process's CPU "
        "time), *cores* the cores the process could use, *devices* how many devices the agent axis is "
        "sharded over (1: not sharded). Medians over the repeats where more than one, the configurations "
        "run in turn.",
        "",
        *table(rows),
    ]
    if against:
        lines += ["", f"The same configurations with `{args.against}`, alternating process by process:", "", *table(against)]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    lines += ["", *notes, "", "Other jobs may share the cores (the load column: a load above the core count means the",
              "machine was shared); peak memory is the whole process, population included.", *earlier(text), END]
    block = "\n".join(lines)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
