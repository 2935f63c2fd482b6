"""Synthetic snapshots whose truth is known by construction, for tests and benchmarks.

:func:`synthetic_snapshot` draws every column of the snapshot contract from simple,
declared rates over a population (a built :class:`~panopticum.population.Population`, or
bare arrays of region, sex and age with a tie graph), so that a survey's estimates can be
checked against a truth that does not depend on the engine. :func:`random_ties` makes a
configuration-model graph (ties independent of every attribute), the setting in which
RDS-II and the network scale-up method are unbiased.
"""

from __future__ import annotations

import dataclasses
import datetime

import numpy as np

from panopticum.population.core import BORDER_REGIONS, Occupation
from panopticum.surveys.snapshot import DETAINED, FREE, LEFT, Snapshot


@dataclasses.dataclass(frozen=True)
class SyntheticRates:
    """The rates a synthetic snapshot is drawn from (shares of agents unless said otherwise)."""

    leave_share: float = 0.01
    """Base chance of having left the country during the run (a man outside the border provinces)."""
    leave_female_odds: float = 4.5
    leave_border_odds: float = 12.0
    detained_share: float = 0.005
    phone_share: float = 0.25
    """Used only when no population gives phones."""
    smuggled_phone_border: float = 0.08
    informant_share: float = 0.01
    in_system_share: float = 0.04
    """Officers, unit heads and administrators besides informants (when no population says)."""
    media_share: float = 0.35
    media_border_odds: float = 2.0
    media_lapsed_share: float = 0.15
    """Of those who did not watch in the past year, the share who watched earlier in the run."""
    trade_share: float = 0.55
    inspected_share: float = 0.3
    punished_share: float = 0.01
    witnessed_share: float = 0.15


def random_ties(degree: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A configuration-model graph with about ``degree[i]`` ties for agent i, as symmetric CSR.

    Stubs are paired at random; self-ties and repeated pairs are dropped (a small loss at
    low degree), so ties are independent of every attribute of the agents.
    """
    n = degree.shape[0]
    stubs = np.repeat(np.arange(n, dtype=np.int64), degree.astype(np.int64))
    rng.shuffle(stubs)
    stubs = stubs[: stubs.size - stubs.size % 2].reshape(-1, 2)
    a, b = stubs.min(axis=1), stubs.max(axis=1)
    keys = np.unique((a * n + b)[a != b])
    a, b = keys // n, keys % n
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.argsort(src, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return indptr, dst[order].astype(np.int32)


def _last_event(active: np.ndarray, ref: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Day of the last event before ``ref`` for agents ``active`` at daily ``rate`` (-1 if none)."""
    gap = np.minimum(rng.geometric(np.clip(rate, 1e-3, 1.0)) - 1, 364)
    return np.where(active, np.maximum(ref - gap, 0), -1).astype(np.int32)


def synthetic_snapshot(
    population=None,
    *,
    region: np.ndarray | None = None,
    female: np.ndarray | None = None,
    age: np.ndarray | None = None,
    ties: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    day: int = 730,
    start_date: datetime.date = datetime.date(2021, 1, 1),
    rates: SyntheticRates = SyntheticRates(),
) -> Snapshot:
    """A snapshot at run day ``day`` drawn from ``rates``.

    Give a ``population`` (its region, sex, age, phones, officials and ties are used) or
    ``region``, ``female``, ``age`` and ``ties`` (CSR ``(indptr, index)``).
    """
    rng = np.random.default_rng(seed)
    if population is not None:
        region, female, age = population.region, population.female, population.age
        ties = (population.tie_indptr, population.tie_index)
    n = region.shape[0]
    border = np.isin(region, np.array(BORDER_REGIONS, dtype=region.dtype))
    adult = age >= 17

    odds = rates.leave_share / (1 - rates.leave_share) * np.where(female, rates.leave_female_odds, 1.0)
    odds = odds * np.where(border, rates.leave_border_odds, 1.0)
    left = adult & (rng.random(n) < odds / (1 + odds))
    detained = ~left & adult & (rng.random(n) < rates.detained_share)
    status = np.where(left, LEFT, np.where(detained, DETAINED, FREE)).astype(np.int8)
    left_day = np.where(left, rng.integers(0, day, n), -1).astype(np.int32)
    ref = np.where(left, left_day, day)  # histories stop when people leave

    if population is not None:
        phone = population.phone.copy()
        in_system = (population.occupation == Occupation.SECURITY) | population.unit_head | population.institution_admin
    else:
        phone = adult & (rng.random(n) < rates.phone_share)
        in_system = adult & (rng.random(n) < rates.in_system_share)
    smuggled = adult & border & (rng.random(n) < rates.smuggled_phone_border)
    informant = adult & ~in_system & (rng.random(n) < rates.informant_share)
    in_system = in_system | informant

    m_odds = rates.media_share / (1 - rates.media_share) * np.where(border, rates.media_border_odds, 1.0)
    watcher = (age >= 10) & (rng.random(n) < m_odds / (1 + m_odds))
    frequency = rng.uniform(0.01, 0.5, n)
    media_days = np.where(watcher, np.maximum(rng.binomial(365, frequency), 1), 0).astype(np.int16)
    last_media = _last_event(watcher, ref, frequency, rng)
    lapsed = ~watcher & (ref > 365) & (rng.random(n) < rates.media_lapsed_share)
    last_media = np.where(lapsed, (rng.random(n) * np.maximum(ref - 365, 1)).astype(np.int32), last_media)

    trader = adult & (rng.random(n) < rates.trade_share)
    last_trade = _last_event(trader, ref, np.full(n, 0.6), rng)
    critic = adult & (rng.random(n) < 0.1)
    last_criticise = _last_event(critic, ref, np.full(n, 0.05), rng)
    caller = smuggled & (rng.random(n) < 0.5)
    last_call = _last_event(caller, ref, np.full(n, 0.04), rng)
    inspected = rng.random(n) < rates.inspected_share
    last_inspected = _last_event(inspected, ref, np.full(n, 0.01), rng)
    punished = adult & (rng.random(n) < rates.punished_share)
    last_punished = np.where(punished, (rng.random(n) * np.maximum(ref, 1)).astype(np.int32), -1).astype(np.int32)
    punished_for = np.where(punished, rng.integers(1, 16, n), 0).astype(np.uint8)
    witnessed = rng.random(n) < rates.witnessed_share * np.where(watcher, 1.5, 1.0)

    risk = {b: rng.beta(a, 4.0, n).astype(np.float32) for b, a in
            (("trade", 1.0), ("media", 3.0), ("criticise", 3.0), ("call", 2.0))}
    columns = {
        "region": region.astype(np.int8), "female": female.astype(bool), "age": age.astype(np.int16),
        "status": status, "left_day": left_day, "phone": phone.astype(bool), "smuggled_phone": smuggled,
        "informant": informant, "in_system": in_system,
        "last_trade": last_trade, "last_media": last_media, "last_criticise": last_criticise,
        "last_call": last_call, "last_inspected": last_inspected, "last_punished": last_punished,
        "media_days_365": media_days, "punished_for": punished_for,
        "witnessed_media_punishment": witnessed,
        **{f"perceived_risk_{b}": r for b, r in risk.items()},
    }
    indptr, index = ties
    return Snapshot(columns, day, start_date + datetime.timedelta(days=day), indptr, index)
