"""The agent axis split across devices: several CPU cores as host devices, or several GPUs.

A run on N devices places every per-agent array (the world's and the state's) in N
contiguous blocks of agents, one per device, over a one-axis :class:`~jax.sharding.Mesh`
named ``"agents"``; scalars and small arrays (parameters, the schedule, the backlog, the
risk tally) are replicated. The step is the same code: XLA's SPMD partitioner splits each
operation along the blocks and inserts the communication (an all-gather of a per-agent
array before the tie gathers, an all-reduce after each sum over agents). The dense tie
slots are split along their agent axis; the list of extra ties (:mod:`.ties`) is padded to
a multiple of N with ties that point at agent 0 from a row past the last agent, which every
sum along the ties drops.

Integer results are those of the unsharded run; a float sum over agents adds the blocks'
partial sums, a different order of the same additions (see ``docs/engine.md`` for the
tolerance measured).

On a CPU, N host devices exist only if the backend was started with them:
``XLA_FLAGS=--xla_force_host_platform_device_count=N`` or
``jax.config.update("jax_num_cpu_devices", N)`` before the first JAX call
(:func:`request_cpu_devices`).
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

AXIS = "agents"


def request_cpu_devices(count: int) -> None:
    """Ask for ``count`` CPU devices, if JAX has not started its backends yet (a no-op on
    a backend already running; :func:`agent_mesh` then says what is missing)."""
    if count > 1:
        try:
            jax.config.update("jax_num_cpu_devices", count)
        except RuntimeError:
            pass


def agent_mesh(devices: int) -> Mesh:
    """A mesh over the first ``devices`` devices of the default backend."""
    available = jax.devices()
    if devices > len(available):
        raise ValueError(
            f"{devices} devices asked for, {len(available)} available ({available[0].platform}); on a CPU start "
            f"the process with XLA_FLAGS=--xla_force_host_platform_device_count={devices}"
        )
    return Mesh(np.array(available[:devices]), (AXIS,))


def check_divisible(n: int, devices: int) -> None:
    if n % devices:
        raise ValueError(f"{n:,} agents do not split evenly over {devices} devices: use a multiple of {devices} agents")


def spec_for(shape: tuple[int, ...], n: int, batched: bool) -> PartitionSpec:
    """Split the last axis when it is the agent axis (``[n]``, ``[C, n]``; after a leading
    member axis when ``batched``); replicate everything else."""
    least = 2 if batched else 1
    if len(shape) >= least and shape[-1] == n:
        return PartitionSpec(*([None] * (len(shape) - 1)), AXIS)
    return PartitionSpec()


def shardings(tree, mesh: Mesh, n: int, batched: bool):
    """A pytree of :class:`NamedSharding` like ``tree`` (arrays or shape structs)."""
    return jax.tree_util.tree_map(lambda a: NamedSharding(mesh, spec_for(tuple(a.shape), n, batched)), tree)


def replicated(mesh: Mesh) -> NamedSharding:
    return NamedSharding(mesh, PartitionSpec())


def pad_ties(world, devices: int):
    """The world with its extra ties (:mod:`.ties`) padded to a multiple of ``devices``:
    the padding points at agent 0 from row ``n``, past the last agent, so sums along the
    ties drop it."""
    import dataclasses

    import jax.numpy as jnp

    n, m = world.degree.shape[0], world.tie_more_index.shape[0]
    extra = (-m) % devices
    if not extra:
        return world
    return dataclasses.replace(
        world,
        tie_more_index=jnp.concatenate([world.tie_more_index, jnp.zeros(extra, jnp.int32)]),
        tie_more_row=jnp.concatenate([world.tie_more_row, jnp.full(extra, n, jnp.int32)]),
    )


def place_world(world, mesh: Mesh, n: int):
    """The world's arrays on the mesh: per-agent arrays and the extra ties split (the dense
    tie slots along their agent axis), the rest copied."""
    import dataclasses

    world = pad_ties(world, mesh.size)

    def spec(name: str, a) -> NamedSharding:
        if name == "tie_slots":
            return NamedSharding(mesh, PartitionSpec(None, AXIS))
        if name in ("tie_more_index", "tie_more_row") or a.shape[:1] == (n,):
            return NamedSharding(mesh, PartitionSpec(AXIS))
        return NamedSharding(mesh, PartitionSpec())

    specs = dataclasses.replace(world, **{f.name: spec(f.name, getattr(world, f.name)) for f in dataclasses.fields(world)})
    return jax.device_put(world, specs), specs
