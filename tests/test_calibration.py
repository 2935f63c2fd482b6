"""Calibration: the targets file's validation, and recovery of known parameters by ABC-SMC."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from panopticum.calibration import load_targets
from panopticum.calibration.abc import ScaledDistance, calibrate, load_posterior
from panopticum.calibration.observables import RunView, observe_all
from panopticum.calibration.simulator import Simulator
from panopticum.errors import PanopticumError

ROOT = Path(__file__).resolve().parents[1]

HEAD = """[targets]
name = "t"
start_date = 2023-01-01
end_date = 2023-01-10
"""


def targets_file(tmp_path: Path, body: str, head: str = HEAD) -> str:
    path = tmp_path / "targets.toml"
    path.write_text(head + body)
    return str(path)


def share_target(name: str, metric: str, observed: float, uncertainty: float, extra: str = "") -> str:
    return f"""
[[target]]
name = "{name}"
kind = "share"
metric = "{metric}"
start = 2023-01-01
end = 2023-01-10
observed = {observed}
uncertainty = {uncertainty}
{extra}"""


def test_builtin_targets_load_with_every_published_figure():
    targets = load_targets("nk-2024")
    by_name = {t.name: t for t in targets.targets}
    assert by_name["arrivals"].observed == (1047, 229, 63, 67, 196, 236)
    assert by_name["arrivals"].years == (2019, 2020, 2021, 2022, 2023, 2024)
    assert by_name["share_in_system"].bound == "upper"
    assert by_name["defectors_seen_foreign_video"].design == "mou-defectors"
    assert {t.name for t in targets.targets if t.needs_snapshots} == {
        "defectors_seen_foreign_video", "defectors_seen_media_punishment", "phone_subscriptions"}


@pytest.mark.parametrize(
    "body, message",
    [
        (share_target("x", "no_such_metric", 0.5, 0.1), "unknown metric 'no_such_metric'"),
        (share_target("x", "media_access", 1.5, 0.1), "observed value 1.5 is outside the possible range [0, 1]"),
        ("""
