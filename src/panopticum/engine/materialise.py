"""Keep a value XLA would otherwise recompute in every consumer.

XLA fuses cheap elementwise producers (integer hashing, comparisons, selects) into each of
their consumers, duplicating them. That is right for a short expression and wrong for the
day's long chains (a random draw, a detection, an investigation, a sentence, dozens of
integer operations an agent), which then run once per consumer: once for every row of a
``[6, n]`` history update, once in every reduction that reads it. XLA never
duplicates an *expensive* instruction, and a floating-point division is one, so dividing
by a runtime one (``1 + 0 * x`` is not simplified away for floats) makes XLA compute the
chain once, store it, and let every consumer read it. ``jax.lax.optimization_barrier``
would say this directly, but the CPU compiler removes barriers before fusion.

Exact: booleans and integers of up to 16 bits pass through float32, which holds them
exactly; 32-bit integers pass as two 16-bit halves (an integer division by one would not
do: XLA folds ``x * 0 + 1`` to 1 for integers and then drops the division); floats are
divided by ``1 + 0 * min(|x|, 1)``, which is 1 for infinities too. Denormal floats come out
as zero, as from any of XLA's arithmetic on the CPU.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


_VIA_FLOAT = (jnp.bool_, jnp.int8, jnp.uint8, jnp.int16, jnp.uint16)


def _kept_float(f: jax.Array) -> jax.Array:
    return f / (1.0 + 0.0 * jnp.minimum(jnp.abs(f), 1.0))


def keep(x: jax.Array, exact_bits: int | None = None) -> jax.Array:
    """``x`` unchanged, computed once and stored rather than fused into its consumers.

    ``exact_bits``: the caller knows a 32-bit integer ``x`` is non-negative and below
    ``2 ** exact_bits`` (at most 24), so it passes as one float32 rather than two."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        return _kept_float(x)
    if any(x.dtype == d for d in _VIA_FLOAT):
        return _kept_float(x.astype(jnp.float32)).astype(x.dtype)
    if x.dtype in (jnp.int32, jnp.uint32) and exact_bits is not None:
        if exact_bits > 24:
            raise ValueError("keep: float32 holds integers exactly up to 24 bits")
        return _kept_float(x.astype(jnp.float32)).astype(x.dtype)
    if x.dtype in (jnp.int32, jnp.uint32):
        word = jax.lax.bitcast_convert_type(x, jnp.uint32)
        low = _kept_float((word & 0xFFFF).astype(jnp.float32)).astype(jnp.uint32)
        high = _kept_float((word >> 16).astype(jnp.float32)).astype(jnp.uint32)
        return jax.lax.bitcast_convert_type(low | (high << 16), x.dtype)
    raise TypeError(f"keep: no exact way to keep {x.dtype}")


def keep_bytes(arrays: list[jax.Array]) -> list[jax.Array]:
    """:func:`keep` for several uint8 arrays, three to a float32: a byte kept alone is
    written and read back as a four-byte float, three packed in its 24-bit mantissa cost
    the same traffic and stay exact."""
    out = []
    for start in range(0, len(arrays), 3):
        group = arrays[start : start + 3]
        word = group[0].astype(jnp.uint32)
        for k, a in enumerate(group[1:], start=1):
            word = word | (a.astype(jnp.uint32) << (8 * k))
        kept = _kept_float(word.astype(jnp.float32)).astype(jnp.uint32)
        out += [((kept >> (8 * k)) & 0xFF).astype(jnp.uint8) for k in range(len(group))]
    return out


def keep_agents(tree, n: int):
    """:func:`keep` on every per-agent array (last axis ``n``) of a pytree; small arrays,
    where recomputation costs nothing, are left to the compiler."""
    return jax.tree_util.tree_map(lambda x: keep(x) if x.ndim and x.shape[-1] == n else x, tree)
