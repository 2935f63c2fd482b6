"""Virtual surveys on populations whose truth is known by construction.

Each estimator is checked where its assumptions hold (it recovers the truth) and where one
is broken (it shows the bias the literature documents).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from panopticum.population import BORDER_REGIONS, build_population
from panopticum.surveys import SyntheticRates, random_ties, run_study, score, synthetic_snapshot
from panopticum.surveys.designs import Design, Sample
from panopticum.surveys.frames import FrameTooSmall, prepare_frame
from panopticum.surveys.params import frame_parameters, survey_parameters
from panopticum.surveys.questions import QUESTION_NAMES

TRUTHFUL = {"response.fear": 0.0, "response.desirability": 0.0, "response.recall_decay": False}


def design(frame: str, n: int, estimators: tuple[str, ...], parameters=None, **frame_overrides) -> Design:
    sample = Sample(frame, frame, n, {f"frames.{frame}.{k}": v for k, v in frame_overrides.items()})
    return Design("test", "", "", estimators, False, (sample,), dict(parameters or {}))


def random_world(n: int, seed: int, degree: np.ndarray | None = None, **rates):
    """Everyone an adult resident with a phone, ties at random (a configuration model)."""
    rng = np.random.default_rng(seed)
    degree = rng.integers(4, 13, n) if degree is None else degree
    rates = SyntheticRates(**{"leave_share": 1e-9, "detained_share": 0.0, "phone_share": 1.0, **rates})
    return synthetic_snapshot(region=rng.integers(0, 11, n).astype(np.int8), female=rng.random(n) < 0.5,
                              age=rng.integers(17, 80, n).astype(np.int16), ties=random_ties(degree, rng),
                              seed=seed, rates=rates)


def rows(scores, estimator, sample=None):
    out = scores[scores["estimator"] == estimator]
    return out if sample is None else out[out["sample"] == sample]


@pytest.fixture(scope="module")
def world():
    return random_world(60_000, seed=1)


def test_simple_random_sample_is_unbiased_and_its_intervals_cover_95_percent(world):
    study = run_study(world, design("srs", 200, ("raw",), TRUTHFUL), replicates=400, seed=7)
    scores = rows(score(study), "raw").set_index("question")
    assert list(scores.index) == list(QUESTION_NAMES)
    for question, row in scores.iterrows():
        assert abs(row["bias"]) < 3.5 * row["sd"] / np.sqrt(400) + 1e-9, question
        if 0.05 < row["truth"] < 0.95:
            assert 0.92 <= row["coverage"] <= 0.98, (question, row["coverage"])
            assert 0.8 < row["deff"] < 1.25, question


def test_fear_lowers_admissions_in_proportion_to_perceived_risk(world):
    fearful = {**TRUTHFUL, "response.fear": 0.8}
    study = run_study(world, design("srs", 400, ("raw",), fearful), replicates=100, seed=3)
    got = rows(score(study), "raw").set_index("question")
    watched = (world["last_media"] >= world.day - 364) & (world["last_media"] >= 0)
    expected = np.mean(watched * (1 - 0.8 * world["perceived_risk_media"]))
    assert got.loc["media_past_year", "mean"] == pytest.approx(expected, abs=0.01)
    assert got.loc["media_past_year", "bias"] < -0.05
    # an item nobody fears (sensitivity 0.1, no behaviour behind it) barely moves
    assert abs(got.loc["phone", "bias"]) < 0.04


def test_recall_fades_with_the_time_since_the_event():
    snap = random_world(20_000, seed=4)
    base = {**TRUTHFUL, "response.recall_decay": True, "response.recall_half_life_days": 30.0}
    study = run_study(snap, design("srs", 400, ("raw",), base), replicates=30, seed=5)
    got = rows(score(study), "raw").set_index("question")
    assert got.loc["media_ever", "mean"] < 0.8 * got.loc["media_ever", "truth"]
    assert abs(got.loc["knows_punished", "bias"]) < 0.03  # no dated event behind it, nothing to forget


def _rds_world(seed: int):
    """Degrees 3 or 15; the high-degree third watches foreign media far more often."""
    rng = np.random.default_rng(seed)
    n = 40_000
    degree = np.where(rng.random(n) < 1 / 3, 15, 3)
    snap = random_world(n, seed, degree=degree)
    watcher = rng.random(n) < np.where(degree == 15, 0.6, 0.15)
    snap.columns["last_media"] = np.where(watcher, snap.day, -1).astype(np.int32)
    return snap, watcher


RDS_OPEN = {"seeds_border_only": False, "agree": 1.0, "fear_refusal": 0.0, "seeds": 10, "coupons": 3}


def test_rds_ii_recovers_the_truth_when_its_assumptions_hold():
    snap, _ = _rds_world(6)
    study = run_study(snap, design("phone", 300, ("raw", "rds2"), TRUTHFUL, **RDS_OPEN), replicates=150, seed=7)
    scores = score(study)
    raw = rows(scores, "raw").set_index("question").loc["media_past_year"]
    rds = rows(scores, "rds2").set_index("question").loc["media_past_year"]
    assert raw["bias"] > 0.08  # chains find the well-connected, who watch more
    assert abs(rds["bias"]) < 0.02
    assert rds["deff"] > 1.0  # a chain is less efficient than a random sample


def test_rds_ii_is_biased_under_differential_recruitment():
    """Watchers agree to answer, others mostly refuse: recruitment no longer follows ties at
    random, and RDS-II over-estimates (Gile and Handcock 2010; Tomas and Gile 2011)."""
    snap, watcher = _rds_world(8)
    snap.columns["perceived_risk_call"] = np.where(watcher, 0.0, 0.8).astype(np.float32)
    skewed = {**RDS_OPEN, "fear_refusal": 1.0}
    study = run_study(snap, design("phone", 300, ("rds2",), TRUTHFUL, **skewed), replicates=60, seed=9)
    rds = rows(score(study), "rds2").set_index("question").loc["media_past_year"]
    assert rds["bias"] > 0.1


def test_network_scale_up_recovers_the_truth_with_random_mixing_and_full_visibility(world):
    params = {**TRUTHFUL, "response.nsum_visibility": 1.0}
    study = run_study(world, design("srs", 300, ("nsum",), params), replicates=100, seed=10)
    nsum = rows(score(study), "nsum").iloc[0]
    assert nsum["question"] == "in_system"
    assert nsum["mean"] == pytest.approx(nsum["truth"], rel=0.05)


def test_network_scale_up_undercounts_a_hidden_group_by_its_visibility(world):
    """Transmission error: respondents know only some of their ties are informants, and the
    estimate falls by that factor (Killworth et al. 1998; Salganik et al. 2011)."""
    params = {**TRUTHFUL, "response.nsum_visibility": 0.5}
    study = run_study(world, design("srs", 300, ("nsum",), params), replicates=100, seed=11)
    nsum = rows(score(study), "nsum").iloc[0]
    assert nsum["mean"] / nsum["truth"] == pytest.approx(0.5, abs=0.05)


def test_randomized_response_is_unbiased_under_truthful_randomisation(world):
    fearful = {**TRUTHFUL, "response.fear": 0.8, "randomized_response.residual_fear": 0.0,
               "list_experiment.residual_fear": 0.0}
    study = run_study(world, design("srs", 500, ("raw", "randomized_response", "list_experiment"), fearful),
                      replicates=300, seed=12)
    scores = score(study)
    direct = rows(scores, "raw").set_index("question").loc["media_past_year"]
    rr = rows(scores, "randomized_response").set_index("question")
    listed = rows(scores, "list_experiment").set_index("question").loc["media_past_year"]
    assert direct["bias"] < -0.05
    for question, row in rr.iterrows():
        assert abs(row["bias"]) < 3.5 * row["sd"] / np.sqrt(300), question
        assert row["deff"] > 1.5  # the price of privacy
    assert abs(listed["bias"]) < 3.5 * listed["sd"] / np.sqrt(300)


def test_randomized_response_is_biased_when_fear_survives_the_randomiser(world):
    fearful = {**TRUTHFUL, "response.fear": 0.8, "randomized_response.residual_fear": 1.0}
    study = run_study(world, design("srs", 500, ("randomized_response",), fearful), replicates=100, seed=13)
    rr = rows(score(study), "randomized_response").set_index("question").loc["media_past_year"]
    assert rr["bias"] < -0.05


@pytest.fixture(scope="module")
def country():
    pop = build_population(20_000, seed=3)
    return pop, synthetic_snapshot(pop, seed=4)


def test_escapee_frame_over_represents_women_and_border_provinces(country):
    from panopticum.surveys import load_design

    _, snap = country
    mou = load_design("mou-defectors")
    (sample,) = mou.samples
    params = frame_parameters(survey_parameters(mou.parameters, sample.overrides), "escapee")
    frame = prepare_frame("escapee", snap, params, 17)
    rng = np.random.default_rng(0)
    idx = np.concatenate([frame.draw(sample.respondents, rng).idx for _ in range(20)])
    border = np.isin(snap["region"], np.array(BORDER_REGIONS, dtype=np.int8))
    residents = (snap["status"] == 0) & (snap["age"] >= 17)
    assert snap["female"][idx].mean() > 0.7 > snap["female"][residents].mean() + 0.15
    assert border[idx].mean() > 0.7 > border[residents].mean() + 0.3
    # a design's documented selection adds to the skew
    pushed = prepare_frame("escapee", snap, {**params, "female_odds": 4.0}, 17)
    idx2 = np.concatenate([pushed.draw(sample.respondents, rng).idx for _ in range(20)])
    assert snap["female"][idx2].mean() > snap["female"][idx].mean() + 0.05


def test_escapees_are_asked_about_their_last_year_at_home(country):
    _, snap = country
    study = run_study(snap, design("escapee", 200, ("raw",), TRUTHFUL), replicates=20, seed=14)
    frame = prepare_frame("escapee", snap, frame_parameters(survey_parameters(), "escapee"), 17)
    left = snap["left_day"][frame.pool]
    last = snap["last_trade"][frame.pool]
    expected = np.mean((last >= 0) & (last > left - 365))
    got = rows(score(study), "raw").set_index("question").loc["traded", "mean"]
    assert got == pytest.approx(expected, abs=0.03)


def test_a_design_asking_more_than_its_frame_holds_is_refused(country):
    _, snap = country
    with pytest.raises(FrameTooSmall, match=r"asks for 1,000,000 escapee but the escapee frame holds [\d,]+"):
        run_study(snap, design("escapee", 1_000_000, ("raw",)), replicates=1)


def test_the_built_in_designs_run_and_pool_their_samples(country):
    from panopticum.surveys import builtin_designs, load_design

    _, snap = country
    assert builtin_designs() == ["mou-defectors", "resident-phone-2022", "srs-1000", "stimson-2024"]
    stimson = load_design("stimson-2024")
    assert [(s.frame, s.respondents) for s in stimson.samples] == [("escapee", 40), ("phone", 100)]
    study = run_study(snap, stimson, replicates=5, seed=0)
    scores = score(study)
    assert set(scores["sample"]) == {"escapees", "phone residents", "all"}
    assert set(rows(scores, "rds2")["sample"]) == {"phone residents"}
    assert (rows(scores, "raw", "all")["respondents"] == 140).all()
    again = score(run_study(snap, stimson, replicates=5, seed=0))
    assert again.equals(scores)  # same seed, same study


def test_survey_docs_match_the_code():
    from pathlib import Path

    from panopticum.docs.tables import render
    from panopticum.params.spec import walk
    from panopticum.surveys import builtin_designs
    from panopticum.surveys.estimators import ESTIMATORS
    from panopticum.surveys.params import SURVEY_SPEC

    text = (Path(__file__).resolve().parents[1] / "docs" / "surveys.md").read_text(encoding="utf-8")
    assert render(text) == text, "docs/surveys.md has drifted from the schema: run `python -m panopticum.docs`"
    for path, p in walk(SURVEY_SPEC):
        assert f"`{path}`" in text and p.unit and p.source and p.doc, path
    for name in [*builtin_designs(), *ESTIMATORS, *QUESTION_NAMES]:
        assert f"`{name}`" in text, name


def test_survey_parameters_are_checked():
    with pytest.raises(Exception, match=r"response.fear=1.5 is outside its valid range"):
        survey_parameters({"response.fear": 1.5})
    with pytest.raises(Exception, match="unknown survey parameter 'response.feer'"):
        survey_parameters({"response.feer": 0.1})
    assert survey_parameters({"frames.phone.seeds": 7.0})["frames.phone.seeds"] == 7


def test_post_stratification_removes_a_bias_that_comes_from_sex_alone():
    """Escapees are mostly women; an item women hold far more often is over-estimated by the
    raw share and recovered once the sample is weighted back to the census's sex ratio."""
    snap = random_world(60_000, seed=15, leave_share=0.05)
    rng = np.random.default_rng(16)
    snap.columns["phone"] = rng.random(snap.n) < np.where(snap["female"], 0.8, 0.2)
    study = run_study(snap, design("escapee", 300, ("raw", "poststrat"), TRUTHFUL), replicates=60, seed=17)
    scores = score(study).set_index(["estimator", "question"])
    assert scores.loc[("raw", "phone"), "bias"] > 0.1
    assert abs(scores.loc[("poststrat", "phone"), "bias"]) < 0.02


