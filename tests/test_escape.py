"""Escape: who leaves, from where, and how the border closure cuts it."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from conftest import simulate
from panopticum.engine import behaviour, build_schedule, build_world, engine_params
from panopticum.engine import random as rnd
from panopticum.engine.context import Today

ARRIVALS = {2019: 1047, 2020: 229, 2021: 63, 2022: 67, 2023: 196, 2024: 236}
"""Arrivals in South Korea (Ministry of Unification), the pattern to match."""


@pytest.fixture(scope="module")
def many_leave(country):
    """A hazard high enough that a year at 10,000 agents has dozens of departures."""
    return simulate(country, days=365, members=2, escape__rate=0.01, timeline__start_date="2025-01-01")


def test_most_who_leave_are_women_from_the_border(many_leave, country):
    left = many_leave["departures"].sum()
    assert left > 0
    women = many_leave["departures_female"].sum() / left
    assert 0.65 < women < 0.95
    hazard = many_leave.regions("departure_hazard").mean(axis=0)
    border, inland = [2, 3, 8, 9], [1, 4, 5, 6, 7]
    assert hazard[border].min() > hazard[inland].max()
    assert hazard[0] < hazard[inland].min()  # Pyongyang
    assert hazard[10] == 0  # soldiers do not leave here


def test_switching_escape_off_keeps_everyone(country):
    stay = simulate(country, days=365, members=2, escape__rate=0.01, escape__enabled=False, timeline__start_date="2025-01-01")
    assert stay["departures"].sum() == 0 and stay["departure_hazard"].sum() == 0


def test_those_who_left_act_no_more(many_leave, country):
    """Take the state at the end of the year and run the day's choices on it: nobody who
    left acts, and no channel can record them."""
    state = jax.tree_util.tree_map(lambda x: x[0], many_leave.result.final_state)
    left = np.asarray(state.left_day) >= 0
    assert left.sum() > 0
    assert not np.asarray(state.free)[left].any()
    world, layout = build_world(country)
    params = {k: jnp.asarray(v) for k, v in engine_params(many_leave.result.scenario.params).items()}
    levels = jax.tree_util.tree_map(lambda a: jnp.asarray(a[0]), build_schedule(many_leave.result.scenario.params, 1))
    for day in range(3):
        words = rnd.day_words(jax.random.fold_in(jax.random.key(5), day))
        choices = behaviour.choose(Today.begin(world, state, params, levels, layout, words))
        assert np.asarray(choices.acts)[left].max() == 0
        assert not np.asarray(choices.market)[left].any()


def test_the_border_closure_dents_departures_as_arrivals_fell(country):
    closure = simulate(country, "border-closure-2020", days=2192, members=1)
    expected = closure["departure_hazard"]
    dates = np.datetime64("2019-01-01") + np.arange(expected.size)
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    per_year = {y: expected[years == y].sum() for y in ARRIVALS}
    modelled = np.array([per_year[y] for y in ARRIVALS]) / per_year[2019]
    observed = np.array(list(ARRIVALS.values())) / ARRIVALS[2019]
    assert modelled[2] < 0.15 and modelled[3] < 0.15  # 2021-22: cut to a few percent
    assert modelled[1] < 0.4  # 2020: the closure from January
    assert modelled[5] > modelled[4] > modelled[3]  # 2023-24: a partial recovery
    assert modelled[5] < 0.5  # the fences stayed
    assert np.corrcoef(modelled, observed)[0, 1] > 0.95
