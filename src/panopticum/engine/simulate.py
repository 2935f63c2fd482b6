"""Runs: days in chunks, for one seed or an ensemble (``vmap``).

:class:`Simulation` compiles one chunk program (:mod:`.program`) per world, whatever the
chunk lengths, and runs a chunk as calls of it. An ensemble of K seeds is one compiled program over a leading axis of K states. Member m's
key is ``fold_in(key(seed), m)`` and each day's randomness is ``fold_in(member_key,
day)``, so results do not depend on the chunk length, a resumed run ends exactly where an
uninterrupted one does, and member 0 of an ensemble is the single run of the same seed.

With ``devices=N`` the agent axis is split over N devices (:mod:`.sharding`): the same
program, partitioned by XLA, on several CPU cores or GPUs.

A run may start with a burn-in (:func:`~panopticum.engine.timeline.burn_in_schedule`):
days ``-L .. -1`` simulated at the start date's levels and not reported, so that day 0
starts from a settled state. Its days have their own keys (negative day indices).

:meth:`Simulation.run_batch` runs many parameter sets at once (a sweep): the parameters,
the keys and, where given per member, the schedule's levels carry the leading member axis,
so B points x K seeds are one axis of B*K members and one compiled program per shape.
:meth:`Simulation.run` takes such parameters too (every leaf ``[members]``, the schedule's
levels shared or per member): a stored ensemble whose members have their own parameters
(posterior draws) runs, checkpoints and resumes like any other, as one program.
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

from panopticum.engine import executables, program, sharding
from panopticum.engine.behaviour import with_beliefs
from panopticum.engine.state import State, init_state
from panopticum.engine.step import make_step
from panopticum.engine.timeline import Schedule
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


def _host_has_avx512() -> bool:
    """Whether this Linux host's CPU has AVX-512 (False where that cannot be read)."""
    try:
        with open("/proc/cpuinfo") as info:
            return any(line.startswith("flags") and " avx512f" in line for line in info)
    except OSError:
        return False


@functools.lru_cache(maxsize=1)
def compiler_options() -> dict:
    """XLA options for the chunk programs and initialisers.

    On a CPU with AVX-512, loops are vectorised 512 bits wide: XLA's CPU backend prefers 256
    by default, and the step's integer hashing then runs at half the width the CPU has. At
    1M agents 32 days took 9-11% less wall and CPU time (docs/engine.md). Elementwise results
    are the same bits; float sums over agents may add in another order."""
    if jax.default_backend() == "cpu" and _host_has_avx512():
        return {"xla_cpu_prefer_vector_width": 512}
    return {}


def _stored(prefix: str, run, init, static: dict):
    """The chunk program (its state donated) and the initialiser as stored programs."""
    options = compiler_options()
    return (
        executables.StoredProgram(f"{prefix}chunk", run, static, donate_argnums=program.STATE_ARG, keep_unused=True,
                                  compiler_options=options),
        executables.StoredProgram(f"{prefix}init", init, static, compiler_options=options),
    )


