"""Estimators of a share from one sample, each with a 95% interval; vectorised over questions.

Every function takes answers as an array ``[respondents, questions]`` and returns
``(estimate, low, high)``, each ``[questions]``.

- :func:`raw_share`: the sample share; Wilson's score interval (Wilson 1927).
- :func:`post_stratified`: weights raked to the census margins of region and sex
  (iterative proportional fitting, Deming and Stephan 1940); a region without respondents
  is dropped from its margin and the others rescaled; Wilson's interval at Kish's effective
  sample size (Kish 1965).
- :func:`rds_ii`: the Volz-Heckathorn estimator for respondent-driven samples, each answer
  weighted by the inverse of the respondent's network size (Volz and Heckathorn 2008);
  a Wald interval from the linearised variance of the ratio, which ignores the dependence
  along chains and so is too narrow (Goel and Salganik 2010).
- :func:`network_scale_up`: Killworth et al.'s (1998) maximum-likelihood estimator of a
  hidden group's share, with degrees from known groups, and its binomial standard error.
- :func:`randomized_response`: the forced-response estimator (Boruch 1971) and its variance.
- :func:`list_experiment`: the difference in mean item counts between the long and short
  lists (Miller 1984; Glynn 2013), with a Welch standard error.

Numpy only.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

Z95 = NormalDist().inv_cdf(0.975)

ESTIMATORS = {
    "raw": "sample share",
    "poststrat": "post-stratified to region and sex",
    "rds2": "RDS-II (Volz-Heckathorn)",
    "nsum": "network scale-up",
    "randomized_response": "randomized response",
    "list_experiment": "list experiment",
}
"""Estimator name (as in design files and result tables) -> label."""


def wilson(p: np.ndarray, n: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    z2 = Z95**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return centre - half, centre + half


def wald(estimate: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    half = Z95 * np.sqrt(np.maximum(variance, 0.0))
    return estimate - half, estimate + half


def raw_share(y: np.ndarray):
    p = y.mean(axis=0)
    return (p, *wilson(p, y.shape[0]))


def rake(region: np.ndarray, female: np.ndarray, region_share: np.ndarray, female_share: float,
         iterations: int = 50, tol: float = 1e-10) -> np.ndarray:
    """Weights (mean 1) whose region and sex margins match the given shares."""
    n = region.shape[0]
    n_regions = region_share.shape[0]
    present = np.bincount(region, minlength=n_regions) > 0
    target_r = np.where(present, region_share, 0.0)
    target_r = target_r / target_r.sum()
    sex = female.astype(np.int64)
    has = np.bincount(sex, minlength=2) > 0
    target_s = np.where(has, [1 - female_share, female_share], 0.0)
    target_s = target_s / target_s.sum()
    w = np.ones(n)
    for _ in range(iterations):
        got = np.bincount(region, weights=w, minlength=n_regions) / w.sum()
        w = w * np.where(got[region] > 0, target_r[region] / np.maximum(got[region], 1e-300), 1.0)
        got_s = np.bincount(sex, weights=w, minlength=2) / w.sum()
        w = w * target_s[sex] / got_s[sex]
        check = np.bincount(region, weights=w, minlength=n_regions) / w.sum()
        if np.abs(check - target_r).max() < tol:
            break
    return w * n / w.sum()


def weighted_share(y: np.ndarray, w: np.ndarray):
    p = w @ y / w.sum()
    n_eff = w.sum() ** 2 / (w @ w)
    return (p, *wilson(p, n_eff))


def post_stratified(y, region, female, region_share, female_share):
    return weighted_share(y, rake(region.astype(np.int64), female, region_share, female_share))


def rds_ii(y: np.ndarray, degree: np.ndarray):
    w = 1.0 / degree
    total = w.sum()
    p = w @ y / total
    variance = ((w[:, None] * (y - p)) ** 2).sum(axis=0) / total**2
    return (p, *wald(p, variance))


def network_scale_up(hidden: np.ndarray, known: np.ndarray, known_sizes: np.ndarray, population: float):
    """Share of ``population`` in the hidden group from respondents' counts (one 'question')."""
    degree = population * known.sum(axis=1) / known_sizes.sum()
    total = degree.sum()
    p = np.atleast_1d(hidden.sum() / total) if total > 0 else np.array([np.nan])
    return (p, *wald(p, p * (1 - p) / max(total, 1e-300)))


def randomized_response(yes: np.ndarray, p_truth: float, p_forced_yes: float):
    said = yes.mean(axis=0)
    p = (said - p_forced_yes) / p_truth
    return (p, *wald(p, said * (1 - said) / (yes.shape[0] * p_truth**2)))


def list_experiment(counts: np.ndarray, treated: np.ndarray):
    long, short = counts[treated], counts[~treated]
    p = long.mean(axis=0) - short.mean(axis=0)
    variance = long.var(axis=0, ddof=1) / long.shape[0] + short.var(axis=0, ddof=1) / short.shape[0]
    return (p, *wald(p, variance))