[[target]]
name = "x"
kind = "survey"
design = "no-such-design"
question = "media_ever"
date = 2023-01-05
observed = 0.5
uncertainty = 0.1
""", "unknown survey design 'no-such-design'"),
        (share_target("x", "media_access", 0.5, 0.1) + '\n[free]\n"escape.rate" = [0.0, 0.5]\n',
         "prior of escape.rate [0, 0.5] is outside the schema's range"),
        (share_target("x", "media_access", 0.5, 0.0), "uncertainty must be positive"),
        (share_target("x", "departures", 0.5, 0.1), "a share target needs a metric in share"),
    ],
)
def test_bad_targets_file_is_one_clear_line(tmp_path, body, message):
    with pytest.raises(PanopticumError, match=None) as info:
        load_targets(targets_file(tmp_path, body))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_targets_on_the_command_line_exit_2_with_one_line(tmp_path):
    path = targets_file(tmp_path, share_target("x", "media_acess", 0.5, 0.1))
    proc = subprocess.run(
        [sys.executable, "-m", "panopticum", "calibrate", path, "--scenario", "baseline-2023", "--agents", "10000",
         "--store", str(tmp_path / "store")],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: target 'x': unknown metric 'media_acess'; did you mean media_access?"]
    assert not (tmp_path / "store" / "calibrations").exists()


@pytest.mark.parametrize(
    "options, message",
    [
        (["--free", "escape.rate=0:0.5"], "prior of escape.rate [0, 0.5] is outside the schema's range"),
        (["--free", "no.such_parameter"], "no.such_parameter"),
        (["--resume", "no-such-calibration"], "no calibration in"),
    ],
)
def test_bad_calibrate_options_exit_2_with_one_line(tmp_path, options, message):
    path = targets_file(tmp_path, share_target("x", "media_access", 0.5, 0.1))
    proc = subprocess.run(
        [sys.executable, "-m", "panopticum", "calibrate", path, "--agents", "10000", "--store", str(tmp_path / "store"),
         *options],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("error: ") and message in line
    assert not list((tmp_path / "store").glob("calibrations/*"))


def test_one_sided_target_counts_only_beyond_its_bound():
    distance = ScaledDistance({"a": 0.01}, {"a": "upper"})
    assert distance({"a": 0.04}, {"a": 0.05}) == 0.0
    assert distance({"a": 0.07}, {"a": 0.05}) == pytest.approx(2.0)


def test_a_survey_of_few_respondents_counts_less_and_none_not_at_all():
    distance = ScaledDistance({"s": 0.03}, {"s": "both"})
    many = distance({"s": 0.5, "s#n": 1e9}, {"s": 0.8})
    few = distance({"s": 0.5, "s#n": 4}, {"s": 0.8})
    assert many == pytest.approx(10.0, rel=1e-3)  # the target's own uncertainty alone
    assert few == pytest.approx(0.3 / np.sqrt(0.03**2 + 0.8 * 0.2 / 4))
    assert distance({"s": float("nan"), "s#n": 0}, {"s": 0.8}) == 0.0


TRUE = {"media.initial_access_share": 0.5, "informants.share": 0.02}


def weighted_interval(values: np.ndarray, weights: np.ndarray, low=0.05, high=0.95) -> tuple[float, float]:
    order = np.argsort(values)
    cdf = np.cumsum(weights[order]) / weights.sum()
    return float(values[order][np.searchsorted(cdf, low)]), float(values[order][min(np.searchsorted(cdf, high), len(cdf) - 1)])


def test_abc_smc_recovers_known_parameters(tmp_path):
    # targets generated by the model itself at known values, then calibrated from wide priors
    draft = load_targets(targets_file(tmp_path, share_target("access", "media_access", 0.5, 0.02)
                                      + share_target("system", "share_in_system", 0.05, 0.01)))
    simulator = Simulator("baseline-2023", 10_000, draft.start_date, draft.days, list(draft.targets),
                          fixed={"timeline.burn_in_days": 0})
    truth = observe_all(RunView.of(simulator.run(TRUE, seed=7)), list(draft.targets))
    path = targets_file(tmp_path, share_target("access", "media_access", round(truth["access"], 4), 0.02)
                        + share_target("system", "share_in_system", round(truth["system"], 4), 0.0025))
    folder = calibrate(path, scenario="baseline-2023", agents=10_000, store=tmp_path / "store", generations=3,
                       population_size=20, free=["media.initial_access_share=0:1", "informants.share=0:0.1"],
                       workers=0, burn_in_days=0)
    posterior = load_posterior(folder)
    assert len(posterior) == 20 and posterior["generation"].iloc[0] == 2
    for path, value in TRUE.items():
        low, high = weighted_interval(posterior[path].to_numpy(), posterior["weight"].to_numpy())
        assert low <= value <= high, f"{path}: 90% interval [{low:.4f}, {high:.4f}] misses {value}"
        assert high - low < 0.5 * (1.0 if path.startswith("media") else 0.1), f"{path}: the posterior did not narrow"


@pytest.fixture(scope="module")
def small_calibration(tmp_path_factory):
    """One generation of 4 particles on one target, then resumed to a second generation."""
    tmp = tmp_path_factory.mktemp("calibration")
    path = targets_file(tmp, share_target("access", "media_access", 0.35, 0.05))
    store = tmp / "store"
    folder = calibrate(path, scenario="baseline-2023", agents=10_000, store=store, generations=1,
                       population_size=4, free=["media.initial_access_share=0:1"], workers=0, burn_in_days=0)
    first = load_posterior(folder)
    resumed = calibrate(None, scenario="", agents=0, store=store, generations=2, workers=0, resume=folder.name)
    return store, resumed, first


def test_resume_continues_from_the_database(small_calibration):
    store, folder, first = small_calibration
    meta = json.loads((folder / "calibration.json").read_text())
    assert meta["generations_done"] == 2 and first["generation"].iloc[0] == 0
    assert load_posterior(folder)["generation"].iloc[0] == 1


def test_resume_of_a_stopped_calibration_takes_what_its_database_holds(small_calibration, tmp_path):
    import shutil

    store, folder, _ = small_calibration
    copy = tmp_path / "calibrations" / folder.name
    shutil.copytree(folder, copy)
    # as if stopped during its third generation: the database holds two, nothing else was written
    meta = json.loads((copy / "calibration.json").read_text())
    (copy / "calibration.json").write_text(json.dumps(dict(meta, generations_done=0, simulations=0, wall_seconds=0.0)))
    (copy / "posterior.parquet").unlink()
    calibrate(None, scenario="", agents=0, store=tmp_path, generations=2, workers=0, resume=folder.name)
    restored = json.loads((copy / "calibration.json").read_text())
    assert restored["generations_done"] == 2 and restored["simulations"] == meta["simulations"]
    assert restored["wall_seconds"] > 0
    assert load_posterior(copy)["generation"].iloc[0] == 1


def test_report_has_posterior_plots_and_a_check_of_every_target(small_calibration):
    from panopticum.calibration.results import write_report

    _, folder, _ = small_calibration
    page = write_report(folder, draws=3)
    text = page.read_text()
    assert "Posterior predictive check" in text and "access" in text
    check = pd.read_parquet(folder / "predictive.parquet")
    assert list(check["target"]) == ["access"]
    assert check["sim_low_90"].iloc[0] <= check["sim_high_90"].iloc[0]
    assert (folder / "pairs.png").exists() and (folder / "marginals.png").exists()


def test_median_scenario_sets_the_posterior_medians_on_its_base(small_calibration, tmp_path):
    from panopticum.calibration.results import summary
    from panopticum.calibration.scenario import median_scenario
    from panopticum.params.scenarios import load_scenario

    _, folder, _ = small_calibration
    path = tmp_path / "calibrated.toml"
    path.write_text(median_scenario(folder, "calibrated"))
    meta = json.loads((folder / "calibration.json").read_text())
    median = summary(load_posterior(folder), meta["priors"])["median"].iloc[0]
    scenario = load_scenario(str(path))
    assert scenario.name == "calibrated"
    assert scenario.params.media.initial_access_share == pytest.approx(median, rel=1e-3)
    assert meta["id"] in path.read_text()


def test_run_posterior_is_one_run_whose_members_are_the_draws(small_calibration):
    """K draws are one stored run of K members, each with its draw's values; member m is
    member m of a plain ensemble of the same seed with draw m's values set (same key)."""
    import duckdb

    from panopticum.calibration.results import draw
    from panopticum.cli import main
    from panopticum.store import RunStore, start_run
    from panopticum.store.runner import resume_run

    store_dir, folder, _ = small_calibration
    store_dir = store_dir.parent / "posterior-store"
    main(["run", "--posterior", str(folder), "--ensemble", "3", "--days", "20", "--chunk-days", "10", "--seed", "5",
          "--store", str(store_dir)])
    store = RunStore.open(store_dir)
    [run_id] = store.run_ids()
    manifest = store.manifest(run_id)
    draws = draw(load_posterior(folder), 3, 5)
    assert manifest["members"] == 3 and manifest["overrides"]["timeline.burn_in_days"] == 0
    assert [p["media.initial_access_share"] for p in store.member_parameters(run_id)] == [
        d["media.initial_access_share"] for d in draws]
    with duckdb.connect(str(store_dir / "catalog.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT member, value FROM member_parameters WHERE run_id = ? "
                           "AND parameter = 'media.initial_access_share' ORDER BY member", [run_id]).fetchall()
    assert [v for _, v in rows] == [d["media.initial_access_share"] for d in draws]

    def final_state(rid):
        arrays, day = store.load_checkpoint(rid)
        assert day == 20
        return arrays

    posterior_state, posterior_metrics = final_state(run_id), store.metrics(run_id)
    for m, values in enumerate(draws):
        alone = start_run(store, "baseline-2023", agents=10_000, days=20, seed=5, members=3, chunk_days=20,
                          overrides={**values, "timeline.burn_in_days": 0})
        assert store.member_parameters(alone) == [store.manifest(alone)["parameters"]] * 3  # one set for all
        state = final_state(alone)
        for name, value in state.items():
            if value.dtype.kind in "biu":  # integer counts and flags: exactly
                assert np.array_equal(value[m], posterior_state[name][m]), (m, name)
        keys = ["day", "region", "metric"]
        ours = posterior_metrics[posterior_metrics["member"] == m].sort_values(keys)
        theirs = store.metrics(alone).query("member == @m").sort_values(keys)
        assert ours[keys].to_numpy().tolist() == theirs[keys].to_numpy().tolist()
        np.testing.assert_allclose(ours["value"], theirs["value"], rtol=1e-5, atol=1e-9)

    # a posterior run resumes with each member's own values (from its manifest)
    checkpoint = store.run_dir(run_id) / "checkpoint"
    (checkpoint / "state.npz").unlink()  # back to the checkpoint of day 10
    store.update_status(run_id, status="incomplete", days_done=10)
    resume_run(store, run_id)
    assert store.metrics(run_id)["value"].to_numpy().tobytes() == posterior_metrics["value"].to_numpy().tobytes()
    assert all(np.array_equal(v, posterior_state[k]) for k, v in final_state(run_id).items())


def test_survey_and_census_targets_read_a_snapshot_through_the_surveys_package(tmp_path):
    from panopticum.calibration.observables import SnapshotsUnavailable, observe
    from panopticum.population import build_population
    from panopticum.surveys import synthetic_snapshot

    population = build_population(10_000, 0)
    snapshot = synthetic_snapshot(population, seed=1)
    targets = load_targets(targets_file(tmp_path, """
[[target]]
name = "video"
kind = "survey"
design = "srs-1000"
question = "media_ever"
date = 2023-01-05
observed = 0.8
uncertainty = 0.05

[[target]]
name = "phones"
kind = "census"
question = "phone"
date = 2023-01-05
observed = 6750000
uncertainty = 250000
"""))
    survey, census = targets.targets
    regional = np.zeros((1, 10, 2, 1))
    national = np.zeros((1, 10, 1))
    view = RunView(regional, national, targets.start_date, adults=2e7, people=26.5e6)
    with pytest.raises(SnapshotsUnavailable):
        observe(view, survey)
    view.snapshots = lambda date: snapshot
    [estimate] = observe(view, survey)
    assert 0 < estimate < 1
    [phones] = observe(view, census)
    from panopticum.surveys.questions import target_mask

    adults_free = target_mask(snapshot, 17)
    expected = (snapshot["phone"] & adults_free).sum() * 26.5e6 / snapshot.n
    assert phones == pytest.approx(expected)


def test_calibrated_2023_is_the_baseline_with_posterior_medians_of_the_free_parameters():
    from panopticum.params.scenarios import load_scenario
    from panopticum.params.schema import flatten_parameters

    base = flatten_parameters(load_scenario("baseline-2023").params)
    calibrated = flatten_parameters(load_scenario("calibrated-2023").params)
    changed = {k for k in base if base[k] != calibrated[k]}
    assert changed == {"escape.rate", "escape.closure_multiplier", "escape.after_reopening",
                       "timeline.reopening_days", "informants.share", "enforcement.camp_share_criticise"}
    text = (ROOT / "src/panopticum/scenarios/calibrated-2023.toml").read_text()
    assert "nk-2024" in text and "posterior medians of calibration" in text


def test_published_tables_are_generated_from_the_calibration_files(tmp_path):
    from panopticum.calibration.tables import posterior_table, predictive_table

    pd.DataFrame([{"parameter": "escape.rate", "median": 5.686e-05, "low_90": 2.11e-05, "high_90": 6.88e-05,
                   "prior_low": 0.0, "prior_high": 2e-4, "width_kept": 0.2646}]).to_parquet(tmp_path / "summary.parquet")
    pd.DataFrame([
        {"target": "share_in_system", "observed": 0.05, "uncertainty": 0.01, "bound": "upper", "sim_low_90": 0.0412,
         "sim_median": 0.0431, "sim_high_90": 0.0455, "consistent": True, "draws_estimated": 20, "respondents_median": np.nan},
        {"target": "arrivals[2020]", "observed": 229.0, "uncertainty": 46.0, "bound": "both", "sim_low_90": 89.7,
         "sim_median": 94.3, "sim_high_90": 158.6, "consistent": False, "draws_estimated": 20, "respondents_median": np.nan},
        {"target": "survey", "observed": 0.833, "uncertainty": 0.03, "bound": "both", "sim_low_90": 0.0,
         "sim_median": 0.5, "sim_high_90": 0.5, "consistent": False, "draws_estimated": 5, "respondents_median": 1.0},
    ]).to_parquet(tmp_path / "predictive.parquet")
    assert "| `escape.rate` | 0 - 0.0002 | 5.69e-05 | 2.11e-05 - 6.88e-05 | 0.26 |" in posterior_table(tmp_path)
    rows = predictive_table(tmp_path).splitlines()[2:]
    assert rows == ["| share_in_system | at most 0.05 | 0.0412 - 0.0455 | 0.0431 | yes |  |",
                    "| arrivals 2020 | 229 ± 46 | 90 - 159 | 94 | no |  |",
                    "| survey | 0.833 ± 0.03 | 0 - 0.5 | 0.5 | no | 5 of 20 (1) |"]
