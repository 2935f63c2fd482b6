"""Sensitivity analysis with SALib, on the outcomes of an experiment's points.

Each design row's outcome is the mean over its point's replicates. A ``saltelli`` design
gives Sobol' first-order (S1) and total (ST) indices with bootstrap confidence intervals;
a ``morris`` design gives mu, mu* (with its bootstrap interval) and sigma of the
elementary effects. Other designs have no indices; their figures show each outcome
against each factor. Works on any outcome table, so a test function (Ishigami) goes
through exactly the path a model outcome does.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.experiments.design import Design

INDEX_COLUMNS = ["outcome", "factor", "index", "value", "conf"]


def row_outcomes(design: Design, row_point: np.ndarray, results: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per design row: the mean over replicates of each outcome at its point, and
    the number of replicates found (0 where the point is not done yet)."""
    means = results.groupby("point")[outcomes].mean()
    counts = results.groupby("point").size()
    frame = means.reindex(row_point)
    frame.index = pd.RangeIndex(design.rows, name="row")
    frame["replicates"] = counts.reindex(row_point).fillna(0).astype(int).to_numpy()
    return frame


def sensitivity_indices(design: Design, Y: pd.DataFrame, outcomes: list[str], resamples: int = 1000,
                        confidence: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Tidy indices (outcome, factor, index, value, conf); ``conf`` is the half-width of the
    ``confidence`` interval (NaN where SALib gives none)."""
    if design.kind not in ("saltelli", "morris"):
        raise PanopticumError(f"a {design.kind} design has no sensitivity indices; use design = \"saltelli\" or \"morris\"")
    if Y[outcomes].isna().any().any():
        missing = int(Y[outcomes].isna().any(axis=1).sum())
        raise PanopticumError(f"{missing} design rows have no outcome yet; finish the experiment (--resume) first")
    rows = []
    for name in outcomes:
        y = Y[name].to_numpy(dtype=np.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant outcomes: SALib divides by a zero variance
            if design.kind == "saltelli":
                from SALib.analyze import sobol

                res = sobol.analyze(design.problem, y, calc_second_order=design.second_order,
                                    num_resamples=resamples, conf_level=confidence, seed=seed)
                for i, factor in enumerate(design.problem["names"]):
                    rows.append((name, factor, "S1", res["S1"][i], res["S1_conf"][i]))
                    rows.append((name, factor, "ST", res["ST"][i], res["ST_conf"][i]))
            else:
                from SALib.analyze import morris

                res = morris.analyze(design.problem, design.X, y, num_resamples=resamples, conf_level=confidence,
                                     num_levels=design.levels, seed=seed)
                for i, factor in enumerate(design.problem["names"]):
                    rows.append((name, factor, "mu", res["mu"][i], np.nan))
                    rows.append((name, factor, "mu_star", res["mu_star"][i], res["mu_star_conf"][i]))
                    rows.append((name, factor, "sigma", res["sigma"][i], np.nan))
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami's test function on ``X [n, 3]`` in [-pi, pi]^3 (SALib's ``Ishigami``)."""
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, tuple[float, float, float]]:
    """The analytic (S1, ST) of Ishigami's function's three inputs."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": (v1 / v, v2 / v, 0.0), "ST": ((v1 + v13) / v, v2 / v, v13 / v)}
