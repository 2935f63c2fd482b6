"""The world: what the population fixes for a whole run, as device arrays.

:func:`build_world` turns a :class:`~panopticum.population.Population` (NumPy) into a
:class:`World` pytree (JAX arrays the step reads but never changes) and a :class:`Layout`
of static integers (sizes and region boundaries) that the step closes over. Agents are
sorted by region, so a region's total is a slice with static bounds, not a scatter.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from panopticum.engine import random as rnd
from panopticum.engine import ties
from panopticum.population.core import (
    BORDER_REGIONS,
    N_REGIONS,
    NO_INSTITUTION,
    InstitutionKind,
    Occupation,
    Region,
)

# Where an agent spends the day, for camera coverage.
PLACE_NONE, PLACE_SCHOOL, PLACE_WORKPLACE, PLACE_MILITARY = 0, 1, 2, 3


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class World:
    """Per-agent constants, shape ``[n]`` unless stated.

    - ``adult``: aged 17+ (eligible for the biometric ID card; the model's actors).
    - ``can_act``: an adult who is not a security officer.
    - ``worker``: belongs to a factory, office or farm (absence to trade can be noticed).
    - ``trader``: registered as a dependant who trades in the markets.
    - ``place``: ``PLACE_SCHOOL``, ``PLACE_WORKPLACE``, ``PLACE_MILITARY`` (a military
      unit, watched by its political officer) or ``PLACE_NONE`` by day.
    - ``has_admin``: their institution has an administrator.
    - ``urban``, ``pyongyang``, ``border``, ``military``: where they live.
    - ``phone``: owns a registered phone; ``relatives_abroad``; ``female``.
    - ``hardship``: 1 - household means, in [0, 1]; ``risk_aversion``: Epstein's R.
    - ``songbun``: int8 class; ``in_system_fixed``: security officer, unit head or
      institution administrator (informants are drawn per run).
    - ``household``, ``unit``, ``institution`` (``-1`` none): int32 group ids.
    - ``degree``: int32, the number of ties; ``tie_slots`` (int32 ``[K, n]``),
      ``tie_more_index``, ``tie_more_row`` (int32 ``[m]``) and ``tie_more_start``: the
      ties in the layout of :mod:`.ties`.
    - ``index_hash``: uint32, the agent's fixed index hash, which every per-agent random
      draw starts from (:func:`.random.index_hashes`; stored so the step reads it, not
      recomputes it in every draw).
    """

    adult: jax.Array
    can_act: jax.Array
    worker: jax.Array
    trader: jax.Array
    place: jax.Array
    has_admin: jax.Array
    urban: jax.Array
    pyongyang: jax.Array
    border: jax.Array
    military: jax.Array
    phone: jax.Array
    relatives_abroad: jax.Array
    female: jax.Array
    hardship: jax.Array
    risk_aversion: jax.Array
    songbun: jax.Array
    in_system_fixed: jax.Array
    household: jax.Array
    unit: jax.Array
    institution: jax.Array
    degree: jax.Array
    tie_slots: jax.Array
    tie_more_index: jax.Array
    tie_more_row: jax.Array
    tie_more_start: jax.Array
    index_hash: jax.Array


@dataclasses.dataclass(frozen=True)
class Layout:
    """Static sizes the step closes over (hashable, so jit can specialise on it)."""

    n: int
    n_edges: int  # tie ends (each tie counted from both sides)
    n_households: int
    n_units: int
    n_institutions: int
    scale: float
    region_bounds: tuple[tuple[int, int], ...]  # [start, end) of each region's agents

    @property
    def n_regions(self) -> int:
        return len(self.region_bounds)


def build_world(population) -> tuple[World, Layout]:
    """Device arrays and static layout for one population."""
    pop = population
    region = np.asarray(pop.region)
    if np.any(np.diff(region.astype(np.int16)) < 0):
        raise ValueError("population agents must be sorted by region")
    starts = np.searchsorted(region, np.arange(N_REGIONS), side="left")
    ends = np.searchsorted(region, np.arange(N_REGIONS), side="right")
    occupation = np.asarray(pop.occupation)
    institution = np.asarray(pop.institution, dtype=np.int32)
    inst_kind = np.asarray(pop.institution_kind)
    agent_inst_kind = np.where(institution == NO_INSTITUTION, -1, inst_kind[np.maximum(institution, 0)])
    place = np.full(pop.n, PLACE_NONE, np.int8)
    place[np.isin(agent_inst_kind, [InstitutionKind.SCHOOL_CLASS, InstitutionKind.UNIVERSITY])] = PLACE_SCHOOL
    place[np.isin(agent_inst_kind, [InstitutionKind.FACTORY, InstitutionKind.OFFICE, InstitutionKind.FARM])] = PLACE_WORKPLACE
    place[agent_inst_kind == InstitutionKind.MILITARY_UNIT] = PLACE_MILITARY
    has_admin_inst = np.zeros(pop.n_institutions + 1, bool)
    has_admin_inst[institution[np.asarray(pop.institution_admin)]] = True
    has_admin = has_admin_inst[np.where(institution == NO_INSTITUTION, pop.n_institutions, institution)]
    adult = np.asarray(pop.age) >= 17
    indptr = np.asarray(pop.tie_indptr)
    if indptr[-1] >= 2**31:
        raise ValueError("more than 2^31 tie ends: not supported")
    if pop.n and np.diff(indptr).max() >= 256:
        # The tie update counts flags in 8-bit fields of one word (engine/social.py).
        raise ValueError("an agent with 256 or more ties: not supported by the tie update")
    world = World(
        adult=jnp.asarray(adult),
        can_act=jnp.asarray(adult & (occupation != Occupation.SECURITY)),
        worker=jnp.asarray(np.isin(occupation, [Occupation.WORKER, Occupation.FARMER])),
        trader=jnp.asarray(occupation == Occupation.TRADER),
        place=jnp.asarray(place),
        has_admin=jnp.asarray(has_admin),
        urban=jnp.asarray(np.asarray(pop.urban, bool)),
        pyongyang=jnp.asarray(region == Region.PYONGYANG),
        border=jnp.asarray(np.isin(region, list(BORDER_REGIONS))),
        military=jnp.asarray(region == Region.MILITARY),
        phone=jnp.asarray(np.asarray(pop.phone, bool)),
        relatives_abroad=jnp.asarray(np.asarray(pop.relatives_abroad, bool)),
        female=jnp.asarray(np.asarray(pop.female, bool)),
        hardship=jnp.asarray(1.0 - np.asarray(pop.means, np.float32)),
        risk_aversion=jnp.asarray(np.asarray(pop.risk_aversion, np.float32)),
        songbun=jnp.asarray(np.asarray(pop.songbun, np.int8)),
        in_system_fixed=jnp.asarray(
            (occupation == Occupation.SECURITY) | np.asarray(pop.unit_head) | np.asarray(pop.institution_admin)
        ),
        household=jnp.asarray(np.asarray(pop.household, np.int32)),
        unit=jnp.asarray(np.asarray(pop.unit, np.int32)),
        institution=jnp.asarray(institution),
        degree=jnp.asarray(np.diff(indptr).astype(np.int32)),
        **{f"tie_{name}": jnp.asarray(part) for name, part in ties.split(indptr, pop.tie_index).items()},
        index_hash=jax.jit(rnd.index_hashes, static_argnums=0)(pop.n),
    )
    layout = Layout(
        n=pop.n,
        n_edges=int(indptr[-1]),
        n_households=pop.n_households,
        n_units=pop.n_units,
        n_institutions=pop.n_institutions,
        scale=float(pop.scale),
        region_bounds=tuple((int(s), int(e)) for s, e in zip(starts, ends)),
    )
    return world, layout


def tie_sum(values: jax.Array, world: World) -> jax.Array:
    """For each agent, the int32 sum of ``values`` (int or bool, per agent) over their ties.

    (A cumulative sum differenced at the row bounds measured 26 times slower on the CPU:
    XLA lowers cumsum to a reduce-window.)
    """
    return ties.sum_along(world, values.astype(jnp.int32))
