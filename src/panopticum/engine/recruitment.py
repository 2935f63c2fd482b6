"""The informant network over time: recruitment, retirement, and the 2018 border surge.

Informants serve for ``informants.turnover_days`` on average (a daily retirement chance of
its inverse) and are replaced by recruitment among free adults outside the fixed system,
at the daily chance that holds the share at its target ``s``: ``a * s / (1 - s)`` for a
retirement chance ``a``. In the border provinces the target is the share times the day's
border level (1 before ``timeline.informant_surge``, ``informants.border_multiplier``
after). People fined, bribed off or released are recruited at
``informants.recruit_punished``. A detained or departed informant serves no more.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

STREAM = 160


def update(today, informant: jax.Array, caught: jax.Array) -> jax.Array:
    """``informant`` after today. ``caught``: bool [n], fined, bribed off or released."""
    world, p = today.world, today.p
    retire = 1.0 / p("informants.turnover_days")
    target = jnp.minimum(p("informants.share") * jnp.where(world.border, today.levels.informant_border, 1.0), 0.5)
    recruit = retire * target / (1.0 - target)
    u = today.uniform(STREAM)
    eligible = world.can_act & ~world.in_system_fixed & today.free
    stays = informant & today.free & (u >= retire)
    joins = eligible & ~informant & (u < recruit)
    reachable = world.can_act & ~world.in_system_fixed & today.here
    coerced = reachable & caught & (today.uniform(STREAM + 1) < p("informants.recruit_punished"))
    return stays | joins | coerced


__all__ = ["update"]
