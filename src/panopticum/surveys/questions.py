"""The questions a virtual survey asks, as functions of every agent's true history.

Each question has a true answer per agent, computed from the snapshot at the agent's
*reference day*: the survey date for residents, the day they left for escapees (who are
asked about their last year at home, as the Ministry of Unification asks arrivals). The
*truth* a survey is scored against is the share answering yes among the target
population: adults (``target.min_age`` and older) in the country and free at the survey
date. "The past year" is the 365 days up to the reference day; "ever" means during the
run (a run's history starts on its first day).

The network scale-up method estimates one more quantity, :data:`IN_SYSTEM`: the share of the
people in the country who are in the surveillance system (officers, unit heads,
administrators and informants; "as many as 1 in 20").
"""

from __future__ import annotations

import dataclasses

import numpy as np

from panopticum.surveys.snapshot import BEHAVIOURS, FREE, LEFT, Snapshot, any_tie

PAST_YEAR = 365
WEEKLY_DAYS = 52
"""Watching on 52 or more days of the past year counts as weekly."""


@dataclasses.dataclass(frozen=True)
class Question:
    """One question.

    - ``sensitivity``: the key under ``response.sensitivity`` that scales under-reporting.
    - ``risk``: the behaviour whose perceived risk drives fear of answering; ``None`` uses
      the mean of the agent's perceived risks (a general fear of the state).
    - ``event``: the column holding the day of the event to recall, or ``None`` (no decay).
    - ``sensitive``: whether randomized response and list experiments are used for it.
    """

    name: str
    text: str
    sensitivity: str
    risk: str | None
    event: str | None
    sensitive: bool


QUESTIONS = (
    Question("media_past_year", "Watched foreign media in the past year", "media", "media", "last_media", True),
    Question("media_weekly", "Watched foreign media weekly (52+ days) in the past year", "media", "media",
             "last_media", True),
    Question("media_ever", "Ever watched foreign media", "media", "media", "last_media", True),
    Question("traded", "Traded in the market in the past year", "trade", "trade", "last_trade", True),
    Question("inspected", "Was inspected in the past year", "inspected", None, "last_inspected", False),
    Question("knows_punished", "Knows someone punished for foreign media", "knows_punished", "media", None, True),
    Question("knows_informant", "Knows an informant among their ties", "knows_informant", "criticise", None, True),
    Question("phone", "Owns a registered phone", "phone", None, None, False),
)
QUESTION_NAMES = tuple(q.name for q in QUESTIONS)
SENSITIVE = tuple(i for i, q in enumerate(QUESTIONS) if q.sensitive)
IN_SYSTEM = "in_system"
IN_SYSTEM_TEXT = "Share of the people in the country in the surveillance system"


class Answers:
    """True answers of any agents, from one snapshot (ties looked up once)."""

    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.knows_informant = any_tie(snapshot.tie_indptr, snapshot.tie_index, snapshot["informant"])

    def reference_day(self, idx: np.ndarray) -> np.ndarray:
        s = self.snapshot
        return np.where(s["status"][idx] == LEFT, s["left_day"][idx], s.day).astype(np.int64)

    def true(self, idx: np.ndarray, ref: np.ndarray | None = None) -> np.ndarray:
        """Bool ``[len(idx), len(QUESTIONS)]``: each agent's true answer at their reference day."""
        s = self.snapshot
        ref = self.reference_day(idx) if ref is None else ref
        since = ref - PAST_YEAR
        out = np.empty((idx.shape[0], len(QUESTIONS)), dtype=bool)
        last_media = s["last_media"][idx]
        out[:, 0] = (last_media >= 0) & (last_media > since)
        out[:, 1] = s["media_days_365"][idx] >= WEEKLY_DAYS
        out[:, 2] = last_media >= 0
        last_trade = s["last_trade"][idx]
        out[:, 3] = (last_trade >= 0) & (last_trade > since)
        last_inspected = s["last_inspected"][idx]
        out[:, 4] = (last_inspected >= 0) & (last_inspected > since)
        out[:, 5] = s["witnessed_media_punishment"][idx]
        out[:, 6] = self.knows_informant[idx]
        out[:, 7] = s["phone"][idx]
        return out

    def event_day(self, idx: np.ndarray) -> np.ndarray:
        """Int ``[len(idx), len(QUESTIONS)]``: the day of the event each answer rests on (-1: none to recall)."""
        out = np.full((idx.shape[0], len(QUESTIONS)), -1, dtype=np.int64)
        for j, q in enumerate(QUESTIONS):
            if q.event is not None:
                out[:, j] = self.snapshot[q.event][idx]
        return out

    def risk(self, idx: np.ndarray) -> np.ndarray:
        """Float ``[len(idx), len(QUESTIONS)]``: the perceived risk that drives fear of each answer."""
        s = self.snapshot
        risks = {b: s[f"perceived_risk_{b}"][idx].astype(np.float64) for b in BEHAVIOURS}
        general = sum(risks.values()) / len(risks)
        return np.stack([risks[q.risk] if q.risk else general for q in QUESTIONS], axis=1)


def target_mask(snapshot: Snapshot, min_age: int) -> np.ndarray:
    """The people a survey wants to describe: adults in the country and free at the survey date."""
    return (snapshot["status"] == FREE) & (snapshot["age"] >= min_age)


def truth(snapshot: Snapshot, answers: Answers, min_age: int) -> dict[str, float]:
    """Each question's true share among the target population, and the in-system share."""
    idx = np.flatnonzero(target_mask(snapshot, min_age))
    shares = {}
    for start in range(0, idx.shape[0], 1 << 22):  # in blocks: the answer matrix stays small
        block = answers.true(idx[start:start + (1 << 22)]).sum(axis=0)
        for name, count in zip(QUESTION_NAMES, block):
            shares[name] = shares.get(name, 0) + int(count)
    out = {name: count / max(idx.shape[0], 1) for name, count in shares.items()}
    in_country = snapshot["status"] != LEFT
    out[IN_SYSTEM] = float(snapshot["in_system"][in_country].mean()) if in_country.any() else float("nan")
    return out
