"""Agents' choices: Epstein's rule, applied to each small freedom every day.

An agent is *willing* to do behaviour b when motive minus risk aversion times perceived
risk passes the threshold, ``M_b - R * P_b > T_b`` (Epstein 2002), and *wants* to when the
motive alone passes it, ``M_b > T_b``: the gap between the two is what fear takes away. A
willing, free adult acts on a given day with the behaviour's daily frequency.

Motives: trading from household hardship and trading as a livelihood, scaled by the goods
the border lets in; foreign media from curiosity, for those who hold media; criticism from
grievance, hardship times illegitimacy (Epstein's G = H(1 - L)) plus what foreign media
showed; calls across the border from family ties and hardship, for holders of a smuggled
phone.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine.state import B, CALL, CRITICISE, MEDIA, TRADE
from panopticum.params.model import BEHAVIOURS

STREAM = 10  # 10 + b: the daily act draw of behaviour b


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Choices:
    wanting: jax.Array  # bool [B, n]
    willing: jax.Array  # bool [B, n]
    acts: jax.Array  # uint8 [n] behaviour bits


def perceived_risk(evidence: jax.Array, params: dict) -> jax.Array:
    return 1.0 - jnp.exp(-params["beliefs.sensitivity"] * evidence)


def motives(world, state, params, levels) -> tuple[jax.Array, jax.Array]:
    """``(motive [B, n], eligible [B, n])``."""
    p = params
    legitimacy = jnp.stack(
        [p["behaviour.criticise.legitimacy_core"], p["behaviour.criticise.legitimacy_wavering"], p["behaviour.criticise.legitimacy_hostile"]]
    )[world.songbun.astype(jnp.int32)]
    goods = 0.5 + 0.5 * levels.supply
    trade = (
        p["behaviour.trade.motive_base"]
        + p["behaviour.trade.motive_hardship"] * world.hardship
        + p["behaviour.trade.motive_trader"] * world.trader
    ) * goods
    media = p["behaviour.media.motive_curiosity"] * state.curiosity
    grievance = (
        p["behaviour.criticise.grievance_hardship"] * world.hardship * (1.0 - legitimacy)
        + p["behaviour.criticise.media_grievance"] * state.exposure
    )
    call = p["behaviour.call.motive_base"] + p["behaviour.call.motive_hardship"] * world.hardship
    motive = jnp.stack([trade, media, grievance, call])
    able = world.can_act
    eligible = jnp.stack(
        [able & ~world.military, able & state.media_access, able & (world.degree > 0), able & state.smuggled_phone]
    )
    return motive, eligible


def choose(today) -> Choices:
    world, state, p = today.world, today.state, today.params
    motive, eligible = motives(world, state, p, today.levels)
    threshold = jnp.stack([p[f"behaviour.{b}.threshold"] for b in BEHAVIOURS])[:, None]
    risk = perceived_risk(state.evidence, p)
    base = eligible & today.free[None, :]
    wanting = base & (motive > threshold)
    willing = base & (motive - world.risk_aversion[None, :] * risk > threshold)
    acts = jnp.zeros(today.layout.n, jnp.uint8)
    for b, name in enumerate(BEHAVIOURS):
        today_b = willing[b] & (today.uniform(STREAM + b) < p[f"behaviour.{name}.frequency"])
        acts = acts | jnp.where(today_b, jnp.uint8(1 << b), jnp.uint8(0))
    return Choices(wanting=wanting, willing=willing, acts=acts)


__all__ = ["Choices", "choose", "motives", "perceived_risk", "B", "TRADE", "MEDIA", "CRITICISE", "CALL"]
