"""Foreign media: where it comes from and how it is lost.

Media enter through the border provinces (smuggling), the markets (agents trading
that day, legally or not) and relatives abroad, each scaled by the day's supply (cut while the border is
closed), and pass along trusted ties at the weekly tie update (:mod:`.social`). Files are
lost at a daily rate and confiscated when a person is punished or found holding them.
"""

from __future__ import annotations

import jax

STREAM = 20


def daily_supply(today) -> jax.Array:
    """``media_access`` after the day's acquisitions and losses (before enforcement)."""
    world, state, p = today.world, today.state, today.params
    supply = today.levels.supply
    chance = supply * (
        p["media.smuggling_rate_border"] * world.border
        + p["media.market_rate"] * today.market
        + p["media.relatives_rate"] * world.relatives_abroad
    )
    gained = world.adult & today.free & (today.uniform(STREAM) < chance)
    lost = today.uniform(STREAM + 1) < p["media.loss_rate"]
    return (state.media_access & ~lost) | gained
