"""Stocks that settle: the detained held on day 0, their release, a flat baseline, and the
burn-in that starts runs from a settled state."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import simulate
from panopticum.params.model import DETENTION_KINDS
from panopticum.params.scenarios import load_scenario

DEFAULTS = load_scenario("baseline-2023").params


def slope_per_year(daily: np.ndarray) -> float:
    """Least-squares slope of a daily series, per year."""
    days = np.arange(daily.size)
    return float(np.polyfit(days, daily, 1)[0] * 365)


@pytest.fixture(scope="module")
def control(country):
    """No surveillance: nobody is sent to detention, the stocks held on day 0 only empty."""
    return simulate(country, "no-surveillance", days=150, members=4)


def test_each_stock_starts_at_its_share_of_adults(country, control):
    day0 = control
    adults = int((country.age >= 17).sum())
    for kind in DETENTION_KINDS:
        share = getattr(DEFAULTS.detention, f"initial_{kind}")
        sigma = np.sqrt(share * (1 - share) / (adults * 4))
        assert day0[f"share_detained_{kind}"][0] == pytest.approx(share, abs=4 * sigma + 1e-9), kind


def test_stocks_release_at_their_terms_when_nobody_is_sent(control):
    """No surveillance: no new prisoners. Labour training (terms of about three months)
    empties within its longest term; the camps release about 1/term of their stock a
    year, as a stationary stock does."""
    days = 150
    longest_labour = DEFAULTS.enforcement.term_trade * (1 + DEFAULTS.enforcement.term_spread)
    assert control["share_detained_labour_training"][int(longest_labour) + 1 :].max() == 0
    camp = control["share_detained_political_camp"]
    expected = 1 - days / DEFAULTS.enforcement.term_criticise
    assert camp[-1] / camp[0] == pytest.approx(expected, abs=0.04)
    assert control["detained_new"].sum() == 0


def test_the_baseline_detained_stock_is_flat_over_three_years(country):
    s = simulate(country, days=3 * 365, members=2, burn_in=DEFAULTS.timeline.burn_in_days, timeline__start_date="2025-01-01")
    assert abs(slope_per_year(s["share_detained"])) < 0.001  # 0.1 point a year
    camp = s["share_detained_political_camp"].mean()
    assert 0.003 < camp < 0.008  # the UN Commission of Inquiry's 80,000-120,000 of 26.5M people


@pytest.mark.slow
def test_the_baseline_detained_stock_is_flat_over_ten_years(country):
    s = simulate(country, days=10 * 365, members=2, burn_in=DEFAULTS.timeline.burn_in_days, timeline__start_date="2025-01-01")
    assert abs(slope_per_year(s["share_detained"])) < 0.001
    for kind in DETENTION_KINDS:
        assert abs(slope_per_year(s[f"share_detained_{kind}"])) < 0.0005, kind


DRIFT_METRICS = ("share_detained", "media_access", "perceived_risk_media", "perceived_risk_criticise", "share_in_system")
DRIFT_TOLERANCE = 0.1


def drift(series, metric: str) -> float:
    """Relative change of a metric from the first 90 days of a year to its last 90."""
    v = series[metric]
    first, last = v[:90].mean(), v[-90:].mean()
    return abs(first - last) / max(abs(last), 1e-12)


@pytest.fixture(scope="module")
def settled_year(country):
    """A year under constant policies (2025: every rollout complete, the border open)."""
    return {
        burn_in: simulate(country, days=365, members=2, burn_in=burn_in, timeline__start_date="2025-01-01")
        for burn_in in (0, DEFAULTS.timeline.burn_in_days)
    }


def test_the_burn_in_starts_runs_settled(settled_year):
    """The burn-in's length is chosen by this test: with it no key stock drifts by more
    than the tolerance over a year of constant policies; without it some do."""
    burned = settled_year[DEFAULTS.timeline.burn_in_days]
    for metric in DRIFT_METRICS:
        assert drift(burned, metric) < DRIFT_TOLERANCE, (metric, drift(burned, metric))
    assert max(drift(settled_year[0], m) for m in DRIFT_METRICS) > DRIFT_TOLERANCE
