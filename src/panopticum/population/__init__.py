"""The synthetic country: agents as columns of arrays, groups as ids, ties as CSR.

Public API::

    from panopticum.population import build_population, save_population, load_population

    pop = build_population(100_000, seed=0)       # or build_population(n, seed, kin_degree=4.0)
    save_population(pop, "country.pop")
    pop = load_population("country.pop")

See :mod:`panopticum.population.core` for the :class:`Population` contract,
:mod:`panopticum.population.parameters` for the generator's parameters and sources, and
``docs/population.md`` for how it is generated.
"""

from panopticum.population.build import GENERATOR_VERSION, build_population
from panopticum.population.core import (
    BORDER_REGIONS,
    MAX_AGENTS,
    MIN_AGENTS,
    N_REGIONS,
    NATIONAL_POPULATION,
    NO_INSTITUTION,
    REGION_NAMES,
    InstitutionKind,
    Occupation,
    Population,
    Region,
    Songbun,
    TieKind,
    UnitKind,
)
from panopticum.population.parameters import POPULATION_SPEC
from panopticum.population.storage import load_population, save_population
from panopticum.population.summary import summarize

__all__ = [
    "BORDER_REGIONS",
    "GENERATOR_VERSION",
    "MAX_AGENTS",
    "MIN_AGENTS",
    "NATIONAL_POPULATION",
    "NO_INSTITUTION",
    "N_REGIONS",
    "POPULATION_SPEC",
    "REGION_NAMES",
    "InstitutionKind",
    "Occupation",
    "Population",
    "Region",
    "Songbun",
    "TieKind",
    "UnitKind",
    "build_population",
    "load_population",
    "save_population",
    "summarize",
]
