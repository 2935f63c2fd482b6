"""The counter-hash draws: uniform, independent between agents, draw sites and days, and
every draw site of a day on a stream of its own.

The statistical checks are a small battery of chi-square tests on 2^20 draws with fixed
keys, so each either passes or fails, the same on every run. The battery is shown to have
power: it rejects a Weyl sequence (uniform on its own, a lattice in pairs) and a generator
that ignores the stream.
"""

from __future__ import annotations

import collections
import functools
import traceback

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import day_zero
from panopticum.engine import random as rnd
from panopticum.engine.step import make_step
from panopticum.params.scenarios import load_scenario

N = 1 << 20
SMALLEST_P = 1e-6  # a chi-square p-value below this is a failure, not bad luck


def words(day: int, seed: int = 0) -> jax.Array:
    return rnd.day_words(jax.random.fold_in(jax.random.key(seed), day))


def chi2_uniform(u: np.ndarray, bins: int) -> float:
    counts = np.bincount(np.minimum((u * bins).astype(np.int64), bins - 1), minlength=bins)
    return stats.chisquare(counts).pvalue


def chi2_pairs(a: np.ndarray, b: np.ndarray, bins: int = 32) -> float:
    """Joint uniformity of (a, b) on a bins x bins grid."""
    cells = np.minimum((a * bins).astype(np.int64), bins - 1) * bins + np.minimum((b * bins).astype(np.int64), bins - 1)
    return stats.chisquare(np.bincount(cells, minlength=bins * bins)).pvalue


def battery(uniform) -> dict[str, float]:
    """p-values of the checks; ``uniform(words, stream, n)`` is the generator under test."""
    d0, d1 = words(0), words(1)
    u = np.asarray(uniform(d0, 10, N))
    checks = {
        "one stream, 1024 bins": chi2_uniform(u, 1024),
        "neighbouring agents": chi2_pairs(u[0::2], u[1::2]),
        "agents 1,000 apart": chi2_pairs(u[:-1000], u[1000:]),
        "the next day": chi2_pairs(u, np.asarray(uniform(d1, 10, N))),
    }
    for other in (11, 17, 110, 180):
        checks[f"streams 10 and {other}"] = chi2_pairs(u, np.asarray(uniform(d0, other, N)))
    for stream in (0, 1, 2, 255):
        checks[f"stream {stream}, 64 bins"] = chi2_uniform(np.asarray(uniform(d0, stream, N)), 64)
    return checks


def test_the_draws_pass_the_battery():
    failed = {name: p for name, p in battery(rnd.uniform).items() if p < SMALLEST_P}
    assert not failed


def test_uniforms_lie_in_the_unit_interval_and_integers_in_their_range():
    u = np.asarray(rnd.uniform(words(3), 42, N))
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 5 / np.sqrt(12 * N)
    k = np.asarray(rnd.integers(words(3), 43, N, 7))
    assert k.min() == 0 and k.max() == 6
    assert stats.chisquare(np.bincount(k, minlength=7)).pvalue > SMALLEST_P


@jax.jit
def rare_events(key: jax.Array, p: jax.Array) -> jax.Array:
    """How many of 2^30 draws (64 days of 2^24 agents) fall below p."""
    def one(day, total):
        u = rnd.uniform(rnd.day_words(jax.random.fold_in(key, day)), 0, 1 << 24)
        return total + jnp.sum(u < p, dtype=jnp.int32)
    return jax.lax.fori_loop(0, 64, one, jnp.int32(0))


def test_rare_events_happen_at_their_rate():
    """A daily hazard far below 2^-24 (escape during the border closure is about 1e-9 to
    1e-8 a day) must keep its rate: with 24-bit draws any p below 6e-8 happened at 6e-8."""
    draws = 1 << 30
    for p in (3e-9, 2e-8):
        count = int(rare_events(jax.random.key(4), jnp.float32(p)))
        low, high = stats.poisson.ppf([1e-6, 1 - 1e-6], draws * p)
        assert low <= count <= high, (p, count, draws * p)


def test_integers_reach_every_index_at_country_scale():
    """Above 2^24 agents every index must be reachable: scaling a 24-bit uniform by 2^25
    gives even numbers only."""
    k = np.asarray(rnd.integers(words(2), 44, N, 1 << 25))
    assert abs((k % 2).mean() - 0.5) < 5 / np.sqrt(4 * N)
    assert stats.chisquare(np.bincount(k % 1024, minlength=1024)).pvalue > SMALLEST_P


