"""Per-agent flags packed into a byte: bit k for flag k.

Per-agent values that come one per behaviour or per event are kept as lists of ``[n]``
arrays and packed, never stacked: a stack of several different expressions compiles to a
loop that branches on the row for every element, which the CPU cannot vectorise; a packed
byte is one vectorised pass, and spreading it over rows again reads one array.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def pack(masks: list[jax.Array]) -> jax.Array:
    """uint8 ``[n]``: bit k set where ``masks[k]`` (at most eight bool ``[n]``)."""
    out = jnp.where(masks[0], jnp.uint8(1), jnp.uint8(0))
    for k, m in enumerate(masks[1:], start=1):
        out = out | jnp.where(m, jnp.uint8(1 << k), jnp.uint8(0))
    return out


def unpack(bits: jax.Array, count: int) -> jax.Array:
    """bool ``[count, n]``: row k is bit k of ``bits``."""
    return (bits[None, :] >> jnp.arange(count, dtype=jnp.uint8)[:, None]) & 1 == 1
