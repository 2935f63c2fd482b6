"""The dated policy timeline, turned into one row of levels per simulated day.

The engine never sees a date: :func:`build_schedule` evaluates the timeline parameters
(rollouts, the December 2020 law, the border closure and reopening) for each day of a run
and hands the step a :class:`Schedule` of ``[days]`` arrays, scanned alongside the days.
:func:`timeline_events` lists the same events with their dates, for figures and reports.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools

import jax
import numpy as np

from panopticum.params.model import BEHAVIOURS


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Schedule:
    """Per-day levels, each ``[days]`` float32 in [0, 1] unless stated.

    - ``day``: int32 day index from the run's start.
    - ``enrolment``: share of adults enrolled in the biometric ID database.
    - ``cameras``: camera coverage as a share of its full value.
    - ``face_recognition``: share of camera records run through facial recognition.
    - ``law``: 1 once the December 2020 law's terms apply.
    - ``border_closed``: 1 while the border is sealed.
    - ``supply``: foreign media and goods supply relative to an open border.
    - ``crossing``: the escape hazard relative to before the closure
      (``escape.closure_multiplier`` while closed, moving to ``escape.after_reopening`` over
      ``timeline.reopening_days`` after the reopening: the fences stayed).
    - ``informant_border``: the informant target in the border provinces relative to
      elsewhere (1 before ``timeline.informant_surge``).
    - ``campaign``: ``[days, B]`` punishments every adult learns of that day from public
      campaigns (the 2020 law's, against foreign media and criticism).
    """

    day: np.ndarray
    enrolment: np.ndarray
    cameras: np.ndarray
    face_recognition: np.ndarray
    law: np.ndarray
    border_closed: np.ndarray
    supply: np.ndarray
    crossing: np.ndarray
    informant_border: np.ndarray
    campaign: np.ndarray


def _ramp(dates: np.ndarray, start: datetime.date, end: datetime.date) -> np.ndarray:
    """0 before ``start``, 1 from ``end``, linear between."""
    s, e = np.datetime64(start), np.datetime64(end)
    span = max((e - s).astype(int), 1)
    return np.clip((dates - s).astype(np.int64) / span, 0.0, 1.0)


def run_dates(start: datetime.date, days: int, first_day: int = 0) -> np.ndarray:
    return np.datetime64(start) + np.arange(first_day, first_day + days)


def build_schedule(params, days: int, first_day: int = 0) -> Schedule:
    """The levels for days ``first_day .. first_day + days - 1`` of a run."""
    return _levels(params, run_dates(params.timeline.start_date, days, first_day), np.arange(first_day, first_day + days))


def burn_in_schedule(params) -> Schedule:
    """The burn-in's days, ``-burn_in_days .. -1``: every day at the start date's levels,
    with no campaign (a settled state under the start's policies, not a replay of the past)."""
    length = params.timeline.burn_in_days
    start = np.full(length, np.datetime64(params.timeline.start_date))
    levels = _levels(params, start, np.arange(-length, 0))
    return dataclasses.replace(levels, campaign=np.zeros_like(levels.campaign))


def _levels(params, dates: np.ndarray, day: np.ndarray) -> Schedule:
    t = params.timeline
    closed = (dates >= np.datetime64(t.border_closed)) & (dates < np.datetime64(t.border_reopened))
    reopened_for = (dates - np.datetime64(t.border_reopened)).astype(np.int64)
    recovery = np.clip(reopened_for / t.reopening_days, 0.0, 1.0)
    # The closure only bites if it began; a reopening date before the closure leaves it open.
    never_closed = np.datetime64(t.border_reopened) <= np.datetime64(t.border_closed)

    def through_closure(closed_level: float, reopened_level: float = 1.0) -> np.ndarray:
        after = closed_level + (reopened_level - closed_level) * recovery
        level = np.where(closed, closed_level, np.where(reopened_for >= 0, after, 1.0))
        return np.where(never_closed, 1.0, level)

    campaign = np.zeros((dates.size, len(BEHAVIOURS)))
    on_law_day = dates == np.datetime64(t.law_2020)
    for b in ("media", "criticise"):
        campaign[:, BEHAVIOURS.index(b)] = on_law_day * params.beliefs.campaign_weight
    surge = dates >= np.datetime64(t.informant_surge)
    f32 = np.float32
    return Schedule(
        day=day.astype(np.int32),
        enrolment=_ramp(dates, t.biometric_rollout_start, t.biometric_rollout_end).astype(f32),
        cameras=_ramp(dates, t.camera_rollout_start, t.camera_rollout_end).astype(f32),
        face_recognition=_ramp(dates, t.facial_recognition_start, t.facial_recognition_end).astype(f32),
        law=(dates >= np.datetime64(t.law_2020)).astype(f32),
        border_closed=closed.astype(f32),
        supply=through_closure(params.media.closed_border_supply).astype(f32),
        crossing=through_closure(params.escape.closure_multiplier, params.escape.after_reopening).astype(f32),
        informant_border=np.where(surge, params.informants.border_multiplier, 1.0).astype(f32),
        campaign=campaign.astype(f32),
    )


def slice_schedule(schedule: Schedule, start: int, stop: int) -> Schedule:
    return Schedule(**{f.name: getattr(schedule, f.name)[start:stop] for f in dataclasses.fields(Schedule)})


def timeline_events(params) -> list[tuple[datetime.date, str]]:
    """The timeline's dated events, sorted, for marking on time axes."""
    t = params.timeline
    events = [
        (t.biometric_rollout_start, "biometric ID rollout begins"),
        (t.biometric_rollout_end, "biometric ID rollout complete"),
        (t.camera_rollout_start, "camera rollout begins"),
        (t.camera_rollout_end, "camera rollout complete"),
        (t.facial_recognition_start, "facial recognition begins"),
        (t.facial_recognition_end, "facial recognition everywhere"),
        (t.law_2020, "December 2020 law"),
        (t.border_closed, "border closed"),
        (t.border_reopened, "border reopened"),
        (t.informant_surge, "informant surge at the border"),
    ]
    return sorted(events)
