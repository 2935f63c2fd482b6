"""Runs: ``lax.scan`` over days in chunks, for one seed or an ensemble (``vmap``).

:class:`Simulation` compiles a chunk of days once per world and chunk length. An
ensemble of K seeds is one compiled program over a leading axis of K states. Member m's
key is ``fold_in(key(seed), m)`` and each day's randomness is ``fold_in(member_key,
day)``, so results do not depend on the chunk length, a resumed run ends exactly where an
uninterrupted one does, and member 0 of an ensemble is the single run of the same seed.

:meth:`Simulation.run_batch` runs many parameter sets at once (a sweep): the parameters,
the keys and, where given per member, the schedule's levels carry the leading member axis,
so B points x K seeds are one axis of B*K members and one compiled program per shape.
A member's result depends only on its key, its parameters and its schedule: a member given
the key ``member_keys(seed, K)[r]`` and point p's parameters and schedule is bit for bit
member r of the ensemble ``run(seed, params_p, schedule_p, members=K)`` (for K >= 2: a
batch of one member is compiled differently and may differ in the last bit of a metric).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine.state import State, init_state
from panopticum.engine.step import make_step
from panopticum.engine.timeline import Schedule, slice_schedule
from panopticum.engine.world import Layout, World


def member_keys(seed: int, members: int) -> jax.Array:
    base = jax.random.key(seed)
    return jax.vmap(lambda m: jax.random.fold_in(base, m))(jnp.arange(members))


@dataclasses.dataclass
class Chunk:
    """What one chunk of days produced (NumPy, leading axis: ensemble member)."""

    first_day: int
    regional: np.ndarray  # [members, days, n_regions + 1, n_regional_metrics]
    national: np.ndarray  # [members, days, n_national_metrics]
    state: State


@functools.lru_cache(maxsize=8)
def _compiled(layout: Layout, cadence: int):
    """The jitted chunk runner and initialiser for a layout: shared by every run on a
    population of that shape, so scenarios and seeds compile once."""
    step = make_step(layout, cadence)

    def run_chunk(key, state, world, params, schedule):
        def body(s, levels):
            return step(key, s, world, params, levels)

        return jax.lax.scan(body, state, schedule)

    run = jax.jit(jax.vmap(run_chunk, in_axes=(0, 0, None, None, None)))
    init = jax.jit(jax.vmap(lambda k, w, p: init_state(k, w, p, layout), in_axes=(0, None, None)))
    return run, init


def _schedule_axes(schedule: Schedule) -> Schedule:
    """``vmap`` axes for a schedule: 0 for levels given per member (``[members, days]``),
    None for levels every member shares (``[days]``, always so for ``day``, whose tie-update
    branch must stay a real branch under ``vmap``)."""
    return Schedule(**{f.name: (0 if np.ndim(getattr(schedule, f.name)) == 2 else None) for f in dataclasses.fields(Schedule)})


def _slice_days(schedule: Schedule, start: int, stop: int) -> Schedule:
    """Days ``start:stop`` of a schedule whose fields are ``[days]`` or ``[members, days]``."""
    return Schedule(**{f.name: getattr(schedule, f.name)[..., start:stop] for f in dataclasses.fields(Schedule)})


@functools.lru_cache(maxsize=8)
def _compiled_batch(layout: Layout, cadence: int, schedule_axes: tuple):
    """Like :func:`_compiled`, with the parameters (and the per-member schedule levels named
    in ``schedule_axes``) mapped over the member axis instead of shared."""
    step = make_step(layout, cadence)

    def run_chunk(key, state, world, params, schedule):
        def body(s, levels):
            return step(key, s, world, params, levels)

        return jax.lax.scan(body, state, schedule)

    axes = Schedule(**dict(schedule_axes))
    run = jax.jit(jax.vmap(run_chunk, in_axes=(0, 0, None, 0, axes)))
    init = jax.jit(jax.vmap(lambda k, w, p: init_state(k, w, p, layout), in_axes=(0, None, 0)))
    return run, init


class Simulation:
    """A compiled model for one world; call :meth:`run` for any seed and parameters."""

    def __init__(self, world: World, layout: Layout, cadence: int):
        self.world, self.layout, self.cadence = world, layout, cadence
        self._run_chunk, self._init = _compiled(layout, cadence)

    def initial_state(self, seed: int, members: int, params: dict) -> State:
        return self._init(member_keys(seed, members), self.world, params)

    def run(
        self,
        seed: int,
        params: dict,
        schedule: Schedule,
        members: int = 1,
        chunk_days: int = 30,
        state: State | None = None,
        first_day: int = 0,
    ) -> Iterator[Chunk]:
        """Yield one :class:`Chunk` per ``chunk_days`` days of ``schedule`` (indexed from
        ``first_day``: a resumed run passes the saved state and the day it reached)."""
        keys = member_keys(seed, members)
        if state is None:
            state = self._init(keys, self.world, params)
        total = len(schedule.day)
        for start in range(first_day, total, chunk_days):
            stop = min(start + chunk_days, total)
            rows = jax.tree_util.tree_map(jnp.asarray, slice_schedule(schedule, start, stop))
            state, (regional, national) = self._run_chunk(keys, state, self.world, params, rows)
            yield Chunk(first_day=start, regional=np.asarray(regional), national=np.asarray(national), state=state)

    def run_batch(
        self,
        keys: jax.Array,
        params: dict,
        schedule: Schedule,
        chunk_days: int = 30,
    ) -> Iterator[Chunk]:
        """Run a batch of members with their own parameters: ``keys`` ``[M]``, every leaf of
        ``params`` ``[M]`` and each schedule level ``[days]`` (shared) or ``[M, days]``.
        Yields one :class:`Chunk` per ``chunk_days`` days, leading axis the M members."""
        axes = _schedule_axes(schedule)
        run_chunk, init = _compiled_batch(
            self.layout, self.cadence, tuple((f.name, getattr(axes, f.name)) for f in dataclasses.fields(Schedule))
        )
        params = {k: jnp.asarray(v, dtype=jnp.float32) for k, v in params.items()}
        state = init(keys, self.world, params)
        total = np.shape(schedule.day)[-1]
        for start in range(0, total, chunk_days):
            stop = min(start + chunk_days, total)
            rows = jax.tree_util.tree_map(jnp.asarray, _slice_days(schedule, start, stop))
            state, (regional, national) = run_chunk(keys, state, self.world, params, rows)
            yield Chunk(first_day=start, regional=np.asarray(regional), national=np.asarray(national), state=state)
