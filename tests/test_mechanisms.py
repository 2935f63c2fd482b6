"""The rest of the model's mechanisms: legal and illicit trading, the freedom index,
informants over time, the military, bribery."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from conftest import REG, day_zero, simulate
from panopticum.engine import make_step
from panopticum.engine import behaviour
from panopticum.engine import random as rnd
from panopticum.engine.context import Today
from panopticum.engine.state import MEDIA
from panopticum.params.scenarios import load_scenario


def test_legal_trading_carries_no_risk(country):
    # Facial recognition's false matches put wrongful trading records on random enrolled
    # people, trading or not: a risk of being enrolled, not of trading, so it is off here.
    legal_only = simulate(country, days=90, behaviour__trade__illicit_share=0.0, facial_recognition__false_match=0.0)
    assert legal_only["prevalence_trade_legal"].mean() > 0.2
    assert legal_only["prevalence_trade"].sum() == 0
    assert legal_only["punished_trade"].sum() == 0
    matched = simulate(country, days=90, behaviour__trade__illicit_share=0.0, facial_recognition__false_match=0.01,
                       informants__false_report_rate=0.0)  # the only wrongful records: false matches of trading
    assert matched["punished_trade"].sum() > 0
    assert matched["punished_trade"].sum() == matched["wrongful_punishments"].sum()
    mixed = simulate(country, days=90)
    assert mixed["prevalence_trade"].mean() > 0 and mixed["punished_trade"].sum() > 0


def test_the_freedom_index_is_what_the_odd_defines(country):
    """Recompute the index from the day's choices by hand and compare with the metric."""
    day = day_zero(country, load_scenario("baseline-2023").params)
    world, layout, params, state, levels = day.world, day.layout, day.params, day.state, day.levels
    key = jax.random.key(4)
    _, (regional, _) = make_step(layout, 7)(key, state, world, params, levels)
    words = rnd.day_words(jax.random.fold_in(key, state.day))
    choices = behaviour.choose(Today.begin(world, state, params, levels, layout, words))
    wanting, willing = np.asarray(choices.wanting), np.asarray(choices.willing)
    adult = np.asarray(world.adult)
    detained = np.asarray(state.detained) > 0
    counted = adult & ((wanting.sum(0) > 0) | detained)
    share = np.where(wanting.sum(0) > 0, willing.sum(0) / np.maximum(wanting.sum(0), 1), 0.0)
    assert detained.any()
    assert float(regional[-1, REG["freedom_index"]]) == pytest.approx(share[counted].mean(), rel=1e-5)


def test_perceived_risk_is_reported_at_the_end_of_the_day(country):
    """On a tie-update day the metric is the adults' mean risk after the update (as
    awareness), not the risk the day's choices were made on."""
    day = day_zero(country, load_scenario("baseline-2023").params)
    world, layout, params, state, levels = day.world, day.layout, day.params, day.state, day.levels
    key = jax.random.key(5)
    words = rnd.day_words(jax.random.fold_in(key, state.day))
    adult = np.asarray(world.adult & Today.begin(world, state, params, levels, layout, words).here)
    before = np.asarray(state.risk[MEDIA])[adult].mean()
    after_state, (regional, _) = make_step(layout, 1)(key, state, world, params, levels)  # cadence 1: an update every day
    after = np.asarray(after_state.risk[MEDIA])[adult].mean()
    assert abs(after - before) > 1e-4 * before  # the update moved it
    assert float(regional[-1, REG["perceived_risk_media"]]) == pytest.approx(after, rel=1e-5)


def test_informants_hold_their_share_and_are_recruited_among_the_punished(country):
    base = simulate(country, days=365)
    system = base["share_in_system"]
    assert abs(system[-30:].mean() - system[:30].mean()) < 0.005
    coerced = simulate(country, days=365, informants__recruit_punished=1.0)
    assert coerced["share_in_system"][-30:].mean() > system[-30:].mean() + 0.002


def test_the_2018_border_surge_raises_informants_at_the_border(country):
    common = dict(days=540, members=2, timeline__start_date="2017-07-01")
    surge, flat = simulate(country, informants__border_multiplier=5.0, **common), simulate(country, informants__border_multiplier=1.0, **common)
    border = [2, 3, 8, 9]
    gain = surge.regions("share_in_system")[-30:, border].mean() - flat.regions("share_in_system")[-30:, border].mean()
    assert gain > 0.003
    before = surge.regions("share_in_system")[:150, border].mean() - flat.regions("share_in_system")[:150, border].mean()
    assert before == 0  # the same runs until the surge


def test_the_military_is_watched(country):
    s = simulate(country, "digital-panopticon", days=180, members=2)
    military = s.result.regional[:, :, 10, REG["detections_all"]].sum()
    assert military > 0
    unwatched = simulate(country, "digital-panopticon", days=180, members=2, workplace__enabled=False, inspections__enabled=False)
    assert unwatched.result.regional[:, :, 10, REG["detections_all"]].sum() < 0.5 * military


def test_bribes_are_priced_by_offence_and_means(country):
    base = simulate(country, days=180)
    rich = simulate(country, days=180, enforcement__wealth_usd=100000.0)
    poor = simulate(country, days=180, enforcement__wealth_usd=100.0)
    assert poor["bribed"].sum() < base["bribed"].sum() < rich["bribed"].sum()
    honest = simulate(country, days=180, enforcement__corruption=0.0)
    assert honest["bribed"].sum() == 0
    dear = simulate(country, days=180, enforcement__bribe_trade_usd=20000.0)
    assert dear["bribed"].sum() < 0.5 * base["bribed"].sum()


def test_a_paid_bribe_costs_the_household(country):
    s = simulate(country, days=180)
    burden = np.asarray(s.result.final_state.burden)
    assert burden.max() > 0
    free = simulate(country, days=180, enforcement__corruption=0.0)
    assert np.asarray(free.result.final_state.burden).max() == 0


def test_false_camera_matches_keep_their_number_at_the_edge_of_the_ranges(country):
    """Every footage record run through recognition at the highest false-match rate: the
    day's wrongful trading records still number what the rate says (a draw over a fixed
    share of candidates once capped them at one agent in a hundred a day)."""
    from panopticum.engine.channels import cameras
    from panopticum.engine.state import TRADE
    from panopticum.params.schema import make_parameters

    params_model = make_parameters({"cameras.records_per_person_day": 10.0, "facial_recognition.false_match": 0.05},
                                   base=load_scenario("baseline-2023").params)
    day = day_zero(country, params_model)
    today = Today.begin(day.world, day.state, day.params, day.levels, day.layout, rnd.day_words(jax.random.key(6)))
    choices = behaviour.choose(today)
    today = dataclasses.replace(today, acts=choices.acts, market=choices.market, stocked=choices.stocked)
    records = cameras.records(today)
    face = float(day.params["facial_recognition.enabled"] * day.levels.face_recognition)
    expected = 0.05 * face * float(records.innocuous)
    wrongful = int(((np.asarray(records.wrongful_bits) >> TRADE) & 1).sum())
    assert expected > day.layout.n / 100  # past what the old draw could carry
    assert abs(wrongful - expected) < 5 * np.sqrt(expected)
