"""Analysis capacity: records wait in a queue per channel, analysts work through them.

Each channel's queue holds incriminating records (per agent, in ``State.pending``) and
innocuous ones (a count, ``State.backlog``). Each day analysts handle up to the channel's
capacity; an incriminating record is ``priority`` times as likely to be picked as an
innocuous one. When the queue fits the capacity everything is analysed; otherwise the
incriminating records analysed are ``min(Q_i, K * w Q_i / (w Q_i + Q_n))`` and the rest of
the capacity goes to innocuous ones. Records not analysed expire at the rate
``1 / retention_days``. A detection needs an analysed record.

Capacities are in records per day per 100,000 people, so the share analysed does not
depend on how many agents stand for the population.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.engine.bits import pack, unpack
from panopticum.engine.channels import Records
from panopticum.engine.materialise import keep
from panopticum.engine.reduce import sums
from panopticum.params.model import CHANNELS

STREAM = 100  # 100 + c: the analysis-and-expiry draw of channel c

CAPACITY = {
    "informants": "analysis.capacity_human",
    "inminban": "analysis.capacity_human",
    "workplace": "analysis.capacity_human",
    "cameras": "analysis.capacity_cameras",
    "phones": "analysis.capacity_phones",
    "radio": "analysis.capacity_radio",
    "inspections": "analysis.capacity_inspections",
}
"""Which capacity parameter serves each channel (each human channel has its own desk)."""


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Analysed:
    detected: jax.Array  # uint8 [C, n]: the bits of each channel's records analysed today
    pending: jax.Array  # uint8 [C, n]: what waits after today
    backlog: jax.Array  # float32 [C]
    collected: jax.Array  # float32 [C] records collected today (agent-records)
    analysed: jax.Array  # float32 [C] records analysed today (agent-records)
    waiting: jax.Array  # float32 [C] records waiting after today (agent-records)


def analyse(today, records: list[Records]) -> Analysed:
    state, p, n = today.state, today.params, today.layout.n
    expire = 1.0 / p["analysis.retention_days"]
    w = p["analysis.priority"]
    # Kept: the channels' chains feed both the queue counts and each queue's draw.
    new = [keep(r.true_bits | (r.wrongful_bits << 4)) for r in records]
    queues = state.pending | jnp.stack(new)
    waiting = [queues[c] != 0 for c in range(len(CHANNELS))]
    per_agent = [c for c, r in enumerate(records) if r.innocuous.ndim == 1]
    counts = sums(waiting + [x != 0 for x in new] + [keep(records[c].innocuous) for c in per_agent])  # one grouped pass
    q_inc = jnp.stack(counts[: len(CHANNELS)]).astype(jnp.float32)
    new_count = jnp.stack(counts[len(CHANNELS) : 2 * len(CHANNELS)]).astype(jnp.float32)
    innocuous_totals = dict(zip(per_agent, counts[2 * len(CHANNELS) :]))
    innocuous = jnp.stack(
        [innocuous_totals[c].astype(jnp.float32) * r.innocuous_each if c in innocuous_totals else r.innocuous for c, r in enumerate(records)]
    ).astype(jnp.float32)
    q_inn = state.backlog + innocuous
    capacity = jnp.stack([p[CAPACITY[name]] for name in CHANNELS]) * (n / 1e5)
    fits = capacity >= q_inc + q_inn
    a_inc = jnp.where(fits, q_inc, jnp.minimum(q_inc, capacity * w * q_inc / jnp.maximum(w * q_inc + q_inn, 1e-9)))
    a_inn = jnp.where(fits, q_inn, jnp.minimum(q_inn, capacity - a_inc))
    share = jnp.where(fits, 1.0, a_inc / jnp.maximum(q_inc, 1.0))
    picked_masks, stay_masks = [], []
    for c in range(len(CHANNELS)):
        # One draw decides both: picked if u < share; otherwise (u - share) / (1 - share)
        # is again uniform and decides expiry.
        u = today.uniform(STREAM + c)
        picked = waiting[c] & (u < share[c])
        expired = (u - share[c]) < expire * (1.0 - share[c])
        picked_masks.append(picked)
        stay_masks.append(waiting[c] & ~(picked | expired))
    # The seven draws are kept as two bytes, so each is computed once and the [C, n]
    # results below are one vectorised select on the queues (a stack of seven different
    # chains compiles to a loop the CPU does not vectorise).
    picked = unpack(keep(pack(picked_masks)), len(CHANNELS))
    stay = unpack(keep(pack(stay_masks)), len(CHANNELS))
    after = sums(list(picked) + list(stay))
    picked_count = jnp.stack(after[: len(CHANNELS)]).astype(jnp.float32)
    left_count = jnp.stack(after[len(CHANNELS) :]).astype(jnp.float32)
    backlog = (q_inn - a_inn) * (1.0 - expire)
    return Analysed(
        detected=jnp.where(picked, queues, jnp.uint8(0)),
        pending=jnp.where(stay, queues, jnp.uint8(0)),
        backlog=backlog,
        collected=new_count + innocuous,
        analysed=picked_count + a_inn,
        waiting=left_count + backlog,
    )
