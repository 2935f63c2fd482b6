"""Escape: people leave the country, across the border into China.

Each free adult civilian leaves on a given day with the hazard ``escape.rate / 365``
times a multiplier for each push and pull: where they live (the border provinces first,
inland provinces at ``inland_multiplier``, Pyongyang lower still), being a woman, trading
illicitly or in the markets as a registered trader, ever having been punished, relatives
abroad, a tie who left; all scaled by the crossing level of the day (cut while the border
is closed, recovering after the reopening; :mod:`.timeline`). Those who leave keep their
state as it was, flagged by the day they left; they act no more and no channel sees them.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from panopticum.engine.state import TRADE

STREAM = 150


def hazard(today) -> jax.Array:
    """float32 [n]: each agent's chance of leaving today."""
    world, state, p = today.world, today.state, today.p
    where = jnp.where(
        world.border,
        1.0,
        p("escape.inland_multiplier") * jnp.where(world.pyongyang, p("escape.pyongyang_multiplier"), 1.0),
    )

    def push(flag: jax.Array, name: str) -> jax.Array:
        return jnp.where(flag, p(f"escape.{name}"), 1.0)

    trades = today.did(TRADE) | (world.trader & today.market)
    h = (
        p("escape.rate") / 365.0
        * where
        * push(world.female, "female_multiplier")
        * push(trades, "trader_multiplier")
        * push(state.ever_punished != 0, "punished_multiplier")
        * push(world.relatives_abroad, "relatives_multiplier")
        * push(state.kin_left, "kin_left_multiplier")
        * today.levels.crossing
    )
    able = today.free & world.can_act & ~world.military & (p("escape.enabled") > 0.5)
    return jnp.where(able, jnp.minimum(h, 1.0), 0.0)


def leave(today, chance: jax.Array) -> jax.Array:
    """bool [n]: who leaves today."""
    return today.uniform(STREAM) < chance
