"""Each agent's history: what a survey asks about and the state does not already hold.

Fifteen bytes an agent, whatever the run's length:

- ``last``: uint16 ``[E, n]``, for each event of :data:`EVENTS`, the run day of its most
  recent occurrence plus one (``0``: none during the run). A run has at most 36,500 days,
  so ``day + 1`` fits in 16 bits; int32 days would take twice the memory, and a "days
  since" counter would have to be advanced for every agent every day.
- ``media_days``: uint16, days the agent watched foreign media during the run, a running
  total (at most 36,500). The days watched in any window are the difference of two
  totals: the runner keeps the totals on the day before a survey's 365-day window opens
  and subtracts them on the survey date (:mod:`panopticum.surveys.keep`), which is exact,
  needs no per-day memory, and serves survey dates whose windows overlap.
- ``witnessed_media``: bool, a tie was punished for foreign media, learned at a tie update.

Events are recorded from day 0 on: the burn-in (days ``-L .. -1``) settles the state but is
not the run, so nothing that happens in it enters the history (the surveys' "ever" means
"during the run"). Those who left the country are frozen as they were when they went: they
act no more and are not inspected, punished or told of punishments (every record below is
masked with ``here``).
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine.bits import pack, unpack
from panopticum.engine.materialise import keep
from panopticum.params.model import BEHAVIOURS

MEDIA, CRITICISE, CALL = (BEHAVIOURS.index(b) for b in ("media", "criticise", "call"))

EVENTS = ("trade", "media", "criticise", "call", "inspected", "punished")
"""The events whose last day is kept, in the order of ``History.last``; trading is a day in
the market, legal or illicit (the survey asks whether one traded, not whether it was legal)."""
NONE = -1
"""The decoded last day of an event that did not happen during the run."""
BYTES_PER_AGENT = 2 * len(EVENTS) + 2 + 1


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class History:
    last: jax.Array  # uint16 [E, n]: day + 1 of the most recent event, 0 none
    media_days: jax.Array  # uint16 [n]: days of foreign media during the run
    witnessed_media: jax.Array  # bool [n]: a tie punished for foreign media


def empty(n: int) -> History:
    return History(
        last=jnp.zeros((len(EVENTS), n), jnp.uint16),
        media_days=jnp.zeros(n, jnp.uint16),
        witnessed_media=jnp.zeros(n, bool),
    )


def record(history: History, day: jax.Array, here: jax.Array, market: jax.Array, acts: jax.Array,
           inspected: jax.Array, punished: jax.Array) -> History:
    """The history after ``day``: its market trading, acts (behaviour bits), inspections and
    punishments, for those ``here`` at its start, from day 0 on."""
    counting = here & (day >= 0)

    def did(b: int) -> jax.Array:
        return (acts >> b) & 1 == 1

    # Packed and kept (:mod:`.bits`, :mod:`.materialise`) before spreading over the event
    # rows: the day's chains were otherwise recomputed for every row (a quarter of the
    # whole step at 1M agents).
    events = [market, did(MEDIA), did(CRITICISE), did(CALL), inspected, punished]
    happened = unpack(keep(pack([e & counting for e in events])), len(EVENTS))
    stamp = (jnp.maximum(day, 0) + 1).astype(jnp.uint16)
    return History(
        last=jnp.where(happened, stamp, history.last),
        media_days=history.media_days + (did(MEDIA) & counting).astype(jnp.uint16),
        witnessed_media=history.witnessed_media,
    )


def witness(history: History, day: jax.Array, here: jax.Array, media_punished_ties: jax.Array) -> History:
    """At a tie update: those here learn that a tie was punished for foreign media."""
    learned = here & (day >= 0) & (media_punished_ties > 0)
    return dataclasses.replace(history, witnessed_media=history.witnessed_media | learned)


def last_days(last: np.ndarray) -> np.ndarray:
    """int32 ``[E, n]`` run days from ``History.last`` (``NONE``: no such event)."""
    return np.asarray(last).astype(np.int32) - 1


__all__ = ["BYTES_PER_AGENT", "EVENTS", "History", "NONE", "empty", "last_days", "record", "witness"]
