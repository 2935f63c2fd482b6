"""The population generator's parameters and the published tables it is built from.

:data:`POPULATION_SPEC` is a flat spec tree (name -> :class:`~panopticum.params.spec.Param`);
each name is also a keyword of :func:`panopticum.population.build_population`. The fixed
tables (census regions, age structure) are module constants with their sources.

Imports numpy and the standard library alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from panopticum.errors import PanopticumError
from panopticum.params.spec import Param, SpecTree, walk

# --- Census 2008 (Central Bureau of Statistics, DPRK 2008 Population Census, with UNFPA) ---
CENSUS_2008_SOURCE = "DPRK 2008 Population Census (Central Bureau of Statistics / UNFPA)"

REGION_POPULATION_2008 = np.array(
    [
        3_255_288,  # Pyongyang
        4_051_696,  # South Pyongan (incl. Nampo)
        2_728_662,  # North Pyongan
        1_299_830,  # Chagang
        2_310_485,  # South Hwanghae
        2_113_672,  # North Hwanghae
        1_477_582,  # Kangwon
        3_066_013,  # South Hamgyong
        2_327_362,  # North Hamgyong (incl. Rason)
        719_269,  # Ryanggang
        702_372,  # military camps
    ],
    dtype=np.int64,
)
"""People by census region in 2008, in :class:`~panopticum.population.core.Region` order."""

REGION_URBAN_SHARE_2008 = np.array(
    [0.867, 0.649, 0.525, 0.637, 0.356, 0.460, 0.491, 0.591, 0.707, 0.646, 0.0]
)
"""Urban share of each region's people, 2008 census (military camps counted as not urban)."""

# --- Age structure ---------------------------------------------------------------------------
AGE_STRUCTURE_SOURCE = (
    "UN World Population Prospects 2024, DPRK 2024-25: 0-14 18.9%, 15-64 68.7%, 65+ 12.4%, "
    "median 37.3 years; the split into 5-year bands is assumed (shaped to these shares)"
)
AGE_BAND_STARTS = np.array([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90])
AGE_BAND_PERCENT = np.array(
    [6.0, 6.3, 6.6, 6.6, 6.9, 7.2, 7.5, 7.3, 6.9, 7.3, 7.4, 6.4, 5.2, 4.0, 3.3, 2.5, 1.6, 0.7, 0.3]
)
"""Percent of the national population in each 5-year band (the last band is 90-100)."""
MAX_AGE = 100

BROAD_AGE_TARGETS = {"0-14": 0.189, "15-64": 0.687, "65+": 0.124}
"""Broad age shares of the national population (UN WPP 2024); checked by the tests."""


def national_age_pmf() -> np.ndarray:
    """Probability of each single year of age 0..100 in the national population."""
    ends = np.append(AGE_BAND_STARTS[1:], MAX_AGE + 1)
    pmf = np.zeros(MAX_AGE + 1)
    for start, end, pct in zip(AGE_BAND_STARTS, ends, AGE_BAND_PERCENT):
        pmf[start:end] = pct / (end - start)
    return pmf / pmf.sum()


def military_age_pmf() -> np.ndarray:
    """Ages of people in military camps: conscripts from 17 serving about 10 years, a few
    career officers to 45 (assumed shape; conscription at 17, Military Service Law 2003)."""
    pmf = np.zeros(MAX_AGE + 1)
    pmf[17:28] = 1.0
    pmf[28:46] = np.linspace(0.25, 0.02, 18)
    return pmf / pmf.sum()


# --- Parameters -------------------------------------------------------------------------------
_SECURITY_SHARE = (50_000 + 210_000) / 26_500_000

