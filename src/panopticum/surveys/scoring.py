"""Scoring a study against the truth: bias, RMSE, interval coverage and design effect.

For each sample, question and estimator over the K replicates:

- ``truth``: the question's true share (:func:`panopticum.surveys.questions.truth`);
- ``mean``: the mean estimate; ``bias`` = mean - truth; ``sd``: the estimates' standard
  deviation; ``rmse``: the root mean squared error against the truth;
- ``coverage``: the share of replicates whose 95% interval holds the truth;
- ``deff``: the design effect, the estimates' variance over that of a simple random sample
  of the same size, ``truth x (1 - truth) / n`` (Kish 1965).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from panopticum.surveys.study import Study

SCORE_COLUMNS = ["sample", "question", "estimator", "respondents", "replicates", "truth", "mean", "bias", "sd",
                 "rmse", "coverage", "deff"]


def score(study: Study) -> pd.DataFrame:
    """One row per sample, question and estimator, in the study's order."""
    return score_estimates(study.estimates, study.truth, study.respondents)


def score_estimates(estimates: pd.DataFrame, truth: dict[str, float], respondents: dict[str, int]) -> pd.DataFrame:
    """:func:`score` from a study's parts (its estimates table, truth and sample sizes)."""
    est = estimates.copy()
    est["truth"] = est["question"].map(truth).astype(np.float64)
    est["sq_error"] = (est["estimate"] - est["truth"]) ** 2
    est["covered"] = (est["low"] <= est["truth"]) & (est["truth"] <= est["high"])
    keys = ["sample", "question", "estimator"]
    grouped = est.groupby(keys, sort=False)
    out = grouped.agg(truth=("truth", "first"), mean=("estimate", "mean"), sd=("estimate", "std"),
                      mse=("sq_error", "mean"), coverage=("covered", "mean"), replicates=("estimate", "size"))
    out = out.reset_index()
    out["respondents"] = out["sample"].map(respondents).astype(int)
    out["bias"] = out["mean"] - out["truth"]
    out["rmse"] = np.sqrt(out["mse"])
    srs_var = out["truth"] * (1 - out["truth"]) / out["respondents"]
    defined = (srs_var > 0) & out["sd"].notna()  # one replicate has no spread to compare
    out["deff"] = np.where(defined, out["sd"] ** 2 / srs_var.where(srs_var > 0, 1.0), np.nan)
    return out[SCORE_COLUMNS]
