"""Computing each target's observable from a run, the way the figure was measured.

Metric targets (``share``, ``count``, ``yearly``) read the country's row ("ALL") of a run's
daily metric arrays. Snapshot targets (``survey``, ``census``) read a survey snapshot of
every agent at the target's date: a run must keep one (:class:`SnapshotSource`); runs that
keep none make those targets skipped, with :data:`SNAPSHOTS_MISSING` said once at the start.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import numpy as np

from panopticum.calibration.targets import Target
from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.errors import PanopticumError

SnapshotSource = Callable[[datetime.date], "object"]
"""``source(date)`` -> a :class:`panopticum.surveys.Snapshot` of the run at that date."""

SNAPSHOTS_MISSING = ("runs do not keep survey snapshots yet, so the survey and census targets ({names}) are "
                     "skipped; they are computed once the engine keeps per-agent histories")
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


def _survey(view: RunView, target: Target, seed: int) -> float:
    from panopticum.surveys import load_design, run_study

    snapshot = _snapshot(view, target)
    study = run_study(snapshot, load_design(target.design), replicates=1, seed=seed)
    est = study.estimates
    sample = target.sample or study.design.samples[0].label
    rows = est[(est["question"] == target.question) & (est["estimator"] == target.estimator) & (est["sample"] == sample)]
    if rows.empty:
        raise PanopticumError(f"target '{target.name}': design {target.design} gave no {target.estimator} estimate of "
                              f"{target.question} for sample {sample}")
    return float(rows["estimate"].iloc[0])


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
        return [_survey(view, target, seed)]
    return [_census(view, target)]


def observe_all(view: RunView, targets: list[Target], seed: int = 0) -> dict[str, float]:
    """Every target's simulated values, keyed by label."""
    out: dict[str, float] = {}
    for t in targets:
        out.update(zip(t.labels(), observe(view, t, seed)))
    return out


def observed_values(targets: list[Target]) -> tuple[dict[str, float], dict[str, float], dict[str, str]]:
    """``(observed, uncertainty, bound)`` keyed by label."""
    obs, unc, bound = {}, {}, {}
    for t in targets:
        for label, o, u in zip(t.labels(), t.observed, t.uncertainty):
            obs[label], unc[label], bound[label] = o, u, t.bound
    return obs, unc, bound