POPULATION_SPEC: SpecTree = {
    # households
    "household_mean_size": Param(
        3.9, "people", 2.5, 6.0, CENSUS_2008_SOURCE + ": 5.9M households, 3.9 people each",
        "Mean civilian household size; sizes are 1 + Poisson(mean - 1), capped at 10.",
    ),
    "couple_share": Param(
        0.85, "share", 0.5, 1.0,
        "free parameter: share of multi-person households headed by a married couple "
        "(no published figure; range spans East Asian censuses)",
        "Households of two or more people whose second member is the head's spouse.",
    ),
    # neighbourhood units
    "inminban_min_households": Param(
        20, "households", 5, 50, "research/north-korea.md: inminban of 20-50 households "
        "(sources differ: 20-40, 30-40, 25-50)", "Fewest households in an urban inminban.",
    ),
    "inminban_max_households": Param(
        40, "households", 10, 60, "research/north-korea.md: inminban of 20-40 households",
        "Most households in an urban inminban.",
    ),
    "village_min_households": Param(
        20, "households", 5, 80,
        "free parameter: rural village units are not counted in any source; range assumed",
        "Fewest households in a rural village unit.",
    ),
    "village_max_households": Param(
        60, "households", 10, 150,
        "free parameter: rural village units are not counted in any source; range assumed",
        "Most households in a rural village unit.",
    ),
    # military
    "squad_size": Param(
        10, "soldiers", 4, 20, "free parameter: a KPA squad is about 10 soldiers",
        "Soldiers per barracks room (their 'household').",
    ),
    "barracks_min_squads": Param(
        8, "squads", 1, 30, "free parameter: a company is about 8-12 squads",
        "Fewest squads in a barracks unit (also their military unit).",
    ),
    "barracks_max_squads": Param(
        12, "squads", 1, 40, "free parameter: a company is about 8-12 squads",
        "Most squads in a barracks unit.",
    ),
    "military_female_share": Param(
        0.15, "share", 0.0, 0.5,
        "free parameter: women serve (conscripted from 2015, 7 years); share not published",
        "Share of women among people in military camps.",
    ),
    # occupations
    "school_start_age": Param(
        5, "years", 4, 7, "12-year compulsory education (2012): 1 kindergarten year from 5, "
        "5 primary, 3 junior and 3 senior middle school", "Age at which children become pupils.",
    ),
    "school_end_age": Param(
        16, "years", 14, 18, "12-year compulsory education (2012): ends at 16",
        "Last age at which children are pupils.",
    ),
    "university_share": Param(
        0.2, "share", 0.0, 0.5,
        "free parameter: tertiary enrolment of about 20-27% (UNESCO UIS estimates, uncertain)",
        "Share of civilians aged 17-22 who study at a university.",
    ),
    "retirement_age_men": Param(
        60, "years", 50, 70, "DPRK Socialist Labour Law: men retire at 60", "Men's retirement age.",
    ),
    "retirement_age_women": Param(
        55, "years", 50, 70, "DPRK Socialist Labour Law: women retire at 55",
        "Women's retirement age.",
    ),
    "security_share": Param(
        round(_SECURITY_SHARE, 5), "share of people", 0.0, 0.05,
        "Gause, HRNK 2012: about 50,000 Ministry of State Security and 210,000 Ministry of "
        "Social Security (police) staff, over 26.5M people",
        "Share of the population who are security or police officers.",
    ),
    "security_office_size": Param(
        50, "officers", 5, 500, "free parameter: size of a county security or police office",
        "Mean officers per security office.",
    ),
    "trader_married_women_share": Param(
        0.3, "share", 0.0, 0.8,
        "calibrated guide: 48% of 2016-19 defectors worked in the private sector; 439 "
        "official markets used by 1-1.8M people (2017); many married women are registered "
        "as dependants and trade; 0.3 gives about 1.2M traders",
        "Share of married women of working age registered as dependants who trade.",
    ),
    "trader_other_share": Param(
        0.02, "share", 0.0, 0.3,
        "free parameter: other working-age adults trading full time in the markets",
        "Share of other working-age civilians (not students) who trade instead of working.",
    ),
    "rural_farmer_share": Param(
        0.75, "share", 0.0, 1.0,
        "free parameter: share of rural workers on collective farms (about 35-40% of the "
        "labour force works in agriculture, ILO/FAO estimates)",
        "Share of rural working-age civilians who are collective farmers.",
    ),
    "office_share": Param(
        0.3, "share", 0.0, 1.0, "free parameter: share of non-farm workers in offices",
        "Share of workers in offices (the rest in factories).",
    ),
    # institution sizes
    "school_class_size": Param(
        35, "pupils", 10, 60, "free parameter: class sizes of 30-40 are reported",
        "Mean pupils per school class (classes are by age, region and town or country).",
    ),
    "university_group_size": Param(
        30, "students", 10, 100, "free parameter: a university study class",
        "Mean students per university class.",
    ),
    "factory_team_size": Param(
        30, "workers", 5, 200, "free parameter: a factory work team", "Mean workers per factory work team.",
    ),
    "office_size": Param(
        20, "workers", 5, 200, "free parameter: an office or enterprise department",
        "Mean workers per office.",
    ),
    "farm_team_size": Param(
        40, "farmers", 5, 200,
        "free parameter: cooperative farms work in work teams and sub-work teams (bunjo) "
        "of about 10-25 up to 100 people", "Mean farmers per farm work team.",
    ),
    # attributes
    "phone_share": Param(
        0.287, "share of people", 0.0, 0.8,
        "GSMA Intelligence: 7.51M mobile connections at the start of 2024, 28.7% of the "
        "population", "Share of people who own a registered mobile phone.",
    ),
    "phone_urban_logodds": Param(
        1.0, "log-odds", 0.0, 4.0, "free parameter: phones concentrate in towns",
        "Added log-odds of owning a phone for town dwellers.",
    ),
    "phone_pyongyang_logodds": Param(
        1.0, "log-odds", 0.0, 4.0, "free parameter: phones concentrate in Pyongyang",
        "Added log-odds of owning a phone in Pyongyang.",
    ),
    "phone_means_logodds": Param(
        2.0, "log-odds per unit means", 0.0, 6.0,
        "free parameter: phones cost several hundred dollars", "Added log-odds per unit of household means.",
    ),
    "phone_min_age": Param(
        14, "years", 10, 20, "free parameter: children rarely own phones",
        "Youngest age at which a civilian may own a phone (soldiers own none).",
    ),
    "relatives_abroad_border_share": Param(
        0.15, "share of households", 0.0, 0.6,
        "free parameter: no published figure; most defectors (about 80%) come from the "
        "border provinces", "Share of border-region households with relatives in China or abroad.",
    ),
    "relatives_abroad_other_share": Param(
        0.04, "share of households", 0.0, 0.4, "free parameter: no published figure",
        "Share of other households with relatives in China or abroad.",
    ),
    "songbun_core_share": Param(
        0.28, "share", 0.0, 1.0,
        "commonly cited estimate (Collins, 'Marked for Life', HRNK 2012): core about 28%",
        "National share of core-class households.",
    ),
    "songbun_hostile_share": Param(
        0.27, "share", 0.0, 1.0,
        "commonly cited estimate (Collins, 'Marked for Life', HRNK 2012): hostile about 27%; "
        "wavering is the rest (about 45%)", "National share of hostile-class households.",
    ),
    "songbun_pyongyang_core_share": Param(
        0.5, "share", 0.0, 1.0,
        "free parameter: residence in Pyongyang is restricted to loyal families (Collins 2012)",
        "Share of core-class households in Pyongyang (others adjusted to keep the national share).",
    ),
    "songbun_pyongyang_hostile_share": Param(
        0.05, "share", 0.0, 1.0, "free parameter: hostile families are kept out of Pyongyang",
        "Share of hostile-class households in Pyongyang.",
    ),
    "means_sd": Param(
        1.0, "log-odds", 0.1, 3.0, "free parameter: spread of household means",
        "Standard deviation of household means on the log-odds scale.",
    ),
    "means_urban_logodds": Param(0.5, "log-odds", -2.0, 3.0, "free parameter", "Means shift for towns."),
    "means_pyongyang_logodds": Param(1.0, "log-odds", -2.0, 3.0, "free parameter", "Means shift for Pyongyang."),
    "means_trader_logodds": Param(
        1.0, "log-odds", -2.0, 3.0,
        "free parameter: informal activity is at least 70% of household income (Kim Byung-yeon)",
        "Means shift for households with a market trader.",
    ),
    "means_songbun_logodds": Param(
        0.5, "log-odds", -2.0, 3.0, "free parameter", "Means shift for core (+) and hostile (-) households.",
    ),
    # ties
    "friends_unit_degree": Param(
        3.0, "ties per person", 0.0, 10.0,
        "free parameter: trusted friends among neighbours of similar age",
        "Mean friend ties within one's neighbourhood unit (people aged 6+).",
    ),
    "friends_institution_degree": Param(
        5.0, "ties per person", 0.0, 10.0,
        "free parameter: trusted friends at school, work or in the market",
        "Mean friend ties within one's institution (or, for traders, market).",
    ),
    "friends_outside_degree": Param(
        0.5, "ties per person", 0.0, 5.0, "free parameter: friends elsewhere in the region",
        "Mean friend ties to random people in one's region.",
    ),
    "kin_degree": Param(
        3.0, "ties per person", 0.0, 10.0,
        "free parameter: relatives in other households (parents, siblings, cousins)",
        "Mean kin ties to people in other households.",
    ),
    "kin_cross_region_share": Param(
        0.2, "share", 0.0, 1.0, "free parameter", "Share of kin ties to another region.",
    ),
    "kin_cross_region_border_share": Param(
        0.35, "share", 0.0, 1.0,
        "free parameter: more cross-region kin in the border regions (exile and migration)",
        "Share of kin ties to another region for people in the border regions.",
    ),
    "kin_local_window": Param(
        2000, "agents", 10, 100_000,
        "free parameter: same-region kin live nearby (within this many agents in unit order)",
        "Span of the agent order within which same-region kin are drawn.",
    ),
}


