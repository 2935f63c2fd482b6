"""Population generator: marginals, group invariants, tie invariants, determinism, validation."""

from __future__ import annotations

import numpy as np
import pytest

from panopticum.errors import PanopticumError
from panopticum.population import (
    BORDER_REGIONS,
    NO_INSTITUTION,
    InstitutionKind,
    Occupation,
    Region,
    TieKind,
    UnitKind,
    build_population,
)
from panopticum.population.parameters import (
    BROAD_AGE_TARGETS,
    REGION_POPULATION_2008,
    REGION_URBAN_SHARE_2008,
    resolve_parameters,
)
from panopticum.population.storage import ARRAY_FIELDS

N = 100_000
P = resolve_parameters({})


@pytest.fixture(scope="module")
def pop():
    return build_population(N, seed=7)


def _se(p: float, n: int) -> float:
    return float(np.sqrt(p * (1 - p) / n))


# --- marginals ------------------------------------------------------------------------------


def test_region_shares_match_census(pop):
    target = REGION_POPULATION_2008 / REGION_POPULATION_2008.sum()
    got = np.bincount(pop.region, minlength=11) / pop.n
    assert np.abs(got - target).max() < 1e-4  # allocated exactly, up to rounding


def test_urban_shares_match_census(pop):
    for r in range(10):
        sel = pop.region == r
        assert abs(pop.urban[sel].mean() - REGION_URBAN_SHARE_2008[r]) < 1e-3
    assert not pop.urban[pop.region == Region.MILITARY].any()


def test_household_size(pop):
    civ = pop.region != Region.MILITARY
    sizes = np.bincount(pop.household[civ])
    sizes = sizes[sizes > 0]
    # mean of about 3.9 with a spread of about 1.7 per household
    assert abs(sizes.mean() - P["household_mean_size"]) < 4 * 1.7 / np.sqrt(sizes.size)
    assert sizes.min() >= 1 and sizes.max() <= 10


def test_unit_sizes(pop):
    first = np.r_[True, pop.household[1:] != pop.household[:-1]]
    hh_per_unit = np.bincount(pop.unit[first], minlength=pop.n_units)
    for kind, lo, hi in (
        (UnitKind.INMINBAN, P["inminban_min_households"], P["inminban_max_households"]),
        (UnitKind.VILLAGE, P["village_min_households"], P["village_max_households"]),
        (UnitKind.BARRACKS, P["barracks_min_squads"], P["barracks_max_squads"]),
    ):
        s = hh_per_unit[pop.unit_kind == kind]
        assert s.size > 0
        assert s.min() >= lo and s.max() <= hi, kind
        assert abs(s.mean() - (lo + hi) / 2) < 2.5, kind


def test_phone_share_and_concentration(pop):
    assert abs(pop.phone.mean() - P["phone_share"]) < 1.0 / pop.n + 1e-9
    assert not pop.phone[pop.age < P["phone_min_age"]].any()
    assert pop.phone[pop.urban].mean() > pop.phone[~pop.urban & (pop.region != Region.MILITARY)].mean()
    assert pop.phone[pop.region == Region.PYONGYANG].mean() > pop.phone.mean()
    assert pop.phone[pop.adult].mean() > pop.phone.mean()


def test_age_structure(pop):
    a = pop.age
    got = {"0-14": (a < 15).mean(), "15-64": ((a >= 15) & (a < 65)).mean(), "65+": (a >= 65).mean()}
    for band, target in BROAD_AGE_TARGETS.items():
        assert abs(got[band] - target) < 4 * _se(target, pop.n), band
    assert a.min() >= 0 and a.max() <= 100


