"""The state that evolves day by day, and its initialisation.

Shapes are ``[n]`` per agent unless stated; ``C`` is the number of channels, ``B`` the
number of behaviours and ``R`` the number of regions (see :mod:`panopticum.params.model`).
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine import history as hist
from panopticum.engine import random as rnd
from panopticum.engine.world import Layout, World, tie_sum
from panopticum.params.model import BEHAVIOURS, CHANNELS, DETENTION_KINDS

B = len(BEHAVIOURS)
C = len(CHANNELS)
TRADE, MEDIA, CRITICISE, CALL = range(B)
LABOUR_TRAINING, CORRECTIONAL, POLITICAL_CAMP = (1 + k for k in range(len(DETENTION_KINDS)))
NOT_LEFT = -1


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class State:
    """The model's state.

    - ``detained``: int32 days of detention left (0: free).
    - ``detention_kind``: int8, 0 when free, else 1 + index in ``DETENTION_KINDS``
      (labour training, correctional labour, political prison camp).
    - ``left_day``: int32, the day the agent left the country (``NOT_LEFT``: still here).
    - ``media_access``: bool, holds foreign media files.
    - ``exposure``: float32 in [0, 1], habitual foreign-media watching (moving average).
    - ``punishments_seen``: float32 ``[B, n]``, punishments for each behaviour learned of
      (ties', one's own weighted, campaigns), faded with the memory time scale.
    - ``acts_seen``: float32 ``[B, n]``, acts of each behaviour learned of (ties' and
      one's own), faded alike. Perceived risk per act is their ratio after the prior.
    - ``risk``: float32 ``[B, n]``, that perceived risk per act, and
      ``punishment_chance``: float32 ``[B, n]``, the chance of punishment over the horizon
      it implies; both derived from the two above whenever they change
      (:func:`panopticum.engine.behaviour.with_beliefs`), and again at every chunk's start.
    - ``acts_since``: uint32, the agent's acts of each behaviour since the last tie update,
      8 bits per behaviour (saturating at 255).
    - ``awareness``: float32 in [0, 1], awareness of the digital channels.
    - ``pending``: uint8 ``[C, n]``, records waiting for analysis per channel: bit b for a
      true record of behaviour b, bit 4 + b for a wrongful one.
    - ``lead``: uint8, open leads for a targeted inspection: bit 0 from a human channel's
      analysed report, bit 1 from a digital channel's analysed record.
    - ``phone_log``: uint8, behaviour bits of acts kept in the phone's screenshots until
      a check reads them (they cannot be deleted).
    - ``seen``: uint8, bit b if punished for behaviour b since the last tie update, bit 4
      if a digital channel gave the evidence; what their ties will learn.
    - ``public``: float32 ``[B]``, punishments every adult learned of from campaigns since
      the last tie update.
    - ``backlog``: float32 ``[C]``, innocuous records waiting, in agent-records.
    - ``informant``: bool, serving as an informant (recruited and retired day by day).
    - ``informant_ties``: float32, share of one's ties who are informants (tie update).
    - ``kin_left``: bool, a tie has left the country (tie update).
    - ``ever_punished``: uint8, behaviour bits the agent was ever punished for.
    - ``burden``: float32 in [0, 1], hardship added by bribes paid, fading.
    - ``curiosity``: float32 in [0, 1) (fixed).
    - ``smuggled_phone``: bool, holds a Chinese phone (fixed).
    - ``enrol_rank``: float32 in [0, 1): enrolled once the rollout's share passes it.
    - ``risk_tally``: float32 ``[2, B, R + 1]``, punishments and acts per adult of each
      behaviour by region and for the country, as moving sums (the true per-act risk).
    - ``history``: each agent's last events, media days and punishments witnessed, for
      surveys (:mod:`.history`; 15 bytes an agent).
    - ``day``: int32, days simulated (negative during the burn-in).
    """

    detained: jax.Array
    detention_kind: jax.Array
    left_day: jax.Array
    media_access: jax.Array
    exposure: jax.Array
    punishments_seen: jax.Array
    acts_seen: jax.Array
    risk: jax.Array
    punishment_chance: jax.Array
    acts_since: jax.Array
    awareness: jax.Array
    pending: jax.Array
    lead: jax.Array
    phone_log: jax.Array
    seen: jax.Array
    public: jax.Array
    backlog: jax.Array
    informant: jax.Array
    informant_ties: jax.Array
    kin_left: jax.Array
    ever_punished: jax.Array
    burden: jax.Array
    curiosity: jax.Array
    smuggled_phone: jax.Array
    enrol_rank: jax.Array
    risk_tally: jax.Array
    history: hist.History
    day: jax.Array

    @property
    def here(self) -> jax.Array:
        """bool: still in the country."""
        return self.left_day == NOT_LEFT

    @property
    def free(self) -> jax.Array:
        """bool: in the country and not detained."""
        return (self.detained == 0) & self.here


class InitStream:
    INFORMANT, CURIOSITY, SMUGGLED, MEDIA, ENROL, DETAINED, TERM, TERM_LENGTH = range(200, 208)


def initial_detention(words: jax.Array, world: World, params: dict, n: int) -> tuple[jax.Array, jax.Array]:
    """``(days left, kind)`` of the detained on day 0: each stock at its initial share of
    adults, with the days left drawn from the stock's stationary distribution.

    With terms uniform on ``[a, b]`` and a steady inflow, a prisoner's whole term is
    length-biased (density proportional to t) and the time left is uniform within it, so a
    stock started this way releases people at its steady-state rate from day 0.
    """
    from panopticum.engine import sentences

    from panopticum.engine.reduce import sums

    p = params
    u = rnd.uniform(words, InitStream.DETAINED, n, world.index_hash)
    eligible = world.can_act & ~world.military
    # The shares are of all adults; prisoners are drawn among the adult civilians who can act.
    adults, eligible_count = sums([world.adult, eligible])
    per_eligible = adults.astype(jnp.float32) / jnp.maximum(eligible_count, 1).astype(jnp.float32)
    shares = [p["detention.initial_labour_training"], p["detention.initial_correctional"], p["detention.initial_political_camp"]]
    edges = jnp.cumsum(jnp.stack(shares)) * per_eligible
    kind = jnp.where(eligible & (u < edges[2]), 1 + jnp.sum(u[:, None] >= edges[None, :], axis=1), 0).astype(jnp.int8)
    mean = jnp.stack([jnp.float32(1.0), *sentences.mean_terms_by_kind(p)])[kind]
    low, high = sentences.term_bounds(mean, p)
    v = rnd.uniform(words, InitStream.TERM_LENGTH, n, world.index_hash)
    whole = jnp.sqrt(low**2 + v * (high**2 - low**2))
    left = jnp.ceil(rnd.uniform(words, InitStream.TERM, n, world.index_hash) * whole)
    return jnp.where(kind > 0, jnp.maximum(left, 1.0), 0.0).astype(jnp.int32), kind


def init_state(key: jax.Array, world: World, params: dict, layout: Layout, levels) -> State:
    """The day a run (or its burn-in) starts: informants recruited, the detained in their
    stocks, media and smuggled phones handed out, priors set. ``levels`` is that day's row
    of the schedule."""
    n = layout.n
    words = rnd.day_words(jax.random.fold_in(key, 0x5EED))
    p = params
    border_level = jnp.where(world.border, levels.informant_border, 1.0)
    informant = (
        world.can_act & ~world.in_system_fixed & (rnd.uniform(words, InitStream.INFORMANT, n, world.index_hash) < p["informants.share"] * border_level)
    )
    smuggled = (
        world.can_act
        & world.border
        & world.relatives_abroad
        & (rnd.uniform(words, InitStream.SMUGGLED, n, world.index_hash) < p["behaviour.call.smuggled_phone_share_border"])
    )
    detained, kind = initial_detention(words, world, p, n)
    media = world.adult & (detained == 0) & (rnd.uniform(words, InitStream.MEDIA, n, world.index_hash) < p["media.initial_access_share"])
    informant = informant & (detained == 0)
    informant_ties = tie_sum(informant, world).astype(jnp.float32) / jnp.maximum(world.degree, 1)
    from panopticum.engine.behaviour import with_beliefs

    return with_beliefs(State(
        detained=detained,
        detention_kind=kind,
        left_day=jnp.full(n, NOT_LEFT, jnp.int32),
        media_access=media,
        # Habitual watching starts at its steady state for a holder: the daily frequency.
        exposure=jnp.where(media, p["behaviour.media.frequency"], 0.0).astype(jnp.float32),
        punishments_seen=jnp.zeros((B, n), jnp.float32),
        acts_seen=jnp.zeros((B, n), jnp.float32),
        risk=jnp.zeros((B, n), jnp.float32),
        punishment_chance=jnp.zeros((B, n), jnp.float32),
        acts_since=jnp.zeros(n, jnp.uint32),
        awareness=jnp.full(n, p["beliefs.initial_awareness"], jnp.float32),
        pending=jnp.zeros((C, n), jnp.uint8),
        lead=jnp.zeros(n, jnp.uint8),
        phone_log=jnp.zeros(n, jnp.uint8),
        seen=jnp.zeros(n, jnp.uint8),
        public=jnp.zeros(B, jnp.float32),
        backlog=jnp.zeros(C, jnp.float32),
        informant=informant,
        informant_ties=informant_ties,
        kin_left=jnp.zeros(n, bool),
        ever_punished=jnp.zeros(n, jnp.uint8),
        burden=jnp.zeros(n, jnp.float32),
        curiosity=rnd.uniform(words, InitStream.CURIOSITY, n, world.index_hash),
        smuggled_phone=smuggled,
        enrol_rank=rnd.uniform(words, InitStream.ENROL, n, world.index_hash),
        risk_tally=jnp.zeros((2, B, layout.n_regions + 1), jnp.float32),
        history=hist.empty(n),
        day=levels.day.astype(jnp.int32),
    ), p)


def state_arrays(state: State) -> dict:
    """Every array of a state by name, nested fields as ``outer.inner`` (for checkpoints)."""
    out = {}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        if dataclasses.is_dataclass(value):
            out.update({f"{f.name}.{g.name}": getattr(value, g.name) for g in dataclasses.fields(value)})
        else:
            out[f.name] = value
    return out


def state_field_names() -> list[str]:
    """The names :func:`state_arrays` gives."""
    names = []
    for f in dataclasses.fields(State):
        if f.name == "history":
            names += [f"history.{g.name}" for g in dataclasses.fields(hist.History)]
        else:
            names.append(f.name)
    return names


DERIVED = ("risk", "punishment_chance")
"""State fields computed from others (at every chunk's start too): a checkpoint written
before they existed lacks them, and they are filled with zeros until the chunk starts."""


def state_from_arrays(arrays: dict) -> State:
    """The state :func:`state_arrays` took apart."""
    history = hist.History(**{k.split(".", 1)[1]: jnp.asarray(v) for k, v in arrays.items() if k.startswith("history.")})
    fields = {k: jnp.asarray(v) for k, v in arrays.items() if "." not in k}
    for name in DERIVED:
        fields.setdefault(name, jnp.zeros_like(fields["punishments_seen"]))
    return State(history=history, **fields)
