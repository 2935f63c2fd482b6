"""Per-agent uniform draws from a counter-based integer hash.

Why not ``jax.random.uniform``: threefry costs about 9 ns a number on the 2-core machine,
and a day draws about 45 numbers per agent, 11 s a day at 26.5M agents. A counter-based
hash fuses with the code around it and is a pure function of (key, stream, index): the
same seed gives the same draws on every backend.

A draw is built in two parts so that the part every draw shares is paid once:

- each agent's **index hash**, two rounds of a 32-bit finaliser over the index: a fixed
  permutation of 32-bit words, the same in every run, computed once per population
  (:func:`index_hashes`, the world's ``index_hash``) and read from memory by the step;
- a **stream key** per day and draw site, from the day's key and the site's ``stream``
  number, xored into the index hash and mixed by one round of the finaliser. The day's
  keys of all :data:`STREAMS` sites are computed once, as the day's *words*
  (:func:`day_words`), and kept: computed inside each fusion that draws, they cost a
  third of the hashing again.

One round per draw instead of two more than halved the cost of 40 draws and made a day
0.94 times as long at 1M agents (docs/engine.md, "One round a draw"). Within a day and
site, agents' hashes are a permutation (distinct agents, distinct words); two sites of a
day always have distinct keys (the key is a bijection of the stream number for a given
day); two agents' draws are the finaliser at inputs a fixed difference apart, which after
one round of ``lowbias32`` leaves no correlation measurable in 2^22 pairs even for the
agents whose index hashes differ in a single bit (tests/test_random.py).

Each draw site names its own ``stream`` (a small int), so adding a draw never shifts the
numbers another site sees. The day's key comes from the run key with
``jax.random.fold_in``, so seeds and ensembles keep JAX's key discipline.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from panopticum.engine.materialise import keep

STREAMS = 256
"""Draw sites are numbered ``0 .. STREAMS - 1``."""

_GOLDEN = 0x9E3779B9
_INV_2_32 = 2.0**-32
_BELOW_ONE = 1.0 - 2.0**-24  # the largest float32 below 1


def _mix(h: jax.Array) -> jax.Array:
    """lowbias32 (C. Wellons' hash prospector): a bijection of 32-bit words with a lower
    avalanche bias than MurmurHash3's finaliser at the same cost."""
    h = h ^ (h >> 16)
    h = h * jnp.uint32(0x7FEB352D)
    h = h ^ (h >> 15)
    h = h * jnp.uint32(0x846CA68B)
    return h ^ (h >> 16)


def index_hashes(n: int) -> jax.Array:
    """uint32 ``[n]``: agent i's fixed index hash, a permutation of the 32-bit words."""
    i = jnp.arange(n, dtype=jnp.uint32)
    return _mix(_mix(i * jnp.uint32(_GOLDEN) + jnp.uint32(0x6A09E667)) ^ jnp.uint32(0xBB67AE85))


def day_words(key: jax.Array) -> jax.Array:
    """uint32 ``[STREAMS]``: the keys of every draw site on the day of ``key``.

    Site s's key is two rounds over two words drawn from ``key`` and s: for a given day a
    bijection of s, so no two sites of a day share a key."""
    seed = jax.random.bits(key, (2,), jnp.uint32)
    sites = jnp.arange(STREAMS, dtype=jnp.uint32)
    return keep(_mix(_mix(seed[0] ^ sites) + seed[1]))


def stream_key(words: jax.Array, stream: int) -> jax.Array:
    """The uint32 key of draw site ``stream`` on the day of ``words``."""
    if not 0 <= stream < STREAMS:
        raise ValueError(f"draw site {stream}: streams are numbered 0 to {STREAMS - 1}")
    return words[..., stream]


def bits(words: jax.Array, stream: int, n: int, index_hash: jax.Array | None = None) -> jax.Array:
    """``n`` uint32 hashes for draw site ``stream``: agent i's is the i-th.

    ``index_hash`` is :func:`index_hashes` of ``n`` when the caller has it stored (the
    world's); without it the index hashes are computed here, the same numbers."""
    if index_hash is None:
        index_hash = index_hashes(n)
    return _mix(index_hash ^ stream_key(words, stream))


def uniform(words: jax.Array, stream: int, n: int, index_hash: jax.Array | None = None) -> jax.Array:
    """``n`` uniform float32 draws in [0, 1) for draw site ``stream``.

    All 32 bits of the hash count: the draw is the hash over 2^32, rounded to float32 (exact
    below 2^-8, within 2^-32 of it above), so ``u < p`` happens with probability p to within
    2^-32 however small p is. A daily hazard of 1e-9 is drawn as such; with 24 bits (every
    draw a multiple of 2^-24) any p below 6e-8 happened at 6e-8, and escape during the border
    closure ran at 6.5 times its rate.
    """
    u = bits(words, stream, n, index_hash).astype(jnp.float32) * jnp.float32(_INV_2_32)
    return jnp.minimum(u, jnp.float32(_BELOW_ONE))  # hashes within 128 of 2^32 round up to 1


def integers(words: jax.Array, stream: int, n: int, high: int, index_hash: jax.Array | None = None) -> jax.Array:
    """``n`` int32 draws on [0, high) for draw site ``stream``: the hash modulo ``high``.

    Every value is reachable, each with probability ``1 / high`` to within a relative
    ``high / 2^32`` (0.6% at 26.5M). Scaling a 24-bit uniform instead reaches only 2^24 values: above 16.8M
    agents a third of them could never be picked.
    """
    return (bits(words, stream, n, index_hash) % jnp.uint32(high)).astype(jnp.int32)