@functools.cache
def one_bit_pairs() -> np.ndarray:
    """``[pairs, 2]``: agents among the first ``N`` whose index hashes differ in exactly one bit."""
    index_hash = np.asarray(rnd.index_hashes(N))
    lookup = pd.Index(index_hash)  # a hash table: which agent holds a given index hash
    pairs = []
    for bit in range(32):
        partner = lookup.get_indexer(index_hash ^ np.uint32(1 << bit))
        mine = np.flatnonzero((partner >= 0) & (np.arange(N) < partner))  # each pair once
        pairs.append(np.stack([mine, partner[mine]], axis=1))
    return np.concatenate(pairs)


def pair_draws(uniform, pairs: np.ndarray, days: int = 64, streams: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Both agents' draws, over ``days`` days and ``streams`` draw sites: drawn for the
    pairs' agents alone, from their index hashes (as the step draws from the world's)."""
    hashes = jnp.asarray(rnd.index_hashes(N))[jnp.asarray(pairs.ravel())]
    one_day = jax.jit(lambda w: jnp.stack([uniform(w, stream, hashes.shape[0], hashes) for stream in range(streams)]))
    draws = np.concatenate([np.asarray(one_day(words(day))) for day in range(days)])
    return draws[:, 0::2].ravel(), draws[:, 1::2].ravel()


def test_agents_whose_index_hashes_differ_in_one_bit_draw_independently():
    """Every draw mixes an agent's fixed index hash with the day's stream key by one round:
    the two agents of a pair always enter it a fixed difference apart. The closest pairs
    (one bit apart; about 4,000 among 2^20 agents) must still draw independently over 64
    days of 16 sites each."""
    pairs = one_bit_pairs()
    assert len(pairs) > 3000
    assert chi2_pairs(*pair_draws(rnd.uniform, pairs)) > SMALLEST_P


def unmixed(w, stream, n, index_hash):
    """The index hash and the stream key without the round that mixes them."""
    h = index_hash ^ rnd.stream_key(w, stream)
    return (h >> 8).astype(jnp.float32) / 16777216.0


def test_the_pair_check_rejects_draws_left_unmixed():
    pairs = one_bit_pairs()
    assert chi2_pairs(*pair_draws(unmixed, pairs, days=4, streams=4)) < SMALLEST_P


def test_draws_are_a_pure_function_of_key_stream_and_index():
    a = np.asarray(rnd.uniform(words(5), 12, 1000))
    np.testing.assert_array_equal(a, np.asarray(rnd.uniform(words(5), 12, 1000)))
    np.testing.assert_array_equal(a[:10], np.asarray(rnd.uniform(words(5), 12, 10)))  # the count changes no draw
    assert not np.array_equal(a, np.asarray(rnd.uniform(words(5, seed=1), 12, 1000)))


def weyl(w, stream, n):
    """An additive sequence: uniform one at a time, a lattice in pairs."""
    i = jnp.arange(n, dtype=jnp.uint32)
    h = i * jnp.uint32(0x9E3779B9) + w[0] + jnp.uint32(stream)
    return (h >> 8).astype(jnp.float32) / 16777216.0


def stream_blind(w, stream, n):
    return rnd.uniform(w, 0, n)


@pytest.mark.parametrize("broken, caught", [(weyl, "neighbouring agents"), (stream_blind, "streams 10 and 11")])
def test_the_battery_rejects_broken_generators(broken, caught):
    assert battery(broken)[caught] < SMALLEST_P


def draw_sites(monkeypatch, population) -> dict[int, set[str]]:
    """Every stream one day's step draws from, with the source lines that draw it."""
    sites: dict[int, set[str]] = collections.defaultdict(set)
    bits = rnd.bits  # under every uniform and integer draw

    def recorded(w, stream, n, index_hash=None):
        frames = traceback.extract_stack()[:-1]
        # the line that asked: past random.py's own calls and Today's two draw helpers
        caller = next(f for f in reversed(frames)
                      if not f.filename.endswith("engine/random.py")
                      and not (f.filename.endswith("engine/context.py") and f.name in ("uniform", "per_group")))
        sites[stream].add(f"{caller.filename.rsplit('panopticum/', 1)[-1]}:{caller.lineno}")
        return bits(w, stream, n, index_hash)

    params = load_scenario("baseline-2023").params
    cadence = params.beliefs.cadence_days
    day = day_zero(population, params, cadence=cadence)
    monkeypatch.setattr(rnd, "bits", recorded)
    jax.eval_shape(make_step(day.layout, cadence), jax.random.key(0), day.state, day.world, day.params, day.levels)
    return sites


def test_every_draw_site_of_a_day_has_a_stream_of_its_own(monkeypatch, country):
    """Two sites on one stream would draw the same numbers for an agent on a day: their
    events would coincide (as holding illicit goods and criticising at work once did)."""
    sites = draw_sites(monkeypatch, country)
    assert len(sites) > 40  # the step was traced through its draws
    shared = {stream: lines for stream, lines in sites.items() if len(lines) > 1}
    assert not shared

