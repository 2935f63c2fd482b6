"""``panopticum run``: run a scenario into the run store, with a progress bar and a summary."""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from panopticum.cli import app
from panopticum.errors import PanopticumError
from panopticum.report.summary import display_unit, format_band, national_summary
from panopticum.store.layout import DEFAULT_STORE


def progress_bar(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[days]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[stage]}", style="dim"),
        console=console,
        transient=True,  # an error then leaves its one line alone on stderr
    )


def run_with_progress(console: Console, label: str, work) -> str:
    """Call ``work(on_stage, on_chunk, on_created)`` under a progress bar over days."""
    with progress_bar(console) as bar:
        task = bar.add_task(label, total=None, stage="starting", days="")

        def on_stage(text: str) -> None:
            bar.update(task, stage=text)

        def on_chunk(done: int, days: int) -> None:
            bar.update(task, completed=done, total=days, days=f"day {done}/{days}")

        started = time.perf_counter()
        result = work(on_stage, on_chunk)
        task_info = bar.tasks[0]
    console.print(f"[green]done[/green] {label}: {task_info.fields.get('days') or 'nothing to run'} in "
                  f"{time.perf_counter() - started:.1f} s")
    return result


@app.command("run")
def run(
    scenario: Optional[str] = typer.Option(None, "--scenario", help="a built-in scenario name or a scenario .toml file (with --posterior: the calibration's by default)"),
    population: Optional[Path] = typer.Option(None, "--population", help="a population file (from `panopticum population --out`)"),
    agents: Optional[int] = typer.Option(None, "--agents", help="agents to build when no --population is given (default 20,000)"),
    days: Optional[int] = typer.Option(None, "--days", help="days to simulate (default: the scenario's)"),
    seed: int = typer.Option(0, "--seed", help="random seed, 0 to 2**32 - 1: the same seed gives the same run, bit for bit"),
    assignments: Optional[list[str]] = typer.Option(None, "--set", help="override a parameter: path.to.param=value (repeatable)"),
    out: Optional[Path] = typer.Option(None, "--out", help="also write metrics.parquet and manifest.json to this directory"),
    store_dir: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="the run store to add the run to"),
    ensemble: int = typer.Option(1, "--ensemble", help="members: K seeds run as one compiled program"),
    chunk_days: int = typer.Option(30, "--chunk-days", help="days per chunk: progress and checkpoints after each"),
    posterior: Optional[str] = typer.Option(None, "--posterior", help="a calibration id in the store: run --ensemble draws of its posterior, each with its own parameters"),
    devices: int = typer.Option(1, "--devices", help="split the agents over this many devices: GPUs, or CPU cores as host devices"),
    survey_at: Optional[list[str]] = typer.Option(
        None, "--survey-at", help="keep a survey snapshot on this date, YYYY-MM-DD (repeatable; for `panopticum survey`)"),
) -> None:
    """Run a scenario: progress over days, a summary table, and the run kept in the store."""
    from panopticum.run import enable_compilation_cache
    from panopticum.store import RunStore, start_run

    if devices < 1:
        raise PanopticumError(f"--devices must be 1 or more, got {devices}")
    from panopticum.engine.sharding import request_cpu_devices

    request_cpu_devices(devices)  # before JAX starts: a CPU then offers that many host devices
    if posterior is not None:
        from panopticum.cli.posterior import run_posterior

        run_posterior(posterior, scenario, population, agents, days, seed, assignments, store_dir, ensemble, chunk_days)
        return
    if scenario is None:
        raise PanopticumError("--scenario is needed (or --posterior CALIBRATION)")
    _check_inputs(scenario, assignments, days, ensemble, population, agents, seed, chunk_days, survey_at)
    if out is not None:
        check_writable_dir(out, "--out")
    store = RunStore.open(store_dir, create=True)
    enable_compilation_cache()
    err = Console(stderr=True)
    created: list[str] = []
    label = f"{Path(scenario).stem}" + (f" x{ensemble}" if ensemble > 1 else "")

    def work(on_stage, on_chunk):
        return start_run(
            store, scenario, population=population, agents=agents, days=days, seed=seed, overrides=assignments,
            members=ensemble, chunk_days=chunk_days, on_stage=on_stage, on_chunk=on_chunk, on_created=created.append,
            devices=devices,
            survey_at=survey_at,
        )

    try:
        run_id = run_with_progress(err, label, work)
    except KeyboardInterrupt:
        if created:
            raise PanopticumError(f"interrupted; `panopticum resume {created[0]} --store {store_dir}` continues the run") from None
        raise PanopticumError("interrupted") from None
    console = Console()
    print_run_summary(store, run_id, console)
    if out is not None:
        write_flat(store, run_id, out)
        console.print(f"wrote {out / 'metrics.parquet'} and {out / 'manifest.json'}")
    extra = "" if str(store_dir) == DEFAULT_STORE else f" --store {store_dir}"
    console.print(f"run [bold]{run_id}[/bold] stored in {store_dir}/")
    console.print(f"next: panopticum report {run_id} --out report.html{extra}", soft_wrap=True)


