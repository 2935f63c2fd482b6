"""One day of the model: ``step(key, state, world, params, levels) -> (state, metrics)``.

:func:`make_step` closes over the static layout and the tie-update cadence and
returns the pure step function; parameters are an argument, so they can be swept with
``vmap``. The order of a day:

1. the detained serve a day; the free choose what to do (:mod:`.behaviour`);
2. media arrive and are lost (:mod:`.media`);
3. every channel makes its records (:mod:`.channels`);
4. analysts work through the queues (:mod:`.analysis`);
5. enforcement investigates, takes bribes, fines and detains (:mod:`.enforcement`);
6. every ``cadence`` days, beliefs and media move along ties (:mod:`.social`);
7. the day's metrics (:mod:`.metrics`).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from panopticum.engine import analysis, behaviour, channels, media, metrics, social
from panopticum.engine import random as rnd
from panopticum.engine.channels import phones
from panopticum.engine.context import Today
from panopticum.engine.enforcement import enforce
from panopticum.engine.reduce import sums
from panopticum.engine.state import MEDIA, State
from panopticum.engine.timeline import Schedule
from panopticum.engine.world import Layout, World
from panopticum.params.model import BEHAVIOURS


def make_step(layout: Layout, cadence: int):
    """The pure daily step for a world of this layout (the world is an argument, so it is
    data to the compiler, not constants folded into the program)."""

    def step(key: jax.Array, state: State, world: World, params: dict, levels: Schedule):
        words = rnd.day_words(jax.random.fold_in(key, state.day))
        free = state.detained == 0
        today = Today(world, state, params, levels, layout, words, free, jnp.zeros(layout.n, jnp.uint8))
        choices = behaviour.choose(today)
        today = dataclasses.replace(today, acts=choices.acts)
        media_access = media.daily_supply(today)
        records = channels.collect(today)
        analysed = analysis.analyse(today, records)
        outcome = enforce(today, analysed.detected)

        detained = jnp.where(outcome.detained_new, outcome.term, jnp.maximum(state.detained - 1, 0))
        counts = sums([world.adult] + [(outcome.punished_for >> b) & 1 for b in range(len(BEHAVIOURS))])
        adults = jnp.maximum(counts[0], 1).astype(jnp.float32)
        punished_b = jnp.stack(counts[1:])
        exposure_rate = 1.0 / params["behaviour.exposure_memory_days"]
        new_state = State(
            detained=detained,
            media_access=media_access & ~outcome.punished,
            exposure=state.exposure + (today.did(MEDIA).astype(jnp.float32) - state.exposure) * exposure_rate,
            evidence=state.evidence,
            awareness=state.awareness,
            pending=analysed.pending,
            phone_log=jnp.where(outcome.punished, jnp.uint8(0), phones.next_log(today)),
            seen=state.seen
            | outcome.punished_for
            | jnp.where(outcome.by_digital, jnp.uint8(1 << social.DIGITAL_BIT), jnp.uint8(0)),
            public=state.public + punished_b.astype(jnp.float32) / adults,
            backlog=analysed.backlog,
            informant=state.informant,
            informant_ties=state.informant_ties,
            curiosity=state.curiosity,
            smuggled_phone=state.smuggled_phone,
            enrol_rank=state.enrol_rank,
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
        daily = metrics.compute(today, choices, analysed, outcome, new_state, layout)
        return new_state, daily

    return step
