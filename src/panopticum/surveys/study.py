"""A virtual study: a design drawn K times from one snapshot, every estimate kept.

:func:`run_study` prepares each sample's frame once, then for each replicate draws every
sample, asks every question (directly, and by randomized response or list experiment when
the design says so), and applies each of the design's estimators that fits the sample (RDS-II
needs a chain). With ``pool = true`` the samples are also estimated together. The result's
``estimates`` table has one row per replicate, sample, question and estimator;
:mod:`panopticum.surveys.scoring` turns it into bias, RMSE, coverage and design effect.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from panopticum.population.core import N_REGIONS
from panopticum.surveys import estimators as E
from panopticum.surveys.designs import Design
from panopticum.surveys.frames import FrameTooSmall, prepare_frame
from panopticum.surveys.params import frame_parameters, survey_parameters
from panopticum.surveys.questions import IN_SYSTEM, QUESTION_NAMES, SENSITIVE, Answers, target_mask, truth
from panopticum.surveys.response import ResponseModel, known_groups
from panopticum.surveys.snapshot import LEFT, Snapshot

POOLED = "all"
SENSITIVE_NAMES = tuple(QUESTION_NAMES[i] for i in SENSITIVE)
QUESTIONS_OF = {"raw": QUESTION_NAMES, "poststrat": QUESTION_NAMES, "rds2": QUESTION_NAMES, "nsum": (IN_SYSTEM,),
                "randomized_response": SENSITIVE_NAMES, "list_experiment": SENSITIVE_NAMES}
"""The questions each estimator answers."""


@dataclasses.dataclass
class Study:
    design: Design
    replicates: int
    seed: int
    date: datetime.date
    day: int
    source: str
    truth: dict[str, float]
    respondents: dict[str, int]  # sample label (and 'all') -> respondents
    estimates: pd.DataFrame  # replicate, sample, question, estimator, estimate, low, high
    parameters: dict[str, Any]

    def meta(self) -> dict[str, Any]:
        """What the study was, as JSON-ready values (kept beside its results)."""
        d = self.design
        return {
            "design": d.name, "description": d.description, "design_source": d.source,
            "samples": [{"label": s.label, "frame": s.frame, "respondents": s.respondents} for s in d.samples],
            "estimators": list(d.estimators), "replicates": self.replicates, "seed": self.seed,
            "date": self.date.isoformat(), "day": self.day, "snapshot": self.source, "truth": self.truth,
            "respondents": self.respondents, "parameters": self.parameters,
        }


class _Census:
    """What a post-stratifier and a scale-up estimator know about the population."""

    def __init__(self, snapshot: Snapshot, min_age: int):
        target = target_mask(snapshot, min_age)
        regions = np.bincount(snapshot["region"][target].astype(np.int64), minlength=N_REGIONS)
        self.region_share = regions / max(regions.sum(), 1)
        self.female_share = float(snapshot["female"][target].mean()) if target.any() else 0.5
        self.groups, self.n_groups = known_groups(snapshot)
        home = snapshot["status"] != LEFT
        self.known_sizes = np.bincount(self.groups[home], minlength=self.n_groups).astype(np.float64)
        self.people = float(home.sum())


def _check_sizes(design: Design, frames: list, snapshot: Snapshot) -> None:
    for sample, frame in zip(design.samples, frames):
        if frame.size < sample.respondents:
            raise FrameTooSmall(
                f"design {design.name} asks for {sample.respondents:,} {sample.label} but the {sample.frame} frame "
                f"holds {frame.size:,} ({frame.description}) on {snapshot.date}"
            )


def run_study(snapshot: Snapshot, design: Design, replicates: int, seed: int = 0,
              overrides: dict[str, Any] | None = None, progress: Callable[[int, int], None] | None = None) -> Study:
    """Draw ``design`` ``replicates`` times from ``snapshot``; every estimate of every replicate."""
    if replicates < 1:
        raise ValueError("replicates must be 1 or more")
    overrides = overrides or {}
    base = survey_parameters(design.parameters, overrides)
    min_age = base["target.min_age"]
    sample_params = [survey_parameters(design.parameters, s.overrides, overrides) for s in design.samples]
    frames = [prepare_frame(s.frame, snapshot, frame_parameters(p, s.frame), min_age)
              for s, p in zip(design.samples, sample_params)]
    _check_sizes(design, frames, snapshot)
    models = [ResponseModel.from_parameters(p) for p in sample_params]
    answers = Answers(snapshot)
    census = _Census(snapshot, min_age)
    wanted = set(design.estimators)
    rng = np.random.default_rng([seed, snapshot.member, snapshot.day])
    kept: dict[tuple[str, str], list] = {}

    def keep(label: str, estimator: str, result) -> None:
        kept.setdefault((label, estimator), []).append(np.stack(result))

    region, female = snapshot["region"], snapshot["female"]
    for r in range(replicates):
        pooled = []
        for sample, frame, model in zip(design.samples, frames, models):
            draw = frame.draw(sample.respondents, rng)
            idx = draw.idx
            true, recall, deny = model.tendencies(answers, idx)
            y = model.direct(true, recall, deny, rng).astype(np.float64)
            pooled.append((y, idx))
            label = sample.label
            if "raw" in wanted:
                keep(label, "raw", E.raw_share(y))
            if "poststrat" in wanted:
                keep(label, "poststrat", E.post_stratified(y, region[idx], female[idx], census.region_share,
                                                           census.female_share))
            if "rds2" in wanted and draw.degree is not None:
                keep(label, "rds2", E.rds_ii(y, draw.degree))
            if "nsum" in wanted:
                known, hidden = model.scale_up(answers, census.groups, census.n_groups, idx, rng)
                keep(label, "nsum", E.network_scale_up(hidden, known, census.known_sizes, census.people))
            if "randomized_response" in wanted:
                said = model.randomized_response(true, recall, deny, rng).astype(np.float64)
                keep(label, "randomized_response", E.randomized_response(said, model.rr_p_truth, model.rr_p_forced_yes))
            if "list_experiment" in wanted:
                counts, treated = model.list_experiment(true, recall, deny, rng)
                keep(label, "list_experiment", E.list_experiment(counts.astype(np.float64), treated))
        if design.pool:
            y = np.concatenate([p[0] for p in pooled])
            idx = np.concatenate([p[1] for p in pooled])
            if "raw" in wanted:
                keep(POOLED, "raw", E.raw_share(y))
            if "poststrat" in wanted:
                keep(POOLED, "poststrat", E.post_stratified(y, region[idx], female[idx], census.region_share,
                                                            census.female_share))
        if progress:
            progress(r + 1, replicates)

    respondents = {s.label: s.respondents for s in design.samples}
    if design.pool:
        respondents[POOLED] = design.respondents
    return Study(design, replicates, seed, snapshot.date, snapshot.day, snapshot.source,
                 truth(snapshot, answers, min_age), respondents, _tidy(kept), base)


def _tidy(kept: dict[tuple[str, str], list]) -> pd.DataFrame:
    parts = []
    for (label, estimator), results in kept.items():
        values = np.stack(results)  # [K, 3, Q]
        k, _, q = values.shape
        questions = QUESTIONS_OF[estimator]
        parts.append(pd.DataFrame({
            "replicate": np.repeat(np.arange(k), q).astype(np.int32),
            "sample": label,
            "question": np.tile(np.array(questions, dtype=object), k),
            "estimator": estimator,
            "estimate": values[:, 0, :].ravel(),
            "low": values[:, 1, :].ravel(),
            "high": values[:, 2, :].ravel(),
        }))
    return pd.concat(parts, ignore_index=True)


__all__ = ["FrameTooSmall", "POOLED", "QUESTIONS_OF", "Study", "run_study"]
