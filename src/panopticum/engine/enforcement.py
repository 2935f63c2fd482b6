"""Enforcement: investigation, bribe, fine or detention.

A person with an analysed record is investigated. A wrongful record (a false report or
false match) is cleared at the investigation's accuracy; what is not cleared goes on as
if true. The most serious offence on record (the longest mean term,
:mod:`.sentences`) sets the punishment and the bribe asked to drop the case: a price per
offence, raised for cases under the 2020 law. An official offers to take a bribe with the
chance ``corruption``; the person pays if they can raise the price, with a chance equal to
what their household can raise (means times ``wealth_usd``) over the price, at most 1. A
paid bribe adds the price over ``wealth_usd`` to the household's hardship, which fades
over ``bribe_recovery_days``. Otherwise the person is fined or detained in the stock the
offence leads to, for a term drawn around its mean. Punished holders of media lose them.
A person punished on wrongful records alone counts as wrongfully punished.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine import sentences
from panopticum.engine.behaviour import hardship
from panopticum.engine.bits import pack
from panopticum.engine.materialise import keep
from panopticum.engine.state import B, CRITICISE, MEDIA
from panopticum.params.model import BEHAVIOURS, CHANNELS

STREAM = 120
DIGITAL = tuple(CHANNELS.index(c) for c in ("cameras", "phones", "radio"))


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Outcome:
    investigated: jax.Array  # bool [n]
    bribed: jax.Array  # bool [n]
    fined: jax.Array  # bool [n]
    detained_new: jax.Array  # bool [n]
    punished: jax.Array  # bool [n] fined or detained
    wrongful: jax.Array  # bool [n] punished with no true record
    punished_for: jax.Array  # uint8 [n] behaviour bits of the punishment
    term: jax.Array  # int32 [n] days of detention (0 if none)
    kind: jax.Array  # int8 [n] detention kind (0 if none)
    by_digital: jax.Array  # bool [n] a digital channel supplied a record
    burden: jax.Array  # float32 [n] hardship added by a bribe paid today


def bribe_prices(p: dict, law: jax.Array) -> jax.Array:
    """float32 ``[B]``: USD asked to drop a case of each offence."""
    prices = jnp.stack([p[f"enforcement.bribe_{b}_usd"] for b in BEHAVIOURS])
    under_law = jnp.zeros(B).at[MEDIA].set(1.0).at[CRITICISE].set(1.0) * law
    return prices * (1.0 + (p["enforcement.bribe_law_multiplier"] - 1.0) * under_law)


def enforce(today, detected: jax.Array) -> Outcome:
    """``detected``: uint8 ``[C, n]`` analysed record bits per channel."""
    p, world = today.params, today.world
    any_bits = jnp.bitwise_or.reduce(detected, axis=0)
    true_bits = any_bits & jnp.uint8(0x0F)
    wrong_bits = (any_bits >> 4) & jnp.uint8(0x0F)
    investigated = today.free & (any_bits != 0)
    cleared = today.uniform(STREAM) < p["enforcement.investigation_accuracy"]
    charged_bits = true_bits | jnp.where(cleared, jnp.uint8(0), wrong_bits & ~true_bits)
    charged = investigated & (charged_bits != 0)

    law = today.levels.law > 0.5
    to_camp = today.uniform(STREAM + 3) < p["enforcement.camp_share_criticise"]
    trade_detained = today.uniform(STREAM + 2) < p["enforcement.detain_trade"]
    south_korean = today.uniform(STREAM + 5) < p["enforcement.law_share_media"]
    kinds, terms = sentences.offence_terms(p, law, to_camp, trade_detained, south_korean)
    prices = bribe_prices(p, law)
    # The most serious offence charged: the longest mean term; among fines, the dearest bribe.
    best_term = jnp.zeros(today.layout.n, jnp.float32)
    best_kind = jnp.zeros(today.layout.n, jnp.int8)
    price = jnp.zeros(today.layout.n, jnp.float32)
    for b in range(B):
        has = (charged_bits >> b) & 1 == 1
        worse = has & (terms[b] >= best_term)
        best_term = jnp.where(worse, terms[b], best_term)
        best_kind = jnp.where(worse, kinds[b], best_kind).astype(jnp.int8)
        price = jnp.where(has, jnp.maximum(price, prices[b]), price)

    can_raise = (1.0 - hardship(world, today.state)) * p["enforcement.wealth_usd"]
    pays = jnp.clip(can_raise / jnp.maximum(price, 1.0), 0.0, 1.0)
    bribed = charged & (today.uniform(STREAM + 1) < p["enforcement.corruption"] * pays)
    punished = charged & ~bribed
    low, high = sentences.term_bounds(best_term, p)
    drawn = low + (high - low) * today.uniform(STREAM + 4)
    days = jnp.where(punished & (best_kind > 0), jnp.maximum(jnp.round(drawn), 1.0), 0.0)
    by_digital = jnp.zeros_like(investigated)
    for c in DIGITAL:
        by_digital = by_digital | ((detected[c] & jnp.uint8(0x0F)) != 0)
    # The whole outcome is read from three kept values (docs/engine.md, "Chains computed
    # once"): every field below comes from the same chain of draws, and kept one by one
    # each field's store would compute the chain again. Flags, the offence bits and the
    # detention kind fit one 16-bit word.
    word = keep(
        pack([investigated, bribed, punished, punished & (true_bits == 0), punished & by_digital]).astype(jnp.uint16)
        | (jnp.where(punished, charged_bits, jnp.uint8(0)).astype(jnp.uint16) << 8)
        | (best_kind.astype(jnp.uint16) << 12)
    )
    days = keep(days)
    burden = keep(jnp.where(bribed, price / p["enforcement.wealth_usd"], 0.0))
    flag = [(word >> k) & 1 == 1 for k in range(5)]
    detained_new = days > 0
    return Outcome(
        investigated=flag[0],
        bribed=flag[1],
        fined=flag[2] & ~detained_new,
        detained_new=detained_new,
        punished=flag[2],
        wrongful=flag[3],
        punished_for=((word >> 8) & 0x0F).astype(jnp.uint8),
        term=days.astype(jnp.int32),
        kind=jnp.where(detained_new, (word >> 12) & 0x07, 0).astype(jnp.int8),
        by_digital=flag[4],
        burden=burden,
    )


__all__ = ["Outcome", "bribe_prices", "enforce", "B"]