@functools.lru_cache(maxsize=8)
def _compiled(layout: Layout, cadence: int, devices: int = 1):
    """The jitted chunk program (:mod:`.program`) and initialiser for a layout: shared by
    every run on a population of that shape, so scenarios, seeds and chunk lengths compile
    once. On one device their executables are also kept on disk (:mod:`.executables`)."""
    loop = program.day_loop(make_step(layout, cadence), prepare=with_beliefs)
    # keep_unused: the state's derived belief fields are recomputed, never read, and an
    # unused argument would be dropped with its donated buffers rather than written into.

    def init(k, w, p, lv):
        return init_state(k, w, p, layout, lv)

    run, init = jax.vmap(loop, in_axes=(0, 0, None, None, None, None)), jax.vmap(init, in_axes=(0, None, None, None))
    if devices == 1:
        # Kept on disk under a key computed without tracing (executables.py): a second
        # process loads them instead of tracing and lowering the step.
        return _stored("", run, init, {"layout": layout, "cadence": cadence, "devices": devices, "capacity": program.CAPACITY})
    mesh = sharding.agent_mesh(devices)
    whole = sharding.replicated(mesh)

    @functools.lru_cache(maxsize=4)
    def programs(members: int, world: _frozen, params: _frozen, levels: _frozen):
        keys = jax.ShapeDtypeStruct((members,), jax.random.key(0).dtype)
        placed = sharding.shardings(jax.eval_shape(init, keys, world.tree, params.tree, levels.tree), mesh, layout.n, batched=True)
        return (
            jax.jit(run, in_shardings=(whole, placed, None, whole, whole, whole), out_shardings=(placed, whole), compiler_options=compiler_options(),
                    donate_argnums=program.STATE_ARG, keep_unused=True),
            jax.jit(init, in_shardings=(whole, None, whole, whole), out_shardings=placed, compiler_options=compiler_options()),
        )

    def structs(tree):
        return jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(jnp.shape(a), jnp.result_type(a)), tree)

    def sharded_run(keys, state, world, params, schedule, days):
        first = jax.tree_util.tree_map(lambda a: a[0], schedule)
        return programs(keys.shape[0], _frozen(structs(world)), _frozen(structs(params)), _frozen(structs(first)))[0](
            keys, state, world, params, schedule, days
        )

    def sharded_init(keys, world, params, levels):
        return programs(keys.shape[0], _frozen(structs(world)), _frozen(structs(params)), _frozen(structs(levels)))[1](
            keys, world, params, levels
        )

    return sharded_run, sharded_init


class _frozen:
    """A pytree of shape structs, hashable (for the cache of sharded programs)."""

    def __init__(self, tree):
        self.tree = tree
        leaves, self._def = jax.tree_util.tree_flatten(tree)
        self._key = (self._def, tuple((tuple(x.shape), str(x.dtype)) for x in leaves))

    def __hash__(self):
        return hash(self._key)

    def __eq__(self, other):
        return isinstance(other, _frozen) and self._key == other._key


_LEVEL_NDIM = {"campaign": 2}
"""Dimensions of a schedule level shared by every member (``[days, B]`` for the campaign,
``[days]`` for the rest); one more when it is given per member."""


def _per_member(schedule: Schedule, name: str) -> bool:
    return np.ndim(getattr(schedule, name)) > _LEVEL_NDIM.get(name, 1)


def _schedule_axes(schedule: Schedule) -> Schedule:
    """``vmap`` axes for a schedule: 0 for levels given per member, None for levels every
    member shares (always so for ``day``, whose tie-update branch must stay a real branch
    under ``vmap``)."""
    return Schedule(**{f.name: (0 if _per_member(schedule, f.name) else None) for f in dataclasses.fields(Schedule)})


def _padded_days(schedule: Schedule, start: int, stop: int, rows: int) -> Schedule:
    """Days ``start:stop`` of a schedule whose levels are shared or per member, padded to
    ``rows`` days with copies of the last (the chunk program runs only the first
    ``stop - start``). Moved to the device with ``device_put``: ``jnp.asarray`` of a NumPy
    array compiles a small copy program per shape, which a run loading its stored
    executables would otherwise spend most of its remaining compile time on."""

    def cut(level: np.ndarray, axis: int) -> jax.Array:
        days = np.take(level, np.arange(start, stop), axis=axis)
        widths = [(0, 0)] * days.ndim
        widths[axis] = (0, rows - (stop - start))
        return jax.device_put(np.pad(days, widths, mode="edge"))

    return Schedule(
        **{f.name: cut(np.asarray(getattr(schedule, f.name)), 1 if _per_member(schedule, f.name) else 0) for f in dataclasses.fields(Schedule)}
    )


def _day_row(schedule: Schedule, day: int) -> Schedule:
    """One day's levels (per member where the schedule has them per member)."""
    return Schedule(
        **{
            f.name: jax.device_put(getattr(schedule, f.name)[:, day] if _per_member(schedule, f.name) else getattr(schedule, f.name)[day])
            for f in dataclasses.fields(Schedule)
        }
    )


