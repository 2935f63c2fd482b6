"""Building a synthetic population: regions, households, units, occupations, institutions,
attributes, then personal ties (:mod:`panopticum.population.ties`).

Everything is vectorised NumPy; Python loops run over regions, strata or kinds only. Each
stage draws from its own generator spawned from ``SeedSequence(seed)``, so the same seed
gives the same arrays bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from panopticum.errors import PanopticumError
from panopticum.population.core import (
    BORDER_REGIONS,
    MAX_AGENTS,
    MIN_AGENTS,
    N_REGIONS,
    NATIONAL_POPULATION,
    NO_INSTITUTION,
    InstitutionKind,
    Occupation,
    Population,
    Region,
    Songbun,
    UnitKind,
)
from panopticum.population.parameters import (
    MAX_AGE,
    REGION_POPULATION_2008,
    REGION_URBAN_SHARE_2008,
    military_age_pmf,
    national_age_pmf,
    resolve_parameters,
)

GENERATOR_VERSION = 3
"""Version of the generator's output; bumped whenever the same seed would give other arrays."""

STAGES = ("regions", "households", "occupations", "institutions", "attributes", "ties")

Progress = Callable[[str], None]

# household roles (internal)
HEAD, SPOUSE, CHILD, GRANDPARENT = 0, 1, 2, 3


def check_n_agents(n_agents: Any) -> int:
    """``n_agents`` as an int in [MIN_AGENTS, MAX_AGENTS], or a :class:`PanopticumError`."""
    if isinstance(n_agents, bool) or not isinstance(n_agents, (int, np.integer)):
        raise PanopticumError(f"n_agents={n_agents!r} must be a whole number")
    if not MIN_AGENTS <= n_agents <= MAX_AGENTS:
        raise PanopticumError(
            f"n_agents={n_agents:,} is out of range: it must be from {MIN_AGENTS:,} to {MAX_AGENTS:,}"
        )
    return int(n_agents)


def check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise PanopticumError(f"seed={seed!r} must be a non-negative whole number")
    return int(seed)


def build_population(
    n_agents: int, seed: int, *, progress: Progress | None = None, **overrides: Any
) -> Population:
    """Build a synthetic population of ``n_agents`` agents standing for 26.5 million people.

    **Arguments:**

    - ``n_agents``: agents, from ``MIN_AGENTS`` (10,000) to ``MAX_AGENTS`` (26,500,000); each
      stands for ``26.5M / n_agents`` people.
    - ``seed``: a non-negative integer; the same seed gives the same population bit for bit.
    - ``progress``: optional callable told the name of each stage as it starts.
    - ``**overrides``: values for parameters of
      :data:`~panopticum.population.parameters.POPULATION_SPEC`, checked against their ranges.

    **Returns:** a :class:`~panopticum.population.core.Population`.

    **Raises:** :class:`~panopticum.errors.PanopticumError` for an out-of-range ``n_agents``,
    a bad seed, or an unknown or out-of-range parameter.
    """
    from panopticum.population.ties import build_ties

    n = check_n_agents(n_agents)
    seed = check_seed(seed)
    params = resolve_parameters(overrides)
    rngs = dict(
        zip(STAGES, (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STAGES))))
    )
    say = progress or (lambda stage: None)

    say("regions")
    region_counts = allocate_regions(n)

    say("households")
    g = households_and_units(region_counts, params, rngs["households"])

    say("occupations")
    occupation, married_woman = occupations(g, params, rngs["occupations"], n)

    say("institutions")
    institution, institution_kind, institution_region, institution_admin = institutions(
        g, occupation, params, rngs["institutions"]
    )

    say("attributes")
    attrs = attributes(g, occupation, params, rngs["attributes"])
    unit_head = unit_heads(g, rngs["attributes"])

    say("ties")
    tie_indptr, tie_index, tie_kind = build_ties(
        region=g["region"],
        age=g["age"],
        household=g["household"],
        unit=g["unit"],
        institution=institution,
        occupation=occupation,
        params=params,
        rng=rngs["ties"],
    )
    del married_woman

    meta = {
        "generator_version": GENERATOR_VERSION,
        "n_agents": n,
        "seed": seed,
        "national_population": NATIONAL_POPULATION,
        "parameters": params,
    }
    return Population(
        scale=NATIONAL_POPULATION / n,
        seed=seed,
        region=g["region"],
        urban=g["urban"],
        age=g["age"],
        female=g["female"],
        household=g["household"],
        unit=g["unit"],
        institution=institution,
        occupation=occupation,
        phone=attrs["phone"],
        relatives_abroad=attrs["relatives_abroad"],
        songbun=attrs["songbun"],
        means=attrs["means"],
        risk_aversion=attrs["risk_aversion"],
        unit_head=unit_head,
        institution_admin=institution_admin,
        unit_kind=g["unit_kind"],
        unit_region=g["unit_region"],
        institution_kind=institution_kind,
        institution_region=institution_region,
        tie_indptr=tie_indptr,
        tie_index=tie_index,
        tie_kind=tie_kind,
        meta=meta,
    )


