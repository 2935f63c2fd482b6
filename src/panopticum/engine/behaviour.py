"""Agents' choices: Epstein's rule, applied to each small freedom every day.

An agent is *willing* to do behaviour b when motive minus net risk passes the threshold,
``M_b - R * P_b * J_b^alpha > T_b`` (Epstein 2002, with the sentence term of his later
models; ``alpha = 0`` is Model 1), and *wants* to when the motive alone passes it,
``M_b > T_b``: the gap between the two is what fear takes away. ``P_b`` is the chance of
being punished at least once over the horizon when acting at the behaviour's usual
frequency, ``1 - (1 - p_b)^(f_b * H)``, from the perceived per-act risk ``p_b``
(:func:`perceived_risk`); ``J_b`` the expected sentence in years
(:func:`~panopticum.engine.sentences.expected_severity`). A willing, free adult acts on a
given day with the behaviour's daily frequency.

Trading: an adult who wants to trade goes to the market on a day with the trading
frequency; a share of those days involve something illicit, and only a willing trader
goes ahead with that part (the act ``TRADE``); the rest is legal trading, which carries
no risk.

Motives: trading from household hardship (raised by bribes paid) and trading as a
livelihood, scaled by the goods the border lets in; foreign media from curiosity, for those
who hold media; criticism from grievance, hardship times illegitimacy (Epstein's
G = H(1 - L)) plus what foreign media showed; calls across the border from family ties and
hardship, for holders of a smuggled phone.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine import sentences
from panopticum.engine.bits import pack, unpack
from panopticum.engine.materialise import keep
from panopticum.engine.state import B, CALL, CRITICISE, MEDIA, TRADE, State
from panopticum.params.model import BEHAVIOURS

STREAM = 10  # 10 + b: the daily act draw of behaviour b
ILLICIT_STREAM = 14
STOCK_STREAM = 15


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Choices:
    wanting_bits: jax.Array  # uint8 [n], bit b: wants to do behaviour b
    willing_bits: jax.Array  # uint8 [n], bit b: willing to do behaviour b
    acts: jax.Array  # uint8 [n] behaviour bits
    market: jax.Array  # bool [n]: traded in the market today, legally or not
    stocked: jax.Array  # bool [n]: holds illicit goods today (a willing illicit trader, on a share of days)

    @property
    def wanting(self) -> jax.Array:
        """bool ``[B, n]``."""
        return unpack(self.wanting_bits, B)

    @property
    def willing(self) -> jax.Array:
        """bool ``[B, n]``."""
        return unpack(self.willing_bits, B)


def prior(params: dict) -> jax.Array:
    """float32 ``[B]``: the prior per-act risk of each behaviour."""
    return jnp.stack([params[f"beliefs.initial_risk.{b}"] for b in BEHAVIOURS])


def perceived_risk(state: State, params: dict) -> jax.Array:
    """float32 ``[B, n]``: the perceived chance of punishment per act, the mean of a Beta
    posterior: (prior punishments + punishments seen) / (prior acts + acts seen)."""
    n0 = params["beliefs.prior_acts"]
    risk = (prior(params)[:, None] * n0 + state.punishments_seen) / (n0 + state.acts_seen)
    return jnp.clip(risk, 0.0, 1.0)


def risky_frequency(params: dict) -> jax.Array:
    """float32 ``[B]``: acts per day of someone who does each behaviour habitually."""
    f = jnp.stack([params[f"behaviour.{b}.frequency"] for b in BEHAVIOURS])
    return f.at[TRADE].multiply(params["behaviour.trade.illicit_share"])


def punishment_chance(per_act: jax.Array, params: dict) -> jax.Array:
    """float32 ``[B, n]``: Epstein's ``P``, the chance of being punished at least once over
    the horizon when acting at the behaviour's habitual frequency, from the risk per act."""
    acts = risky_frequency(params) * params["beliefs.horizon_days"]
    return 1.0 - jnp.exp(acts[:, None] * jnp.log1p(-jnp.minimum(per_act, 0.999999)))


def with_beliefs(state: State, params: dict) -> State:
    """``state`` with ``risk`` and ``punishment_chance`` derived from what it has seen.

    They change only when ``punishments_seen`` and ``acts_seen`` do (at a tie update), so
    they are computed then, at the start of a run and at the start of every chunk, and
    read on the days between: the division, ``log1p`` and ``exp`` over ``[B, n]`` were a
    tenth of a day's work when computed daily (docs/engine.md).
    """
    risk = perceived_risk(state, params)
    return dataclasses.replace(state, risk=risk, punishment_chance=punishment_chance(risk, params))


