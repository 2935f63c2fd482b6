"""``panopticum epstein``: run Epstein's civil violence model (Model 1) and write its counts."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import typer

from panopticum.cli import app
from panopticum.errors import PanopticumError

CHUNK = 50
"""Steps per jitted chunk: the progress bar advances once a chunk."""


def _parse_sets(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise PanopticumError(f"--set expects name=value, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def write_table(table, out: Path) -> None:
    """Write a pandas DataFrame to ``out`` (.csv or .parquet) through a temp file."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise PanopticumError(f"--out must end in .csv or .parquet, got {str(out)!r}")
    directory = check_out(out)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=directory)
        os.close(fd)
        if suffix == ".csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, index=False)
        os.replace(tmp, out)
        tmp = None
    except OSError as exc:
        raise PanopticumError(f"cannot write {str(out)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def check_out(out: Path) -> Path:
    """The directory ``out`` goes in, if a file can be written there; checked before running."""
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise PanopticumError(f"--out must end in .csv or .parquet, got {str(out)!r}")
    directory = out.parent if str(out.parent) else Path(".")
    if not directory.is_dir():
        raise PanopticumError(f"--out directory does not exist: {str(directory)!r}")
    if out.is_dir():
        raise PanopticumError(f"--out {str(out)!r} is a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PanopticumError(f"cannot write {str(out)!r}: its directory is not writable")
    return directory


@app.command("epstein")
def epstein(
    width: int = typer.Option(40, "--width", help="Grid width in cells (torus)."),
    height: int = typer.Option(40, "--height", help="Grid height in cells (torus)."),
    steps: int = typer.Option(250, "--steps", help="Steps to run.", min=0),
    seed: int = typer.Option(0, "--seed", help="Random seed, 0 to 2**32 - 1 (JAX keys are 32-bit: a larger seed "
                             "would repeat a smaller one's run).", min=0, max=2**32 - 1),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a parameter: name=value (repeatable)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write step, quiet, active, jailed to this .csv or .parquet."
    ),
) -> None:
    """Epstein's civil violence model (PNAS 2002, Model 1) with NetLogo's defaults."""
    if out is not None:
        check_out(out)  # before the run, not after it
    overrides = _parse_sets(set_)
    for name in ("width", "height"):
        if name in overrides:
            raise PanopticumError(f"set the grid size with --{name}, not --set {name}=...")
    overrides = {"width": width, "height": height, **overrides}

    import jax
    import numpy as np
    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from panopticum.epstein import counts, from_overrides, init, run_jit

    params = from_overrides(overrides)
    console = Console(stderr=True)
    init_key, run_key = jax.random.split(jax.random.key(seed))
    started = time.perf_counter()
    state = jax.jit(init)(init_key, params)
    rows = [np.asarray(counts(state))[None]]
    with Progress(
        TextColumn("epstein"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
        TimeRemainingColumn(), console=console, transient=True,
        disable=steps <= CHUNK,
    ) as progress:
        task = progress.add_task("run", total=steps)
        done = 0
        while done < steps:
            n = min(CHUNK, steps - done)
            state, series = run_jit(run_key, state, params, steps=n)
            rows.append(np.asarray(series))
            done += n
            progress.update(task, completed=done)
    elapsed = time.perf_counter() - started
    data = np.concatenate(rows)
    table = pd.DataFrame(
        {
            "step": np.arange(len(data), dtype=np.int64),
            "quiet": data[:, 0].astype(np.int64),
            "active": data[:, 1].astype(np.int64),
            "jailed": data[:, 2].astype(np.int64),
        }
    )
    if out is not None:
        write_table(table, out)

    n_cit = params.n_citizens
    share = data[:, 1:] / max(n_cit, 1)
    from panopticum.epstein.docking import count_bursts

    report = Console()
    report.print(
        f"[bold]epstein[/bold] {width}x{height}, {n_cit} citizens, {params.n_cops} cops, "
        f"L={params.legitimacy}, {steps} steps, seed {seed}: {elapsed:.1f} s"
    )
    report.print(
        f"  final: quiet {int(data[-1, 0])}, active {int(data[-1, 1])}, "
        f"jailed {int(data[-1, 2])}; mean active {share[1:, 0].mean():.1%}, "
        f"mean jailed {share[1:, 1].mean():.1%}, peak active {share[:, 0].max():.1%}, "
        f"bursts {count_bursts(share[:, 0])}"
        if steps
        else f"  initial: quiet {int(data[0, 0])}"
    )
    if out is not None:
        report.print(f"  wrote {out}")
