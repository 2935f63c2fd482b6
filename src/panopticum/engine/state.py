"""The state that evolves day by day, and its initialisation.

Shapes are ``[n]`` per agent unless stated; ``C`` is the number of channels and ``B`` the
number of behaviours (see :mod:`panopticum.params.model`).
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine import random as rnd
from panopticum.engine.world import Layout, World, tie_sum
from panopticum.params.model import BEHAVIOURS, CHANNELS

B = len(BEHAVIOURS)
C = len(CHANNELS)
TRADE, MEDIA, CRITICISE, CALL = range(B)


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class State:
    """The model's state.

    - ``detained``: int32 days of detention left (0: free).
    - ``media_access``: bool, holds foreign media files.
    - ``exposure``: float32 in [0, 1], habitual foreign-media watching (moving average).
    - ``evidence``: float32 ``[B, n]``, punishments seen, faded; perceived risk is
      ``1 - exp(-k * evidence)``.
    - ``awareness``: float32 in [0, 1], awareness of the digital channels.
    - ``pending``: uint8 ``[C, n]``, records waiting for analysis per channel: bit b for a
      true record of behaviour b, bit 4 + b for a wrongful one.
    - ``phone_log``: uint8, behaviour bits of acts kept in the phone's screenshots until
      a check reads them (they cannot be deleted).
    - ``seen``: uint8, bit b if punished for behaviour b since the last tie update, bit 4
      if a digital channel gave the evidence; what their ties will learn.
    - ``public``: float32 ``[B]``, punishments of the country since the last tie update,
      per adult.
    - ``backlog``: float32 ``[C]``, innocuous records waiting, in agent-records.
    - ``informant``: bool, recruited as an informant (fixed for the run).
    - ``informant_ties``: float32, share of one's ties who are informants (fixed).
    - ``curiosity``: float32 in [0, 1) (fixed).
    - ``smuggled_phone``: bool, holds a Chinese phone (fixed).
    - ``enrol_rank``: float32 in [0, 1): enrolled once the rollout's share passes it.
    - ``day``: int32, days simulated.
    """

    detained: jax.Array
    media_access: jax.Array
    exposure: jax.Array
    evidence: jax.Array
    awareness: jax.Array
    pending: jax.Array
    phone_log: jax.Array
    seen: jax.Array
    public: jax.Array
    backlog: jax.Array
    informant: jax.Array
    informant_ties: jax.Array
    curiosity: jax.Array
    smuggled_phone: jax.Array
    enrol_rank: jax.Array
    day: jax.Array


class InitStream:
    INFORMANT, CURIOSITY, SMUGGLED, MEDIA, ENROL = range(200, 205)


def risk_to_evidence(risk: jax.Array, sensitivity: jax.Array) -> jax.Array:
    """The evidence that makes ``1 - exp(-k * evidence)`` equal ``risk``."""
    return -jnp.log1p(-jnp.minimum(risk, 0.999)) / sensitivity


def init_state(key: jax.Array, world: World, params: dict, layout: Layout) -> State:
    """Day 0: informants recruited, media and smuggled phones handed out, priors set."""
    n = layout.n
    words = rnd.day_words(jax.random.fold_in(key, 0x5EED))
    p = params
    informant_share = p["informants.share"] * jnp.where(world.border, p["informants.border_multiplier"], 1.0)
    informant = (
        world.can_act
        & ~world.in_system_fixed
        & (rnd.uniform(words, InitStream.INFORMANT, n) < informant_share)
    )
    smuggled = (
        world.can_act
        & world.border
        & world.relatives_abroad
        & (rnd.uniform(words, InitStream.SMUGGLED, n) < p["behaviour.call.smuggled_phone_share_border"])
    )
    media = world.adult & (rnd.uniform(words, InitStream.MEDIA, n) < p["media.initial_access_share"])
    informant_ties = tie_sum(informant, world).astype(jnp.float32) / jnp.maximum(world.degree, 1)
    prior = jnp.stack([p[f"beliefs.initial_risk.{b}"] for b in BEHAVIOURS])
    evidence = jnp.broadcast_to(risk_to_evidence(prior, p["beliefs.sensitivity"])[:, None], (B, n))
    return State(
        detained=jnp.zeros(n, jnp.int32),
        media_access=media,
        exposure=jnp.where(media, 0.5, 0.0).astype(jnp.float32),
        evidence=evidence.astype(jnp.float32),
        awareness=jnp.full(n, p["beliefs.initial_awareness"], jnp.float32),
        pending=jnp.zeros((C, n), jnp.uint8),
        phone_log=jnp.zeros(n, jnp.uint8),
        seen=jnp.zeros(n, jnp.uint8),
        public=jnp.zeros(B, jnp.float32),
        backlog=jnp.zeros(C, jnp.float32),
        informant=informant,
        informant_ties=informant_ties,
        curiosity=rnd.uniform(words, InitStream.CURIOSITY, n),
        smuggled_phone=smuggled,
        enrol_rank=rnd.uniform(words, InitStream.ENROL, n),
        day=jnp.zeros((), jnp.int32),
    )
