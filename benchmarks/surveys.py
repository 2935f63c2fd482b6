"""Benchmark: replicate virtual surveys on a large synthetic snapshot.

Builds a population (``--agents``, default 1M), draws a synthetic survey snapshot over it
(:func:`panopticum.surveys.synthetic_snapshot`; building neither is timed), then times
:func:`panopticum.surveys.run_study` for each design: preparing the frames, the truth and
the tie look-ups once, then ``--replicates`` surveys, every estimator of the design. The
results replace the text between ``<!-- surveys:start -->`` and ``<!-- surveys:end -->`` in
``benchmarks/RESULTS.md``.

    python benchmarks/surveys.py                          # 1M agents, 1,000 replicates
    python benchmarks/surveys.py --agents 100000 --replicates 200 --no-write

Target on the 2-core machine: 1,000 replicate surveys of 140 respondents (stimson-2024) on
a 1M-agent snapshot in under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from population import machine  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- surveys:start -->", "<!-- surveys:end -->"


def load() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def main() -> None:
    from panopticum.population import build_population
    from panopticum.surveys import load_design, run_study, score, synthetic_snapshot

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--designs", default="stimson-2024,resident-phone-2022,srs-1000")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()

    t = time.perf_counter()
    pop = build_population(args.agents, 0)
    snapshot = synthetic_snapshot(pop, seed=1, day=730)
    del pop
    setup = time.perf_counter() - t
    print(f"population and snapshot of {args.agents:,} agents: {setup:.1f} s (not timed below)", flush=True)
    rows = []
    for name in args.designs.split(","):
        design = load_design(name)
        load_before = load()
        marks = []
        t = time.perf_counter()
        study = run_study(snapshot, design, args.replicates, seed=0,
                          progress=lambda done, _: marks.append(time.perf_counter()) if done == 1 else None)
        total = time.perf_counter() - t
        t2 = time.perf_counter()
        scores = score(study)
        scoring = time.perf_counter() - t2
        first = marks[0] - t if marks else float("nan")
        rows.append({"design": name, "respondents": design.respondents, "samples": len(design.samples),
                     "estimators": ", ".join(design.estimators), "seconds": total, "first": first,
                     "scoring": scoring, "estimates": len(study.estimates), "rows": len(scores),
                     "load": f"{load_before} / {load()}"})
        print(f"{name}: {args.replicates:,} replicates of {design.respondents:,} respondents in {total:.1f} s "
              f"(first replicate, with set-up, {first:.2f} s; scoring {scoring:.2f} s)", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if args.no_write:
        return
    lines = [
        START,
        "## Virtual surveys",
        "",
        f"`python benchmarks/surveys.py --agents {args.agents} --replicates {args.replicates}` on "
        f"{_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {machine()}.",
        f"A synthetic survey snapshot of {args.agents:,} agents (the population generator's ties; behaviours drawn "
        "from fixed rates, `panopticum.surveys.synthetic_snapshot`). *seconds* is `run_study` from the loaded "
        "snapshot to every estimate: the frames, the truth and the informant look-up over all ties once, then the "
        "replicates, each drawing every sample and applying every estimator of the design to every question; "
        "*first* is the first replicate with that set-up. Target: 1,000 replicates of stimson-2024 "
        "(140 respondents) on 1M agents under 30 s.",
        "",
        "| design | samples | respondents | estimators | replicates | seconds | first | scoring s | 1-min load before / after |",
        "|---|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(f"| {r['design']} | {r['samples']} | {r['respondents']:,} | {r['estimators']} | "
                     f"{args.replicates:,} | {r['seconds']:.1f} | {r['first']:.2f} | {r['scoring']:.2f} | {r['load']} |")
    lines += ["", f"Peak resident memory of the process (population build included): {peak:.2f} GiB.",
              "The machine was shared with other jobs while this ran (the load column); times are pessimistic.",
              "The cost of keeping histories per agent-day is measured with the engine (benchmarks/model.py).",
              END]
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
