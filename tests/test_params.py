"""Parameters and scenarios: validation, overrides, TOML files, clear errors."""

import pytest

from panopticum.errors import PanopticumError
from panopticum.params.scenarios import builtin_names, load_scenario
from panopticum.params.schema import SPEC_BY_PATH, flatten_parameters, make_parameters, parse_assignment


def test_builtin_scenarios_are_the_six_documented():
    assert set(builtin_names()) == {"baseline-2023", "border-closure-2020", "human-only", "digital-panopticon",
                                    "no-surveillance", "calibrated-2023"}


def test_scenarios_set_what_they_say():
    human = load_scenario("human-only").params
    assert not human.cameras.enabled and not human.phones.enabled and not human.radio.enabled
    assert human.informants.enabled and human.inspections.enabled
    control = flatten_parameters(load_scenario("no-surveillance").params)
    # Every surveillance channel is off; escape is no surveillance and stays on.
    assert not any(v for k, v in control.items() if k.endswith(".enabled") and not k.startswith("escape."))
    assert control["escape.enabled"]
    base, panopticon = load_scenario("baseline-2023").params, load_scenario("digital-panopticon").params
    for desk in ("human", "cameras", "phones", "radio", "inspections"):
        assert getattr(panopticon.analysis, f"capacity_{desk}") == pytest.approx(10 * getattr(base.analysis, f"capacity_{desk}"))
    assert panopticon.cameras.coverage_market == 1.0
    closure = load_scenario("border-closure-2020")
    assert closure.params.timeline.start_date.year == 2019 and closure.days >= 5 * 365


def test_overrides_apply_and_are_validated():
    p = make_parameters({"inspections.random_rate": 0.01})
    assert p.inspections.random_rate == 0.01
    with pytest.raises(PanopticumError, match=r"outside its range \[0.0, 0.1\]"):
        make_parameters({"informants.share": 2})
    with pytest.raises(PanopticumError, match="unknown parameter 'inspections.randomrate'; did you mean inspections.random_rate"):
        make_parameters({"inspections.randomrate": 0.1})
    with pytest.raises(PanopticumError, match="true or false"):
        make_parameters({"cameras.enabled": 3})
    with pytest.raises(PanopticumError, match="whole number"):
        make_parameters({"beliefs.cadence_days": 2.5})


def test_assignments_read_toml_values():
    assert parse_assignment("cameras.enabled=false") == ("cameras.enabled", False)
    assert parse_assignment("timeline.start_date=2019-01-01")[1].year == 2019
    assert parse_assignment("informants.share = 0.02") == ("informants.share", 0.02)
    with pytest.raises(PanopticumError, match="path.to.param=value"):
        parse_assignment("informants.share")


def test_user_scenario_files(tmp_path):
    good = tmp_path / "study.toml"
    good.write_text('[scenario]\nname = "study"\nextends = "human-only"\ndays = 30\n\n[informants]\nshare = 0.05\n')
    s = load_scenario(str(good))
    assert s.name == "study" and s.days == 30 and s.params.informants.share == 0.05 and not s.params.cameras.enabled
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nname = 'x'\n\n[informants\nshare = 0.05\n")
    with pytest.raises(PanopticumError, match="malformed TOML.*line 4"):
        load_scenario(str(bad))
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[informants]\nshare = 0.5\n")
    with pytest.raises(PanopticumError, match=r"informants.share = 0.5 is outside its range \[0.0, 0.1\]"):
        load_scenario(str(wrong))
    with pytest.raises(PanopticumError, match="unknown scenario 'nope'"):
        load_scenario("nope")
    with pytest.raises(PanopticumError, match="not found"):
        load_scenario(str(tmp_path / "missing.toml"))


def test_every_declared_parameter_is_in_the_schema():
    flat = flatten_parameters(make_parameters())
    assert set(flat) == set(SPEC_BY_PATH)
    assert all(flat[k] == spec.default for k, spec in SPEC_BY_PATH.items())
