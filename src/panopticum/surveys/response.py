"""How respondents answer: fear, social desirability and recall, under each way of asking.

A respondent whose true answer is *no* says no. One whose true answer is *yes* says yes
with probability

    recall x (1 - deny),    deny = 1 - (1 - fear_i x s_q x r_iq) x (1 - desirability x s_q)

where ``s_q`` is the question's sensitivity (``response.sensitivity.*``), ``r_iq`` the
respondent's perceived risk of the behaviour behind it, ``fear_i`` is ``response.fear`` for
residents and ``response.fear x response.escapee_fear`` for escapees, and
``recall = 2 ** (-elapsed / response.recall_half_life_days)`` with ``elapsed`` the days from
the event to the interview (no decay for questions about the present, or with
``response.recall_decay = false``).

Randomized response (forced-response design, Boruch 1971) and list experiments keep only
a share (``*.residual_fear``) of ``deny``; recall is memory, not fear, and stays.
Network scale-up answers count ties: people known in each known group (recalled exactly)
and people known to be in the surveillance system, each seen as such with probability
``response.nsum_visibility`` (the transmission error of Killworth et al. 1998).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from panopticum.surveys.questions import QUESTIONS, SENSITIVE, Answers
from panopticum.surveys.snapshot import LEFT, ties_of

AGE_BANDS = np.array([0, 15, 30, 45, 60])
"""Known groups for the network scale-up method: sex x these age bands (a census partition)."""


@dataclasses.dataclass(frozen=True)
class ResponseModel:
    """The response model's parameters (see the module docstring); built from survey parameters."""

    fear: float
    escapee_fear: float
    desirability: float
    recall_decay: bool
    recall_half_life_days: float
    sensitivity: np.ndarray  # [len(QUESTIONS)]
    nsum_visibility: float
    rr_p_truth: float
    rr_p_forced_yes: float
    rr_residual_fear: float
    list_items: int
    list_yes: float
    list_residual_fear: float
    interview_lag_days: int

    @classmethod
    def from_parameters(cls, p: dict) -> "ResponseModel":
        return cls(
            fear=p["response.fear"], escapee_fear=p["response.escapee_fear"], desirability=p["response.desirability"],
            recall_decay=p["response.recall_decay"], recall_half_life_days=p["response.recall_half_life_days"],
            sensitivity=np.array([p[f"response.sensitivity.{q.sensitivity}"] for q in QUESTIONS]),
            nsum_visibility=p["response.nsum_visibility"],
            rr_p_truth=p["randomized_response.p_truth"], rr_p_forced_yes=p["randomized_response.p_forced_yes"],
            rr_residual_fear=p["randomized_response.residual_fear"],
            list_items=p["list_experiment.control_items"], list_yes=p["list_experiment.control_yes"],
            list_residual_fear=p["list_experiment.residual_fear"],
            interview_lag_days=p["frames.escapee.interview_lag_days"],
        )

    def tendencies(self, answers: Answers, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(true, recall, deny)``, each ``[len(idx), len(QUESTIONS)]``, for respondents ``idx``."""
        snap = answers.snapshot
        escapee = snap["status"][idx] == LEFT
        ref = answers.reference_day(idx)
        true = answers.true(idx, ref)
        fear = self.fear * np.where(escapee, self.escapee_fear, 1.0)[:, None]
        s = self.sensitivity[None, :]
        deny = 1.0 - (1.0 - fear * s * answers.risk(idx)) * (1.0 - self.desirability * s)
        if self.recall_decay:
            interview = np.where(escapee, ref + self.interview_lag_days, snap.day)[:, None]
            event = answers.event_day(idx)
            elapsed = np.where(event >= 0, interview - event, 0)
            recall = np.exp2(-elapsed / self.recall_half_life_days)
        else:
            recall = np.ones_like(deny)
        return true, recall, deny

    def direct(self, true, recall, deny, rng: np.random.Generator) -> np.ndarray:
        """Answers to direct questions, bool ``[n, len(QUESTIONS)]``."""
        return true & (rng.random(true.shape) < recall * (1.0 - deny))

    def randomized_response(self, true, recall, deny, rng: np.random.Generator) -> np.ndarray:
        """'Yes' answers under the forced-response design, bool ``[n, len(SENSITIVE)]``."""
        t, r, d = true[:, SENSITIVE], recall[:, SENSITIVE], deny[:, SENSITIVE]
        told = rng.random(t.shape)
        honest = t & (rng.random(t.shape) < r * (1.0 - self.rr_residual_fear * d))
        forced_yes = told >= 1.0 - self.rr_p_forced_yes
        return np.where(told < self.rr_p_truth, honest, forced_yes)

    def list_experiment(self, true, recall, deny, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, treated)``: items counted per respondent ``[n, len(SENSITIVE)]`` and who got the
        longer list (half of the sample, at random, the same half for every question)."""
        t, r, d = true[:, SENSITIVE], recall[:, SENSITIVE], deny[:, SENSITIVE]
        n = t.shape[0]
        treated = np.zeros(n, dtype=bool)
        treated[rng.permutation(n)[: n // 2]] = True
        counts = rng.binomial(self.list_items, self.list_yes, t.shape)
        admits = t & (rng.random(t.shape) < r * (1.0 - self.list_residual_fear * d))
        return counts + (admits & treated[:, None]), treated

    def scale_up(self, answers: Answers, groups: np.ndarray, n_groups: int, idx: np.ndarray,
                 rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``(known, hidden)``: ties each respondent reports in each known group ``[n, n_groups]``,
        and ties they know to be in the system ``[n]`` (people in the country only)."""
        snap = answers.snapshot
        owner, other = ties_of(snap.tie_indptr, snap.tie_index, idx)
        home = snap["status"][other] != LEFT
        owner, other = owner[home], other[home]
        known = np.bincount(owner * n_groups + groups[other], minlength=idx.shape[0] * n_groups)
        seen = snap["in_system"][other] & (rng.random(other.shape[0]) < self.nsum_visibility)
        hidden = np.bincount(owner, weights=seen, minlength=idx.shape[0])
        return known.reshape(idx.shape[0], n_groups).astype(np.float64), hidden


def known_groups(snapshot) -> tuple[np.ndarray, int]:
    """Every agent's known group (sex x age band) for the network scale-up method."""
    band = np.searchsorted(AGE_BANDS, snapshot["age"], side="right") - 1
    return (band * 2 + snapshot["female"]).astype(np.int64), 2 * AGE_BANDS.shape[0]
