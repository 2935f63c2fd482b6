"""Survey and census targets computed from the snapshots a calibration run keeps."""

from __future__ import annotations

import math

import pytest

from panopticum.calibration import load_targets
from panopticum.calibration.simulator import Simulator

SURVEYS = """[targets]
name = "surveys"
start_date = 2023-01-01
end_date = 2023-01-30

[[target]]
name = "video"
kind = "survey"
design = "srs-1000"
question = "media_ever"
date = 2023-01-30
observed = 0.8
uncertainty = 0.05

[[target]]
name = "defectors_video"
kind = "survey"
design = "mou-defectors"
question = "media_ever"
date = 2023-01-30
observed = 0.8
uncertainty = 0.05

[[target]]
name = "phones"
kind = "census"
question = "phone"
date = 2023-01-30
observed = 6750000
uncertainty = 250000
"""


@pytest.fixture(scope="module")
def simulator(tmp_path_factory):
    path = tmp_path_factory.mktemp("targets") / "surveys.toml"
    path.write_text(SURVEYS)
    targets = load_targets(str(path))
    return Simulator("baseline-2023", 10_000, targets.start_date, targets.days, list(targets.targets),
                     fixed={"timeline.burn_in_days": 0})


def test_a_survey_target_reads_the_runs_snapshot_and_follows_the_behaviour_it_measures(simulator):
    with_media = simulator.observe({}, seed=3)
    without = simulator.observe({"media.initial_access_share": 0.0, "media.share_rate": 0.0}, seed=3)
    assert with_media["video#n"] == without["video#n"] == 1000  # the design's sample, drawn in full
    assert with_media["video"] > 0.05
    assert without["video"] == pytest.approx(0.0, abs=0.01)  # only recall error is left
    # the phone census counts owners in the country, whatever the media
    assert 1e6 < with_media["phones"] == pytest.approx(without["phones"], rel=0.02)


def test_an_escapee_survey_interviews_the_leavers_the_run_has(simulator):
    quiet = simulator.observe({"escape.rate": 0.0}, seed=3)
    assert quiet["defectors_video#n"] == 0 and math.isnan(quiet["defectors_video"])
    # a run where many leave: the frame holds fewer than the design's 500, and all are interviewed
    leaving = simulator.observe({"escape.rate": 0.01, "escape.closure_multiplier": 1.0,
                                 "escape.inland_multiplier": 1.0}, seed=3)
    assert 2 <= leaving["defectors_video#n"] < 500
    assert 0.0 <= leaving["defectors_video"] <= 1.0