def net_risk(chance: jax.Array, world, params: dict, law: jax.Array) -> jax.Array:
    """float32 ``[B, n]``: Epstein's ``R * P * J^alpha`` from the chance of punishment
    over the horizon (:func:`punishment_chance`)."""
    severity = sentences.expected_severity(params, law) ** params["beliefs.severity_exponent"]
    return world.risk_aversion[None, :] * chance * severity[:, None]


def hardship(world, state: State) -> jax.Array:
    """Household hardship (1 - means) plus what bribes took, at most 1."""
    return jnp.minimum(world.hardship + state.burden, 1.0)


def motives(world, state, params, levels) -> tuple[list[jax.Array], list[jax.Array]]:
    """``(motive, eligible)``: one float32 and one bool ``[n]`` per behaviour."""
    p = params
    legitimacy = jnp.stack(
        [p["behaviour.criticise.legitimacy_core"], p["behaviour.criticise.legitimacy_wavering"], p["behaviour.criticise.legitimacy_hostile"]]
    )[world.songbun.astype(jnp.int32)]
    need = hardship(world, state)
    goods = 0.5 + 0.5 * levels.supply
    trade = (
        p["behaviour.trade.motive_base"] + p["behaviour.trade.motive_hardship"] * need + p["behaviour.trade.motive_trader"] * world.trader
    ) * goods
    media = p["behaviour.media.motive_curiosity"] * state.curiosity
    grievance = p["behaviour.criticise.grievance_hardship"] * need * (1.0 - legitimacy) + p["behaviour.criticise.media_grievance"] * state.exposure
    call = p["behaviour.call.motive_base"] + p["behaviour.call.motive_hardship"] * need
    able = world.can_act
    eligible = [able & ~world.military, able & state.media_access, able & (world.degree > 0), able & state.smuggled_phone]
    return [trade, media, grievance, call], eligible


def choose(today) -> Choices:
    world, state, p = today.world, today.state, today.params
    motive, eligible = motives(world, state, p, today.levels)
    net = net_risk(state.punishment_chance, world, p, today.levels.law > 0.5)
    wanting, willing = [], []
    for b, name in enumerate(BEHAVIOURS):
        threshold = p[f"behaviour.{name}.threshold"]
        base = eligible[b] & today.free
        wanting.append(base & (motive[b] > threshold))
        willing.append(base & (motive[b] - net[b] > threshold))
    # The motives and net risk are a long chain that every choice below reads: kept as one
    # byte (wanting in the low four bits, willing in the high four), they are computed once
    # instead of once for each of the choices' fields.
    both = keep(pack(wanting) | (pack(willing) << 4))
    wanting_bits, willing_bits = both & jnp.uint8(0x0F), both >> 4

    def wants(b: int) -> jax.Array:
        return (wanting_bits >> b) & 1 == 1

    def will(b: int) -> jax.Array:
        return (willing_bits >> b) & 1 == 1

    market = wants(TRADE) & (today.uniform(STREAM + TRADE) < p["behaviour.trade.frequency"])
    illicit = market & will(TRADE) & (today.uniform(ILLICIT_STREAM) < p["behaviour.trade.illicit_share"])
    acts = jnp.where(illicit, jnp.uint8(1 << TRADE), jnp.uint8(0))
    for b, name in enumerate(BEHAVIOURS):
        if b == TRADE:
            continue
        today_b = will(b) & (today.uniform(STREAM + b) < p[f"behaviour.{name}.frequency"])
        acts = acts | jnp.where(today_b, jnp.uint8(1 << b), jnp.uint8(0))
    # A willing illicit trader holds illicit goods on the share of days their trade is illicit.
    stocked = will(TRADE) & (today.uniform(STOCK_STREAM) < p["behaviour.trade.illicit_share"])
    return Choices(wanting_bits=wanting_bits, willing_bits=willing_bits, acts=acts, market=market, stocked=stocked)


__all__ = ["Choices", "choose", "hardship", "motives", "net_risk", "perceived_risk", "punishment_chance", "with_beliefs", "B", "TRADE", "MEDIA", "CRITICISE", "CALL"]