def _check_inputs(scenario, assignments, days, ensemble, population, agents, seed, chunk_days, survey_at=None) -> None:
    """Fail on bad input before any progress bar is drawn."""
    from panopticum.params.scenarios import load_scenario
    from panopticum.run import DEFAULT_AGENTS, MAX_DAYS, check_memory, check_seed, parse_overrides, with_survey_dates

    check_seed(seed)
    if chunk_days < 1:
        raise PanopticumError(f"--chunk-days must be 1 or more, got {chunk_days}")
    resolved = load_scenario(scenario, parse_overrides(assignments))
    days = resolved.days if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise PanopticumError(f"--days must be in [1, {MAX_DAYS}], got {days}")
    with_survey_dates(resolved, survey_at, days)
    if ensemble < 1:
        raise PanopticumError(f"--ensemble needs at least 1 member, got {ensemble}")
    if population is not None and agents is not None:
        raise PanopticumError("give either --population or --agents, not both")
    if population is not None and not population.is_file():
        raise PanopticumError(f"population file not found: {population}")
    check_memory(_agents_of(population) if population is not None else (agents or DEFAULT_AGENTS), ensemble,
                 min(chunk_days, days))


def _agents_of(population: Path) -> int:
    """The number of agents in a population file, from its header alone."""
    from panopticum.population.storage import read_header

    header, _ = read_header(population)
    try:
        return int(next(e["shape"][0] for e in header["arrays"] if e["name"] == "region"))
    except (KeyError, TypeError, ValueError, IndexError, StopIteration):
        raise PanopticumError(f"{population} is a damaged population file (damaged header)") from None


def check_writable_dir(out: Path, option: str) -> None:
    """Fail now, not after the run, if ``out`` cannot be (or become) a directory we can write to;
    creates nothing."""
    import os

    if out.exists() and not out.is_dir():
        raise PanopticumError(f"{option} {out} exists and is not a directory")
    existing = out.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise PanopticumError(f"cannot write to {option} {out}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise PanopticumError(f"cannot write to {option} {out}: {existing} is not writable")


def write_flat(store, run_id: str, out: Path) -> None:
    """``metrics.parquet`` (day, date, region, metric, value; member for ensembles) and ``manifest.json``."""
    from panopticum.store.layout import atomic_write, write_json

    manifest = store.manifest(run_id)
    frame = store.metrics(run_id).drop(columns=["run_id"])
    if int(manifest["members"]) == 1:
        frame = frame.drop(columns=["member"])
    try:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(out / "metrics.parquet", lambda p: frame.to_parquet(p, index=False))
        write_json(out / "manifest.json", manifest)
    except OSError as exc:
        raise PanopticumError(f"cannot write the run to {out}: {exc.strerror or exc}") from None


def _window_label(start: datetime.date, window: tuple[int, int]) -> str:
    a = start + datetime.timedelta(days=window[0])
    b = start + datetime.timedelta(days=window[1])
    return f"{a:%d %b}-{b:%d %b %Y}" if a.year == b.year else f"{a:%d %b %Y}-{b:%d %b %Y}"


def print_run_summary(store, run_id: str, console: Console, metrics: pd.DataFrame | None = None) -> None:
    """The national summary table of a stored run (first month against last month)."""
    manifest = store.manifest(run_id)
    status = store.status(run_id)
    metrics = store.metrics(run_id) if metrics is None else metrics
    members = int(manifest["members"])
    start = datetime.date.fromisoformat(manifest["start_date"])
    title = (
        f"{manifest['scenario']['name']}: {int(manifest['agents']):,} agents, {manifest['days']} days "
        f"from {start:%d %b %Y}, seed {manifest['seed']}" + (f", {members} members" if members > 1 else "")
    )
    if metrics.empty:
        console.print(f"{title}\n(no days simulated yet; status {status['status']})")
        return
    figures, (first, last) = national_summary(metrics)
    table = Table(title=title, caption=_caption(members, status, manifest), box=box.SIMPLE_HEAD)
    table.add_column("national figure", no_wrap=True)
    table.add_column("unit", style="dim", no_wrap=True)
    table.add_column(_window_label(start, first), justify="right")
    table.add_column(_window_label(start, last), justify="right")
    group = None
    for f in figures:
        kind = f.label.split(":")[0] if ":" in f.label else "other"
        if group is not None and kind != group:
            table.add_section()
        group = kind
        table.add_row(f.label, display_unit(f.unit), format_band(f.first, f.unit, members), format_band(f.last, f.unit, members))
    console.print(table)


def _caption(members: int, status: dict, manifest: dict) -> str:
    parts = []
    if members > 1:
        parts.append("median over members [5%-95%]")
    parts.append("means over each window")
    if status["status"] != "complete":
        parts.append(f"status {status['status']}: {status.get('days_done', 0)} of {manifest['days']} days")
    elif status.get("wall_seconds"):
        parts.append(f"ran in {status['wall_seconds']:.0f} s")
    return "; ".join(parts)
