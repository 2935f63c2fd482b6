"""Sampling frames: who a design can reach, and how respondents are drawn from them.

- :class:`EscapeeFrame`: adults who left the country in the ``left_within_days`` before the
  survey date, each reaching the interview with odds ``female_odds`` (women) and
  ``border_odds`` (border provinces) relative to others; the skews of the Ministry of
  Unification's sample (81.8% women, 82.1% border provinces) come from who leaves, and
  from these odds where a design adds documented selection. Drawn without replacement,
  with probability proportional to the odds (Efraimidis and Spirakis 2006).
- :class:`PhoneFrame`: adults in the country and free who own a phone (registered or
  smuggled), reached by respondent-driven sampling: brokers near the border reach a few
  seeds (smuggled-phone holders in the border provinces), each respondent passes the
  survey on to ``coupons`` of their ties in the frame, at random, and each agrees with
  probability ``agree x (1 - fear_refusal x perceived risk of calling)``. A chain that dies
  is restarted from a new seed. Each respondent reports their *network size*: their ties
  in the frame (what RDS-II weighs by).
- :class:`SimpleRandomFrame`: a simple random sample of the target population, the
  unreachable gold standard.

A frame is prepared once per snapshot (:meth:`size` is what it holds) and drawn from many
times; every draw returns a :class:`Draw`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from panopticum.errors import PanopticumError
from panopticum.population.core import BORDER_REGIONS
from panopticum.surveys.questions import target_mask
from panopticum.surveys.snapshot import LEFT, Snapshot, ties_of


@dataclasses.dataclass(frozen=True)
class Draw:
    """One sample: respondents (agent indices, in recruitment order) and, for chains, each
    respondent's reported network size and recruiter (-1 for seeds)."""

    idx: np.ndarray
    degree: np.ndarray | None = None
    recruiter: np.ndarray | None = None


class FrameTooSmall(PanopticumError):
    """A design asks for more respondents than its frame can give."""


def _border(snapshot: Snapshot) -> np.ndarray:
    return np.isin(snapshot["region"], np.array(BORDER_REGIONS, dtype=np.int8))


class SimpleRandomFrame:
    name = "srs"
    description = "adults in the country and free, by simple random sampling"

    def __init__(self, snapshot: Snapshot, params: dict, min_age: int):
        self.pool = np.flatnonzero(target_mask(snapshot, min_age))

    @property
    def size(self) -> int:
        return int(self.pool.shape[0])

    def draw(self, n: int, rng: np.random.Generator) -> Draw:
        return Draw(self.pool[rng.choice(self.pool.shape[0], n, replace=False)])


class EscapeeFrame:
    name = "escapee"
    description = "adults who left the country, interviewed after arrival"

    def __init__(self, snapshot: Snapshot, params: dict, min_age: int):
        left = (snapshot["status"] == LEFT) & (snapshot["age"] >= min_age)
        left &= snapshot["left_day"] >= snapshot.day - params["left_within_days"]
        self.pool = np.flatnonzero(left)
        odds = np.where(snapshot["female"][self.pool], params["female_odds"], 1.0)
        odds = odds * np.where(_border(snapshot)[self.pool], params["border_odds"], 1.0)
        self.log_odds = None if np.all(odds == 1.0) else np.log(odds)

    @property
    def size(self) -> int:
        return int(self.pool.shape[0])

    def draw(self, n: int, rng: np.random.Generator) -> Draw:
        if self.log_odds is None:
            return Draw(self.pool[rng.choice(self.pool.shape[0], n, replace=False)])
        # weighted sampling without replacement: the n largest log(u)/w (Efraimidis-Spirakis), in log form
        keys = np.log(-np.log(rng.random(self.pool.shape[0]))) - self.log_odds
        return Draw(self.pool[np.argpartition(keys, n - 1)[:n]])