def resolve_parameters(overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults with ``overrides`` applied, validated against :data:`POPULATION_SPEC`.

    Raises :class:`PanopticumError` naming the parameter, the value and the valid range.
    """
    spec = dict(walk(POPULATION_SPEC))
    values = {name: p.default for name, p in spec.items()}
    for name, value in overrides.items():
        if name not in spec:
            raise PanopticumError(
                f"unknown population parameter {name!r}; known: {', '.join(sorted(spec))}"
            )
        p = spec[name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise PanopticumError(f"population parameter {name}={value!r} is not a number")
        if p.kind is int:
            if float(value) != int(value):
                raise PanopticumError(f"population parameter {name}={value!r} must be a whole number")
            value = int(value)
        else:
            value = float(value)
        if not (p.low <= value <= p.high) or value != value:
            raise PanopticumError(
                f"population parameter {name}={value!r} is outside its valid range [{p.low}, {p.high}]"
            )
        values[name] = value
    for low, high in (
        ("inminban_min_households", "inminban_max_households"),
        ("village_min_households", "village_max_households"),
        ("barracks_min_squads", "barracks_max_squads"),
    ):
        if values[low] > values[high]:
            raise PanopticumError(f"population parameter {low}={values[low]} exceeds {high}={values[high]}")
    if values["songbun_core_share"] + values["songbun_hostile_share"] > 1:
        raise PanopticumError("songbun_core_share + songbun_hostile_share must not exceed 1")
    if values["songbun_pyongyang_core_share"] + values["songbun_pyongyang_hostile_share"] > 1:
        raise PanopticumError(
            "songbun_pyongyang_core_share + songbun_pyongyang_hostile_share must not exceed 1"
        )
    if values["school_start_age"] > values["school_end_age"]:
        raise PanopticumError("school_start_age must not exceed school_end_age")
    return values
