"""Benchmark: build populations of several sizes; record wall time and peak memory.

Each build runs in a fresh subprocess, which reports its own build time, the time of each
stage and its peak resident memory (``ru_maxrss``). Small sizes are repeated and the median
kept. The results replace the text between ``<!-- population:start -->`` and
``<!-- population:end -->`` in ``benchmarks/RESULTS.md`` (other sections are left alone).

    python benchmarks/population.py                      # 1M, 5M, 26.5M
    python benchmarks/population.py --sizes 100000,1000000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- population:start -->", "<!-- population:end -->"

CHILD = r"""
import json, resource, sys, time
from panopticum.population import build_population
n, seed = int(sys.argv[1]), int(sys.argv[2])
stages, t0 = {}, time.perf_counter()
last = [t0, None]
def progress(stage):
    now = time.perf_counter()
    if last[1]:
        stages[last[1]] = now - last[0]
    last[0], last[1] = now, stage
pop = build_population(n, seed, progress=progress)
progress(None)
total = time.perf_counter() - t0
print(json.dumps({"n": n, "seconds": total, "stages": stages,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "ties": pop.n_ties, "mean_degree": 2 * pop.n_ties / pop.n}))
"""


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        mem = f", {kb / 2**20:.1f} GiB memory"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs{mem}, Python {platform.python_version()}"


def run_one(n: int, seed: int) -> dict:
    res = subprocess.run([sys.executable, "-c", CHILD, str(n), str(seed)], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"build of {n:,} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000,5000000,26500000", help="comma-separated agent counts")
    ap.add_argument("--repeats", type=int, default=3, help="runs per size up to 5M (larger sizes run once)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-write", action="store_true", help="print only; do not update RESULTS.md")
    args = ap.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    rows = []
    load_before = os.getloadavg()[0]
    for n in sizes:
        runs = [run_one(n, args.seed) for _ in range(args.repeats if n <= 5_000_000 else 1)]
        best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
        row = {
            "n": n,
            "runs": len(runs),
            "seconds": statistics.median(r["seconds"] for r in runs),
            "peak_gib": max(r["peak_rss_bytes"] for r in runs) / 2**30,
            "stages": best["stages"],
            "mean_degree": best["mean_degree"],
            "ties": best["ties"],
        }
        rows.append(row)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in row["stages"].items())
        print(f"{n:>12,} agents: {row['seconds']:7.1f} s (median of {row['runs']}), peak {row['peak_gib']:.2f} GiB, "
              f"{row['ties']:,} ties, mean degree {row['mean_degree']:.2f}  [{stages}]", flush=True)
    load = (load_before, os.getloadavg()[0])
    print(f"1-minute load average: {load[0]:.1f} before, {load[1]:.1f} after")
    if not args.no_write:
        write(rows, load)


def write(rows: list[dict], load: tuple[float, float]) -> None:
    when = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    lines = [
        START,
        "## Population",
        "",
        f"`python benchmarks/population.py` on {when}; machine: {machine()}.",
        "Build time of `build_population(n, seed=0)` (population and ties, not saving), median of the runs;",
        "peak resident memory of the fresh process that built it. Targets: 26.5M in under 3 min and 10 GiB; 1M in under 10 s.",
        f"1-minute load average {load[0]:.1f} before and {load[1]:.1f} after (other jobs on the machine slow the timings).",
        "",
        "| agents | runs | seconds | peak GiB | ties | mean degree | seconds by stage |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
        lines.append(
            f"| {r['n']:,} | {r['runs']} | {r['seconds']:.1f} | {r['peak_gib']:.2f} | {r['ties']:,} | "
            f"{r['mean_degree']:.2f} | {stages} |"
        )
    if len(rows) >= 2:
        a, b = rows[0], rows[-1]
        ratio = (b["seconds"] / b["n"]) / (a["seconds"] / a["n"])
        lines += ["", f"Seconds per agent at {b['n']:,} relative to {a['n']:,}: {ratio:.2f} (1.0 = linear)."]
    lines.append(END)
    section = "\n".join(lines)
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + section + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    tmp = RESULTS.with_suffix(".md.tmp")
    tmp.write_text(text)
    os.replace(tmp, RESULTS)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
