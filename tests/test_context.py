"""What a day starts from: who is here, free and being released today, read by most of the
day's processes from one kept byte, says what the state says."""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine import build_world, default_engine_params
from panopticum.engine import random as rnd
from panopticum.engine.context import Today
from panopticum.engine.state import NOT_LEFT, init_state
from panopticum.engine.timeline import Schedule
from panopticum.params.model import BEHAVIOURS


def test_here_free_and_released_say_what_the_state_says(country):
    world, layout = build_world(country)
    params = {k: jnp.asarray(v) for k, v in default_engine_params().items()}
    levels = Schedule(*(jnp.asarray(x) for x in (0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, np.zeros(len(BEHAVIOURS)))))
    state = init_state(jax.random.key(0), world, params, layout, levels)
    rng = np.random.default_rng(3)
    # Every combination: here or gone, free, detained for one more day or for longer.
    detained = rng.choice([0, 0, 1, 2, 40], size=layout.n).astype(np.int32)
    left_day = np.where(rng.random(layout.n) < 0.2, 5, NOT_LEFT).astype(np.int32)
    state = dataclasses.replace(state, detained=jnp.asarray(detained), left_day=jnp.asarray(left_day))

    def begin(state):
        today = Today.begin(world, state, params, levels, layout, rnd.day_words(jax.random.key(1)))
        return today.here, today.free, today.released

    here, free, released = (np.asarray(x) for x in jax.jit(begin)(state))
    np.testing.assert_array_equal(here, left_day == NOT_LEFT)
    np.testing.assert_array_equal(free, (detained == 0) & (left_day == NOT_LEFT))
    np.testing.assert_array_equal(released, detained == 1)
    assert here.any() and (~here).any() and free.any() and released.any() and (here & ~free).any()