def per_member_params(params: dict) -> bool:
    """Whether ``params`` carry a member axis (every leaf ``[members]``) rather than one
    value for all members."""
    return any(np.ndim(v) > 0 for v in params.values())


def slice_days(schedule: Schedule, start: int, stop: int) -> Schedule:
    """Days ``start:stop`` of a schedule whose levels are shared or per member."""
    return Schedule(**{
        f.name: np.take(np.asarray(getattr(schedule, f.name)), np.arange(start, stop), axis=1 if _per_member(schedule, f.name) else 0)
        for f in dataclasses.fields(Schedule)
    })


@functools.lru_cache(maxsize=8)
def _compiled_batch(layout: Layout, cadence: int, schedule_axes: tuple):
    """Like :func:`_compiled`, with the parameters (and the per-member schedule levels named
    in ``schedule_axes``) mapped over the member axis instead of shared."""
    loop = program.day_loop(make_step(layout, cadence), prepare=with_beliefs)
    axes = Schedule(**dict(schedule_axes))
    run = jax.vmap(loop, in_axes=(0, 0, None, 0, axes, None))
    init = jax.vmap(lambda k, w, p, lv: init_state(k, w, p, layout, lv), in_axes=(0, None, 0, axes))
    return _stored("batch-", run, init, {"layout": layout, "cadence": cadence, "schedule_axes": schedule_axes, "capacity": program.CAPACITY})


def _advance(run_chunk, keys, state, world, params, schedule: Schedule, start: int, stop: int):
    """Days ``start:stop`` of ``schedule`` from ``state`` (consumed), in calls of at most
    :data:`~.program.CAPACITY` days: ``(state, regional, national)``, metrics as NumPy with
    the days on axis 1."""
    regional, national = [], []
    for first in range(start, stop, program.CAPACITY):
        last = min(first + program.CAPACITY, stop)
        rows = _padded_days(schedule, first, last, program.CAPACITY)
        state, (r, n) = run_chunk(keys, state, world, params, rows, np.int32(last - first))
        regional.append((r, last - first))
        national.append((n, last - first))
    # Read back after every call is queued, so the calls run back to back.
    regional = np.concatenate([np.asarray(r)[:, :d] for r, d in regional], axis=1)
    national = np.concatenate([np.asarray(n)[:, :d] for n, d in national], axis=1)
    return state, regional, national


def _as_device(params: dict) -> dict:
    """Per-member parameters as float32 device arrays (as :meth:`Simulation.run_batch`
    passes them); shared ones unchanged."""
    if not per_member_params(params):
        return params
    return {k: jnp.asarray(v, dtype=jnp.float32) for k, v in params.items()}


