"""Experiment files, designs and keys: validation with one clear line, and what a design sets."""

from __future__ import annotations

import datetime
import subprocess
import sys

import numpy as np
import pytest

from panopticum.errors import PanopticumError
from panopticum.experiments.batching import batch_size, design_points, make_batches, make_units, unit_key
from panopticum.experiments.design import build_design
from panopticum.experiments.execute import plan
from panopticum.experiments.spec import builtin_experiments, free_parameters, load_experiment

GOOD = """
[experiment]
name = "t"
scenario = "baseline-2023"
agents = 10000
days = 30
replicates = 2
design = "{design}"
samples = {samples}

[[vary]]
{vary}

[[vary]]
path = "informants.share"

[[outcomes]]
metric = "{metric}"
aggregate = "mean_last"
days = 10
"""


def write(tmp_path, design="latin", samples=8, vary='path = "cameras.coverage_market"', metric="freedom_index"):
    path = tmp_path / "e.toml"
    path.write_text(GOOD.format(design=design, samples=samples, vary=vary, metric=metric))
    return str(path)


def test_a_valid_file_loads_with_schema_ranges_by_default(tmp_path):
    exp = load_experiment(write(tmp_path))
    share = next(f for f in exp.factors if f.name == "informants.share")
    assert (share.low, share.high) == (0.0, 0.1)
    assert exp.outcomes[0].name == "freedom_index_mean_last" and exp.outcomes[0].days == 10


@pytest.mark.parametrize("vary, metric, message", [
    ('path = "cameras.coverage_markt"', "freedom_index", "unknown parameter 'cameras.coverage_markt'; did you mean cameras.coverage_market"),
    ('path = "cameras.coverage_market"\nrange = [0.0, 1.5]', "freedom_index",
     "cameras.coverage_market: [0.0, 1.5] is outside the schema's range [0.0, 1.0] share"),
    ('path = "cameras.coverage_market"', "freedom_idx", "unknown outcome metric 'freedom_idx'; did you mean freedom_index"),
    ('path = "beliefs.cadence_days"', "freedom_index", "beliefs.cadence_days cannot be varied in a sweep"),
    ('path = "timeline.start_date"\nrange = [2020-01-01, 2021-01-01]', "freedom_index", "timeline.start_date cannot be varied"),
    ('path = "cameras.enabled"', "freedom_index", "cameras.enabled is a switch: switches can be varied only in a grid design"),
    ('name = "capacity"\npaths = ["analysis.capacity_*"]\nfactor = [0.0, 1e9]', "freedom_index", "is outside the schema's range"),
])
def test_bad_input_is_one_clear_error(tmp_path, vary, metric, message):
    with pytest.raises(PanopticumError) as err:
        load_experiment(write(tmp_path, vary=vary, metric=metric))
    assert message in str(err.value) and str(err.value).startswith("e.toml: ")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "panopticum", *args], capture_output=True, text=True, timeout=120)


def test_the_cli_rejects_bad_files_and_an_unreachable_scheduler_writing_nothing(tmp_path):
    store = tmp_path / "store"
    bad = write(tmp_path, metric="no_such_metric")
    done = run_cli("sweep", bad, "--store", str(store))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: e.toml: unknown outcome metric 'no_such_metric'")
    good = write(tmp_path)
    done = run_cli("sweep", good, "--store", str(store), "--scheduler", "tcp://127.0.0.1:9")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    done = run_cli("sensitivity", write(tmp_path, design="grid"), "--store", str(store))
    assert done.returncode == 2 and "sensitivity needs design" in done.stderr
    assert not store.exists()


def test_builtin_experiments_load_and_plan():
    assert {"analysis-capacity", "morris-all"} <= set(builtin_experiments())
    capacity = plan(load_experiment("analysis-capacity"))
    assert len(capacity.points) == 6 * 5 * 5
    factor = capacity.design.factors[0]
    assert factor.name == "capacity" and factor.kind == "factor" and (factor.low, factor.high) == (0.0, 10.0)
    base = load_experiment("analysis-capacity").base_values()
    tenfold = next(p for p in capacity.points if p["analysis.capacity_human"] == 10 * base["analysis.capacity_human"])
    assert tenfold["analysis.capacity_cameras"] == 10 * base["analysis.capacity_cameras"]
    everything = load_experiment("morris-all")
    assert [f.name for f in everything.factors] == free_parameters() and len(free_parameters()) > 20


def test_designs_are_reproducible_and_within_ranges(tmp_path):
    exp = load_experiment(write(tmp_path, design="saltelli", samples=8))
    a = build_design(exp.factors, "saltelli", 8, seed=1)
    b = build_design(exp.factors, "saltelli", 8, seed=1)
    assert np.array_equal(a.X, b.X) and a.rows == 8 * (2 + 2)
    for i, f in enumerate(exp.factors):
        assert f.low <= a.X[:, i].min() and a.X[:, i].max() <= f.high
    with pytest.raises(PanopticumError, match="power of 2"):
        build_design(exp.factors, "saltelli", 6)


def test_date_factors_sample_whole_days(tmp_path):
    vary = 'path = "timeline.border_reopened"\nrange = [2023-03-01, 2023-06-01]'
    exp = load_experiment(write(tmp_path, vary=vary))
    points, _ = design_points(build_design(exp.factors, "latin", 8, seed=0), exp.base_values())
    dates = [p["timeline.border_reopened"] for p in points]
    assert all(isinstance(d, datetime.date) and datetime.date(2023, 3, 1) <= d <= datetime.date(2023, 6, 1) for d in dates)


def test_unit_keys_name_parameters_seed_and_replicate():
    p = {"cameras.coverage_market": 0.25}
    assert unit_key(p, 0, 0) == unit_key(dict(p), 0, 0)
    assert len({unit_key(p, 0, 0), unit_key(p, 1, 0), unit_key(p, 0, 1), unit_key({"cameras.coverage_market": 0.26}, 0, 0)}) == 4
    units = make_units([p, {"cameras.coverage_market": 0.5}], seed=0, replicates=3)
    assert [(u.point, u.replicate) for u in units] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


@pytest.mark.parametrize("count, most", [(14, 8), (16, 8), (17, 8), (22, 8), (7, 2), (5, 1), (3, 8), (40, 16)])
def test_batches_cut_every_unit_once_in_order_and_pad_less_than_one_a_batch(count, most):
    units = make_units([{"cameras.coverage_market": i / 100} for i in range(count)], seed=0, replicates=1)
    batches = make_batches(units, most)
    size = batch_size(count, most)
    assert [u for b in batches for u in b] == units
    assert len(batches) == -(-count // most)  # no more batches than `most` a batch needs
    assert all(len(b) == size for b in batches[:-1]) and 0 < len(batches[-1]) <= size <= most
    assert len(batches) * size - count < len(batches)  # the padding the last batch needs