# --- regions ----------------------------------------------------------------------------------


def allocate_regions(n: int) -> np.ndarray:
    """Agents per region: the 2008 census shares of ``n`` by largest remainder (int64 [11])."""
    exact = REGION_POPULATION_2008 / REGION_POPULATION_2008.sum() * n
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[:short]] += 1
    return counts


def allocate_sizes(total: int, low: int, high: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` items into groups with sizes uniform in [low, high] summing to ``total``.

    When ``total < low`` there is one group of ``total``.
    """
    if total <= 0:
        return np.zeros(0, dtype=np.int64)
    if total <= high:
        return np.array([total], dtype=np.int64)
    draws = rng.integers(low, high + 1, total // low + 2)
    cum = np.cumsum(draws)
    k = int(np.searchsorted(cum, total)) + 1
    sizes = draws[:k].copy()
    last = total - (int(cum[k - 2]) if k >= 2 else 0)
    if last >= low:
        sizes[k - 1] = last
        return sizes
    sizes = sizes[: k - 1]
    slack = np.flatnonzero(sizes < high)
    while last > 0 and slack.size:  # at most a few rounds: each adds 1 to up to `last` groups
        take = rng.choice(slack, min(last, slack.size), replace=False)
        sizes[take] += 1
        last -= take.size
        slack = np.flatnonzero(sizes < high)
    if last > 0:
        sizes = np.append(sizes, last)
    return sizes


# --- households and neighbourhood units ------------------------------------------------------


def _household_sizes(people: int, mean: float, rng: np.random.Generator) -> np.ndarray:
    draws = 1 + np.minimum(rng.poisson(mean - 1.0, int(people / mean * 1.2) + 16), 9)
    cum = np.cumsum(draws)
    while cum[-1] < people:  # pragma: no cover - astronomically rare
        more = 1 + np.minimum(rng.poisson(mean - 1.0, draws.size), 9)
        draws = np.concatenate([draws, more])
        cum = np.cumsum(draws)
    k = int(np.searchsorted(cum, people)) + 1
    sizes = draws[:k].copy()
    sizes[-1] = people - (int(cum[k - 2]) if k >= 2 else 0)
    return sizes


def households_and_units(region_counts: np.ndarray, params: dict, rng: np.random.Generator) -> dict:
    """Per-agent region, urban, age, sex, household, unit and household role, and per-unit
    kind and region, ordered by region, unit, household."""
    mil = int(region_counts[Region.MILITARY])
    # strata: (region, urban) for the ten civilian regions, urban first
    hh_sizes, unit_sizes, unit_kinds, unit_regions, stratum_region, stratum_urban = [], [], [], [], [], []
    for r in range(N_REGIONS - 1):
        n_r = int(region_counts[r])
        n_urban = int(round(n_r * REGION_URBAN_SHARE_2008[r]))
        for urban, people in ((True, n_urban), (False, n_r - n_urban)):
            if people == 0:
                continue
            sizes = _household_sizes(people, params["household_mean_size"], rng)
            if urban:
                lo, hi, kind = params["inminban_min_households"], params["inminban_max_households"], UnitKind.INMINBAN
            else:
                lo, hi, kind = params["village_min_households"], params["village_max_households"], UnitKind.VILLAGE
            units = allocate_sizes(sizes.size, lo, hi, rng)
            hh_sizes.append(sizes)
            unit_sizes.append(units)
            unit_kinds.append(np.full(units.size, kind, np.int8))
            unit_regions.append(np.full(units.size, r, np.int8))
            stratum_region.append(np.full(sizes.size, r, np.int8))
            stratum_urban.append(np.full(sizes.size, urban, bool))
    civ_hh_sizes = np.concatenate(hh_sizes)
    n_civ_hh = civ_hh_sizes.size
    n_civ = int(civ_hh_sizes.sum())

    # military: squads as households, barracks units of squads
    squad = params["squad_size"]
    n_squads = -(-mil // squad) if mil else 0
    squad_sizes = np.full(n_squads, squad, np.int64)
    if n_squads:
        squad_sizes[-1] = mil - squad * (n_squads - 1)
    barracks = allocate_sizes(n_squads, params["barracks_min_squads"], params["barracks_max_squads"], rng)
    unit_sizes.append(barracks)
    unit_kinds.append(np.full(barracks.size, UnitKind.BARRACKS, np.int8))
    unit_regions.append(np.full(barracks.size, Region.MILITARY, np.int8))
    stratum_region.append(np.full(n_squads, Region.MILITARY, np.int8))
    stratum_urban.append(np.zeros(n_squads, bool))

    all_hh_sizes = np.concatenate([civ_hh_sizes, squad_sizes])
    n = int(all_hh_sizes.sum())
    units_per_hh = np.concatenate(unit_sizes)  # households per unit, in order
    hh_unit = np.repeat(np.arange(units_per_hh.size, dtype=np.int32), units_per_hh)
    hh_region = np.concatenate(stratum_region)
    hh_urban = np.concatenate(stratum_urban)

    household = np.repeat(np.arange(all_hh_sizes.size, dtype=np.int32), all_hh_sizes)
    hh_start = np.concatenate([[0], np.cumsum(all_hh_sizes)[:-1]])
    slot = (np.arange(n, dtype=np.int64) - hh_start[household]).astype(np.int16)
    region = hh_region[household]
    urban = hh_urban[household]
    unit = hh_unit[household]

    # household composition (civilians): head, spouse, children, a grandparent in big households
    size_h = civ_hh_sizes
    couple_h = (size_h >= 2) & (rng.random(n_civ_hh) < params["couple_share"])
    anchor_h = np.where(size_h == 1, rng.uniform(18, 90, n_civ_hh), rng.uniform(22, 70, n_civ_hh))
    hc = household[:n_civ]
    s = slot[:n_civ]
    size_p = size_h[hc]
    role = np.full(n_civ, CHILD, np.int8)
    role[s == 0] = HEAD
    role[(s == 1) & couple_h[hc]] = SPOUSE
    role[(size_p >= 5) & (s == size_p - 1)] = GRANDPARENT
    anchor = anchor_h[hc]
    desired = np.where(
        role == HEAD,
        anchor,
        np.where(
            role == SPOUSE,
            anchor + rng.normal(0.0, 3.0, n_civ),
            np.where(role == GRANDPARENT, anchor + rng.uniform(24, 32, n_civ), anchor - rng.uniform(20, 36, n_civ)),
        ),
    )
    del anchor
    # ages drawn from the civilian age structure (national minus the military camps), then
    # given out by rank of desired age: the marginal is exact in law, order within a family kept
    nat = national_age_pmf() * n
    mil_ages = military_age_pmf() * mil
    civ_pmf = np.clip(nat - mil_ages, 0, None)
    civ_pmf /= civ_pmf.sum()
    civ_ages = np.sort(rng.choice(MAX_AGE + 1, n_civ, p=civ_pmf).astype(np.int8))
    age = np.empty(n, np.int8)
    order = np.argsort(desired, kind="stable")
    del desired
    civ_age = np.empty(n_civ, np.int8)
    civ_age[order] = civ_ages
    del order, civ_ages
    age[:n_civ] = civ_age
    age[n_civ:] = rng.choice(MAX_AGE + 1, mil, p=military_age_pmf()).astype(np.int8)

    # sex: couples are a man and a woman; single heads mostly women (widows); children even
    female = np.empty(n, bool)
    head_male = rng.random(n_civ_hh) < np.where(couple_h, 0.85, 0.4)
    u = rng.random(n_civ)
    f = np.where(role == HEAD, ~head_male[hc], np.where(role == SPOUSE, head_male[hc], np.where(role == GRANDPARENT, u < 0.7, u < 0.5)))
    female[:n_civ] = f
    female[n_civ:] = rng.random(mil) < params["military_female_share"]
    married = np.zeros(n, bool)
    married[:n_civ] = (role == SPOUSE) | ((role == HEAD) & couple_h[hc])
    married_woman = married & female

    return {
        "n": n,
        "n_civ": n_civ,
        "region": region,
        "urban": urban,
        "age": age,
        "female": female,
        "household": household,
        "unit": unit,
        "married_woman": married_woman,
        "unit_kind": np.concatenate(unit_kinds),
        "unit_region": np.concatenate(unit_regions),
    }


# --- occupations ------------------------------------------------------------------------------


def occupations(g: dict, params: dict, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each agent's :class:`Occupation` (int8 [n])."""
    age, female, urban, region = g["age"], g["female"], g["urban"], g["region"]
    civ = region != Region.MILITARY
    occ = np.full(n, Occupation.RETIRED, np.int8)
    start, end = params["school_start_age"], params["school_end_age"]
    occ[civ & (age < start)] = Occupation.PRESCHOOL
    occ[civ & (age >= start) & (age <= end)] = Occupation.PUPIL
    student = civ & (age > end) & (age <= 22) & (rng.random(n) < params["university_share"])
    occ[student] = Occupation.STUDENT
    retire = np.where(female, params["retirement_age_women"], params["retirement_age_men"])
    working = civ & (age > end) & (age < retire) & ~student
    # security officers: mostly men aged 25-54
    pool = np.flatnonzero(working & (age >= 25) & (age <= 54))
    k = min(int(round(params["security_share"] * n)), pool.size)
    if k:
        score = rng.random(pool.size) + np.where(female[pool], 0.0, 1.0)
        chosen = pool[np.argpartition(-score, k - 1)[:k]] if k < pool.size else pool
        occ[chosen] = Occupation.SECURITY
        working[chosen] = False
    u = rng.random(n)
    trader = working & np.where(
        g["married_woman"], u < params["trader_married_women_share"], u < params["trader_other_share"]
    )
    occ[trader] = Occupation.TRADER
    working &= ~trader
    farmer = working & ~urban & (rng.random(n) < params["rural_farmer_share"])
    occ[farmer] = Occupation.FARMER
    occ[working & ~farmer] = Occupation.WORKER
    occ[~civ] = Occupation.SOLDIER
    return occ, g["married_woman"]


# --- institutions -----------------------------------------------------------------------------


def _chunk(labels: np.ndarray, mean_size: float) -> tuple[np.ndarray, np.ndarray]:
    """Split runs of equal ``labels`` (non-decreasing) into near-equal chunks of about
    ``mean_size``; returns the chunk id of each item and the run index of each chunk."""
    m = labels.size
    if m == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    counts = np.diff(np.append(starts, m))
    k = np.maximum(1, np.rint(counts / mean_size)).astype(np.int64)
    run = np.repeat(np.arange(starts.size), counts)
    rank = np.arange(m) - starts[run]
    local = rank * k[run] // counts[run]
    offset = np.cumsum(k) - k
    return offset[run] + local, np.repeat(np.arange(starts.size), k)


def _class_pools(region: np.ndarray, urban: np.ndarray, age: np.ndarray, class_size: float) -> np.ndarray:
    """Pool label of each pupil: its region, town or country and age where that group fills a
    class; otherwise the leftover ages of its region and town or country, and where those are
    still too few, the leftovers of the whole region.  Without pooling a small country has
    classes of a few pupils, each with its own teacher, and the teachers (counted in the
    surveillance system) outnumber what the class size implies.  Classes never cross regions
    (their teacher comes from the region), and sorting by age within a pool keeps each class
    to neighbouring ages.  Labels are non-decreasing in region, so ``add`` can read it."""
    stratum = region.astype(np.int64) * 2 + urban
    fine = stratum * 256 + age  # a group of one age (ages are below 128)
    leftover = stratum * 256 + 200  # the ages of a stratum too few to fill a class
    wide = region.astype(np.int64) * 512 + 511  # leftovers of both strata of a region
    _, inv, counts = np.unique(fine, return_inverse=True, return_counts=True)
    label = np.where(counts[inv] >= class_size, fine, leftover)
    _, inv, counts = np.unique(label, return_inverse=True, return_counts=True)
    return np.where(counts[inv] >= class_size, label, wide)


def institutions(g: dict, occ: np.ndarray, params: dict, rng: np.random.Generator):
    """Institution ids per agent, kind and region per institution, and admins."""
    n = g["n"]
    region, urban, age = g["region"], g["urban"], g["age"]
    institution = np.full(n, NO_INSTITUTION, np.int32)
    admin = np.zeros(n, bool)
    kinds: list[np.ndarray] = []
    regions: list[np.ndarray] = []
    next_id = 0

    def add(members: np.ndarray, labels: np.ndarray, size: float, kind: InstitutionKind) -> np.ndarray:
        """Members sorted so that ``labels`` is non-decreasing; labels' high part is the region."""
        nonlocal next_id
        chunk, run = _chunk(labels, size)
        institution[members] = (next_id + chunk).astype(np.int32)
        if chunk.size:
            run_region = region[members[np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])]]
            inst_region = run_region[run]
        else:
            inst_region = np.zeros(0, np.int8)
        kinds.append(np.full(inst_region.size, kind, np.int8))
        regions.append(inst_region.astype(np.int8))
        ids = np.arange(next_id, next_id + inst_region.size)
        next_id += inst_region.size
        return ids

    stratum = region.astype(np.int16) * 2 + urban
    # school classes by region, town or country, and age; neighbours share classes
    pupils = np.flatnonzero(occ == Occupation.PUPIL)
    key = _class_pools(region[pupils], urban[pupils], age[pupils], params["school_class_size"])
    o = np.lexsort((age[pupils], key))
    classes = add(pupils[o], key[o], params["school_class_size"], InstitutionKind.SCHOOL_CLASS)
    students = np.flatnonzero(occ == Occupation.STUDENT)
    groups = add(students, region[students], params["university_group_size"], InstitutionKind.UNIVERSITY)

    # teachers: one worker of the same region per school class and university class
    workers = np.flatnonzero(occ == Occupation.WORKER)
    taught = np.concatenate([classes, groups])
    taught_region = np.concatenate(regions)[taught]
    teacher_pool = np.ones(workers.size, bool)
    for r in range(N_REGIONS):
        need = taught[taught_region == r]
        cand = np.flatnonzero(region[workers] == r)
        take = min(need.size, cand.size)
        if take == 0:
            continue
        pick = rng.choice(cand, take, replace=False)
        teachers = workers[pick]
        institution[teachers] = need[:take].astype(np.int32)
        admin[teachers] = True
        teacher_pool[pick] = False
    workers = workers[teacher_pool]

    office = rng.random(workers.size) < params["office_share"]
    for members, size, kind in (
        (workers[~office], params["factory_team_size"], InstitutionKind.FACTORY),
        (workers[office], params["office_size"], InstitutionKind.OFFICE),
    ):
        add(members, stratum[members], size, kind)
    farmers = np.flatnonzero(occ == Occupation.FARMER)
    add(farmers, region[farmers], params["farm_team_size"], InstitutionKind.FARM)

    # military units: one per barracks unit
    soldiers = np.flatnonzero(occ == Occupation.SOLDIER)
    if soldiers.size:
        add(soldiers, g["unit"][soldiers], 1e12, InstitutionKind.MILITARY_UNIT)
    first_no_teacher_kind = next_id
    security = np.flatnonzero(occ == Occupation.SECURITY)
    add(security, region[security], params["security_office_size"], InstitutionKind.SECURITY_OFFICE)

    institution_kind = np.concatenate(kinds) if kinds else np.zeros(0, np.int8)
    institution_region = np.concatenate(regions) if regions else np.zeros(0, np.int8)

    # admins of workplaces, farms and military units: the oldest member (random tie-break)
    n_taught = classes.size + groups.size
    sel = np.flatnonzero((institution >= n_taught) & (institution < first_no_teacher_kind))
    if sel.size:
        inst = institution[sel]
        score = age[sel].astype(np.float64) + rng.random(sel.size)
        o = np.lexsort((score, inst))
        inst_sorted = inst[o]
        last = np.flatnonzero(np.r_[inst_sorted[1:] != inst_sorted[:-1], True])
        admin[sel[o[last]]] = True
    return institution, institution_kind, institution_region, admin


def unit_heads(g: dict, rng: np.random.Generator) -> np.ndarray:
    """Exactly one head per unit: civilian units prefer women aged 35-65 (inminban heads are
    typically middle-aged women), then any adult; barracks units take their oldest soldier."""
    n = g["n"]
    age, female, unit = g["age"], g["female"], g["unit"]
    civ = g["region"] != Region.MILITARY
    score = rng.random(n)
    score += np.where(civ, 4.0 * (age >= 25) + 2.0 * (female & (age >= 35) & (age <= 65)), age / 10.0)
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    best = np.maximum.reduceat(score, starts)
    sizes = np.diff(np.append(starts, n))
    is_best = score == np.repeat(best, sizes)
    idx = np.flatnonzero(is_best)
    _, first = np.unique(unit[idx], return_index=True)
    head = np.zeros(n, bool)
    head[idx[first]] = True
    return head


# --- attributes -------------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def attributes(g: dict, occ: np.ndarray, params: dict, rng: np.random.Generator) -> dict:
    """Songbun, relatives abroad and means by household; risk aversion and phones by person."""
    n = g["n"]
    household, region, urban, age = g["household"], g["region"], g["urban"], g["age"]
    n_hh = int(household[-1]) + 1
    hh_first = np.flatnonzero(np.r_[True, household[1:] != household[:-1]])
    hh_region = region[hh_first]
    hh_urban = urban[hh_first]
    military = Region.MILITARY

    # songbun: Pyongyang more core and less hostile, other regions adjusted so that the national
    # shares hold
    w_p = REGION_POPULATION_2008[Region.PYONGYANG] / REGION_POPULATION_2008.sum()
    core, hostile = params["songbun_core_share"], params["songbun_hostile_share"]
    pc, ph = params["songbun_pyongyang_core_share"], params["songbun_pyongyang_hostile_share"]
    oc = np.clip((core - w_p * pc) / (1 - w_p), 0, 1)
    oh = np.clip((hostile - w_p * ph) / (1 - w_p), 0, 1 - oc)
    is_p = hh_region == Region.PYONGYANG
    c_share = np.where(is_p, pc, oc)
    h_share = np.where(is_p, ph, oh)
    u = rng.random(n_hh)
    hh_songbun = np.where(u < c_share, Songbun.CORE, np.where(u < c_share + h_share, Songbun.HOSTILE, Songbun.WAVERING)).astype(np.int8)
    songbun = hh_songbun[household]
    # soldiers come from every kind of family: one draw each at the national shares
    mil = region == military
    u_m = rng.random(int(mil.sum()))
    songbun[mil] = np.where(u_m < core, Songbun.CORE, np.where(u_m < core + hostile, Songbun.HOSTILE, Songbun.WAVERING))

    border = np.isin(hh_region, np.array(BORDER_REGIONS, dtype=np.int8))
    rel_share = np.where(border, params["relatives_abroad_border_share"], params["relatives_abroad_other_share"])
    relatives_abroad = (rng.random(n_hh) < rel_share)[household]
    relatives_abroad[mil] = rng.random(int(mil.sum())) < params["relatives_abroad_other_share"]

    trader_hh = np.zeros(n_hh, bool)
    trader_hh[household[occ == Occupation.TRADER]] = True
    z = (
        params["means_sd"] * rng.standard_normal(n_hh)
        + params["means_urban_logodds"] * hh_urban
        + params["means_pyongyang_logodds"] * (hh_region == Region.PYONGYANG)
        + params["means_trader_logodds"] * trader_hh
        + params["means_songbun_logodds"] * ((hh_songbun == Songbun.CORE).astype(np.float64) - (hh_songbun == Songbun.HOSTILE))
    )
    means = _sigmoid(z).astype(np.float32)[household]

    risk_aversion = rng.random(n, dtype=np.float32)

    # phones: exactly round(share * n) owners, the highest scores among eligible civilians
    eligible = (~mil) & (age >= params["phone_min_age"])
    elig = np.flatnonzero(eligible)
    k = min(int(round(params["phone_share"] * n)), elig.size)
    phone = np.zeros(n, bool)
    if k:
        uu = rng.random(elig.size)
        noise = np.log(uu) - np.log1p(-uu)  # logistic
        score = (
            noise
            + params["phone_urban_logodds"] * urban[elig]
            + params["phone_pyongyang_logodds"] * (region[elig] == Region.PYONGYANG)
            + params["phone_means_logodds"] * means[elig]
            - 1.0 * (age[elig] >= 65)
        )
        phone[elig[np.argpartition(-score, k - 1)[:k]] if k < elig.size else elig] = True
    return {
        "songbun": songbun,
        "relatives_abroad": relatives_abroad,
        "means": means,
        "risk_aversion": risk_aversion,
        "phone": phone,
    }
