"""What every process of a day reads: the world, the state, parameters, the day's levels.

A plain container used while tracing ``step``; never crosses a jit boundary.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine import random as rnd
from panopticum.engine.bits import pack
from panopticum.engine.materialise import keep
from panopticum.engine.state import State
from panopticum.engine.timeline import Schedule
from panopticum.engine.world import Layout, World

PLACE_STREAM = 180  # 180 + k: where today's acts happen (criticism and media at work, media and criticism by phone)


@dataclasses.dataclass(frozen=True)
class Today:
    world: World
    state: State
    params: dict
    levels: Schedule  # this day's row: scalars
    layout: Layout
    words: jax.Array  # the day's random words
    here: jax.Array  # bool [n]: in the country at the start of the day
    free: jax.Array  # bool [n]: in the country and not detained
    released: jax.Array  # bool [n]: serving the last day of a detention
    acts: jax.Array  # uint8 [n]: behaviour bits acted on today
    market: jax.Array  # bool [n]: traded in the market today, legally or not
    stocked: jax.Array  # bool [n]: holds illicit goods today

    def p(self, path: str) -> jax.Array:
        return self.params[path]

    def uniform(self, stream: int) -> jax.Array:
        return rnd.uniform(self.words, stream, self.layout.n, self.world.index_hash)

    def per_group(self, stream: int, group: jax.Array, n_groups: int) -> jax.Array:
        """One draw per group (household, unit, institution), read by each member."""
        draws = rnd.uniform(self.words, stream, n_groups)
        return draws[jnp.maximum(group, 0)]

    @classmethod
    def begin(cls, world, state, params, levels, layout, words) -> "Today":
        """The day before anyone has chosen: no acts yet.

        Who is here and free is read by most of the day's processes: kept as one byte, each
        reads that byte instead of the day of leaving and the days of detention (eight
        bytes), and once it is written nothing needs the state's old values of those two, so
        the compiled loop no longer copies them every day (docs/engine.md, "Here, free and
        released in one byte")."""
        none = jnp.zeros(layout.n, jnp.uint8)
        status = keep(pack([state.here, state.free, state.detained == 1]))
        here, free, released = ((status >> k) & 1 == 1 for k in range(3))
        return cls(world, state, params, levels, layout, words, here, free, released, none, none != 0, none != 0)

    def did(self, behaviour: int) -> jax.Array:
        return (self.acts >> behaviour) & 1 == 1

    # Where today's acts happen: drawn once, so every channel sees the same places.
    @functools.cached_property
    def criticised_at_work(self) -> jax.Array:
        return self.uniform(PLACE_STREAM) < self.p("behaviour.criticise.at_institution_share")

    @functools.cached_property
    def watched_at_work(self) -> jax.Array:
        return self.uniform(PLACE_STREAM + 1) < self.p("behaviour.media.at_institution_share")

    @functools.cached_property
    def watched_on_phone(self) -> jax.Array:
        """On a registered phone, among files its signature check lets open."""
        share = self.p("behaviour.media.on_phone_share") * (1.0 - self.p("phones.signature_block"))
        return self.world.phone & (self.uniform(PLACE_STREAM + 2) < share)

    @functools.cached_property
    def criticised_by_phone(self) -> jax.Array:
        return self.world.phone & (self.uniform(PLACE_STREAM + 3) < self.p("behaviour.criticise.by_phone_share"))

    @property
    def evasion(self) -> jax.Array:
        """Share of an agent's acts still exposed to phones and cameras (1 - evasion)."""
        return 1.0 - self.p("beliefs.evasion") * self.state.awareness


def bit(behaviour: int, wrongful: bool = False) -> int:
    return 1 << (behaviour + (4 if wrongful else 0))


def as_bits(mask: jax.Array, behaviour: int, wrongful: bool = False) -> jax.Array:
    return jnp.where(mask, jnp.uint8(bit(behaviour, wrongful)), jnp.uint8(0))
