"""The chunk program: any number of days up to its capacity in one compiled loop, the
state's buffers reused."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine import Simulation, build_schedule, build_world, default_engine_params, program


def toy_step(key, state, world, params, levels):
    """A step with the real one's signature: the state counts days and sums levels."""
    new = {"day": state["day"] + 1, "total": state["total"] + levels * world + params}
    return new, (new["total"] * 2.0, state["day"])


@pytest.mark.parametrize("days", [0, 1, 5, program.CAPACITY])
def test_day_loop_runs_the_days_asked_and_leaves_the_rest_zero(days):
    levels = jnp.arange(1.0, program.CAPACITY + 1.0)
    state = {"day": jnp.int32(0), "total": jnp.zeros(3)}
    world, params = jnp.array([1.0, 2.0, 3.0]), jnp.float32(0.5)
    run = jax.jit(program.day_loop(toy_step))
    after, (doubled, day) = run(jax.random.key(0), state, world, params, levels, np.int32(days))

    expected, rows = state, []
    for d in range(days):
        expected, out = toy_step(None, expected, world, params, levels[d])
        rows.append(out)
    assert int(after["day"]) == days
    np.testing.assert_array_equal(after["total"], expected["total"])
    assert doubled.shape == (program.CAPACITY, 3) and day.shape == (program.CAPACITY,)
    if days:
        np.testing.assert_array_equal(doubled[:days], np.stack([r[0] for r in rows]))
        np.testing.assert_array_equal(day[:days], np.arange(days))
    assert not np.any(doubled[days:]) and not np.any(day[days:])


@pytest.fixture(scope="module")
def small():
    from panopticum.population import build_population

    world, layout = build_world(build_population(10_000, seed=3))
    return Simulation(world, layout, 7)


def test_a_chunk_reuses_the_buffers_of_the_state_it_was_given(small):
    from panopticum.params.schema import make_parameters

    params = default_engine_params()
    schedule = build_schedule(make_parameters({}), 10)
    given = small.initial_state(0, 1, params, schedule)
    chunk = next(small.run(0, params, schedule, chunk_days=10, state=given))
    assert all(leaf.is_deleted() for leaf in jax.tree_util.tree_leaves(given))
    assert chunk.regional.shape[1] == 10 and not any(leaf.is_deleted() for leaf in jax.tree_util.tree_leaves(chunk.state))
