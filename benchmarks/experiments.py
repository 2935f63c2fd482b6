"""Benchmark: a Morris sweep's points per hour, batched against one point at a time.

One script, a Dask ``LocalCluster`` (one worker process per core), the same Morris design
at the same size in two modes, back to back, so the ratio is measured under the same load,
``--repeats`` times (a new cluster each time), medians reported:

- *batched*: ``batch_points`` points advance as one compiled program (``vmap`` over the
  parameters), one batch per task;
- *one point at a time*: ``batch_points = 1``, each task runs one point.

Each worker builds the population once before the clock starts (a warm-up task); each mode's
wall time includes its compilation on each worker (one program per batch shape). Points
per hour = points / wall seconds x 3600. The CPU rows run with ``JAX_PLATFORMS=cpu`` in the
workers; GPU rows are added when a GPU is visible (:func:`panopticum.cluster.visible_gpus`),
one worker on one GPU (``--no-cpu`` measures those alone). The results replace the text between
``<!-- experiments:start -->`` and ``<!-- experiments:end -->`` in ``benchmarks/RESULTS.md``.

    python benchmarks/experiments.py                          # 100k agents x 365 days
    python benchmarks/experiments.py --agents 10000 --days 30 --repeats 1 --no-write    # a quick look
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from population import machine  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
START, END = "<!-- experiments:start -->", "<!-- experiments:end -->"

EXPERIMENT = """
[experiment]
name = "bench-{mode}"
scenario = "baseline-2023"
agents = {agents}
days = {days}
seed = 0
replicates = 1
design = "morris"
samples = {trajectories}
levels = 4
batch_points = {batch}
chunk_days = {chunk}

[[vary]]
path = "cameras.coverage_market"

[[vary]]
path = "media.closed_border_supply"

[[vary]]
name = "capacity"
paths = ["analysis.capacity_*"]
factor = [0.0, 10.0]

