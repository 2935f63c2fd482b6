"""Region sums: exact counts, float sums close to the exact sum, whatever the layout of the
regions; and each column computed once however many regions there are."""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine import reduce
from panopticum.engine.world import build_world
from panopticum.population import build_population

FLOAT_RTOL = 1e-5
"""How close a float region total comes to the exact sum (docs/engine.md)."""


def columns(n: int, seed: int) -> list[np.ndarray]:
    """Counts and integers whose totals float32 holds exactly (below 2**24), and floats."""
    rng = np.random.default_rng(seed)
    return [
        rng.random(n) < 0.3,
        rng.integers(-128, 128, n).astype(np.int8),
        rng.integers(0, 1_000, n).astype(np.uint16),
        rng.integers(-1_000, 1_000, n).astype(np.int32),
        rng.random(n).astype(np.float32),
        (rng.random(n) * (rng.random(n) < 0.1)).astype(np.float32),
    ]


def exact(arrays, bounds) -> np.ndarray:
    table = np.array([[a[s:e].astype(np.float64).sum() for s, e in bounds] for a in arrays])
    return np.concatenate([table, table.sum(axis=1, keepdims=True)], axis=1)


def check(arrays, bounds) -> None:
    got = np.asarray(jax.jit(lambda *a: reduce.region_sums(a, bounds))(*map(jnp.asarray, arrays)))
    want = exact(arrays, bounds)
    assert got.shape == (len(arrays), len(bounds) + 1)
    integer = [i for i, a in enumerate(arrays) if a.dtype.kind in "biu"]
    floats = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]
    np.testing.assert_array_equal(got[integer], want[integer])
    np.testing.assert_allclose(got[floats], want[floats], rtol=FLOAT_RTOL, atol=1e-6)


def split(n: int, cuts: list[int]) -> tuple[tuple[int, int], ...]:
    edges = [0, *cuts, n]
    return tuple(zip(edges[:-1], edges[1:]))


@pytest.mark.parametrize(
    "n, cuts",
    [
        (10_000, [1_500, 1_500, 4_096, 7_001]),  # an empty region, a cut on a block's edge
        (5_003, [0, 2_000, 5_003]),  # empty first and last regions, a partial last block
        (3_000, [1_000, 1_010, 2_500]),  # a region shorter than a block
        (2_049, []),  # one region
    ],
)
def test_region_sums_count_exactly_and_sum_floats_closely(n, cuts):
    check(columns(n, seed=n), split(n, cuts))


def test_small_blocks_keep_every_agent_in_its_own_region(monkeypatch):
    """Blocks of 8: most regions start inside a block and the last block is partial, so
    every run of agents moved between regions is exercised."""
    monkeypatch.setattr(reduce, "BLOCK", 8)
    rng = np.random.default_rng(5)
    for _ in range(5):
        n = int(rng.integers(100, 400))
        cuts = sorted(int(c) for c in rng.integers(0, n + 1, 10))
        check(columns(n, seed=n), split(n, cuts))


def test_region_sums_on_a_populations_regions():
    world, layout = build_world(build_population(10_000, seed=1))
    adult, female = np.asarray(world.adult), np.asarray(world.female)
    weight = np.linspace(0.0, 1.0, layout.n, dtype=np.float32)
    check([adult, adult & female, np.where(adult, weight, 0.0).astype(np.float32)], layout.region_bounds)


def test_each_column_is_computed_once_whatever_the_number_of_regions():
    """The columns are a chain of integer arithmetic XLA fuses into its consumers: summed
    per region slice, the compiled program held a copy of the chain for every region."""
    n = 20_000

    def chain_copies(regions: int) -> int:
        bounds = split(n, [n * k // regions for k in range(1, regions)])

        def f(x):
            mixed = (x * jnp.uint32(0x2C1B3C6D)) ^ (x >> 13)
            return reduce.region_sums([(mixed >> k) & 1 == 1 for k in range(6)], bounds)

        text = jax.jit(f).lower(jnp.arange(n, dtype=jnp.uint32)).compile().as_text()
        return len(re.findall(rf"constant\({0x2C1B3C6D}\)", text))

    assert chain_copies(2) > 0
    assert chain_copies(11) == chain_copies(2)


def test_bounds_that_leave_agents_out_are_refused():
    with pytest.raises(ValueError, match="do not cover"):
        reduce.region_sums([jnp.ones(100, bool)], ((0, 40), (50, 100)))
