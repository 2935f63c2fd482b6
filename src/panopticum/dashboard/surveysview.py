"""What the dashboard's survey browser lists and shows.

Studies are kept in the run they were drawn from (``panopticum survey`` writes
``survey/results/<design>-<date>/`` in the run's folder; docs/surveys.md), so the browser
walks the store's runs and reads each kept study through :mod:`panopticum.surveys.results`.
A study is named by its run and its folder: ``RUN/FOLDER``. Nothing is written.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from panopticum.dashboard.plots import Interval, IntervalRow
from panopticum.errors import PanopticumError

ALL_SAMPLES = "all"  # the pooled sample's name in a study's tables
SPREAD, CONFIDENCE = "spread", "confidence"
INTERVALS = {
    SPREAD: "spread of the estimates over the replicate surveys (5th to 95th percentile)",
    CONFIDENCE: "the estimators' own 95% intervals, averaged over the replicate surveys",
}


@dataclasses.dataclass(frozen=True)
class StudyRow:
    key: str  # RUN/FOLDER
    run_id: str
    scenario: str
    design: str
    date: str
    replicates: int
    samples: str
    kept: str  # when the study was kept, UTC to the minute

    @property
    def folder(self) -> str:
        return self.key.split("/", 1)[1]


def _samples_text(meta: dict[str, Any]) -> str:
    return " + ".join(f"{int(s['respondents']):,} {s['label']}" for s in meta.get("samples", []))


def list_studies(store) -> tuple[list[StudyRow], list[str]]:
    """Every study kept in the store's runs, newest first, and one line for each that cannot
    be read."""
    from panopticum.surveys.results import kept_results

    rows, problems = [], []
    for run in store.list_runs().itertuples():
        try:
            folders = kept_results(store.run_dir(run.run_id))
        except OSError:
            continue
        for folder in folders:
            key = f"{run.run_id}/{folder.name}"
            try:
                meta = _meta(folder)
                kept_ns = (folder / "study.json").stat().st_mtime_ns
                when = datetime.datetime.fromtimestamp(kept_ns / 1e9, datetime.timezone.utc)
                rows.append((kept_ns, StudyRow(key, run.run_id, str(run.scenario), str(meta["design"]),
                                               str(meta["date"]), int(meta["replicates"]), _samples_text(meta),
                                               when.strftime("%Y-%m-%d %H:%M"))))
            except (PanopticumError, OSError, KeyError, TypeError, ValueError) as exc:
                problems.append(f"{key} cannot be read: {exc}")
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in rows], problems


def _meta(folder: Path) -> dict[str, Any]:
    import json

    try:
        return json.loads((folder / "study.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PanopticumError(f"cannot read {folder / 'study.json'}: {exc}") from None


def study_folder(store, key: str) -> Path:
    """The folder of the study ``RUN/FOLDER``; a PanopticumError unless the run keeps it."""
    from panopticum.surveys.results import kept_results

    run_id, _, name = key.partition("/")
    if run_id not in store.run_ids():
        raise PanopticumError(f"no run {run_id!r} in {store.root}")
    for folder in kept_results(store.run_dir(run_id)):
        if folder.name == name:
            return folder
    raise PanopticumError(f"run {run_id} keeps no study {name!r}")


@dataclasses.dataclass
class StudyView:
    key: str
    meta: dict[str, Any]
    estimates: pd.DataFrame  # replicate, sample, question, estimator, estimate, low, high
    scores: pd.DataFrame  # sample, question, estimator, truth, mean, bias, sd, rmse, coverage, deff

    @property
    def samples(self) -> list[str]:
        return list(dict.fromkeys(self.scores["sample"]))


def load_study(store, key: str) -> StudyView:
    from panopticum.surveys.results import read_results

    meta, estimates, scores = read_results(study_folder(store, key))
    return StudyView(key, meta, estimates, scores)


def sample_title(sample: str) -> str:
    return "all samples pooled" if sample == ALL_SAMPLES else sample


def interval_rows(view: StudyView, sample: str, kind: str = SPREAD) -> list[IntervalRow]:
    """One row per question of ``sample``: each estimator's mean estimate with an interval
    (``kind``: :data:`SPREAD` or :data:`CONFIDENCE`), and the truth."""
    from panopticum.surveys.estimators import ESTIMATORS
    from panopticum.surveys.figures import ESTIMATOR_COLOURS, QUESTION_TEXT

    own = view.estimates[view.estimates["sample"] == sample]
    scores = view.scores[view.scores["sample"] == sample].set_index(["question", "estimator"])
    grouped = own.groupby(["question", "estimator"], sort=False)
    if kind == SPREAD:
        lows, highs = grouped["estimate"].quantile(0.05), grouped["estimate"].quantile(0.95)
    else:
        lows, highs = grouped["low"].mean(), grouped["high"].mean()
    means = grouped["estimate"].mean()
    questions = [q for q in QUESTION_TEXT if q in set(own["question"])]
    rows = []
    for q in questions:
        marks = []
        for e in [e for e in ESTIMATORS if (q, e) in means.index]:
            mean, low, high = float(means[(q, e)]), float(lows[(q, e)]), float(highs[(q, e)])
            tip = f"{ESTIMATORS[e]}: mean {mean * 100:.1f}%, interval {low * 100:.1f}-{high * 100:.1f}%"
            if (q, e) in scores.index:
                s = scores.loc[(q, e)]
                tip += f", bias {s['bias'] * 100:+.1f} points, coverage {s['coverage'] * 100:.0f}%"
            marks.append(Interval(ESTIMATORS[e], mean, low, high, ESTIMATOR_COLOURS.get(e, "#555"), tip))
        truth = view.meta.get("truth", {}).get(q, np.nan)
        rows.append(IntervalRow(QUESTION_TEXT.get(q, q), tuple(marks), float(truth)))
    return rows


def design_facts(view: StudyView) -> list[tuple[str, str]]:
    """What was drawn, as (label, text) pairs."""
    from panopticum.surveys.estimators import ESTIMATORS

    m = view.meta
    samples = "; ".join(f"{int(s['respondents']):,} {s['label']} ({s['frame']} frame)" for s in m.get("samples", []))
    return [
        ("design", f"{m['design']}: {m.get('description', '')}"),
        ("after", str(m.get("design_source", ""))),
        ("samples", samples),
        ("estimators", ", ".join(ESTIMATORS.get(e, e) for e in m.get("estimators", []))),
        ("drawn", f"{int(m['replicates']):,} replicate surveys on {m['date']} from {m.get('snapshot', '')} "
                  f"(seed {m.get('seed')})"),
    ]


def changed_parameters(view: StudyView) -> list[tuple[str, Any, Any]]:
    """The survey parameters the study set away from their defaults: (path, value, default)."""
    from panopticum.surveys.params import survey_parameters

    defaults = survey_parameters()
    used = view.meta.get("parameters", {})
    return [(p, v, defaults.get(p)) for p, v in used.items() if p not in defaults or defaults[p] != v]