def test_a_phone_chain_recruits_distinct_people_along_ties():
    snap = random_world(20_000, seed=18)
    params = {**frame_parameters(survey_parameters(), "phone"), **RDS_OPEN, "agree": 0.6}
    frame = prepare_frame("phone", snap, params, 17)
    draw = frame.draw(400, np.random.default_rng(19))
    assert draw.idx.shape == (400,) and np.unique(draw.idx).size == 400
    assert not frame.in_sample.any()  # the frame is ready for the next draw
    seeds = draw.recruiter < 0
    assert 10 <= seeds.sum() < 400
    for k in np.flatnonzero(~seeds):
        recruiter = draw.idx[draw.recruiter[k]]
        assert draw.recruiter[k] < k
        assert draw.idx[k] in snap.tie_index[snap.tie_indptr[recruiter]:snap.tie_indptr[recruiter + 1]]
    assert np.array_equal(draw.degree, snap.degree[draw.idx])  # everyone is in the frame here


def test_raking_matches_the_census_margins_and_wilson_matches_its_formula():
    from panopticum.surveys.estimators import rake, wilson

    rng = np.random.default_rng(20)
    region = rng.choice(11, 500, p=np.r_[0.5, np.full(10, 0.05)])
    female = rng.random(500) < 0.8
    target = np.full(11, 1 / 11)
    w = rake(region, female, target, 0.5)
    assert np.allclose(np.bincount(region, weights=w, minlength=11) / w.sum(), target, atol=1e-8)
    assert w[female].sum() / w.sum() == pytest.approx(0.5, abs=1e-8)
    low, high = wilson(np.array([0.5]), 100)
    assert (low[0], high[0]) == pytest.approx((0.40383, 0.59617), abs=1e-5)


@pytest.mark.parametrize("body, message", [
    ('[[sample]]\nframe = "street"\nrespondents = 10\n', "sample 1 has frame 'street'; frames: escapee, phone, srs"),
    ('[[sample]]\nframe = "srs"\nrespondents = 1\n', "sample 1 needs respondents = a whole number of 2 or more"),
    ('[[sample]]\nframe = "srs"\nrespondents = 10\nseeds = 3\n', "sample 1 sets 'seeds', not a parameter of the srs frame"),
    ('[design]\nestimators = ["mrp"]\n[[sample]]\nframe = "srs"\nrespondents = 10\n', "unknown estimator(s) mrp"),
    ('[design]\nname = "x"\n', "a design needs at least one [[sample]]"),
    ('[[sample]]\nframe = "srs"\nrespondents = 10\n[parameters]\n"response.fear" = 3\n',
     "response.fear=3 is outside its valid range"),
    ('[[sample]\n', "malformed TOML in design"),
])
def test_a_bad_design_file_is_refused_with_its_reason(tmp_path, body, message):
    from panopticum.errors import PanopticumError
    from panopticum.surveys import load_design

    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(PanopticumError, match=re.escape(message)):
        load_design(str(path))
