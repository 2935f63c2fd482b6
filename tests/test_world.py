"""The world built from a population: its yes/no constants say what the population says."""

from __future__ import annotations

import numpy as np

from panopticum.engine import build_world
from panopticum.population.core import BORDER_REGIONS, Occupation, Region


def test_each_flag_says_what_the_population_says(country):
    world, _ = build_world(country)
    occupation = np.asarray(country.occupation)
    region = np.asarray(country.region)
    adult = np.asarray(country.age) >= 17
    expected = {
        "adult": adult,
        "can_act": adult & (occupation != Occupation.SECURITY),
        "trader": occupation == Occupation.TRADER,
        "pyongyang": region == Region.PYONGYANG,
        "border": np.isin(region, list(BORDER_REGIONS)),
        "military": region == Region.MILITARY,
        "phone": np.asarray(country.phone, bool),
        "relatives_abroad": np.asarray(country.relatives_abroad, bool),
        "female": np.asarray(country.female, bool),
        "urban": np.asarray(country.urban, bool),
    }
    for name, want in expected.items():
        got = np.asarray(getattr(world, name))
        assert got.dtype == bool and got.shape == (country.n,)
        np.testing.assert_array_equal(got, want, err_msg=name)
        assert 0 < want.sum() < country.n, name  # each flag tells agents apart here