class Simulation:
    """A compiled model for one world; call :meth:`run` for any seed and parameters.

    ``devices``: split the agent axis over this many devices of the default backend (1,
    the default: no split). The agents must divide evenly."""

    def __init__(self, world: World, layout: Layout, cadence: int, devices: int = 1):
        self.layout, self.cadence, self.devices = layout, cadence, int(devices)
        if self.devices < 1:
            raise ValueError(f"devices must be 1 or more, got {devices}")
        if self.devices > 1:
            sharding.check_divisible(layout.n, self.devices)
            world, _ = sharding.place_world(world, sharding.agent_mesh(self.devices), layout.n)
        self.world = world
        self._run_chunk, self._init = _compiled(layout, cadence, self.devices)

    def _programs(self, params: dict, schedule: Schedule):
        """The chunk program and initialiser for ``params``: the ensemble's (one parameter set
        for every member) or the batch's (a member axis on the parameters)."""
        if not per_member_params(params):
            return self._run_chunk, self._init
        if self.devices > 1:
            raise ValueError("members with their own parameters run on one device")
        axes = _schedule_axes(schedule)
        return _compiled_batch(self.layout, self.cadence, tuple((f.name, getattr(axes, f.name)) for f in dataclasses.fields(Schedule)))

    def initial_state(self, seed: int, members: int, params: dict, schedule: Schedule) -> State:
        """The state on the first day of ``schedule`` (a run's, or its burn-in's)."""
        _, init = self._programs(params, schedule)
        return init(member_keys(seed, members), self.world, _as_device(params), _day_row(schedule, 0))

    def run(
        self,
        seed: int,
        params: dict,
        schedule: Schedule,
        members: int = 1,
        chunk_days: int = 30,
        state: State | None = None,
        first_day: int = 0,
        burn_in: Schedule | None = None,
    ) -> Iterator[Chunk]:
        """Yield one :class:`Chunk` per ``chunk_days`` days of ``schedule`` (indexed from
        ``first_day``: a resumed run passes the saved state and the day it reached).
        Without a state, the run starts on the first day of ``burn_in`` when one is given
        (and runs through it before the first chunk), else on day 0.

        The state passed in is consumed (its buffers are reused), and so is each chunk's
        state when the next chunk is asked for: copy one to keep it.

        ``params`` may give each member its own values (every leaf ``[members]``, and the
        schedule's levels then shared or per member); member m is then bit for bit what
        :meth:`run_batch` gives for key ``member_keys(seed, members)[m]``."""
        keys = member_keys(seed, members)
        if state is None:
            state = self.settled_state(seed, members, params, schedule, chunk_days, burn_in)
        run_chunk, _ = self._programs(params, schedule)
        params = _as_device(params)
        total = len(schedule.day)
        for start in range(first_day, total, chunk_days):
            stop = min(start + chunk_days, total)
            state, regional, national = _advance(run_chunk, keys, state, self.world, params, schedule, start, stop)
            yield Chunk(first_day=start, regional=regional, national=national, state=state)

    def settled_state(
        self, seed: int, members: int, params: dict, schedule: Schedule, chunk_days: int = 30, burn_in: Schedule | None = None
    ) -> State:
        """The state on day 0: initialised, then run through the burn-in if there is one."""
        if burn_in is None or len(burn_in.day) == 0:
            return self.initial_state(seed, members, params, schedule)
        keys = member_keys(seed, members)
        state = self.initial_state(seed, members, params, burn_in)
        run_chunk, _ = self._programs(params, burn_in)
        state, _, _ = _advance(run_chunk, keys, state, self.world, _as_device(params), burn_in, 0, len(burn_in.day))
        return state

    def run_batch(
        self,
        keys: jax.Array,
        params: dict,
        schedule: Schedule,
        chunk_days: int = 30,
        burn_in: Schedule | None = None,
    ) -> Iterator[Chunk]:
        """Run a batch of members with their own parameters: ``keys`` ``[M]``, every leaf of
        ``params`` ``[M]`` and each schedule level shared (``[days, ...]``) or per member
        (``[M, days, ...]``); ``burn_in`` likewise, run through before the first chunk.
        Yields one :class:`Chunk` per ``chunk_days`` days, leading axis the M members."""
        axes = _schedule_axes(schedule)
        run_chunk, init = _compiled_batch(
            self.layout, self.cadence, tuple((f.name, getattr(axes, f.name)) for f in dataclasses.fields(Schedule))
        )
        params = {k: jnp.asarray(v, dtype=jnp.float32) for k, v in params.items()}
        first = burn_in if burn_in is not None and len(burn_in.day) else schedule
        state = init(keys, self.world, params, _day_row(first, 0))
        if first is burn_in:
            state, _, _ = _advance(run_chunk, keys, state, self.world, params, burn_in, 0, len(burn_in.day))
        total = len(schedule.day)
        for start in range(0, total, chunk_days):
            stop = min(start + chunk_days, total)
            state, regional, national = _advance(run_chunk, keys, state, self.world, params, schedule, start, stop)
            yield Chunk(first_day=start, regional=regional, national=national, state=state)
