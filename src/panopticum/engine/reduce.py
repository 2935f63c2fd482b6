"""Sums over the agent axis, several at once.

Why: XLA on the CPU compiles a lone sum into a loop whose adds wait on one another
(about 2 ns an agent measured on the 2-core machine), but a *variadic* reduction, one
``lax.reduce`` over several arrays of the same length, into a single vectorised loop
(about 0.15 ns an agent per array) up to about 16 arrays; past that the loop slows down
(48 arrays cost 10 times what 16 do, measured at 1M agents), so longer lists are reduced
16 arrays at a time. The order of additions within a variadic reduction does not depend on
how many arrays it holds (checked: float totals are bit for bit the same), so the grouping
does not change any result. The model's daily counts are therefore taken in groups: :func:`sums` for whole-population totals, :func:`region_sums` for each region
and the country (agents are sorted by region, so a region is a slice with static bounds).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax import lax


def _accumulator(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.bool_ or jnp.issubdtype(x.dtype, jnp.integer):
        return x.astype(jnp.int32)
    return x.astype(jnp.float32)


GROUP = 16
"""Most arrays in one variadic reduction."""


def groups(count: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of consecutive groups of at most :data:`GROUP`, none of a single
    array when there are several (a lone reduction adds in another order)."""
    if count <= GROUP:
        return [(0, count)]
    k = -(-count // GROUP)
    size = -(-count // k)
    return [(i, min(i + size, count)) for i in range(0, count, size)]


def _variadic(ops: tuple[jax.Array, ...]) -> list[jax.Array]:
    init = tuple(jnp.zeros((), o.dtype) for o in ops)
    return list(lax.reduce(ops, init, lambda a, b: tuple(x + y for x, y in zip(a, b)), (0,)))


def sums(arrays: Sequence[jax.Array]) -> list[jax.Array]:
    """The total of each array (booleans and integers as int32, floats as float32)."""
    ops = tuple(_accumulator(a) for a in arrays)
    return [total for start, stop in groups(len(ops)) for total in _variadic(ops[start:stop])]


def region_sums(arrays: Sequence[jax.Array], bounds: Sequence[tuple[int, int]]) -> jax.Array:
    """float32 ``[len(arrays), len(bounds) + 1]``: each array's total over each region's
    slice of agents, then over the country."""
    ops = [_accumulator(a) for a in arrays]
    per_region = []
    for start, end in bounds:
        if end > start:
            per_region.append(jnp.stack([t.astype(jnp.float32) for t in sums([o[start:end] for o in ops])]))
        else:
            per_region.append(jnp.zeros(len(ops), jnp.float32))
    table = jnp.stack(per_region, axis=1)
    return jnp.concatenate([table, table.sum(axis=1, keepdims=True)], axis=1)
