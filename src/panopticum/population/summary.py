"""Summary statistics of a population (for the CLI, the docs and the tests). NumPy only."""

from __future__ import annotations

import numpy as np

from panopticum.population.core import (
    N_REGIONS,
    NO_INSTITUTION,
    REGION_NAMES,
    InstitutionKind,
    Occupation,
    Population,
    TieKind,
    UnitKind,
)


def summarize(pop: Population) -> dict:
    """People, households, units, institutions, ties and regions, as plain Python numbers."""
    n = pop.n
    hh_sizes = np.bincount(pop.household)
    unit_hh = np.bincount(pop.unit[np.r_[True, pop.household[1:] != pop.household[:-1]]], minlength=pop.n_units)
    units = {}
    for kind in UnitKind:
        sel = pop.unit_kind == kind
        units[kind.name.lower()] = {
            "count": int(sel.sum()),
            "mean_households": float(unit_hh[sel].mean()) if sel.any() else 0.0,
        }
    member = pop.institution != NO_INSTITUTION
    inst_sizes = np.bincount(pop.institution[member], minlength=pop.n_institutions)
    institutions = {}
    for kind in InstitutionKind:
        sel = pop.institution_kind == kind
        institutions[kind.name.lower()] = {
            "count": int(sel.sum()),
            "mean_size": float(inst_sizes[sel].mean()) if sel.any() else 0.0,
        }
    kinds = np.bincount(pop.tie_kind, minlength=len(TieKind)) // 2
    degree = np.diff(pop.tie_indptr)
    regions = []
    counts = np.bincount(pop.region, minlength=N_REGIONS)
    urban = np.bincount(pop.region, weights=pop.urban, minlength=N_REGIONS)
    phone = np.bincount(pop.region, weights=pop.phone, minlength=N_REGIONS)
    for r in range(N_REGIONS):
        c = int(counts[r])
        regions.append(
            {
                "region": REGION_NAMES[r],
                "agents": c,
                "share": c / n,
                "urban_share": float(urban[r] / c) if c else 0.0,
                "phone_share": float(phone[r] / c) if c else 0.0,
            }
        )
    occ = np.bincount(pop.occupation, minlength=len(Occupation))
    return {
        "people": round(pop.scale * n),
        "agents": n,
        "scale": pop.scale,
        "seed": pop.seed,
        "generator_version": pop.meta.get("generator_version"),
        "households": pop.n_households,
        "mean_household_size": float(hh_sizes.mean()),
        "units": units,
        "institutions": institutions,
        "occupations": {o.name.lower(): int(occ[o]) for o in Occupation},
        "ties": {k.name.lower(): int(kinds[k]) for k in TieKind},
        "mean_degree": float(degree.mean()),
        "phone_share": float(pop.phone.mean()),
        "regions": regions,
    }


def degree_distribution(pop: Population, kind: TieKind | None = None) -> dict:
    """Mean, standard deviation, quantiles and share of isolates of the degree."""
    if kind is None:
        deg = np.diff(pop.tie_indptr)
    else:
        rows = np.repeat(np.arange(pop.n), np.diff(pop.tie_indptr))
        deg = np.bincount(rows[pop.tie_kind == kind], minlength=pop.n)
    q = np.percentile(deg, [10, 50, 90, 99])
    return {
        "mean": float(deg.mean()),
        "sd": float(deg.std()),
        "p10": float(q[0]),
        "median": float(q[1]),
        "p90": float(q[2]),
        "p99": float(q[3]),
        "max": int(deg.max()),
        "isolates": float((deg == 0).mean()),
    }


def clustering(pop: Population, sample: int = 2000, seed: int = 0) -> float:
    """Mean local clustering coefficient over a random sample of agents with degree >= 2.

    A diagnostic (loops over the sampled agents), not part of building.
    """
    rng = np.random.default_rng(seed)
    deg = np.diff(pop.tie_indptr)
    cand = np.flatnonzero(deg >= 2)
    if cand.size == 0:
        return 0.0
    picks = rng.choice(cand, min(sample, cand.size), replace=False)
    coeffs = []
    ptr, idx = pop.tie_indptr, pop.tie_index
    for v in picks:
        nb = idx[ptr[v] : ptr[v + 1]]
        links = 0
        for u in nb:
            links += np.intersect1d(idx[ptr[u] : ptr[u + 1]], nb, assume_unique=True).size
        k = nb.size
        coeffs.append(links / (k * (k - 1)))
    return float(np.mean(coeffs))
