"""Computing each target's observable from a run, the way the figure was measured.

Metric targets (``share``, ``count``, ``yearly``) read the country's row ("ALL") of a run's
daily metric arrays. Snapshot targets (``survey``, ``census``) read the survey snapshot of
every agent the run kept on the target's date (:class:`SnapshotSource`).

A survey target draws the design's sample from the run's frame. Runs of the calibration's
size hold few escapees (about one departure a year per 10,000 agents), so when the frame
holds fewer people than the design asks for, everyone in it is interviewed, and the number
interviewed is reported beside the estimate (label ``NAME#n``): the distance then widens
the target's uncertainty by the sampling error of that many respondents
(:func:`survey_uncertainty`), and a frame of fewer than :data:`MIN_RESPONDENTS` makes the
estimate missing (NaN), which carries no information.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Callable

import numpy as np

from panopticum.calibration.targets import Target
from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.errors import PanopticumError

SnapshotSource = Callable[[datetime.date], "object"]
"""``source(date)`` -> a :class:`panopticum.surveys.Snapshot` of the run at that date."""

MIN_RESPONDENTS = 2
RESPONDENTS = "#n"
"""Suffix of the label that reports how many a survey target's estimate interviewed."""
ADULT_AGE = 17
PER = 1e5

_REGIONAL_INDEX = {m.name: i for i, m in enumerate(REGIONAL)}
_NATIONAL_INDEX = {m.name: i for i, m in enumerate(NATIONAL)}


class RunView:
    """The country's daily series of one member of a run, by metric name and date."""

    def __init__(self, regional: np.ndarray, national: np.ndarray, start: datetime.date, adults: float, people: float,
                 member: int = 0, snapshots: SnapshotSource | None = None):
        self.regional = regional[member, :, -1, :]  # the country's row is last
        self.national = national[member]
        self.start = start
        self.adults = adults  # adults the agents stand for, at the start
        self.people = people
        self.snapshots = snapshots

    @classmethod
    def of(cls, result, member: int = 0, snapshots: SnapshotSource | None = None) -> "RunView":
        pop = result.population
        adults = float((np.asarray(pop.age) >= ADULT_AGE).sum()) * pop.scale
        return cls(result.regional, result.national, result.scenario.params.timeline.start_date, adults,
                   pop.n * pop.scale, member, snapshots)

    @property
    def days(self) -> int:
        return self.regional.shape[0]

    def day(self, date: datetime.date) -> int:
        d = (date - self.start).days
        if not 0 <= d < self.days:
            raise PanopticumError(f"the run covers {self.start} to {self.start + datetime.timedelta(self.days - 1)}, "
                                  f"not {date}")
        return d

    def series(self, metric: str) -> np.ndarray:
        if metric in _REGIONAL_INDEX:
            return self.regional[:, _REGIONAL_INDEX[metric]]
        return self.national[:, _NATIONAL_INDEX[metric]]


def _at_or_over(view: RunView, target: Target) -> float:
    series = view.series(target.metric)
    if target.date is not None:
        return float(series[view.day(target.date)])
    return float(series[view.day(target.start):view.day(target.end) + 1].mean())


def _yearly(view: RunView, target: Target) -> list[float]:
    # a rate per 100,000 adults per day, summed over the year's days, is per 100,000 adults a year
    series = view.series(target.metric)
    out = []
    for year in target.years:
        first, last = view.day(datetime.date(year, 1, 1)), view.day(datetime.date(year, 12, 31))
        out.append(float(series[first:last + 1].sum()) * view.adults / PER * target.fraction)
    return out


def _count(view: RunView, target: Target) -> float:
    from panopticum.engine.metrics import ALL_METRICS

    base = view.people if ALL_METRICS[target.metric].unit == "share of people" else view.adults
    return _at_or_over(view, target) * base * target.fraction


def _snapshot(view: RunView, target: Target):
    if view.snapshots is None:
        raise SnapshotsUnavailable(target.name)
    return view.snapshots(target.date)


def _survey(view: RunView, target: Target, seed: int) -> tuple[float, int]:
    """The design's estimate of the question, and how many it interviewed."""
    from panopticum.surveys import load_design, run_study
    from panopticum.surveys.frames import prepare_frame
    from panopticum.surveys.params import frame_parameters, survey_parameters

    snapshot = _snapshot(view, target)
    design = load_design(target.design)
    sample = next(s for s in design.samples if s.label == target.sample) if target.sample else design.samples[0]
    params = survey_parameters(design.parameters, sample.overrides)
    frame = prepare_frame(sample.frame, snapshot, frame_parameters(params, sample.frame), params["target.min_age"])
    respondents = min(sample.respondents, frame.size)
    if respondents < MIN_RESPONDENTS:
        return math.nan, respondents
    # the target's sample alone, as large as the frame allows
    design = dataclasses.replace(design, samples=(dataclasses.replace(sample, respondents=respondents),), pool=False)
    study = run_study(snapshot, design, replicates=1, seed=seed)
    est = study.estimates
    rows = est[(est["question"] == target.question) & (est["estimator"] == target.estimator)
               & (est["sample"] == sample.label)]
    if rows.empty:
        raise PanopticumError(f"target '{target.name}': design {target.design} gave no {target.estimator} estimate of "
                              f"{target.question} for sample {sample.label}")
    return float(rows["estimate"].iloc[0]), respondents


def survey_uncertainty(uncertainty: float, observed: float, respondents: float) -> float:
    """A survey target's uncertainty with the sampling error of ``respondents`` interviews
    added in quadrature (binomial, at the observed share); infinite with no respondents."""
    if not respondents or not math.isfinite(respondents) or respondents < MIN_RESPONDENTS:
        return math.inf
    p = min(max(observed, 0.0), 1.0)
    return math.sqrt(uncertainty ** 2 + p * (1.0 - p) / respondents)


def _census(view: RunView, target: Target) -> float:
    from panopticum.surveys.questions import Answers, target_mask, truth

    snapshot = _snapshot(view, target)
    shares = truth(snapshot, Answers(snapshot), ADULT_AGE)
    people_per_agent = view.people / snapshot.n
    return shares[target.question] * float(target_mask(snapshot, ADULT_AGE).sum()) * people_per_agent * target.fraction


class SnapshotsUnavailable(PanopticumError):
    def __init__(self, name: str):
        super().__init__(f"target '{name}' needs a survey snapshot, and the run kept none")


def observe(view: RunView, target: Target, seed: int = 0) -> list[float]:
    """The target's simulated values, one per element of :meth:`Target.labels`."""
    if target.kind == "share":
        return [_at_or_over(view, target)]
    if target.kind == "count":
        return [_count(view, target)]
    if target.kind == "yearly":
        return _yearly(view, target)
    if target.kind == "survey":
        return [_survey(view, target, seed)[0]]
    return [_census(view, target)]


def observe_all(view: RunView, targets: list[Target], seed: int = 0) -> dict[str, float]:
    """Every target's simulated values, keyed by label; a survey target adds ``NAME#n``, the
    respondents its estimate interviewed."""
    out: dict[str, float] = {}
    for t in targets:
        if t.kind == "survey":
            out[t.name], out[t.name + RESPONDENTS] = _survey(view, t, seed)
        else:
            out.update(zip(t.labels(), observe(view, t, seed)))
    return out


def observed_values(targets: list[Target]) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """``(observed, uncertainty, bound)`` keyed by label."""
    obs, unc, bound = {}, {}, {}
    for t in targets:
        for label, o, u in zip(t.labels(), t.observed, t.uncertainty):
            obs[label], unc[label], bound[label] = o, u, t.bound
    return obs, unc, bound