[[outcomes]]
name = "freedom"
metric = "freedom_index"
aggregate = "mean_last"
days = 30
"""


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "unknown"


def sweep(client, folder: Path, mode: str, batch: int, args) -> dict:
    from panopticum.experiments.batching import batch_size
    from panopticum.experiments.execute import run_experiment
    from panopticum.experiments.spec import load_experiment

    path = folder / f"{mode}.toml"
    path.write_text(EXPERIMENT.format(mode=mode, agents=args.agents, days=args.days, trajectories=args.trajectories,
                                      batch=batch, chunk=args.chunk))
    exp = load_experiment(str(path))
    load = load_average()
    started = time.perf_counter()
    experiment_id = run_experiment(exp, folder / "store", client=client)
    seconds = time.perf_counter() - started
    from panopticum.experiments.store import ExperimentStore

    points = len(ExperimentStore.open(folder / "store").results(experiment_id))
    row = {"mode": mode, "batch": batch_size(points, batch), "points": points, "seconds": seconds,
           "per_hour": points / seconds * 3600, "load_before": load, "load_after": load_average()}
    print(f"{mode:>22}: {points} points in {seconds:.1f} s = {row['per_hour']:.0f} points/hour "
          f"(load {row['load_before']} -> {row['load_after']})", flush=True)
    return row


def warm_up(client, folder: Path, args) -> None:
    """Build the population on every worker before the clock starts (kept in the worker's cache)."""
    from panopticum.experiments.execute import _simulation
    from panopticum.experiments.spec import load_experiment

    path = folder / "warm-up.toml"
    path.write_text(EXPERIMENT.format(mode="warm-up", agents=args.agents, days=args.days,
                                      trajectories=args.trajectories, batch=1, chunk=args.chunk))
    spec = load_experiment(str(path)).run_spec()

    def build(spec) -> int:
        _simulation(spec)
        return os.getpid()

    client.run(build, spec)


def run_modes(args, workers: int, label: str, platform: str) -> list[dict]:
    """Both modes on one new cluster whose workers run on ``platform`` (cpu or gpu)."""
    from panopticum.cluster import local_cluster
    from distributed import Client

    cluster = local_cluster(workers, gpus=None if platform == "gpu" else [])  # []: on the cores
    client = Client(cluster)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            warm_up(client, folder, args)
            rows = [sweep(client, folder, f"{label}batched", args.batch, args),
                    sweep(client, folder, f"{label}one point at a time", 1, args)]
    finally:
        client.close()
        cluster.close()
    for r in rows:
        r["platform"] = platform
    return rows


def median_row(runs: list[dict]) -> dict:
    """One mode's repeats as one row: the median wall time, the loads seen across them."""
    seconds = statistics.median(r["seconds"] for r in runs)
    loads = [r[k] for r in runs for k in ("load_before", "load_after")]
    return dict(runs[0], seconds=seconds, per_hour=runs[0]["points"] / seconds * 3600,
                all_seconds=[r["seconds"] for r in runs], load_low=min(loads, key=_load_key),
                load_high=max(loads, key=_load_key))


def _load_key(load: str) -> float:
    return float(load) if load != "unknown" else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--agents", type=int, default=100_000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--chunk", type=int, default=73)
    ap.add_argument("--trajectories", type=int, default=4, help="Morris trajectories (points = trajectories x 4)")
    ap.add_argument("--batch", type=int, default=8, help="points per batch in the batched mode")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeats", type=int, default=3, help="runs of both modes, alternating; medians are reported")
    ap.add_argument("--no-cpu", action="store_true", help="on a GPU machine, measure the GPU rows alone")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    import jax

    from panopticum.cluster import visible_gpus
    from panopticum.run import enable_compilation_cache

    enable_compilation_cache()
    # Counted without starting JAX here: JAX would take most of the GPU's memory in this process.
    gpu = bool(visible_gpus())
    if args.no_cpu and not gpu:
        raise SystemExit("--no-cpu needs a GPU, and none is visible")
    repeats = []
    for i in range(args.repeats):
        print(f"repeat {i + 1} of {args.repeats}", flush=True)
        rows = [] if args.no_cpu else run_modes(args, args.workers, "", "cpu")
        if gpu:
            rows += run_modes(args, 1, "GPU ", "gpu")
        repeats.append(rows)
    rows = [median_row([rep[i] for rep in repeats]) for i in range(len(repeats[0]))]
    if args.no_write:
        return
    from panopticum.params.scenarios import load_scenario

    burn_in = load_scenario("baseline-2023").params.timeline.burn_in_days
    for r in rows:  # every point runs its burn-in, then its days
        r["agent_days"] = r["points"] * args.agents * (burn_in + args.days) / r["seconds"]
    ratios = {r["platform"]: r["per_hour"] / o["per_hour"] for r, o in zip(rows[::2], rows[1::2])}
    cores = os.cpu_count() or 1
    lines = [
        START, "## Experiments: batched sweeps", "",
        f"`python benchmarks/experiments.py --agents {args.agents} --days {args.days} --trajectories {args.trajectories} "
        f"--batch {args.batch} --repeats {args.repeats}` on {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {machine()}; "
        f"jax {jax.__version__}" + (" with a GPU" if gpu else ", CPU only") + ".",
        f"A Morris design (3 factors, {args.trajectories} trajectories, 1 seed a point) of the baseline scenario at "
        f"{args.agents:,} agents x {args.days} days, each point after its {burn_in}-day burn-in, on a Dask "
        f"LocalCluster of {args.workers} worker processes" + (" (the GPU rows: one worker on one GPU)" if gpu else "")
        + f", run batched (at most {args.batch} points a batch, cut "
        f"into batches of one size) and then one point at a time, back to back, {args.repeats} times (a new cluster "
        "each time; the first compiles, the others load the stored programs). Wall time from submitting the "
        "design to the last point stored, compilation on each worker included, population built beforehand; "
        "agent-days count the burn-in. Target: batching at least 3x the points per hour of one point at a time.",
        "",
        "| mode | points per batch | points | wall s, each repeat | median wall s | points per hour | agent-days per s "
        "| 1-min load, lowest -> highest |",
        "|---|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in rows:
        each = ", ".join(f"{x:.1f}" for x in r["all_seconds"])
        lines.append(f"| {r['mode']} | {r['batch']} | {r['points']} | {each} | {r['seconds']:.1f} | {r['per_hour']:.0f} | "
                     f"{r['agent_days']:.3g} | {r['load_low']} -> {r['load_high']} |")
    lines.append("")
    for platform, ratio in ratios.items():
        lines.append(f"Batched / one point at a time on the {platform.upper()}: **{ratio:.2f}x** the points per hour "
                     f"(target 3x: {'met' if ratio >= 3 else 'not met'}).")
    first = repeats[0][0]["load_before"]
    if first != "unknown" and float(first) > cores:
        lines.append(f"Other jobs shared the machine ({cores} cores; 1-minute load {first} before the first repeat), "
                     "so both wall times are pessimistic; the modes alternated under similar load.")
    lines.append("The load columns count the sweep's own workers too.")
    if ratios.get("cpu", 3) < 3:
        lines.append("On the CPU a batch does the same work per agent-day as one point: the Dask workers already "
                     "keep every core busy with one point each, and a day's fixed cost is small next to its "
                     "per-agent work, so `vmap` over points saves only the per-point dispatch. Batching can pay only "
                     "where one point leaves the device idle, as on a GPU, and there only on designs large enough "
                     "for the saving to outweigh a compilation per program shape.")
    if not gpu:
        lines.append("No GPU was present, so there is no GPU row.")
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
