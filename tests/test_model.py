"""The model's behaviour: directional effects of each mechanism, invariants, reproducibility.

Every run here shares one 10,000-agent population and one chunk length, so the step
compiles once for the module.
"""

from __future__ import annotations


import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine import Simulation, build_schedule, build_world, engine_params
from panopticum.engine import behaviour
from panopticum.engine import random as rnd
from panopticum.engine.context import Today
from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.params.model import CHANNELS
from panopticum.population import build_population
from panopticum.run import run_scenario

AGENTS = 10_000
DAYS = 120
CHUNK = 60
REG = {m.name: i for i, m in enumerate(REGIONAL)}
NAT = {m.name: i for i, m in enumerate(NATIONAL)}


@pytest.fixture(scope="module")
def population():
    return build_population(AGENTS, seed=3)


def run(population, scenario="baseline-2023", overrides=None, seed=1, days=DAYS):
    """A run from day 0 without the burn-in: these tests compare mechanisms from the same
    start, and the burn-in has tests of its own (tests/test_stocks.py)."""
    overrides = {"timeline.burn_in_days": 0, **(overrides or {})}
    return run_scenario(scenario, population=population, days=days, seed=seed, overrides=overrides, chunk_days=CHUNK)


def national(result, metric):
    """The country's daily series of a regional metric (member 0)."""
    return result.regional[0, :, -1, REG[metric]]


def queue(result, metric):
    return result.national[0, :, NAT[metric]]


@pytest.fixture(scope="module")
def baseline(population):
    return run(population)


@pytest.fixture(scope="module")
def control(population):
    return run(population, "no-surveillance")


def test_no_surveillance_detects_nobody_and_frees_the_most(baseline, control, population):
    assert national(control, "detections_all").sum() == 0
    assert national(control, "punished").sum() == 0
    assert national(control, "detained_new").sum() == 0
    # Nobody is sent to detention, so the stocks held on day 0 only empty.
    assert np.all(np.diff(national(control, "share_detained")) <= 1e-7)
    for c in CHANNELS:
        assert queue(control, f"records_collected_{c}").sum() == 0
    others = [baseline, run(population, "human-only"), run(population, "digital-panopticon")]
    for b in ("trade", "media", "criticise"):
        for other in others:
            assert national(control, f"prevalence_{b}").mean() > national(other, f"prevalence_{b}").mean()
    assert all(national(control, "freedom_index").mean() > national(o, "freedom_index").mean() for o in others)


@pytest.fixture(scope="module")
def panopticon(population):
    return run(population, "digital-panopticon")


@pytest.mark.parametrize("channel", CHANNELS)
def test_switching_a_channel_off_removes_its_detections(panopticon, population, channel):
    """On the digital panopticon, where every channel detects even at 10,000 agents."""
    assert national(panopticon, f"detections_{channel}").sum() > 0, f"{channel} detects nobody"
    off = run(population, "digital-panopticon", overrides={f"{channel}.enabled": False})
    assert national(off, f"detections_{channel}").sum() == 0
    assert queue(off, f"records_collected_{channel}").sum() == 0
    # The other channels still work.
    others = [c for c in CHANNELS if c != channel]
    assert sum(national(off, f"detections_{c}").sum() for c in others) > 0


def test_the_scenarios_order_from_control_to_panopticon(baseline, control, panopticon, population):
    """Freedom falls as surveillance is added: no surveillance, human channels only, the
    2023 baseline, the digital panopticon."""
    human = run(population, "human-only")
    freedom = [national(s, "freedom_index")[-60:].mean() for s in (control, human, baseline, panopticon)]
    assert freedom == sorted(freedom, reverse=True), freedom


def test_digital_panopticon_is_less_free_than_baseline(baseline, panopticon):
    assert national(panopticon, "freedom_index")[-30:].mean() < national(baseline, "freedom_index")[-30:].mean()
    assert national(panopticon, "detections_cameras").sum() > national(baseline, "detections_cameras").sum()


def test_border_closure_cuts_media_and_the_reopening_restores_it(population):
    timeline = {
        "timeline.start_date": "2019-01-01",
        "timeline.border_closed": "2019-03-01",
        "timeline.border_reopened": "2019-09-01",
        "timeline.reopening_days": 30,
        "media.closed_border_supply": 0.0,
    }
    open_all_year = {**timeline, "timeline.border_closed": "2030-01-01", "timeline.border_reopened": "2031-01-01"}
    days = 480
    closed = run(population, overrides=timeline, days=days)
    never = run(population, overrides=open_all_year, days=days)
    supply = queue(closed, "supply")
    assert supply[:59].min() == 1.0 and supply[70:240].max() == 0.0 and supply[300:].min() == 1.0
    access, access_open = national(closed, "media_access"), national(never, "media_access")
    watching = national(closed, "prevalence_media")
    before, late_closure, recovered = slice(30, 59), slice(200, 243), slice(420, 480)
    # The closure cuts holding and watching compared with the open border...
    assert access[late_closure].mean() < 0.9 * access_open[late_closure].mean()
    assert watching[late_closure].mean() < watching[before].mean()
    # ...and the reopening lets them recover.
    assert access[recovered].mean() > access[late_closure].mean() * 1.1
    assert watching[recovered].mean() > watching[late_closure].mean()


