"""Personal ties as the engine stores them, and sums along them.

The population gives ties as a symmetric CSR (``tie_indptr``, ``tie_index``). The engine
keeps them in two parts (the "hybrid" layout of sparse matrix libraries):

- ``slots`` (int32 ``[K, n]``): row ``k`` holds every agent's ``k``-th tie, for ``k`` below
  ``K``; slot ``k`` of an agent with fewer ties is padding (pointing at the agent itself),
  ignored because ``k >= degree``;
- ``more_index`` and ``more_row`` (int32 ``[m]``): the ties past an agent's ``K``-th, in
  row order, with the agent whose row holds each; ``more_start`` (int32 ``[n]``) is where
  an agent's run of them begins.

A sum over each agent's ties is then ``K`` gathers summed elementwise, one loop over the
agents whose gathered values are never stored, plus a scatter-add of the ``m`` extra ties.
A sorted segment sum over every tie (the CSR way) held a value per tie end and an int32
row index per tie end for the scatter: at 9.25 ties an agent, 37 bytes an agent for the
index alone and 37 more for each array of per-tie values the tie update keeps alive.

``K`` is chosen per population to make the layout smallest (``4 K + 8 m / n`` bytes an
agent): with the generator's degrees (mean 9.25, at most 24) it is 10 and ``m`` about one
tie an agent. The order of ties within a row is the CSR's, so the ``p``-th tie of an agent
is the same tie in both layouts.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def slot_count(degree: np.ndarray) -> int:
    """The number of dense slots ``K`` (at least 1) that makes the layout smallest."""
    top = int(degree.max()) if degree.size else 0
    counts = np.bincount(degree, minlength=top + 1)
    # Ties past slot k for every k at once: sum over degrees d > k of (d - k) * count(d).
    beyond = np.array([np.dot(np.maximum(np.arange(top + 1) - k, 0), counts) for k in range(top + 1)], dtype=np.int64)
    size = 4 * np.arange(top + 1) * degree.size + 8 * beyond
    return max(1, int(np.argmin(size)))


def split(indptr: np.ndarray, index: np.ndarray, slots: int | None = None) -> dict[str, np.ndarray]:
    """The hybrid layout of a tie CSR: ``slots``, ``more_index``, ``more_row``,
    ``more_start`` (NumPy, int32)."""
    indptr = np.asarray(indptr, np.int64)
    n = indptr.shape[0] - 1
    degree = np.diff(indptr)
    k_slots = slot_count(degree) if slots is None else slots
    agents = np.arange(n, dtype=np.int32)
    dense = np.empty((k_slots, n), np.int32)
    index = np.asarray(index, np.int32)  # agent numbers (the population's own type)
    # Row k holds each agent's k-th tie, or the agent itself past its degree. Built a block
    # of agents at a time, so that the block's stretch of the tie list stays in the cache
    # over the K rows rather than being read from memory K times (at 26.5M agents the
    # whole split took 5.6-9.5 s with K passes over every agent, about 4 s in blocks).
    block = 1 << 16
    for first in range(0, n if index.size else 0, block):
        last = min(first + block, n)
        start, deg, own = indptr[first:last], degree[first:last], agents[first:last]
        for k in range(k_slots):
            row = dense[k, first:last]
            np.take(index, start + k, out=row, mode="clip")  # a clipped place is masked next
            np.copyto(row, own, where=deg <= k)
    if not index.size:
        dense[:] = agents
    extra = np.maximum(degree - k_slots, 0)
    more_start = np.concatenate([[0], np.cumsum(extra)[:-1]]) if n else np.zeros(0, np.int64)
    m = int(extra.sum())
    # The row of each extra tie, as a cumulative sum of the steps between the agents that
    # have extras (np.repeat with counts took 0.7-2 s at 26.5M agents).
    holders = np.flatnonzero(extra)
    steps = np.zeros(m, np.int32)
    steps[more_start[holders]] = np.diff(holders, prepend=0)
    rows = np.cumsum(steps, dtype=np.int32)
    # Extra tie i, of row a, is the tie list's entry indptr[a] + K + (i - more_start[a]).
    offset = indptr[:-1] + k_slots - more_start
    more_index = index[offset[rows] + np.arange(m)] if m else np.zeros(0, np.int32)
    return {
        "slots": dense,
        "more_index": more_index,
        "more_row": rows,
        "more_start": more_start.astype(np.int32),
    }


def sum_along(world, values: jax.Array) -> jax.Array:
    """For each agent, the sum over their ties ``j`` of ``values[j]``: ``values`` holds
    integers, one row an agent (``[n]``, or ``[n, W]`` for ``W`` words an agent, each
    summed apart). Integers, so the totals do not depend on the order of addition.

    One reduction of the gathered ``[K, n, ...]`` slots: a tie reads its agent's row with
    one gather. Several words an agent are one row rather than ``W`` arrays summed by a
    variadic reduction, which XLA's CPU backend emits as a scalar loop where it vectorises
    a reduction with one result (at 26.5M agents, four words an agent: 1.8 s an update
    against 2.6; docs/engine.md, "The tie update at country scale")."""
    slots = world.tie_slots.shape[0]
    valid = jnp.arange(slots, dtype=jnp.int32)[:, None] < world.degree[None, :]
    valid = valid.reshape(valid.shape + (1,) * (values.ndim - 1))
    total = jnp.where(valid, values[world.tie_slots], jnp.zeros((), values.dtype)).sum(axis=0, dtype=values.dtype)
    # The extra ties' rows are sorted; padding rows (``n``, when sharded) are dropped.
    return total.at[world.tie_more_row].add(values[world.tie_more_index], mode="drop", indices_are_sorted=True)


def tie_at(world, who: jax.Array, position: jax.Array) -> jax.Array:
    """The other end of the ``position``-th tie of each agent in ``who`` (``position`` below
    their degree)."""
    k_slots = world.tie_slots.shape[0]
    dense = world.tie_slots[jnp.minimum(position, k_slots - 1), who]
    m = world.tie_more_index.shape[0]
    if m == 0:
        return dense
    later = world.tie_more_index[jnp.clip(world.tie_more_start[who] + position - k_slots, 0, m - 1)]
    return jnp.where(position < k_slots, dense, later)


__all__ = ["slot_count", "split", "sum_along", "tie_at"]
