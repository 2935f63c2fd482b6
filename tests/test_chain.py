"""From record to punishment: a detection needs an analysed record, targeted inspections
follow analysed leads only, and inspections run at the rates their units say."""

from __future__ import annotations

import pytest

from conftest import simulate
from panopticum.params.scenarios import load_scenario

DIGITAL = ("cameras", "phones", "radio")
CAPACITIES = ("human", "cameras", "phones", "radio", "inspections")


def digital_capacities(scenario: str, factor: float) -> dict:
    analysis = load_scenario(scenario).params.analysis
    return {f"analysis__capacity_{c}": getattr(analysis, f"capacity_{c}") * factor for c in DIGITAL}


@pytest.fixture(scope="module")
def capacity_sweep(country):
    """The digital panopticon (every digital channel detects at 10,000 agents) with its
    digital analysis capacity at x0, /10, x1 and x10."""
    return {
        factor: simulate(country, "digital-panopticon", days=180, **digital_capacities("digital-panopticon", factor))
        for factor in (0.0, 0.1, 1.0, 10.0)
    }


def test_the_capacity_sweep_moves_digital_detections_monotonically(capacity_sweep):
    detected = {f: sum(s[f"detections_{c}"].sum() for c in DIGITAL) for f, s in capacity_sweep.items()}
    assert detected[0.0] == 0
    assert detected[0.0] < detected[0.1] < detected[1.0] < detected[10.0], detected


def test_without_analysis_nothing_digital_leads_to_a_detection(capacity_sweep):
    """The invariant: records are still collected, but none is analysed, so no digital
    detection and no inspection on a digital lead; with analysts at work, the same
    mechanism opens such leads."""
    blind = capacity_sweep[0.0]
    for c in DIGITAL:
        assert blind[f"records_collected_{c}"].sum() > 0, c
        assert blind[f"detections_{c}"].sum() == 0, c
    assert blind["targeted_inspections_digital"].sum() == 0
    assert capacity_sweep[1.0]["targeted_inspections_digital"].sum() > 0


def test_with_every_desk_closed_nobody_is_detected_or_inspected_on_suspicion(country):
    closed = simulate(country, days=60, **{f"analysis__capacity_{c}": 0.0 for c in CAPACITIES})
    assert closed["records_collected_informants"].sum() > 0
    assert closed["records_collected_inspections"].sum() > 0  # random inspections still run
    for metric in ("detections_all", "targeted_inspections", "punished", "investigated"):
        assert closed[metric].sum() == 0, metric


def test_inspections_run_at_the_rate_their_unit_says(country):
    """Only random household inspections, at 1/30 per household per day: the inspected
    (innocuous records) number about adults x rate a day."""
    others_off = {f"{c}__enabled": False for c in ("informants", "inminban", "workplace", "cameras", "phones", "radio")}
    days, rate = 60, 1 / 30
    s = simulate(
        country, days=days, inspections__random_rate=rate, inspections__raid_rate=0.0, inspections__barracks_rate=0.0,
        inspections__targeted_rate=0.0, **others_off,
    )
    adults = int((country.age >= 17).sum() - (country.region == 10).sum())
    inspected = s["records_collected_inspections"].sum() / country.scale
    assert inspected == pytest.approx(adults * rate * days, rel=0.25)


def test_human_only_keeps_its_inspections(country):
    human = simulate(country, "human-only", days=120)
    assert human["detections_inspections"].sum() > 0
    assert human["targeted_inspections"].sum() > 0
    assert human["targeted_inspections_digital"].sum() == 0