def test_more_capacity_raises_detections_only_when_records_exceed_it(baseline, population):
    saturated = queue(baseline, "backlog_cameras")
    assert saturated[-1] > 0, "camera records should exceed the default capacity"
    more = run(population, overrides={"analysis.capacity_cameras": 500.0})
    assert national(more, "detections_cameras").sum() > 1.5 * national(baseline, "detections_cameras").sum()
    # The human desks keep up at baseline: ten times their capacity changes nothing at all.
    for c in ("informants", "inminban", "workplace"):
        assert queue(baseline, f"backlog_{c}").max() == 0
    human = run(population, overrides={"analysis.capacity_human": 20_000.0})
    np.testing.assert_array_equal(human.regional, baseline.regional)
    np.testing.assert_array_equal(human.national, baseline.national)


def test_counts_are_never_negative_and_analysis_never_outruns_collection(baseline):
    assert np.all(baseline.regional >= 0)
    assert np.all(baseline.national >= 0)
    for c in CHANNELS:
        collected = np.cumsum(queue(baseline, f"records_collected_{c}"))
        analysed = np.cumsum(queue(baseline, f"records_analysed_{c}"))
        assert np.all(analysed <= collected * (1 + 1e-5) + 1e-3), c


def test_shares_stay_in_their_ranges(baseline):
    for name, i in REG.items():
        if REGIONAL[i].unit.startswith("share") or name in ("freedom_index", "digital_awareness") or name.startswith("perceived_risk"):
            assert np.all(baseline.regional[..., i] <= 1.0 + 1e-6), name


def test_share_in_system_is_near_one_in_twenty(baseline):
    assert 0.03 < national(baseline, "share_in_system")[0] < 0.08


def test_no_detained_agent_acts(population, baseline):
    """Take the state at the end of the baseline run, where some are detained, and run the
    day's choice rule on it: nobody detained acts."""
    state = jax.tree_util.tree_map(lambda x: x[0], baseline.final_state)
    detained = np.asarray(state.detained > 0)
    assert detained.sum() > 0
    world, layout = build_world(population)
    params = {k: jnp.asarray(v) for k, v in engine_params(baseline.scenario.params).items()}
    levels = jax.tree_util.tree_map(lambda a: jnp.asarray(a[0]), build_schedule(baseline.scenario.params, 1))
    for day in range(5):
        words = rnd.day_words(jax.random.fold_in(jax.random.key(9), day))
        today = Today.begin(world, state, params, levels, layout, words)
        choices = behaviour.choose(today)
        acts = np.asarray(choices.acts)
        assert acts[detained].max() == 0
        assert acts[~detained].max() > 0
        assert not np.asarray(choices.willing)[:, detained].any()


def test_same_seed_same_metrics_bit_for_bit(baseline, population):
    again = run(population)
    np.testing.assert_array_equal(again.regional, baseline.regional)
    np.testing.assert_array_equal(again.national, baseline.national)
    other = run(population, seed=2)
    assert not np.array_equal(other.regional, baseline.regional)


def test_chunking_does_not_change_results(population):
    world, layout = build_world(population)
    scenario_params = run_scenario("baseline-2023", population=population, days=1, overrides={"timeline.burn_in_days": 0}).scenario.params
    params = engine_params(scenario_params)
    schedule = build_schedule(scenario_params, 60)
    sim = Simulation(world, layout, 7)
    programs = sim._run_chunk._cache_size()
    whole = np.concatenate([c.regional for c in sim.run(5, params, schedule, chunk_days=60)], axis=1)
    for chunk_days in (20, 25):  # 25: a last chunk of 10 days
        parts = np.concatenate([c.regional for c in sim.run(5, params, schedule, chunk_days=chunk_days)], axis=1)
        np.testing.assert_array_equal(whole, parts)
    # every chunk length runs the one chunk program (compiled here unless an earlier test did)
    assert sim._run_chunk._cache_size() - programs <= 1


def test_wrongful_punishments_come_from_false_reports_and_matches(population):
    honest = run(population, overrides={"informants.false_report_rate": 0.0, "facial_recognition.false_match": 0.0})
    assert national(honest, "wrongful_punishments").sum() == 0
    careless = run(
        population,
        overrides={"informants.false_report_rate": 0.01, "enforcement.investigation_accuracy": 0.0},
    )
    assert national(careless, "wrongful_punishments").sum() > 0


def test_regions_add_up_to_the_country(baseline, population):
    region_counts = np.bincount(population.region, weights=population.age >= 17, minlength=11)
    share = region_counts / region_counts.sum()
    i = REG["prevalence_trade"]
    weighted = (baseline.regional[0, :, :-1, i] * share).sum(axis=1)
    np.testing.assert_allclose(weighted, baseline.regional[0, :, -1, i], rtol=1e-4, atol=1e-6)
