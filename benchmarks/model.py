"""Benchmark: the day-by-day model at several sizes; time per simulated day and peak memory.

Each size runs in a fresh subprocess: it builds the population (or loads a cached file
from ``--cache DIR``), runs the baseline scenario for ``--days`` days in chunks, and
reports the compile time (the first chunk less a steady chunk), the median seconds per
simulated day over the steady chunks, the whole wall time and its peak resident memory.
The results replace the text between ``<!-- model:start -->`` and ``<!-- model:end -->`` in
``benchmarks/RESULTS.md``.

    python benchmarks/model.py                               # 100k and 1M, 365 days
    python benchmarks/model.py --sizes 26500000 --days 365 --cache /tmp/pops
    python benchmarks/model.py --sizes 100000 --days 60 --no-write

Targets on the 2-core, 24 GiB machine: 1M agents for 365 days in under 90 s; 26.5M agents
for 365 days in under 30 minutes and 16 GiB; time per day linear in N.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from population import machine  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- model:start -->", "<!-- model:end -->"

CHILD = r"""
import json, os, resource, sys, time
import numpy as np
from panopticum.engine import Simulation, build_schedule, build_world, engine_params
from panopticum.params.scenarios import load_scenario
from panopticum.population import build_population, load_population, save_population
n, days, chunk, cache = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
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
sim = Simulation(world, layout, scenario.params.beliefs.cadence_days)
params = engine_params(scenario.params)
schedule = build_schedule(scenario.params, days)
chunks, t = [], time.perf_counter()
for c in sim.run(0, params, schedule, chunk_days=chunk):
    now = time.perf_counter()
    chunks.append((now - t, c.regional.shape[1]))
    t = now
t_run = sum(s for s, _ in chunks)
steady = [s / d for s, d in chunks[1:] if d == chunk] or [chunks[0][0] / chunks[0][1]]
per_day = float(np.median(steady))
print(json.dumps({
    "n": n, "days": days, "population_seconds": t_pop, "run_seconds": t_run,
    "compile_seconds": max(chunks[0][0] - per_day * chunks[0][1], 0.0),
    "seconds_per_day": per_day, "steady_chunks": len(steady),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
"""


def run_size(n: int, days: int, chunk: int, cache: str) -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(n), str(days), str(chunk), cache],
        capture_output=True, text=True, env=env, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"size {n} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk", type=int, default=73, help="days per compiled chunk (365 = 5 x 73)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size under 2M agents (median kept)")
    ap.add_argument("--cache", default="", help="folder to keep built populations in")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    if args.cache:
        os.makedirs(args.cache, exist_ok=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        repeats = args.repeats if n < 2_000_000 else 1
        runs = [run_size(n, args.days, args.chunk, args.cache) for _ in range(repeats)]
        best = sorted(runs, key=lambda r: r["run_seconds"])[len(runs) // 2]
        best["repeats"] = repeats
        best["load"] = load_average()
        rows.append(best)
        print(
            f"{n:>11,} agents x {args.days} days: run {best['run_seconds']:.1f} s "
            f"(compile {best['compile_seconds']:.1f} s, {best['seconds_per_day'] * 1000:.1f} ms/day), "
            f"population {best['population_seconds']:.1f} s, peak {best['peak_rss_bytes'] / 2**30:.2f} GiB",
            flush=True,
        )
    if args.no_write:
        return
    base = rows[0]
    lines = [
        START,
        "## Model",
        "",
        f"`python benchmarks/model.py --sizes {args.sizes} --days {args.days}` on "
        f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {machine()}.",
        "The baseline scenario, one seed, run in chunks of "
        f"{args.chunk} days; *run* is the engine's wall time including compilation (population "
        "building or loading not included), *ms/day* the median over the steady chunks. "
        "Medians over the repeats where more than one. Targets: 1M x 365 days under 90 s; "
        "26.5M x 365 days under 30 min and 16 GiB.",
        "",
        "| agents | days | repeats | run s | compile s | ms per day | ns per agent-day | peak GiB | 1-min load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']:,} | {r['days']} | {r['repeats']} | {r['run_seconds']:.1f} | {r['compile_seconds']:.1f} | "
            f"{r['seconds_per_day'] * 1000:.1f} | {r['seconds_per_day'] / r['n'] * 1e9:.0f} | "
            f"{r['peak_rss_bytes'] / 2**30:.2f} | {r['load']} |"
        )
    if len(rows) > 1:
        last = rows[-1]
        ratio = (last["seconds_per_day"] / last["n"]) / (base["seconds_per_day"] / base["n"])
        lines += ["", f"Time per agent-day at {last['n']:,} relative to {base['n']:,}: {ratio:.2f} (1.0 = linear)."]
    lines += ["", "Other jobs may share the cores (the load column); peak memory is the whole process,",
              "population included."]
    lines.append(END)
    block = "\n".join(lines)
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
