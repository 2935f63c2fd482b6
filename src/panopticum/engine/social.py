"""Beliefs and sharing along personal ties, every ``beliefs.cadence_days`` days.

Perceived risk of behaviour b is ``1 - exp(-k * evidence_b)`` (Epstein's arrest
probability, with punishments seen in place of cops in vision). Evidence fades with the
memory time scale and grows with each tie punished for b since the last update
(``tie_weight`` each) and with public examples (the country's punishment rate for b times
``public_weight``). It may differ from the true risk: that is the point. Awareness of
the digital channels grows when a tie was punished on digital evidence. Foreign media pass
from holders to their ties at the share rate per tie, slowed when supply is cut (what is
passed on is mostly new titles).

One gather along the edges and a few segment sums: the only O(edges) work of the
model, done at the cadence, not daily.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from panopticum.engine.state import B, State

STREAM = 130
SHARER_BIT = 5
DIGITAL_BIT = 4


def update(state: State, world, params: dict, words: jax.Array, cadence: int, n: int, supply: jax.Array) -> State:
    from panopticum.engine import random as rnd

    p = params
    packed = state.seen | jnp.where(state.media_access, jnp.uint8(1 << SHARER_BIT), jnp.uint8(0))
    along = packed[world.tie_index]
    # Count six flags over each agent's ties with two segment sums instead of six: each
    # flag gets an 8-bit field of a uint32 (degrees stay under 256, checked by build_world).
    fields = [((along >> bit) & 1).astype(jnp.uint32) << (8 * slot) for slot, bit in enumerate(range(4))]
    punished_word = fields[0] | fields[1] | fields[2] | fields[3]
    other_word = ((along >> DIGITAL_BIT) & 1).astype(jnp.uint32) | (((along >> SHARER_BIT) & 1).astype(jnp.uint32) << 8)
    sums = [
        jax.ops.segment_sum(word, world.tie_row, num_segments=n, indices_are_sorted=True)
        for word in (punished_word, other_word)
    ]

    def row_count(word: int, slot: int) -> jax.Array:
        return ((sums[word] >> (8 * slot)) & 0xFF).astype(jnp.int32)

    fade = jnp.exp(-cadence / p["beliefs.memory_days"])
    seen_b = jnp.stack([row_count(0, b) for b in range(B)]).astype(jnp.float32)
    evidence = state.evidence * fade + p["beliefs.tie_weight"] * seen_b + p["beliefs.public_weight"] * state.public[:, None]
    digital_ties = row_count(1, 0)
    awareness = state.awareness + p["beliefs.awareness_gain"] * (digital_ties > 0) * (1.0 - state.awareness)
    sharers = row_count(1, 1).astype(jnp.float32)
    # Mostly new titles are passed on, so sharing slows when the border cuts supply.
    fresh = p["media.sharing_needs_supply"]
    share_rate = p["media.share_rate"] * (1.0 - fresh + fresh * supply)
    catch = 1.0 - jnp.power(1.0 - share_rate, sharers)
    gained = world.adult & (state.detained == 0) & (rnd.uniform(words, STREAM, n) < catch)
    return State(
        **{
            **{f: getattr(state, f) for f in state.__dataclass_fields__},
            "evidence": evidence,
            "awareness": awareness,
            "media_access": state.media_access | gained,
            "seen": jnp.zeros_like(state.seen),
            "public": jnp.zeros_like(state.public),
        }
    )


__all__ = ["update"]
