"""``panopticum runs``, ``show``, ``resume``, ``compare`` and ``report``: working with the run store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from panopticum.cli import app
from panopticum.cli.run import print_run_summary, run_with_progress
from panopticum.errors import PanopticumError
from panopticum.store.layout import DEFAULT_STORE

STORE_OPTION = typer.Option(Path(DEFAULT_STORE), "--store", help="the run store")
_STATUS_STYLE = {"complete": "green", "running": "cyan", "incomplete": "yellow", "failed": "red", "damaged": "red"}


def _open(store_dir: Path):
    from panopticum.store import RunStore

    return RunStore.open(store_dir)


@app.command("runs")
def runs(store_dir: Path = STORE_OPTION) -> None:
    """List the runs in the store, newest last, with their status."""
    store = _open(store_dir)
    frame = store.list_runs()
    store.sync_catalog()
    console = Console()
    if frame.empty:
        console.print(f"no runs in {store_dir} yet; `panopticum run --scenario baseline-2023` makes one")
        return
    table = Table(title=f"Runs in {store_dir}", caption="run ids begin with their UTC start time")
    for col, justify in (("run", "left"), ("scenario", "left"), ("status", "left"), ("seed", "right"),
                         ("agents", "right"), ("days", "right")):
        table.add_column(col, justify=justify, no_wrap=True)
    damaged = []
    for row in frame.sort_values("run_id").itertuples():
        status = str(row.status)
        days = f"{_whole(row.days_done)}/{_whole(row.days)}" if status != "complete" else f"{_whole(row.days)}"
        scenario = str(row.scenario) + (f" x{row.members}" if _whole(row.members) not in ("?", "1") else "")
        table.add_row(row.run_id, scenario, f"[{_STATUS_STYLE.get(status, 'white')}]{status}[/]", _whole(row.seed),
                      _whole(row.agents, grouped=True), days)
        if status == "damaged":
            damaged.append(row.run_id)
    console.print(table)
    for run_id in damaged:
        problem = frame.loc[frame["run_id"] == run_id, "error"].iloc[0]
        console.print(f"[red]damaged[/red] {run_id}: {problem}; `panopticum resume {run_id} --store {store_dir}` "
                      "writes a new status from the run's manifest and checkpoint", soft_wrap=True)


def _whole(value, grouped: bool = False) -> str:
    """A whole number for the table, ``?`` where a damaged run's files do not tell."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "?"
    return f"{int(value):,}" if grouped else str(int(value))


@app.command("show")
def show(run: str = typer.Argument(..., help="a run id (or a unique prefix, or 'latest')"), store_dir: Path = STORE_OPTION) -> None:
    """Summarise one run: what was run, its status, and its national figures."""
    store = _open(store_dir)
    run_id = store.resolve(run)
    manifest = store.manifest(run_id)
    try:
        status = store.status(run_id)
    except PanopticumError as exc:
        raise PanopticumError(f"{exc}; {store.resume_hint(run_id)} writes a new status from the run's manifest "
                              "and checkpoint") from None
    console = Console()
    head = Table(title=f"Run {run_id}", show_header=False)
    head.add_column("what")
    head.add_column("value")
    sc = manifest["scenario"]
    head.add_row("scenario", f"{sc['name']} ({sc.get('source', '')})")
    if sc.get("description"):
        head.add_row("description", sc["description"])
    for path, value in manifest.get("overrides", {}).items():
        head.add_row("override", f"{path} = {value}")
    head.add_row("status", f"[{_STATUS_STYLE.get(status['status'], 'white')}]{status['status']}[/]"
                 + (f" ({status.get('days_done', 0)} of {manifest['days']} days; {store.resume_hint(run_id)})"
                    if status["status"] in ("incomplete", "failed") else ""))
    if status.get("error"):
        head.add_row("error", str(status["error"]))
    head.add_row("seed / members", f"{manifest['seed']} / {manifest['members']}")
    head.add_row("agents", f"{int(manifest['agents']):,} ({manifest['people_per_agent']:,.0f} people each)")
    head.add_row("days", f"{manifest['days']} from {manifest['start_date']} (chunks of {manifest.get('chunk_days')})")
    head.add_row("parameter hash", manifest.get("param_hash", ""))
    head.add_row("created", manifest["created"])
    head.add_row("versions", ", ".join(f"{k} {v}" for k, v in manifest["versions"].items()))
    head.add_row("platform", f"{manifest['platform']['system']} ({manifest['platform']['jax_backend']})")
    if status.get("wall_seconds"):
        head.add_row("wall time", f"{status['wall_seconds']:.1f} s")
    console.print(head)
    print_run_summary(store, run_id, console)


@app.command("resume")
def resume(run: str = typer.Argument(..., help="the id of an incomplete run"), store_dir: Path = STORE_OPTION) -> None:
    """Continue a run that was killed, from its last checkpoint, to exactly the uninterrupted result."""
    from panopticum.run import enable_compilation_cache
    from panopticum.store import resume_run

    store = _open(store_dir)
    run_id = store.resolve(run)
    enable_compilation_cache()
    err = Console(stderr=True)

    def notice(text: str) -> None:  # a repair on the way: said, not hidden
        err.print(f"note: {text}", soft_wrap=True, markup=False, highlight=False)

    try:
        run_with_progress(err, f"resume {run_id}", lambda on_stage, on_chunk: resume_run(
            store, run_id, on_stage=on_stage, on_chunk=on_chunk, on_notice=notice))
    except KeyboardInterrupt:
        raise PanopticumError(f"interrupted; {store.resume_hint(run_id)} continues the run") from None
    console = Console()
    print_run_summary(store, run_id, console)
    console.print(f"run [bold]{run_id}[/bold] complete")


@app.command("compare")
def compare(
    runs_: list[str] = typer.Argument(..., metavar="RUN...", help="two or more run ids"),
    out: Path = typer.Option(..., "--out", help="the figure: .png or .svg (an .html page is written beside it), or .html"),
    store_dir: Path = STORE_OPTION,
) -> None:
    """Draw runs side by side: behaviours, detections, punishments, records, freedom index."""
    from panopticum.report.compare import write_compare

    store = _open(store_dir)
    ids = [store.resolve(r) for r in runs_]
    if len(ids) < 2:
        raise PanopticumError(f"compare needs two or more runs, got {len(ids)}; `panopticum report RUN` "
                              "describes a single run")
    written = write_compare(store, ids, out)
    Console().print("wrote " + ", ".join(str(p) for p in written))


@app.command("report")
def report(
    run: str = typer.Argument(..., help="a run id, or an experiment's id or name"),
    out: Path = typer.Option(Path("report.html"), "--out", help="the HTML file to write"),
    store_dir: Path = STORE_OPTION,
) -> None:
    """Write one self-contained HTML report of a run or an experiment, figures embedded."""
    from panopticum.experiments.cli_report import report_experiment
    from panopticum.report.html import write_report

    if report_experiment(store_dir, run, out):
        Console().print(f"wrote {out}")
        return
    store = _open(store_dir)
    run_id = store.resolve(run)
    write_report(store, run_id, out)
    Console().print(f"wrote {out}")
