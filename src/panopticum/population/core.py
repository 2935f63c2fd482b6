"""The synthetic population as columns of arrays: the contract every later part relies on.

A :class:`Population` holds ``n`` synthetic agents who stand for the country's
26.5 million people (each agent for ``scale`` people). Agents are ordered by region, then
neighbourhood unit, then household, so that household and unit ids are non-decreasing
along the agent axis (segment sums over them can use ``indices_are_sorted=True``).

Groups are membership ids, not edges: what happens within a household, a neighbourhood
unit or an institution is a segment sum over these ids, O(n). Only personal ties (trusted
friends and kin) are explicit edges, in CSR form (``tie_indptr``, ``tie_index``,
``tie_kind``), symmetric, without self-loops or duplicates.

Imports numpy alone.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum

import numpy as np

NATIONAL_POPULATION = 26_500_000
"""People the synthetic country stands for (UN World Population Prospects, 2024)."""

MIN_AGENTS = 10_000
MAX_AGENTS = 26_500_000


class Region(IntEnum):
    """The ten census regions of 2008 plus the military camps (census code order)."""

    PYONGYANG = 0
    SOUTH_PYONGAN = 1
    NORTH_PYONGAN = 2
    CHAGANG = 3
    SOUTH_HWANGHAE = 4
    NORTH_HWANGHAE = 5
    KANGWON = 6
    SOUTH_HAMGYONG = 7
    NORTH_HAMGYONG = 8
    RYANGGANG = 9
    MILITARY = 10


REGION_NAMES = (
    "Pyongyang",
    "South Pyongan",
    "North Pyongan",
    "Chagang",
    "South Hwanghae",
    "North Hwanghae",
    "Kangwon",
    "South Hamgyong",
    "North Hamgyong",
    "Ryanggang",
    "Military",
)
N_REGIONS = len(REGION_NAMES)

BORDER_REGIONS = (Region.NORTH_PYONGAN, Region.CHAGANG, Region.RYANGGANG, Region.NORTH_HAMGYONG)
"""Provinces on the border with China."""


class Occupation(IntEnum):
    """What an agent does by day; decides the institution kind they belong to."""

    PRESCHOOL = 0  # under school age, no institution
    PUPIL = 1  # school, by age
    STUDENT = 2  # university
    WORKER = 3  # factory or office
    FARMER = 4  # collective farm brigade
    SOLDIER = 5  # military unit
    TRADER = 6  # dependant registered at home who trades in the markets; no institution
    RETIRED = 7  # no institution
    SECURITY = 8  # state security or police officer; institution = their office


class UnitKind(IntEnum):
    """Kinds of neighbourhood unit."""

    INMINBAN = 0  # urban neighbourhood unit, 20-40 households
    VILLAGE = 1  # rural village unit (farm village work team)
    BARRACKS = 2  # soldiers in military camps


class InstitutionKind(IntEnum):
    """Kinds of institution an agent belongs to by day."""

    SCHOOL_CLASS = 0
    UNIVERSITY = 1
    FACTORY = 2
    OFFICE = 3
    FARM = 4
    MILITARY_UNIT = 5
    SECURITY_OFFICE = 6


class Songbun(IntEnum):
    """Family-background class."""

    CORE = 0
    WAVERING = 1
    HOSTILE = 2


class TieKind(IntEnum):
    """Kinds of personal tie (CSR edge types)."""

    FRIEND = 0  # trusted friend, mostly within the same unit or institution
    KIN = 1  # relative in another household, often another region


NO_INSTITUTION = -1


@dataclasses.dataclass(frozen=True, eq=False)
class Population:
    """A synthetic population: one row per agent, one column per attribute.

    Per-agent arrays have shape ``[n]``; per-group arrays have shape ``[n_units]`` or
    ``[n_institutions]``; ties are CSR over agents.

    **Fields:**

    - ``scale``: people each agent stands for (``NATIONAL_POPULATION / n``).
    - ``seed``: the seed the population was built from.
    - ``region``: int8 ``[n]``, a :class:`Region`.
    - ``urban``: bool ``[n]``, lives in a town.
    - ``age``: int8 ``[n]``, years, 0-100.
    - ``female``: bool ``[n]``.
    - ``household``: int32 ``[n]``, 0 .. n_households-1, non-decreasing.
    - ``unit``: int32 ``[n]``, neighbourhood unit, 0 .. n_units-1, non-decreasing.
    - ``institution``: int32 ``[n]``, 0 .. n_institutions-1, or ``NO_INSTITUTION``.
    - ``occupation``: int8 ``[n]``, an :class:`Occupation`.
    - ``phone``: bool ``[n]``, owns a registered mobile phone.
    - ``relatives_abroad``: bool ``[n]``, has relatives in China or abroad.
    - ``songbun``: int8 ``[n]``, a :class:`Songbun`.
    - ``means``: float32 ``[n]``, household means in [0, 1] (0 = destitute, shared within a
      household).
    - ``risk_aversion``: float32 ``[n]``, in [0, 1] (Epstein's R).
    - ``unit_head``: bool ``[n]``, heads their neighbourhood unit (exactly one per unit).
    - ``institution_admin``: bool ``[n]``, administers their institution (at most one per
      institution; none for security offices).
    - ``unit_kind``: int8 ``[n_units]``, a :class:`UnitKind`; ``unit_region``: int8
      ``[n_units]``.
    - ``institution_kind``: int8 ``[n_institutions]``, an :class:`InstitutionKind`;
      ``institution_region``: int8 ``[n_institutions]``.
    - ``tie_indptr``: int64 ``[n + 1]``; ``tie_index``: int32 ``[n_edge_ends]``;
      ``tie_kind``: int8 ``[n_edge_ends]``, a :class:`TieKind`. Each undirected tie appears
      once in each endpoint's row.
    - ``meta``: dict of generator version, parameters and seed (JSON-serialisable).
    """

    scale: float
    seed: int
    region: np.ndarray
    urban: np.ndarray
    age: np.ndarray
    female: np.ndarray
    household: np.ndarray
    unit: np.ndarray
    institution: np.ndarray
    occupation: np.ndarray
    phone: np.ndarray
    relatives_abroad: np.ndarray
    songbun: np.ndarray
    means: np.ndarray
    risk_aversion: np.ndarray
    unit_head: np.ndarray
    institution_admin: np.ndarray
    unit_kind: np.ndarray
    unit_region: np.ndarray
    institution_kind: np.ndarray
    institution_region: np.ndarray
    tie_indptr: np.ndarray
    tie_index: np.ndarray
    tie_kind: np.ndarray
    meta: dict

    @property
    def n(self) -> int:
        return int(self.region.shape[0])

    @property
    def n_households(self) -> int:
        return int(self.household[-1]) + 1

    @property
    def n_units(self) -> int:
        return int(self.unit_kind.shape[0])

    @property
    def n_institutions(self) -> int:
        return int(self.institution_kind.shape[0])

    @property
    def n_ties(self) -> int:
        """Undirected ties."""
        return int(self.tie_index.shape[0]) // 2

    @property
    def adult(self) -> np.ndarray:
        """Aged 17 or over: eligible for the biometric ID card."""
        return self.age >= 17
