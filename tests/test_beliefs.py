"""Beliefs as rates: perceived risk per act learned from acts and punishments seen, one's
own punishment, public campaigns; severity in the decision; true risk beside it."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from conftest import simulate
from panopticum.engine import build_world, default_engine_params
from panopticum.engine import random as rnd
from panopticum.engine import social
from panopticum.engine.behaviour import perceived_risk
from panopticum.engine.state import MEDIA, init_state
from panopticum.engine.timeline import Schedule
from panopticum.engine.world import tie_sum
from panopticum.params.model import BEHAVIOURS


@pytest.fixture(scope="module")
def start(country):
    world, layout = build_world(country)
    params = {k: jnp.asarray(v) for k, v in default_engine_params().items()}
    levels = Schedule(*(jnp.asarray(x) for x in (0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, np.zeros(len(BEHAVIOURS)))))
    state = init_state(jax.random.key(0), world, params, layout, levels)
    return world, layout, params, state


def learn(start, state, **param_changes):
    world, layout, params, _ = start
    params = {**params, **{k.replace("__", "."): jnp.float32(v) for k, v in param_changes.items()}}
    words = rnd.day_words(jax.random.key(1))
    after = social.update(state, world, params, words, 7, layout.n, jnp.float32(1.0))
    return np.asarray(perceived_risk(after, params)[MEDIA])


def test_ties_seen_acting_unpunished_lower_perceived_risk(start):
    """Epstein's safety in numbers: the more acts one sees go unpunished, the lower the
    risk one perceives; without visibility of acts there is no such effect."""
    world, layout, params, state = start
    quiet = learn(start, state)
    busy_state = dataclasses.replace(state, acts_since=jnp.full(layout.n, 5 << (8 * MEDIA), jnp.uint32))
    busy = learn(start, busy_state)
    with_ties = np.asarray(world.degree) > 0
    assert np.all(busy[with_ties] < quiet[with_ties])
    blind = learn(start, busy_state, beliefs__act_visibility=0.0)  # one's own acts alone
    assert np.all(busy[with_ties] < blind[with_ties])


def test_ties_punished_raise_perceived_risk(start):
    world, layout, params, state = start
    punished = np.zeros(layout.n, np.uint8)
    punished[::20] = 1 << MEDIA
    seen_state = dataclasses.replace(state, seen=jnp.asarray(punished))
    quiet, alarmed = learn(start, state), learn(start, seen_state)
    tie_of_punished = np.asarray(tie_sum(jnp.asarray(punished != 0), world)) > 0
    assert np.all(alarmed[tie_of_punished & (punished == 0)] > quiet[tie_of_punished & (punished == 0)])
    unseen = learn(start, seen_state, beliefs__punishment_visibility=0.0, beliefs__own_punishment_weight=0.0)
    np.testing.assert_allclose(unseen, quiet)


def test_being_punished_oneself_teaches_strongly(start):
    world, layout, params, state = start
    me = np.zeros(layout.n, np.uint8)
    me[0] = 1 << MEDIA
    state_me = dataclasses.replace(state, seen=jnp.asarray(me))
    before, after = learn(start, state), learn(start, state_me)
    weight = float(params["beliefs.own_punishment_weight"])
    n0 = float(params["beliefs.prior_acts"])
    assert after[0] - before[0] == pytest.approx(weight / n0, rel=1e-4)
    assert learn(start, state_me, beliefs__own_punishment_weight=0.0)[0] == pytest.approx(before[0])


@pytest.fixture(scope="module")
def across_the_law(country):
    """From three weeks before the December 2020 law to four months after it."""
    common = dict(days=140, members=2, timeline__start_date="2020-11-13")
    return {
        "campaign": simulate(country, **common),
        "no campaign": simulate(country, beliefs__campaign_weight=0.0, **common),
        "no severity": simulate(country, beliefs__campaign_weight=0.0, beliefs__severity_exponent=0.0, **common),
    }


def test_the_law_s_campaign_raises_perceived_media_risk(across_the_law):
    law_day = 21
    with_campaign, without = across_the_law["campaign"], across_the_law["no campaign"]
    np.testing.assert_array_equal(with_campaign["perceived_risk_media"][:law_day], without["perceived_risk_media"][:law_day])
    assert with_campaign["perceived_risk_media"][law_day + 14] > 1.5 * without["perceived_risk_media"][law_day + 14]
    assert with_campaign["willing_media"][law_day + 30 :].mean() < without["willing_media"][law_day + 30 :].mean()


def test_the_law_s_sentences_deter_through_severity(across_the_law):
    """The law raises the expected sentence for foreign media; with Epstein's J^alpha it
    deters at once, with alpha = 0 (Model 1) the decision does not see it."""
    law_day = 21

    def drop(s):
        willing = s["willing_media"]
        return willing[law_day - 7 : law_day].mean() - willing[law_day + 1 : law_day + 8].mean()

    assert drop(across_the_law["no campaign"]) > 0.002
    assert abs(drop(across_the_law["no severity"])) < 0.5 * drop(across_the_law["no campaign"])


@pytest.fixture(scope="module")
def year(country):
    return simulate(country, days=365, members=2)


def test_perceived_risk_differs_between_regions(year):
    by_region = year.regions("perceived_risk_media")[-30:].mean(axis=0)[:-1]  # provinces, not the military
    assert by_region.std() / by_region.mean() > 0.02


def test_true_risk_is_punishments_over_acts(year, country):
    for b in ("trade", "media", "criticise"):
        acts = year[f"prevalence_{b}"][-90:].sum()
        punished = year[f"punished_{b}"][-90:].sum() / 1e5
        assert year[f"true_risk_{b}"][-1] == pytest.approx(punished / acts, rel=0.35), b


def test_without_surveillance_there_is_no_true_risk(country):
    control = simulate(country, "no-surveillance", days=60)
    for b in BEHAVIOURS:
        assert control[f"true_risk_{b}"].max() == 0


def test_derived_beliefs_follow_what_agents_have_seen(country):
    """``risk`` and ``punishment_chance`` are kept in the state and recomputed only when
    the beliefs they come from change: after tie updates they equal what the beliefs
    give, and a state that lost them (a checkpoint written before they existed) runs on to
    the same bits as one that kept them."""
    from panopticum.engine import Simulation, build_schedule
    from panopticum.engine.behaviour import punishment_chance
    from panopticum.engine.state import state_arrays, state_from_arrays
    from panopticum.params.schema import make_parameters

    world, layout = build_world(country)
    sim = Simulation(world, layout, 7)
    params = default_engine_params()
    schedule = build_schedule(make_parameters({}), 24)
    first = next(sim.run(0, params, schedule, chunk_days=12)).state  # tie updates on days 7
    arrays = {k: np.asarray(v) for k, v in state_arrays(first).items()}
    one = jax.tree_util.tree_map(lambda a: a[0], state_from_arrays(arrays))
    assert one.acts_seen.max() > 0
    np.testing.assert_array_equal(one.risk, perceived_risk(one, params))
    np.testing.assert_array_equal(one.punishment_chance, punishment_chance(one.risk, params))

    lost = {k: v for k, v in arrays.items() if k not in ("risk", "punishment_chance")}
    runs = []
    for given in (arrays, lost):
        chunk = next(sim.run(0, params, schedule, chunk_days=12, state=state_from_arrays(given), first_day=12))
        runs.append((np.asarray(chunk.regional), {k: np.asarray(v) for k, v in state_arrays(chunk.state).items()}))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for name, value in runs[0][1].items():
        np.testing.assert_array_equal(value, runs[1][1][name], err_msg=name)


def test_the_tie_update_counts_each_behaviour_and_flag_over_the_ties(start, country):
    """What each agent learns at a tie update is counted over their ties exactly, behaviour
    by behaviour: every act count and punishment bit packed in the update's words comes out
    in its own field (checked against a count over the population's tie lists)."""
    world, layout, params, state = start
    rng = np.random.default_rng(7)
    acts = rng.integers(0, 8, size=(4, layout.n)).astype(np.uint32)  # acts since the update, per behaviour
    seen = rng.integers(0, 32, size=layout.n).astype(np.uint8)  # punishment bits 0-3, digital bit 4
    informant = rng.random(layout.n) < 0.2
    busy = dataclasses.replace(
        state,
        acts_since=jnp.asarray(acts[0] | acts[1] << 8 | acts[2] << 16 | acts[3] << 24),
        seen=jnp.asarray(seen),
        informant=jnp.asarray(informant),
        acts_seen=jnp.zeros_like(state.acts_seen),
        punishments_seen=jnp.zeros_like(state.punishments_seen),
        public=jnp.zeros_like(state.public),
    )
    after = social.update(busy, world, params, rnd.day_words(jax.random.key(1)), 7, layout.n, jnp.float32(1.0))

    rows = np.repeat(np.arange(layout.n), np.diff(np.asarray(country.tie_indptr)))
    ties = np.asarray(country.tie_index)

    def over_ties(values: np.ndarray) -> np.ndarray:
        return np.bincount(rows, weights=values[ties].astype(np.float64), minlength=layout.n)

    here = np.asarray(busy.here)
    visible, own_weight = float(params["beliefs.act_visibility"]), float(params["beliefs.own_punishment_weight"])
    punish_visible = float(params["beliefs.punishment_visibility"])
    for b in range(4):
        want_acts = np.where(here, visible * over_ties(acts[b]) + acts[b], 0.0)
        np.testing.assert_allclose(np.asarray(after.acts_seen[b]), want_acts, rtol=1e-6, err_msg=f"acts of behaviour {b}")
        bit = (seen >> b) & 1
        want_punished = np.where(here, punish_visible * over_ties(bit) + own_weight * bit, 0.0)
        np.testing.assert_allclose(np.asarray(after.punishments_seen[b]), want_punished, rtol=1e-6, err_msg=f"punishments {b}")
    informants_free = informant & np.asarray(busy.free)
    degree = np.maximum(np.diff(np.asarray(country.tie_indptr)), 1)
    np.testing.assert_allclose(np.asarray(after.informant_ties), over_ties(informants_free) / degree, rtol=1e-6)
