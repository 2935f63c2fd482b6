"""The engine's layout of ties (dense slots plus a list of the rest) keeps every tie.

Sums along the ties and the p-th tie of an agent are checked against the population's CSR
directly, for the size the layout picks and for other slot counts (all slots dense, one
slot), on a random graph with isolated agents and one agent of high degree.
"""

from __future__ import annotations

import dataclasses

import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine import ties


def csr(seed: int = 0, n: int = 500):
    rng = np.random.default_rng(seed)
    degree = rng.poisson(6, n)
    degree[:7] = 0  # isolated agents
    degree[7] = 40  # one well-connected agent
    indptr = np.concatenate([[0], np.cumsum(degree)])
    index = rng.integers(0, n, int(indptr[-1])).astype(np.int32)
    return indptr, index


@dataclasses.dataclass
class FakeWorld:
    degree: jnp.ndarray
    tie_slots: jnp.ndarray
    tie_more_index: jnp.ndarray
    tie_more_row: jnp.ndarray
    tie_more_start: jnp.ndarray


def world_of(indptr, index, slots=None) -> FakeWorld:
    parts = ties.split(indptr, index, slots)
    return FakeWorld(degree=jnp.asarray(np.diff(indptr).astype(np.int32)), **{f"tie_{k}": jnp.asarray(v) for k, v in parts.items()})


@pytest.mark.parametrize("slots", [None, 1, 3, 40])
def test_sums_along_ties_match_the_csr(slots):
    indptr, index = csr()
    n = len(indptr) - 1
    values = np.random.default_rng(1).integers(0, 1000, n).astype(np.uint32)
    expected = np.add.reduceat(values[index], indptr[:-1]) * (np.diff(indptr) > 0)
    world = world_of(indptr, index, slots)
    total = ties.sum_along(world, jnp.asarray(values))
    assert total.dtype == jnp.uint32
    np.testing.assert_array_equal(np.asarray(total), expected)
    # Several words an agent, one row: each its own sum.
    first, second = ties.sum_along(world, jnp.stack([jnp.asarray(values), jnp.ones(n, jnp.uint32)], axis=1)).T
    np.testing.assert_array_equal(np.asarray(first), expected)
    np.testing.assert_array_equal(np.asarray(second), np.diff(indptr))


@pytest.mark.parametrize("slots", [None, 1, 3, 40])
def test_rows_summed_along_ties_match_the_csr(slots):
    """Each word of a row of four is its own sum over the agent's ties, padding slots and the
    extra ties included, whatever the slot count."""
    indptr, index = csr(seed=2)
    n = len(indptr) - 1
    rows = np.random.default_rng(3).integers(0, 2**20, (n, 4)).astype(np.uint32)
    expected = np.stack([np.add.reduceat(rows[index, w], indptr[:-1]) * (np.diff(indptr) > 0) for w in range(4)], axis=1)
    total = ties.sum_along(world_of(indptr, index, slots), jnp.asarray(rows))
    assert total.dtype == jnp.uint32 and total.shape == (n, 4)
    np.testing.assert_array_equal(np.asarray(total), expected)


@pytest.mark.parametrize("slots", [None, 1, 40])
def test_the_pth_tie_is_the_csr_one(slots):
    indptr, index = csr(seed=2)
    degree = np.diff(indptr)
    who = np.repeat(np.arange(len(degree)), degree)
    position = np.arange(indptr[-1]) - indptr[:-1][who]
    got = ties.tie_at(world_of(indptr, index, slots), jnp.asarray(who, jnp.int32), jnp.asarray(position, jnp.int32))
    np.testing.assert_array_equal(np.asarray(got), index)


def test_slot_count_makes_the_layout_smallest():
    indptr, _ = csr(seed=3, n=2000)
    degree = np.diff(indptr)

    def size(k):
        return 4 * k * len(degree) + 8 * np.maximum(degree - k, 0).sum()

    best = ties.slot_count(degree)
    assert all(size(best) <= size(k) for k in range(1, degree.max() + 1))
    assert size(best) < 8 * degree.sum()  # smaller than an index and a row per tie end
    assert ties.slot_count(np.zeros(10, np.int64)) == 1


@pytest.mark.parametrize("slots", [None, 3])
def test_the_layout_holds_each_tie_once_across_blocks_of_agents(slots):
    """``split`` builds the slots a block of agents at a time: on a population of several
    blocks, isolated agents on a block's edge included, each agent's first K ties are its
    slots (itself after its degree) and the rest its extra ties, in the CSR's order."""
    n = 150_001  # more than two blocks of 65,536
    indptr, index = csr(seed=4, n=n)
    degree = np.diff(indptr)
    edges = [65_535, 65_536, 131_072]
    degree[edges] = 0
    indptr = np.concatenate([[0], np.cumsum(degree)])
    index = index[: indptr[-1]]
    parts = ties.split(indptr, index, slots)
    k_slots = parts["slots"].shape[0]
    who = np.repeat(np.arange(n), degree)
    rank = np.arange(indptr[-1]) - indptr[:-1][who]
    expected = np.tile(np.arange(n, dtype=np.int32), (k_slots, 1))
    dense = rank < k_slots
    expected[rank[dense], who[dense]] = index[dense]
    np.testing.assert_array_equal(parts["slots"], expected)
    np.testing.assert_array_equal(parts["more_index"], index[~dense])
    np.testing.assert_array_equal(parts["more_row"], who[~dense])
    extra = np.maximum(degree - k_slots, 0)
    np.testing.assert_array_equal(parts["more_start"], np.cumsum(extra) - extra)
    assert all(parts[k].dtype == np.int32 for k in parts)
