"""Enforcement: investigation, bribe, fine or detention.

A person with an analysed record is investigated. A wrongful record (a false report or
false match) is cleared at the investigation's accuracy; what is not cleared goes on as
if true. Then an official takes a bribe with the chance ``corruption`` times the person's
ability to pay (means, weighted); a bribed case ends without punishment. Otherwise the
most serious behaviour on record sets the punishment: trading a fine or, sometimes, a
labour-training term; foreign media, criticism and calls a detention term, the December
2020 law's terms once it applies. Punished holders of media lose them. A person punished
on wrongful records alone counts as wrongfully punished.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine.state import B, CALL, CRITICISE, MEDIA, TRADE
from panopticum.params.model import CHANNELS

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
    by_digital: jax.Array  # bool [n] a digital channel supplied a record


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
    can_pay = 1.0 - p["enforcement.bribe_means_weight"] * world.hardship
    bribed = charged & (today.uniform(STREAM + 1) < p["enforcement.corruption"] * can_pay)
    punished = charged & ~bribed
    has = lambda b: (charged_bits >> b) & 1 == 1  # noqa: E731
    law = today.levels.law > 0.5
    term_media = jnp.where(law, p["enforcement.term_media_law"], p["enforcement.term_media"])
    term_criticise = jnp.where(law, p["enforcement.term_criticise_law"], p["enforcement.term_criticise"])
    trade_detained = has(TRADE) & (today.uniform(STREAM + 2) < p["enforcement.detain_trade"])
    term = jnp.maximum(
        jnp.maximum(jnp.where(trade_detained, p["enforcement.term_trade"], 0.0), jnp.where(has(MEDIA), term_media, 0.0)),
        jnp.maximum(jnp.where(has(CRITICISE), term_criticise, 0.0), jnp.where(has(CALL), p["enforcement.term_call"], 0.0)),
    )
    term = jnp.where(punished, jnp.round(term), 0.0).astype(jnp.int32)
    detained_new = term > 0
    by_digital = jnp.zeros_like(investigated)
    for c in DIGITAL:
        by_digital = by_digital | ((detected[c] & jnp.uint8(0x0F)) != 0)
    return Outcome(
        investigated=investigated,
        bribed=bribed,
        fined=punished & ~detained_new,
        detained_new=detained_new,
        punished=punished,
        wrongful=punished & (true_bits == 0),
        punished_for=jnp.where(punished, charged_bits, jnp.uint8(0)),
        term=term,
        by_digital=punished & by_digital,
    )


__all__ = ["Outcome", "enforce", "B"]
