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

from panopticum.engine.channels import Records
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
    out = {k: [] for k in ("detected", "pending", "backlog", "collected", "analysed", "waiting")}
    for c, name in enumerate(CHANNELS):
        new = records[c].true_bits | (records[c].wrongful_bits << 4)
        queue = state.pending[c] | new
        waiting = queue != 0
        q_inc = waiting.sum().astype(jnp.float32)
        q_inn = state.backlog[c] + records[c].innocuous
        capacity = p[CAPACITY[name]] * n / 1e5
        fits = capacity >= q_inc + q_inn
        a_inc = jnp.where(fits, q_inc, jnp.minimum(q_inc, capacity * w * q_inc / jnp.maximum(w * q_inc + q_inn, 1e-9)))
        a_inn = jnp.where(fits, q_inn, jnp.minimum(q_inn, capacity - a_inc))
        share = jnp.where(fits, 1.0, a_inc / jnp.maximum(q_inc, 1.0))
        # One draw decides both: picked if u < share; otherwise (u - share) / (1 - share)
        # is again uniform and decides expiry.
        u = today.uniform(STREAM + c)
        picked = waiting & (u < share)
        expired = (u - share) < expire * (1.0 - share)
        left = jnp.where(picked | expired, jnp.uint8(0), queue)
        backlog = (q_inn - a_inn) * (1.0 - expire)
        out["detected"].append(jnp.where(picked, queue, jnp.uint8(0)))
        out["pending"].append(left)
        out["backlog"].append(backlog)
        out["collected"].append((new != 0).sum().astype(jnp.float32) + records[c].innocuous)
        out["analysed"].append(picked.sum().astype(jnp.float32) + a_inn)
        out["waiting"].append((left != 0).sum().astype(jnp.float32) + backlog)
    return Analysed(**{k: jnp.stack(v) for k, v in out.items()})
