"""``panopticum sweep`` and ``panopticum sensitivity``: experiments on Dask, into the run store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from panopticum.cli import app
from panopticum.errors import PanopticumError
from panopticum.store.layout import DEFAULT_STORE

FILE_ARG = typer.Argument(..., metavar="FILE", help="an experiment .toml file or a built-in experiment's name")
STORE = typer.Option(Path(DEFAULT_STORE), "--store", help="the run store")
SCHEDULER = typer.Option(None, "--scheduler", help="address of a Dask scheduler (default: a local cluster)")
WORKERS = typer.Option(None, "--workers", min=1, help="worker processes of the local cluster (default: one per core)")
RESUME = typer.Option(False, "--resume", help="continue the latest experiment of this name, skipping points already stored")


def _sweep(file: str, store: Path, scheduler: Optional[str], workers: Optional[int], resume: bool) -> str:
    from panopticum.experiments.execute import connect
    from panopticum.experiments.spec import load_experiment
    from panopticum.run import enable_compilation_cache

    exp = load_experiment(file)
    enable_compilation_cache()
    client, cluster = connect(scheduler, workers)  # before any output: an unreachable scheduler is one line
    try:
        return _sweep_on(exp, file, store, client, resume)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _sweep_on(exp, file: str, store: Path, client, resume: bool) -> str:
    from panopticum.experiments.execute import run_experiment

    console = Console(stderr=True)
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
                        TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(), console=console, transient=True)
    holder: dict = {}
    with progress:
        task = progress.add_task(f"{exp.name}: starting workers", total=None)

        def on_start(experiment_id: str, done: int, total: int) -> None:
            holder["id"] = experiment_id
            progress.update(task, description=f"{exp.name} ({experiment_id})", completed=done, total=total)
            progress.reset(task, completed=done, total=total)  # the estimate counts only this session's runs

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            experiment_id = run_experiment(exp, store, client=client, resume=resume,
                                           on_start=on_start, on_progress=on_progress)
        except KeyboardInterrupt:
            where = f" {holder['id']}" if "id" in holder else ""
            raise PanopticumError(f"interrupted; `panopticum sweep {file} --resume` continues experiment{where}") from None
    Console().print(f"experiment [bold]{experiment_id}[/bold] complete: `panopticum report {experiment_id}` "
                    f"writes its report")
    return experiment_id


@app.command("sweep")
def sweep(file: str = FILE_ARG, store_dir: Path = STORE, scheduler: Optional[str] = SCHEDULER,
          workers: Optional[int] = WORKERS, resume: bool = RESUME) -> None:
    """Run an experiment's points on Dask: batches of points x seeds, each landing in the store at once."""
    _sweep(file, store_dir, scheduler, workers, resume)


@app.command("sensitivity")
def sensitivity(file: str = FILE_ARG, store_dir: Path = STORE, scheduler: Optional[str] = SCHEDULER,
                workers: Optional[int] = WORKERS, resume: bool = RESUME,
                out: Optional[Path] = typer.Option(None, "--out", help="also write the HTML report here")) -> None:
    """Run a saltelli or morris experiment, then print its Sobol' or Morris indices (SALib)."""
    from panopticum.experiments.report import load_results, write_experiment_report
    from panopticum.experiments.spec import load_experiment
    from panopticum.experiments.store import ExperimentStore

    exp = load_experiment(file)
    if exp.design not in ("saltelli", "morris"):
        raise PanopticumError(f"{file}: sensitivity needs design = \"saltelli\" or \"morris\", not \"{exp.design}\"; "
                              "`panopticum sweep` runs any design")
    experiment_id = _sweep(file, store_dir, scheduler, workers, resume)
    store = ExperimentStore.open(store_dir)
    res = load_results(store, experiment_id)
    indices = res.indices()
    console = Console()
    for name in res.outcomes:
        sub = indices[indices.outcome == name]
        wide = sub.pivot(index="factor", columns="index", values="value")
        conf = sub.pivot(index="factor", columns="index", values="conf")
        cols = [c for c in ("S1", "ST", "mu_star", "sigma") if c in wide]
        table = Table(title=f"{name}: {'Sobol' if exp.design == 'saltelli' else 'Morris'} indices "
                            f"({int(exp.confidence * 100)}% intervals)")
        table.add_column("factor")
        for c in cols:
            table.add_column(c, justify="right")
        for factor, row in wide.sort_values(cols[1] if exp.design == "saltelli" else "mu_star", ascending=False).iterrows():
            table.add_row(factor, *(f"{row[c]:.3g}" + (f" ± {conf.loc[factor, c]:.2g}" if conf.loc[factor, c] == conf.loc[factor, c] else "")
                                    for c in cols))
        console.print(table)
    if out is not None:
        write_experiment_report(store, experiment_id, out)
        console.print(f"wrote {out}")
