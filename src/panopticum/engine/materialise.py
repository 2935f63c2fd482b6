"""Keep a value XLA would otherwise recompute in every consumer.

XLA fuses cheap elementwise producers (integer hashing, comparisons, selects) into each of
their consumers, duplicating them. That is right for a short expression and wrong for the
day's long chains (a random draw, a detection, an investigation, a sentence, dozens of
integer operations an agent), which then run once per consumer: once for every row of a
``[6, n]`` history update, once for every region's slice of a metric reduction. XLA never
duplicates an *expensive* instruction, and a floating-point division is one, so dividing
by a runtime one (``1 + 0 * x`` is not simplified away for floats) makes XLA compute the
chain once, store it, and let every consumer read it. ``jax.lax.optimization_barrier``
would say this directly, but the CPU compiler removes barriers before fusion.

Exact: booleans and integers of up to 16 bits pass through float32, which holds them
exactly; wider integers are divided by an integer one (also expensive to XLA, and exact).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


_VIA_FLOAT = (jnp.bool_, jnp.int8, jnp.uint8, jnp.int16, jnp.uint16)


def keep(x: jax.Array) -> jax.Array:
    """``x`` unchanged, computed once and stored rather than fused into its consumers."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        return x / (1.0 + 0.0 * x)
    if any(x.dtype == d for d in _VIA_FLOAT):
        f = x.astype(jnp.float32)
        return (f / (1.0 + 0.0 * f)).astype(x.dtype)
    return x // (x * 0 + 1)


def keep_agents(tree, n: int):
    """:func:`keep` on every per-agent array (last axis ``n``) of a pytree; small arrays,
    where recomputation costs nothing, are left to the compiler."""
    return jax.tree_util.tree_map(lambda x: keep(x) if x.ndim and x.shape[-1] == n else x, tree)
