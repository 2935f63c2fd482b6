"""Sums over the agent axis, several at once.

Why: XLA on the CPU compiles a lone sum into a loop whose adds wait on one another
(about 2 ns an agent measured on the 2-core machine), but a *variadic* reduction, one
``lax.reduce`` over several arrays of the same length, into a single vectorised loop
(about 0.15 ns an agent per array) up to about 16 arrays; past that the loop slows down
(48 arrays cost 10 times what 16 do, measured at 1M agents), so longer lists are reduced
16 arrays at a time. The order of additions within a variadic reduction does not depend on
how many arrays it holds (checked: float totals are bit for bit the same), so the grouping
does not change any result. The model's daily counts are therefore taken in groups:
:func:`sums` for whole-population totals, :func:`region_sums` for each region and the
country.

:func:`region_sums` reduces integers and floats in separate groups: a float in a group
keeps the whole loop scalar (float additions may not be reordered), so the integers beside
it lose their vectorisation too (measured: the metrics' sums took a third of the time once
split). Agents are sorted by region, so a region is a slice with static bounds, but
summing each region's slice makes XLA compute every column once per region, in a fusion of
its own: a program twelve times the size for no less work. Instead every column is summed
once over fixed blocks of :data:`BLOCK` agents (one pass, one fusion per group), each block
is credited to the region of its first agent, and the few agents that puts in the wrong
region (a region's head, in the block where the region before it ends) or in no block (the
last, partial block) are gathered, summed and moved. Integer totals are exact whatever the
order; float totals are summed in blocks, then blocks per region, which is also closer to
the exact sum than one running float32 total over a region.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax


def _accumulator(x: jax.Array) -> jax.Array:
    if x.dtype == jnp.bool_ or jnp.issubdtype(x.dtype, jnp.integer):
        return x.astype(jnp.int32)
    return x.astype(jnp.float32)


GROUP = 16
"""Most arrays in one variadic reduction."""

BLOCK = 1024
"""Agents in a block of :func:`region_sums` (fewer when a region is smaller): blocks of
256 to 4,096 agents measured alike; longer ones make the float sums less exact."""


def groups(count: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of consecutive groups of at most :data:`GROUP`, none of a single
    array when there are several (a lone reduction adds in another order)."""
    if count <= GROUP:
        return [(0, count)]
    k = -(-count // GROUP)
    size = -(-count // k)
    return [(i, min(i + size, count)) for i in range(0, count, size)]


def _variadic(ops: tuple[jax.Array, ...], axis: int = 0) -> list[jax.Array]:
    init = tuple(jnp.zeros((), o.dtype) for o in ops)
    return list(lax.reduce(ops, init, lambda a, b: tuple(x + y for x, y in zip(a, b)), (axis,)))


def sums(arrays: Sequence[jax.Array]) -> list[jax.Array]:
    """The total of each array (booleans and integers as int32, floats as float32)."""
    ops = tuple(_accumulator(a) for a in arrays)
    return [total for start, stop in groups(len(ops)) for total in _variadic(ops[start:stop])]


def _sums_by_kind(ops: Sequence[jax.Array], axis: int) -> list[jax.Array]:
    """Variadic sums along ``axis``, integers and floats in groups of their own."""
    out: list[jax.Array | None] = [None] * len(ops)
    for integer in (True, False):
        which = [i for i, o in enumerate(ops) if (o.dtype == jnp.int32) == integer]
        if not which:
            continue
        for start, stop in groups(len(which)):
            for i, total in zip(which[start:stop], _variadic(tuple(ops[i] for i in which[start:stop]), axis)):
                out[i] = total
    return out


@dataclasses.dataclass(frozen=True)
class _Blocks:
    """How :func:`region_sums` cuts ``n`` agents into blocks (static, from the layout)."""

    size: int
    count: int  # whole blocks; agents from count * size on are in none
    bounds: tuple[tuple[int, int], ...]
    starts: np.ndarray  # int32 [runs]: runs of agents counted in the wrong region or in none
    lengths: np.ndarray  # int32 [runs]
    moves: np.ndarray  # int32 [runs, regions]: +1 where the run belongs, -1 where blocks put it


def _owner(plan: _Blocks, dtype) -> jax.Array:
    """``[blocks, regions]``: 1 where the block's first agent lives (computed, not a
    constant: at 26.5M agents it would be a megabyte in the program)."""
    first = lax.broadcasted_iota(jnp.int32, (plan.count, len(plan.bounds)), 0) * plan.size
    start = jnp.asarray([s for s, _ in plan.bounds], jnp.int32)
    end = jnp.asarray([e for _, e in plan.bounds], jnp.int32)
    return ((first >= start) & (first < end)).astype(dtype)


@functools.lru_cache(maxsize=16)
def _blocks(n: int, bounds: tuple[tuple[int, int], ...], block: int) -> _Blocks:
    # A block no longer than the shortest region holds at most one region boundary, so the
    # agents its owner does not hold are one run: the head of the region that starts in it.
    edges = [0] + [end for _, end in bounds]
    if [start for start, _ in bounds] != edges[:-1] or edges[-1] != n:
        raise ValueError(f"region bounds {bounds} do not cover agents 0..{n} in order")
    size = min([block] + [end - start for start, end in bounds if end > start])
    count = n // size
    firsts = np.arange(count) * size
    region_of_first = np.zeros(count, np.int64)
    runs = []
    for r, (start, end) in enumerate(bounds):
        if end <= start:
            continue
        region_of_first[(firsts >= start) & (firsts < end)] = r
        head_end = min(-(-start // size) * size, end, count * size)
        if start < head_end:
            runs.append((start, head_end - start, r, start // size))
        tail_start = max(start, count * size)
        if tail_start < end:
            runs.append((tail_start, end - tail_start, r, None))
    moves = np.zeros((len(runs), len(bounds)), np.int32)
    for k, (_, _, r, in_block) in enumerate(runs):
        moves[k, r] += 1
        if in_block is not None:
            moves[k, region_of_first[in_block]] -= 1
    return _Blocks(
        size=size,
        count=count,
        bounds=bounds,
        starts=np.array([run[0] for run in runs], np.int32),
        lengths=np.array([run[1] for run in runs], np.int32),
        moves=moves,
    )


def region_sums(arrays: Sequence[jax.Array], bounds: Sequence[tuple[int, int]]) -> jax.Array:
    """float32 ``[len(arrays), len(bounds) + 1]``: each array's total over each region's
    slice of agents, then over the country. ``bounds`` are ``[start, end)`` of each
    region, in order and together covering every agent, as :class:`~.world.Layout` has them."""
    ops = [_accumulator(a) for a in arrays]
    plan = _blocks(ops[0].shape[-1], tuple((int(s), int(e)) for s, e in bounds), BLOCK)
    shape = (plan.count, plan.size)
    per_block = _sums_by_kind([o[: plan.count * plan.size].reshape(shape) for o in ops], axis=1)
    if len(plan.starts):
        # The runs, each padded to the longest with its first agent, masked out.
        width = int(plan.lengths.max())
        offset = lax.broadcasted_iota(jnp.int32, (len(plan.starts), width), 1)
        lengths = jnp.asarray(plan.lengths)[:, None]
        index = jnp.asarray(plan.starts)[:, None] + jnp.where(offset < lengths, offset, 0)
        per_run = _sums_by_kind([jnp.where(offset < lengths, o[index], jnp.zeros((), o.dtype)) for o in ops], axis=1)
    rows: list[jax.Array | None] = [None] * len(ops)
    for kind in (jnp.int32, jnp.float32):
        which = [i for i, o in enumerate(ops) if o.dtype == kind]
        if not which:
            continue
        # Blocks and runs to regions: one small matrix product for all arrays of a kind.
        totals = jnp.stack([per_block[i] for i in which]) @ _owner(plan, kind)
        if len(plan.starts):
            totals = totals + jnp.stack([per_run[i] for i in which]) @ jnp.asarray(plan.moves, kind)
        for k, i in enumerate(which):
            rows[i] = totals[k].astype(jnp.float32)
    table = jnp.stack(rows)
    return jnp.concatenate([table, table.sum(axis=1, keepdims=True)], axis=1)