class PhoneFrame:
    name = "phone"
    description = "phone owners in the country reached along ties from seeds near the border"

    def __init__(self, snapshot: Snapshot, params: dict, min_age: int):
        self.snapshot = snapshot
        s = snapshot
        self.eligible = target_mask(s, min_age) & (s["phone"] | s["smuggled_phone"])
        seeds = self.eligible & (s["smuggled_phone"] & _border(s) if params["seeds_border_only"] else True)
        self.seed_pool = np.flatnonzero(seeds)
        self.agree = params["agree"] * (1.0 - params["fear_refusal"] * s["perceived_risk_call"].astype(np.float64))
        self.seeds, self.coupons = params["seeds"], params["coupons"]
        self.in_sample = np.zeros(s.n, dtype=bool)

    @property
    def size(self) -> int:
        return int(np.count_nonzero(self.eligible))

    def _new_seeds(self, k: int, rng: np.random.Generator) -> np.ndarray:
        found: list[int] = []
        for _ in range(200):  # brokers try candidates until k agree
            cand = self.seed_pool[rng.integers(0, self.seed_pool.shape[0], 4 * k)] if self.seed_pool.size else []
            for c in np.unique(cand):
                if not self.in_sample[c] and rng.random() < self.agree[c] and c not in found:
                    found.append(int(c))
                    if len(found) == k:
                        return np.array(found, dtype=np.int64)
            if self.seed_pool.size == 0 or self.in_sample[self.seed_pool].all():
                break
        return np.array(found, dtype=np.int64)

    def _wave(self, recruiters: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Recruits of one wave and the position of each one's recruiter in ``recruiters``."""
        s = self.snapshot
        owner, other = ties_of(s.tie_indptr, s.tie_index, recruiters)
        ok = self.eligible[other] & ~self.in_sample[other]
        owner, other = owner[ok], other[ok]
        order = np.lexsort((rng.random(owner.shape[0]), owner))  # each recruiter's ties in random order
        owner, other = owner[order], other[order]
        first = np.searchsorted(owner, owner, side="left")
        offered = np.arange(owner.shape[0]) - first < self.coupons
        owner, other = owner[offered], other[offered]
        _, once = np.unique(other, return_index=True)  # a tie offered twice answers once
        once.sort()
        owner, other = owner[once], other[once]
        agrees = rng.random(other.shape[0]) < self.agree[other]
        return other[agrees], owner[agrees]

    def draw(self, n: int, rng: np.random.Generator) -> Draw:
        taken: list[np.ndarray] = []
        recruiter: list[np.ndarray] = []
        count, active, active_ids = 0, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        try:
            while count < n:
                if active.size == 0:
                    fresh = self._new_seeds(min(self.seeds if count == 0 else 1, n - count), rng)
                    if fresh.size == 0:
                        raise FrameTooSmall(f"the phone chain reached only {count} of {n} respondents "
                                            f"(frame: {self.size:,} phone owners, {self.seed_pool.size:,} possible seeds)")
                    recruits, by = fresh, np.full(fresh.size, -1, dtype=np.int64)
                else:
                    recruits, pos = self._wave(active, rng)
                    by = active_ids[pos] if recruits.size else np.empty(0, dtype=np.int64)
                recruits, by = recruits[: n - count], by[: n - count]
                self.in_sample[recruits] = True
                taken.append(recruits)
                recruiter.append(by)
                active, active_ids = recruits, np.arange(count, count + recruits.size)
                count += recruits.size
        finally:
            for part in taken:
                self.in_sample[part] = False
        idx = np.concatenate(taken)
        return Draw(idx, degree=self.network_size(idx), recruiter=np.concatenate(recruiter))

    def network_size(self, idx: np.ndarray) -> np.ndarray:
        """Each respondent's ties in the frame (at least 1: they were reached through one)."""
        s = self.snapshot
        owner, other = ties_of(s.tie_indptr, s.tie_index, idx)
        return np.maximum(np.bincount(owner, weights=self.eligible[other], minlength=idx.shape[0]), 1.0)


FRAMES = {f.name: f for f in (EscapeeFrame, PhoneFrame, SimpleRandomFrame)}
"""Frame name (as in design files) -> frame class."""


def prepare_frame(name: str, snapshot: Snapshot, params: dict, min_age: int):
    return FRAMES[name](snapshot, params, min_age)


__all__ = ["Draw", "EscapeeFrame", "FRAMES", "FrameTooSmall", "PhoneFrame", "SimpleRandomFrame", "prepare_frame"]
