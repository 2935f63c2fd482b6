"""Rates keep their units whatever the cadence of tie updates.

The same seeds run with ties updated every 1, 7 and 14 days; the outcomes after eight
months may differ by noise alone. The criterion is shown to catch a rate applied per update rather than per
week (what media sharing once did): that run fails it.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import simulate

OUTCOMES = ("media_access", "prevalence_media", "perceived_risk_media", "perceived_risk_criticise", "prevalence_trade", "share_detained", "digital_awareness")
MEMBERS = 4
DAYS = 240


def yearly(series, metric: str) -> np.ndarray:
    """Per member: the mean over the last 90 days of the run."""
    return series.members(metric)[:, -90:].mean(axis=1)


def moved(reference, other, metric: str) -> bool:
    """Whether a yearly outcome moved beyond its ensemble spread: the difference of the
    member means against three standard errors of that difference."""
    a, b = yearly(reference, metric), yearly(other, metric)
    spread = 3.0 * np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) > spread + 1e-6 * abs(a.mean())


@pytest.fixture(scope="module")
def by_cadence(country):
    return {c: simulate(country, days=DAYS, members=MEMBERS, beliefs__cadence_days=c) for c in (1, 7, 14)}


@pytest.mark.parametrize("cadence", [1, 14])
def test_yearly_outcomes_do_not_depend_on_the_cadence(by_cadence, cadence):
    for metric in OUTCOMES:
        assert not moved(by_cadence[7], by_cadence[cadence], metric), (metric, yearly(by_cadence[7], metric), yearly(by_cadence[cadence], metric))


def test_a_rate_applied_per_update_would_be_caught(by_cadence, country):
    """Daily updates that each passed on media at the weekly rate: seven times the sharing."""
    weekly = 0.005
    per_update = simulate(country, days=DAYS, members=MEMBERS, beliefs__cadence_days=1, media__share_rate=min(7 * weekly, 0.5))
    assert moved(by_cadence[7], per_update, "media_access")
