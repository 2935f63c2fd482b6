"""``panopticum calibrate``: ABC-SMC of the free parameters against a targets file."""

from __future__ import annotations

from typing import List, Optional

import typer
from rich.console import Console

from panopticum.cli import app
from panopticum.store.layout import DEFAULT_STORE


@app.command("calibrate")
def calibrate_command(
    targets: str = typer.Argument(..., help="a targets .toml file or a built-in name (nk-2024)"),
    scenario: str = typer.Option("baseline-2023", "--scenario", help="the scenario whose free parameters are calibrated"),
    agents: int = typer.Option(10_000, "--agents", help="agents in each simulation"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="a Dask scheduler's address (default: a local cluster)"),
    workers: int = typer.Option(2, "--workers", help="local Dask workers when no --scheduler (0: no Dask, one process)"),
    generations: int = typer.Option(5, "--generations", help="ABC-SMC generations (in all, counting those of a resumed run)"),
    population_size: int = typer.Option(50, "--population-size", help="particles per generation"),
    free: Optional[List[str]] = typer.Option(None, "--free", help="a parameter to calibrate, PARAM or PARAM=LOW:HIGH (repeat; default: the targets file's [free], else a built-in list)"),
    burn_in_days: Optional[int] = typer.Option(None, "--burn-in-days", help="override timeline.burn_in_days in every simulation"),
    resume: Optional[str] = typer.Option(None, "--resume", help="continue calibration ID (from its abc.db) up to --generations"),
    max_minutes: Optional[float] = typer.Option(None, "--max-minutes", help="stop after the generation that ends past this many minutes (--resume continues)"),
    store: str = typer.Option(DEFAULT_STORE, "--store", help="the run store"),
    report: bool = typer.Option(True, "--report/--no-report", help="write the posterior's plots and HTML report at the end"),
    check_draws: int = typer.Option(20, "--check-draws", help="posterior draws simulated for the predictive check"),
) -> None:
    """Calibrate free parameters by ABC-SMC (pyabc, Dask): a posterior, in STORE/calibrations/<id>/."""
    from panopticum.calibration.abc import calibrate

    console = Console(stderr=True)

    def on_generation(g: dict) -> None:
        console.print(f"generation {g['generation']}: epsilon {g['epsilon']:.3g}, {g['accepted']} accepted of "
                      f"{g['simulations']} simulations, {g['seconds']:.0f} s")

    folder = calibrate(targets, scenario=scenario, agents=agents, store=store, generations=generations,
                       population_size=population_size, free=free, scheduler=scheduler, workers=workers,
                       burn_in_days=burn_in_days, resume=resume, max_minutes=max_minutes, on_generation=on_generation)
    console.print(f"[green]posterior[/green] in {folder}/posterior.parquet")
    if report:
        from panopticum.calibration.results import write_report

        page = write_report(folder, draws=check_draws, workers=workers, scheduler=scheduler)
        console.print(f"report: {page}")
    print(folder.name)
