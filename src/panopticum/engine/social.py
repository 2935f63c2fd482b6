"""Learning and sharing along personal ties, every ``beliefs.cadence_days`` days.

Perceived risk per act of behaviour b is the mean of a Beta posterior,
``(p0 * n0 + K_b) / (n0 + N_b)``: ``K_b`` counts the punishments for b the agent learned of,
``N_b`` the acts of b (:func:`panopticum.engine.behaviour.perceived_risk`). At each update:

- ``N_b`` gains the agent's own acts since the last update and ``act_visibility`` times
  the acts of their ties: many ties acting unpunished is safety in numbers (Epstein's
  C/A, with punishments seen in place of cops and acts seen in place of actives);
- ``K_b`` gains ``punishment_visibility`` for each tie punished for b,
  ``own_punishment_weight`` for one's own punishment, and what public campaigns (dated
  events of the timeline) showed every adult;
- both fade with ``memory_days``: ``exp(-cadence / memory_days)`` per update, the same
  per day whatever the cadence.

Awareness of the digital channels falls short of 1 by ``(1 - awareness_gain)`` for each tie
punished on digital evidence. Foreign media pass from holders to their ties at the
weekly share rate per sharing tie, over the days since the last update, slowed when the
border cuts fresh supply. The share of one's ties who are informants and whether a tie
has left the country are refreshed, and whether a tie was punished for foreign media
enters the history (:mod:`.history`).

Four sums along the ties (:mod:`.ties`): the only O(edges) work of the model, done at the
cadence, not daily.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine import history, ties
from panopticum.engine import random as rnd
from panopticum.engine.behaviour import with_beliefs
from panopticum.engine.materialise import keep
from panopticum.engine.state import MEDIA, B, State

STREAM = 130
DIGITAL_BIT = 4
SHARER_BIT = 5
LEFT_BIT = 6
INFORMANT_BIT = 7
ACT_FIELD_BITS = 8
_SPREAD_NIBBLE = np.uint32(0x00204081)  # 1 + 2^7 + 2^14 + 2^21
_LOW_BITS = np.uint32(0x01010101)
_EVEN_BYTES = np.uint32(0x00FF00FF)


def count_acts(acts_since: jax.Array, acts: jax.Array) -> jax.Array:
    """``acts_since`` with today's acts added, 8 bits per behaviour, saturating at 255."""
    out = jnp.zeros_like(acts_since)
    for b in range(B):
        field = (acts_since >> (ACT_FIELD_BITS * b)) & 0xFF
        field = jnp.minimum(field + ((acts >> b) & 1).astype(jnp.uint32), 255)
        out = out | (field << (ACT_FIELD_BITS * b))
    return out


def acts_of(acts_since: jax.Array, b: int) -> jax.Array:
    return (acts_since >> (ACT_FIELD_BITS * b)) & 0xFF


def update(state: State, world, params: dict, words: jax.Array, cadence: int, n: int, supply: jax.Array) -> State:
    p = params
    flags = (
        state.seen
        | jnp.where(state.media_access & state.free, jnp.uint8(1 << SHARER_BIT), jnp.uint8(0))
        | jnp.where(state.here, jnp.uint8(0), jnp.uint8(1 << LEFT_BIT))
        | jnp.where(state.informant & state.free, jnp.uint8(1 << INFORMANT_BIT), jnp.uint8(0))
    )
    # Count flags over each agent's ties in 8-bit fields of one word (degrees stay under
    # 256, checked by build_world), act counts in 16-bit fields (255 acts x 255 ties fit):
    # word 0 the punishment bits, word 1 the other four flags, word 2 the acts of behaviours
    # 0 and 2, word 3 those of 1 and 3. Each agent's four words are one row, made once and
    # summed along the ties with one gather of the row a tie (:func:`.ties.sum_along`).
    assert B == 4 and (DIGITAL_BIT, SHARER_BIT, LEFT_BIT, INFORMANT_BIT) == (4, 5, 6, 7)
    # Four flag bits to the low bits of four bytes by one multiply (bit k lands on bit 8k
    # and the shifted copies never overlap, so nothing carries), and the act bytes to
    # 16-bit fields by masks (docs/engine.md, "The tie update at country scale").
    flag_word, acts_since = flags.astype(jnp.uint32), state.acts_since
    rows = keep(
        jnp.stack(
            [
                ((flag_word & 0xF) * _SPREAD_NIBBLE) & _LOW_BITS,
                ((flag_word >> 4) * _SPREAD_NIBBLE) & _LOW_BITS,
                acts_since & _EVEN_BYTES,
                (acts_since >> 8) & _EVEN_BYTES,
            ],
            axis=1,
        )
    )
    summed = ties.sum_along(world, rows)
    totals = [summed[:, w] for w in range(4)]

    def field(word: jax.Array, slot: int, bits: int = 8) -> jax.Array:
        return ((word >> (bits * slot)) & ((1 << bits) - 1)).astype(jnp.float32)

    punished_ties = jnp.stack([field(totals[0], b) for b in range(B)])
    digital_ties, sharers, left_ties, informant_ties = (field(totals[1], s) for s in range(4))
    tie_acts = jnp.stack([field(totals[2 + b % 2], b // 2, 16) for b in range(B)])
    own_acts = jnp.stack([acts_of(state.acts_since, b).astype(jnp.float32) for b in range(B)])
    own_punished = jnp.stack([((state.seen >> b) & 1).astype(jnp.float32) for b in range(B)])

    fade = jnp.exp(-cadence / p["beliefs.memory_days"])
    here = state.here[None, :]
    punishments = (
        p["beliefs.punishment_visibility"] * punished_ties + p["beliefs.own_punishment_weight"] * own_punished + state.public[:, None]
    )
    acts = p["beliefs.act_visibility"] * tie_acts + own_acts
    # Those who left stop learning: their beliefs stay as they were when they went.
    punishments_seen = jnp.where(here, state.punishments_seen * fade + punishments, state.punishments_seen)
    acts_seen = jnp.where(here, state.acts_seen * fade + acts, state.acts_seen)
    awareness = 1.0 - (1.0 - state.awareness) * jnp.power(1.0 - p["beliefs.awareness_gain"], digital_ties)

    # Mostly new titles are passed on, so sharing slows when the border cuts supply.
    fresh = p["media.sharing_needs_supply"]
    weekly = p["media.share_rate"] * (1.0 - fresh + fresh * supply)
    catch = 1.0 - jnp.power(1.0 - weekly, sharers * (cadence / 7.0))
    gained = world.adult & state.free & (rnd.uniform(words, STREAM, n, world.index_hash) < catch)
    degree = jnp.maximum(world.degree, 1).astype(jnp.float32)
    updated = dataclasses.replace(
        state,
        punishments_seen=punishments_seen,
        acts_seen=acts_seen,
        acts_since=jnp.zeros_like(state.acts_since),
        awareness=awareness,
        media_access=state.media_access | gained,
        seen=jnp.zeros_like(state.seen),
        public=jnp.zeros_like(state.public),
        informant_ties=informant_ties / degree,
        kin_left=left_ties > 0,
        history=history.witness(state.history, state.day - 1, state.here, punished_ties[MEDIA]),
    )
    return with_beliefs(updated, params)


__all__ = ["update", "count_acts", "acts_of"]
