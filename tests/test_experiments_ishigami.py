"""Sobol' indices of Ishigami's function, whose indices are known, through the experiments'
own design, outcome reduction and analysis path (the same calls a model outcome goes through)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from panopticum.experiments.analysis import ishigami, ishigami_indices, row_outcomes, sensitivity_indices
from panopticum.experiments.design import build_design
from panopticum.experiments.outcomes import reduce_series
from panopticum.experiments.spec import Factor, Outcome

DAYS = 5


def test_ishigami_indices_match_the_analytic_values_within_salibs_intervals():
    factors = tuple(Factor(f"x{i}", (f"x{i}",), "value", -math.pi, math.pi) for i in (1, 2, 3))
    design = build_design(factors, "saltelli", 1024, seed=7)
    y = ishigami(design.X)
    # each design row's value as a daily series, reduced on the "worker" like a model outcome
    outcome = Outcome(name="y", metric="ishigami", aggregate="mean_last", days=3)
    series = np.repeat(y[:, None], DAYS, axis=1).astype(np.float64)
    results = pd.DataFrame({"point": np.arange(design.rows), "replicate": 0,
                            "y": reduce_series(outcome, series, start=None)})
    rows = row_outcomes(design, np.arange(design.rows), results, ["y"])
    assert np.allclose(rows["y"].to_numpy(), y, rtol=1e-12, atol=0)
    indices = sensitivity_indices(design, rows, ["y"], resamples=500, confidence=0.95, seed=7)
    exact = ishigami_indices()
    for kind in ("S1", "ST"):
        got = indices[indices["index"] == kind].set_index("factor")
        for i, name in enumerate(("x1", "x2", "x3")):
            value, conf = got.loc[name, "value"], got.loc[name, "conf"]
            assert abs(value - exact[kind][i]) <= conf, (kind, name, value, conf, exact[kind][i])
            assert conf < 0.1
    # and what SALib's own test function gives at the same points
    from SALib.test_functions import Ishigami

    assert np.allclose(Ishigami.evaluate(design.X), y)
