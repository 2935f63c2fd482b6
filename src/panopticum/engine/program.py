"""The compiled chunk program: up to :data:`CAPACITY` days of the step in one loop.

One program serves every chunk length. It takes a schedule of ``CAPACITY`` rows (the
days to run, then padding) and the number of days to run, a traced scalar, and loops over
those days with ``lax.fori_loop`` (a ``while`` loop whose trip count is data, not part of
the program). Each day's metrics go into row ``i`` of output buffers of ``CAPACITY`` rows;
rows past the days run are zeros, and :class:`~panopticum.engine.simulate.Simulation`
drops them. A chunk longer than ``CAPACITY`` days is several calls of the same program.

A ``lax.scan`` over a chunk's days made the number of days part of the program: a run of
365 days in chunks of 30 compiled a 30-day and a 5-day program (at 100,000 agents XLA
took 9 and 17 s over them; docs/engine.md, Compilation). The loop body is the same step
either way, so the results are bit for bit those of the scan.

The state argument is donated (``donate_argnums``): the program writes the new state into
the old state's buffers instead of allocating a second state, so a chunk neither copies
the state nor holds two of them at once. The caller must not use a state after passing it.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

CAPACITY = 32
"""Days per call of the chunk program (its output buffers' rows)."""

STATE_ARG = 1
"""Position of the state among the program's arguments (donated)."""


def day_loop(step, capacity: int = CAPACITY, prepare=None):
    """``run(key, state, world, params, schedule, days) -> (state, metrics)``: ``days`` days
    of ``step`` (``days <= capacity``), reading row ``i`` of ``schedule`` (``capacity`` rows)
    on day ``i``; each leaf of ``metrics`` has ``capacity`` rows, the first ``days`` filled.
    ``prepare(state, params)``, when given, derives the state's cached fields first."""
    # The step is jitted on its own so that tracing it for its output shapes and tracing it
    # in the loop body is one trace (JAX caches the traced jaxpr); XLA inlines the call.
    step = jax.jit(step)

    def run(key, state, world, params, schedule, days):
        if prepare is not None:
            state = prepare(state, params)
        first = jax.tree_util.tree_map(lambda a: a[0], schedule)
        shapes = jax.eval_shape(step, key, state, world, params, first)[1]
        buffers = jax.tree_util.tree_map(lambda s: jnp.zeros((capacity, *s.shape), s.dtype), shapes)

        def body(i, carry):
            now, out = carry
            levels = jax.tree_util.tree_map(lambda a: lax.dynamic_index_in_dim(a, i, 0, keepdims=False), schedule)
            now, metrics = step(key, now, world, params, levels)
            out = jax.tree_util.tree_map(lambda o, m: lax.dynamic_update_index_in_dim(o, m, i, 0), out, metrics)
            return now, out

        return lax.fori_loop(0, days, body, (state, buffers))

    return run
