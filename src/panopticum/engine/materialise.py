"""Keep a value XLA would otherwise recompute in every consumer.

XLA fuses cheap elementwise producers (integer hashing, comparisons, selects) into each of
their consumers, duplicating them. That is right for a short expression and wrong for the
day's long chains (a random draw, a detection, an investigation, a sentence, dozens of
integer operations an agent), which then run once per consumer: once for every row of a
``[6, n]`` history update, once in every reduction that reads it. XLA never
duplicates an *expensive* instruction, and a division is one (an integer division too,
unless its divisor is a constant), so dividing by a one the compiler cannot prove is one
makes XLA compute the chain once, store it, and let every consumer read it.
``jax.lax.optimization_barrier`` would say this directly, but the CPU compiler removes
barriers before fusion.

Floats are divided by ``1 + 0 * min(|x|, 1)``, which is 1 for infinities too (``0 * x`` is
not simplified away for floats). Integers and booleans are divided, as integers of their
own width, by that float converted to their type: the value is stored at its own size (a
kept byte is one byte, where it once passed through a four-byte float) and the division
costs about what a copy does (docs/engine.md, "Kept values at their own width").
Denormal floats come out as zero, as from any of XLA's arithmetic on the CPU.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def _kept_float(f: jax.Array) -> jax.Array:
    return f / (1.0 + 0.0 * jnp.minimum(jnp.abs(f), 1.0))


def _kept_integer(x: jax.Array) -> jax.Array:
    one = (1.0 + 0.0 * jnp.minimum(jnp.abs(x.astype(jnp.float32)), 1.0)).astype(x.dtype)
    return jax.lax.div(x, one)  # truncating: x itself, signed or not


def keep(x: jax.Array) -> jax.Array:
    """``x`` unchanged, computed once and stored rather than fused into its consumers."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _kept_float(x)
    if x.dtype == jnp.bool_:
        return _kept_integer(x.astype(jnp.uint8)) != 0
    if jnp.issubdtype(x.dtype, jnp.integer):
        return _kept_integer(x)
    raise TypeError(f"keep: no exact way to keep {x.dtype}")


def keep_agents(tree, n: int):
    """:func:`keep` on every per-agent array (last axis ``n``) of a pytree; small arrays,
    where recomputation costs nothing, are left to the compiler."""
    return jax.tree_util.tree_map(lambda x: keep(x) if x.ndim and x.shape[-1] == n else x, tree)
