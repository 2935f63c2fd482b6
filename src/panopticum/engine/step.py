"""One day of the model: ``step(key, state, world, params, levels) -> (state, metrics)``.

:func:`make_step` closes over the static layout and the tie-update cadence and
returns the pure step function; parameters are an argument, so they can be swept with
``vmap``. The order of a day:

1. the detained serve a day; the free choose what to do (:mod:`.behaviour`);
2. media arrive and are lost (:mod:`.media`);
3. every channel makes its records (:mod:`.channels`), targeted inspections following
   the leads analysis opened on earlier days;
4. analysts work through the queues (:mod:`.analysis`); what they analyse opens leads;
5. enforcement investigates, takes bribes, fines and detains (:mod:`.enforcement`);
6. some leave the country (:mod:`.escape`); informants are recruited and retire
   (:mod:`.recruitment`); the day's events enter each agent's history (:mod:`.history`);
7. every ``cadence`` days, beliefs and media move along ties (:mod:`.social`);
8. the day's metrics (:mod:`.metrics`).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from panopticum.engine import analysis, behaviour, channels, escape, history, media, metrics, recruitment, social
from panopticum.engine import random as rnd
from panopticum.engine.channels import inspections, phones
from panopticum.engine.context import Today
from panopticum.engine.enforcement import DIGITAL, enforce
from panopticum.engine.materialise import keep, keep_agents
from panopticum.engine.state import State
from panopticum.engine.world import Layout
from panopticum.params.model import CHANNELS

LEAD_STREAM = 170
HUMAN = tuple(CHANNELS.index(c) for c in ("informants", "inminban", "workplace"))


def any_channel(detected: jax.Array, which: tuple[int, ...]) -> jax.Array:
    out = detected[which[0]] != 0
    for c in which[1:]:
        out = out | (detected[c] != 0)
    return out


def next_leads(today: Today, detected: jax.Array) -> jax.Array:
    """Open leads after today: those inspected on them or left too long are closed, and
    every analysed record or report opens one (bit 0 human, bit 1 digital)."""
    closed = inspections.targeted(today) | (today.uniform(LEAD_STREAM) < 1.0 / today.p("analysis.lead_days"))
    opened = jnp.where(any_channel(detected, HUMAN), jnp.uint8(inspections.HUMAN_LEAD), jnp.uint8(0)) | jnp.where(
        any_channel(detected, DIGITAL), jnp.uint8(inspections.DIGITAL_LEAD), jnp.uint8(0)
    )
    return jnp.where(closed, jnp.uint8(0), today.state.lead) | opened


def make_step(layout: Layout, cadence: int):
    """The pure daily step for a world of this layout (the world is an argument, so it is
    data to the compiler, not constants folded into the program)."""

    def step(key: jax.Array, state: State, world, params: dict, levels):
        words = rnd.day_words(jax.random.fold_in(key, state.day))
        today = Today.begin(world, state, params, levels, layout, words)
        choices = keep_agents(behaviour.choose(today), layout.n)
        today = dataclasses.replace(today, acts=choices.acts, market=choices.market, stocked=choices.stocked)
        media_access = media.daily_supply(today)
        records = channels.collect(today)
        analysed = analysis.analyse(today, records)
        outcome = enforce(today, analysed.detected)
        hazard = keep(escape.hazard(today))
        leaving = keep(escape.leave(today, hazard))

        detained = jnp.where(outcome.detained_new, outcome.term, jnp.maximum(state.detained - 1, 0))
        recovery = jnp.exp(-1.0 / params["enforcement.bribe_recovery_days"])
        new_state = dataclasses.replace(
            state,
            detained=detained,
            detention_kind=jnp.where(outcome.detained_new, outcome.kind, jnp.where(detained > 0, state.detention_kind, 0)).astype(jnp.int8),
            left_day=jnp.where(leaving, state.day, state.left_day),
            media_access=media_access & ~outcome.punished,
            exposure=state.exposure + (today.did(behaviour.MEDIA).astype(jnp.float32) - state.exposure) / params["behaviour.exposure_memory_days"],
            acts_since=social.count_acts(state.acts_since, choices.acts),
            pending=analysed.pending,
            lead=next_leads(today, analysed.detected),
            phone_log=jnp.where(outcome.punished, jnp.uint8(0), phones.next_log(today)),
            seen=state.seen | outcome.punished_for | jnp.where(outcome.by_digital, jnp.uint8(1 << social.DIGITAL_BIT), jnp.uint8(0)),
            public=state.public + levels.campaign,
            backlog=analysed.backlog,
            informant=recruitment.update(today, state.informant, outcome.fined | outcome.bribed | today.released),
            ever_punished=state.ever_punished | outcome.punished_for,
            burden=jnp.minimum(state.burden * recovery + outcome.burden, 1.0),
            history=history.record(state.history, state.day, today.here, choices.market, choices.acts,
                                   inspections.inspected(today) & (params["inspections.enabled"] > 0.5), outcome.punished),
            day=state.day + 1,
        )
        # The schedule's day is shared by every ensemble member, so under vmap this stays a
        # real branch (a predicate from the batched state would run both branches daily).
        new_state = jax.lax.cond(
            (levels.day + 1) % cadence == 0,
            lambda s: social.update(s, world, params, words, cadence, layout.n, levels.supply),
            lambda s: s,
            new_state,
        )
        daily, tally = metrics.compute(today, choices, analysed, outcome, new_state, layout, hazard, leaving)
        return dataclasses.replace(new_state, risk_tally=tally), daily

    return step