def test_songbun_shares(pop):
    shares = np.bincount(pop.songbun, minlength=3) / pop.n
    # drawn by household: allow for the clustering of households (about 3.9 people each)
    tol = 4 * _se(0.3, pop.n // 4)
    assert abs(shares[0] - 0.28) < tol and abs(shares[2] - 0.27) < tol
    assert (pop.songbun[pop.region == Region.PYONGYANG] == 0).mean() > 0.4


def test_relatives_abroad_more_common_at_border(pop):
    border = np.isin(pop.region, BORDER_REGIONS)
    assert pop.relatives_abroad[border].mean() > 2 * pop.relatives_abroad[~border].mean()


def test_attributes_ranges(pop):
    assert pop.means.dtype == np.float32 and pop.risk_aversion.dtype == np.float32
    assert 0 <= pop.means.min() and pop.means.max() <= 1
    assert 0 <= pop.risk_aversion.min() and pop.risk_aversion.max() <= 1
    assert abs(pop.risk_aversion.mean() - 0.5) < 0.01
    # means shared within a household
    first = np.r_[True, pop.household[1:] != pop.household[:-1]]
    assert np.array_equal(pop.means, pop.means[first][pop.household])


def test_traders_are_mostly_women_without_institution(pop):
    t = pop.occupation == Occupation.TRADER
    assert 0.02 < t.mean() < 0.1  # 1-1.8M of 26.5M use the markets
    assert pop.female[t].mean() > 0.8
    assert (pop.institution[t] == NO_INSTITUTION).all()


# --- groups ---------------------------------------------------------------------------------


def test_dtypes_and_shapes(pop):
    n = pop.n
    for name, dtype in (("region", np.int8), ("urban", bool), ("age", np.int8), ("female", bool),
                        ("household", np.int32), ("unit", np.int32), ("institution", np.int32),
                        ("occupation", np.int8), ("phone", bool), ("relatives_abroad", bool),
                        ("songbun", np.int8), ("unit_head", bool), ("institution_admin", bool)):
        a = getattr(pop, name)
        assert a.dtype == dtype and a.shape == (n,), name
    assert pop.unit_kind.dtype == np.int8 and pop.unit_region.dtype == np.int8
    assert pop.institution_kind.shape == pop.institution_region.shape == (pop.n_institutions,)
    assert pop.tie_indptr.dtype == np.int64 and pop.tie_index.dtype == np.int32 and pop.tie_kind.dtype == np.int8
    assert pop.scale == pytest.approx(26_500_000 / n)


def test_ordering_and_membership(pop):
    for name in ("region", "unit", "household"):
        assert (np.diff(getattr(pop, name).astype(np.int64)) >= 0).all(), name
    # ids are dense; a household lies in one unit and a unit in one region
    assert np.array_equal(np.unique(pop.household), np.arange(pop.n_households))
    assert np.array_equal(np.unique(pop.unit), np.arange(pop.n_units))
    assert np.array_equal(pop.unit_region[pop.unit], pop.region)
    hh_unit_changes = np.diff(pop.unit)[np.diff(pop.household) == 0]
    assert (hh_unit_changes == 0).all()
    # institutions: dense ids, in the member's region
    m = pop.institution != NO_INSTITUTION
    assert np.array_equal(np.unique(pop.institution[m]), np.arange(pop.n_institutions))
    assert np.array_equal(pop.institution_region[pop.institution[m]], pop.region[m])


def test_occupations_match_institutions(pop):
    kind = np.full(pop.n, -1)
    m = pop.institution != NO_INSTITUTION
    kind[m] = pop.institution_kind[pop.institution[m]]
    occ = pop.occupation
    assert (kind[occ == Occupation.PUPIL] == InstitutionKind.SCHOOL_CLASS).all()
    assert (kind[occ == Occupation.STUDENT] == InstitutionKind.UNIVERSITY).all()
    assert (kind[occ == Occupation.FARMER] == InstitutionKind.FARM).all()
    assert (kind[occ == Occupation.SOLDIER] == InstitutionKind.MILITARY_UNIT).all()
    assert (kind[occ == Occupation.SECURITY] == InstitutionKind.SECURITY_OFFICE).all()
    for o in (Occupation.PRESCHOOL, Occupation.TRADER, Occupation.RETIRED):
        assert (kind[occ == o] == -1).all()
    workers = kind[occ == Occupation.WORKER]  # teachers are workers in school or university classes
    assert np.isin(workers, [InstitutionKind.FACTORY, InstitutionKind.OFFICE, InstitutionKind.SCHOOL_CLASS,
                             InstitutionKind.UNIVERSITY]).all()
    soldiers = pop.region == Region.MILITARY
    assert (occ[soldiers] == Occupation.SOLDIER).all()
    assert (pop.unit_kind[pop.unit[soldiers]] == UnitKind.BARRACKS).all()
    sec = (occ == Occupation.SECURITY).mean()
    assert abs(sec - P["security_share"]) < 0.002
    # children are pupils by age
    assert (occ[(pop.age < P["school_start_age"]) & ~soldiers] == Occupation.PRESCHOOL).all()


def test_institution_sizes(pop):
    m = pop.institution != NO_INSTITUTION
    sizes = np.bincount(pop.institution[m], minlength=pop.n_institutions)
    assert sizes.min() >= 1
    for kind, name in ((InstitutionKind.FACTORY, "factory_team_size"), (InstitutionKind.OFFICE, "office_size"),
                       (InstitutionKind.FARM, "farm_team_size"), (InstitutionKind.SCHOOL_CLASS, "school_class_size")):
        s = sizes[pop.institution_kind == kind]
        assert abs(np.median(s) - P[name]) <= 0.25 * P[name] + 1, kind


def test_heads_and_admins(pop):
    heads = np.bincount(pop.unit[pop.unit_head], minlength=pop.n_units)
    assert (heads == 1).all()
    assert pop.age[pop.unit_head & (pop.region != Region.MILITARY)].min() >= 17
    adm = pop.institution_admin
    assert (pop.institution[adm] != NO_INSTITUTION).all()
    per = np.bincount(pop.institution[adm], minlength=pop.n_institutions)
    assert per.max() <= 1
    assert (per[pop.institution_kind == InstitutionKind.SECURITY_OFFICE] == 0).all()
    assert (per[pop.institution_kind == InstitutionKind.FACTORY] == 1).all()


def test_children_live_with_an_adult_parent_generation(pop):
    civ = pop.region != Region.MILITARY
    oldest = np.zeros(pop.n_households, np.int64)
    np.maximum.at(oldest, pop.household, pop.age.astype(np.int64))
    kids = civ & (pop.age < 17)
    assert (oldest[pop.household[kids]] >= pop.age[kids] + 18).mean() > 0.98


# --- ties -----------------------------------------------------------------------------------


def _edges(pop):
    rows = np.repeat(np.arange(pop.n, dtype=np.int64), np.diff(pop.tie_indptr))
    return rows, pop.tie_index.astype(np.int64), pop.tie_kind


def test_ties_symmetric_without_self_loops_or_duplicates(pop):
    rows, cols, kinds = _edges(pop)
    assert pop.tie_indptr[0] == 0 and pop.tie_indptr[-1] == cols.size
    assert (rows != cols).all()
    fwd = rows * pop.n + cols
    assert np.unique(fwd).size == fwd.size
    back = np.sort(cols * pop.n + rows)
    order = np.argsort(fwd)
    assert np.array_equal(np.sort(fwd), back)
    # the kind of (u, v) equals the kind of (v, u)
    rev = np.searchsorted(fwd[order], cols * pop.n + rows)
    assert np.array_equal(kinds[order][rev], kinds)
    assert 0 <= cols.min() and cols.max() < pop.n


def test_friend_ties_mostly_within_groups_and_kin_across_households(pop):
    rows, cols, kinds = _edges(pop)
    f = kinds == TieKind.FRIEND
    same_unit = pop.unit[rows] == pop.unit[cols]
    inst = pop.institution
    same_inst = (inst[rows] == inst[cols]) & (inst[rows] != NO_INSTITUTION)
    both_traders = (pop.occupation[rows] == Occupation.TRADER) & (pop.occupation[cols] == Occupation.TRADER)
    shared = (same_unit | same_inst | both_traders)[f].mean()
    assert shared > 0.8
    assert shared < 1.0  # some friends outside
    k = kinds == TieKind.KIN
    assert (pop.household[rows[k]] != pop.household[cols[k]]).all()
    assert (pop.household[rows] != pop.household[cols]).all()
    cross = (pop.region[rows] != pop.region[cols])[k]
    border = np.isin(pop.region[rows], BORDER_REGIONS)[k]
    assert cross[border].mean() > cross[~border & (pop.region[rows[k]] != Region.MILITARY)].mean()


def test_mean_degree(pop):
    deg = np.diff(pop.tie_indptr)
    assert 8 <= deg.mean() <= 12


# --- determinism and validation -------------------------------------------------------------


def test_same_seed_bit_identical_and_different_seeds_differ():
    a = build_population(20_000, seed=3)
    b = build_population(20_000, seed=3)
    c = build_population(20_000, seed=4)
    for name in ARRAY_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes(), name
    assert a.meta == b.meta
    assert not np.array_equal(a.age, c.age[: a.n]) or not np.array_equal(a.tie_index, c.tie_index)
    assert c.meta["seed"] == 4


def test_overrides_change_output_and_are_recorded():
    p = build_population(20_000, seed=1, kin_degree=5.0)
    assert p.meta["parameters"]["kin_degree"] == 5.0
    kin = (p.tie_kind == TieKind.KIN).sum() / p.n
    assert 4.5 < kin < 5.5


@pytest.mark.parametrize(
    "args, kwargs, words",
    [
        ((9_999, 0), {}, ["n_agents", "9,999", "10,000", "26,500,000"]),
        ((26_500_001, 0), {}, ["n_agents", "26,500,001"]),
        ((10_000, -1), {}, ["seed", "-1"]),
        ((10_000, 0), {"phone_share": 2.0}, ["phone_share", "2.0", "[0.0, 0.8]"]),
        ((10_000, 0), {"no_such_thing": 1}, ["no_such_thing"]),
        ((10_000, 0), {"squad_size": 2.5}, ["squad_size"]),
    ],
)
def test_bad_input_raises_clear_error(args, kwargs, words):
    with pytest.raises(PanopticumError) as info:
        build_population(*args, **kwargs)
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


def test_no_agent_collects_a_pile_of_ties_in_small_regions():
    """Small regions at small N once wrapped kin onto their first and last agents."""
    for n, seed in ((10_000, 3), (10_000, 0)):
        degree = np.diff(build_population(n, seed).tie_indptr)
        assert degree.max() < 6 * degree.mean(), (n, seed, degree.max())


# --- scale: small countries keep full school classes -----------------------------------------


def _class_sizes(p) -> np.ndarray:
    pupils = p.institution[p.occupation == Occupation.PUPIL]
    return np.bincount(pupils, minlength=p.n_institutions)[p.institution_kind == InstitutionKind.SCHOOL_CLASS]


def _fixed_share_in_system(p) -> float:
    """Officers, unit heads and institution admins (teachers among them): the part of the
    share in the surveillance system the population fixes before any informant is recruited."""
    return float(((p.occupation == Occupation.SECURITY) | p.unit_head | p.institution_admin).mean())


def test_school_classes_full_at_ten_thousand_agents(pop):
    """Single-age classes of a small region hold a few pupils each, and each class drafts a
    teacher; pooled ages keep classes near the mean size at any scale."""
    small = build_population(10_000, seed=7)
    sizes = _class_sizes(small)
    assert abs(sizes.mean() - P["school_class_size"]) <= 0.1 * P["school_class_size"]
    assert sizes.min() >= P["school_class_size"] / 2
    # the share in the system no longer depends on the scale (it was 5.7% at 10k, 3.9% at 100k)
    assert abs(_fixed_share_in_system(small) - _fixed_share_in_system(pop)) <= 0.1 * _fixed_share_in_system(pop)


def test_class_pooling_follows_the_class_size_parameter():
    sizes = _class_sizes(build_population(10_000, seed=7, school_class_size=20))
    assert abs(sizes.mean() - 20) <= 2
