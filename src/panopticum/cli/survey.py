"""``panopticum survey``: draw a survey design many times from a stored run and score it."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from panopticum.cli import app
from panopticum.cli.runs import STORE_OPTION
from panopticum.errors import PanopticumError


def _parse_date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise PanopticumError(f"--date {text!r} is not a date (YYYY-MM-DD)") from None


def _parse_set(assignments: list[str]) -> dict:
    out = {}
    for text in assignments:
        path, sep, value = text.partition("=")
        if not sep or not path.strip():
            raise PanopticumError(f"--set {text!r} must look like path=value")
        try:
            out[path.strip()] = tomllib.loads(f"v = {value.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[path.strip()] = value.strip()
    return out


def print_scores(scores, meta: dict, console: Console) -> None:
    from panopticum.surveys.estimators import ESTIMATORS

    for sample in dict.fromkeys(scores["sample"]):
        own = scores[scores["sample"] == sample]
        n = int(own["respondents"].iloc[0])
        title = f"{meta['design']}: {'all samples pooled' if sample == 'all' else sample} ({n:,} respondents), " \
                f"{meta['replicates']:,} replicates on {meta['date']}"
        table = Table(title=title, caption="shares in %; bias and RMSE in percentage points")
        for col, justify in (("question", "left"), ("estimator", "left"), ("truth", "right"), ("mean", "right"),
                             ("bias", "right"), ("RMSE", "right"), ("coverage", "right"), ("deff", "right")):
            table.add_column(col, justify=justify, no_wrap=True)
        for r in own.itertuples():
            table.add_row(r.question, ESTIMATORS[r.estimator], f"{r.truth * 100:.1f}", f"{r.mean * 100:.1f}",
                          f"{r.bias * 100:+.1f}", f"{r.rmse * 100:.1f}", f"{r.coverage * 100:.0f}%",
                          "" if r.deff != r.deff else f"{r.deff:.2f}")
        console.print(table)


@app.command("survey")
def survey(
    run: str = typer.Argument(..., help="a run id (or a unique prefix, or 'latest') that kept survey data"),
    design: str = typer.Option(..., "--design", help="a built-in design (stimson-2024, mou-defectors, "
                               "resident-phone-2022, srs-1000) or a design .toml file"),
    replicates: int = typer.Option(200, "--replicates", help="surveys to draw (K)"),
    date: Optional[str] = typer.Option(None, "--date", help="the survey date (YYYY-MM-DD; default: the last kept)"),
    out: Optional[Path] = typer.Option(None, "--out", help="also write the results (scores.csv, estimates.parquet, "
                                       "study.json, survey.html) to this folder"),
    member: int = typer.Option(0, "--member", help="the ensemble member to survey"),
    seed: int = typer.Option(0, "--seed", help="random seed of the draws"),
    set_: list[str] = typer.Option([], "--set", help="override a survey parameter: path=value (repeatable)"),
    store_dir: Path = STORE_OPTION,
) -> None:
    """Draw a survey design K times from a run and score it against the true history.

    Prints, per sample, question and estimator: the truth, the mean estimate, its bias and
    RMSE, how often the 95% interval held the truth, and the design effect. The results are
    kept in the run (and shown by `panopticum report`); docs/surveys.md describes the method.
    """
    from panopticum.store import RunStore
    from panopticum.surveys import load_design, load_snapshot, run_study, score
    from panopticum.surveys.figures import survey_page
    from panopticum.surveys.params import survey_parameters
    from panopticum.surveys.results import results_folder, write_results

    if replicates < 1:
        raise PanopticumError(f"--replicates must be 1 or more, got {replicates}")
    if seed < 0:
        raise PanopticumError(f"--seed must be 0 or more, got {seed}")
    chosen = load_design(design)
    overrides = _parse_set(set_)
    survey_parameters(chosen.parameters, overrides)  # a bad --set fails before any work
    when = _parse_date(date)
    store = RunStore.open(store_dir)
    run_id = store.resolve(run)
    err = Console(stderr=True)
    with err.status(f"loading run {run_id}'s survey data and rebuilding its ties"):
        snapshot = load_snapshot(store, run_id, when, member)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task(f"{chosen.name} on {snapshot.date}", total=replicates)
        study = run_study(snapshot, chosen, replicates, seed=seed, overrides=overrides,
                          progress=lambda done, _: bar.update(task, completed=done))
    scores = score(study)
    meta = dict(study.meta(), run_id=run_id)
    html = survey_page(meta, scores, study.estimates)
    console = Console()
    print_scores(scores, meta, console)
    kept = results_folder(store.run_dir(run_id), meta)
    write_results(kept, meta, study.estimates, scores, html)
    console.print(f"kept in {kept} (shown by `panopticum report {run_id}`)")
    if out is not None:
        write_results(out, meta, study.estimates, scores, html)
        console.print(f"wrote {out / 'scores.csv'}, {out / 'survey.html'} and the estimates")
