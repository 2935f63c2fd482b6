"""``panopticum population``: build a synthetic country, print its summary, save it."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from panopticum.cli import app
from panopticum.population import MAX_AGENTS, MIN_AGENTS, build_population, save_population, summarize
from panopticum.population.build import STAGES

_STAGE_TEXT = {
    "regions": "allocating regions",
    "households": "forming households and neighbourhood units",
    "occupations": "assigning occupations",
    "institutions": "forming schools, workplaces, farms and units",
    "attributes": "drawing phones, songbun, means and risk aversion",
    "ties": "drawing friend and kin ties",
}


@app.command("population")
def population(
    agents: int = typer.Option(100_000, "--agents", help=f"agents to build ({MIN_AGENTS:,} to {MAX_AGENTS:,}); each stands for 26.5M/agents people"),
    seed: int = typer.Option(0, "--seed", help="random seed (same seed, same population)"),
    out: Optional[Path] = typer.Option(None, "--out", help="save the population to this file"),
) -> None:
    """Build a synthetic population, print its summary and optionally save it."""
    console = Console(stderr=True)
    with console.status("building population") as status:
        done = []

        def progress(stage: str) -> None:
            done.append(stage)
            status.update(f"[{len(done)}/{len(STAGES)}] {_STAGE_TEXT.get(stage, stage)}")

        pop = build_population(agents, seed, progress=progress)
        if out is not None:
            status.update(f"saving to {out}")
            save_population(pop, out)
    print_summary(summarize(pop), Console())
    if out is not None:
        Console().print(f"saved to {out}")


def print_summary(s: dict, console: Console) -> None:
    """Print a population summary (from :func:`panopticum.population.summarize`) as tables."""
    head = Table(title="Synthetic population", show_header=False)
    head.add_column("what")
    head.add_column("value", justify="right")
    head.add_row("people represented", f"{s['people']:,}")
    head.add_row("agents", f"{s['agents']:,}")
    head.add_row("people per agent", f"{s['scale']:,.1f}")
    head.add_row("seed / generator version", f"{s['seed']} / {s['generator_version']}")
    head.add_row("households (mean size)", f"{s['households']:,} ({s['mean_household_size']:.2f})")
    for kind, u in s["units"].items():
        head.add_row(f"units: {kind} (mean households)", f"{u['count']:,} ({u['mean_households']:.1f})")
    for kind, i in s["institutions"].items():
        head.add_row(f"institutions: {kind.replace('_', ' ')} (mean size)", f"{i['count']:,} ({i['mean_size']:.1f})")
    for kind, c in s["ties"].items():
        head.add_row(f"ties: {kind}", f"{c:,}")
    head.add_row("mean degree", f"{s['mean_degree']:.2f}")
    head.add_row("phone share", f"{s['phone_share']:.3f}")
    console.print(head)
    regions = Table(title="By region")
    for col in ("region", "agents", "share", "urban share", "phone share"):
        regions.add_column(col, justify="left" if col == "region" else "right")
    for r in s["regions"]:
        regions.add_row(
            r["region"], f"{r['agents']:,}", f"{r['share']:.3f}", f"{r['urban_share']:.3f}", f"{r['phone_share']:.3f}"
        )
    console.print(regions)
