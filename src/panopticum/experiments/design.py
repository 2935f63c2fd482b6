"""Designs: the points of an experiment, sampled with SALib, and the parameters of each.

A :class:`Design` is a matrix ``X`` (one row per design row, one column per factor, in the
factors' own units: values, multiples of a base value, ordinal days) and the SALib
``problem`` it was drawn for. ``grid`` is the full product of each factor's levels,
``latin`` a Latin hypercube, ``saltelli`` Saltelli's extension of Sobol' sequences (for
Sobol' indices; ``samples`` must be a power of 2), ``morris`` Morris trajectories of
``levels`` levels. Sampled designs draw on the unit hypercube and map each column through
its distribution's inverse CDF, so a Morris step or a Sobol' matrix keeps its structure.
The same ``seed`` gives the same design.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from typing import Any

import numpy as np

from panopticum.errors import PanopticumError
from panopticum.experiments.spec import Factor


@dataclasses.dataclass
class Design:
    kind: str
    factors: tuple[Factor, ...]
    X: np.ndarray  # [rows, factors], factors' own units
    problem: dict[str, Any]
    levels: int
    second_order: bool = False

    @property
    def rows(self) -> int:
        return len(self.X)


def problem_for(factors: tuple[Factor, ...]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[f.low, f.high] for f in factors]}


def _unit_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    return {"num_vars": len(factors), "names": [f.name for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def _inverse_cdf(factor: Factor, u: np.ndarray) -> np.ndarray:
    """Map uniforms in [0, 1] to the factor's distribution, truncated to [low, high]."""
    from scipy import stats

    lo, hi = factor.low, factor.high
    if factor.distribution == "uniform" or hi == lo:
        return lo + u * (hi - lo)
    if factor.distribution == "triangular":
        c = (factor.mode - lo) / (hi - lo)
        return stats.triang(c, loc=lo, scale=hi - lo).ppf(u)
    if factor.distribution == "normal":
        dist = stats.norm(factor.mean, factor.sd)
    else:  # lognormal: mean and sd of the logarithm
        dist = stats.lognorm(s=factor.sd, scale=np.exp(factor.mean))
    a, b = dist.cdf(lo), dist.cdf(hi)
    return dist.ppf(a + np.clip(u, 1e-12, 1 - 1e-12) * (b - a))


def _to_factors(factors: tuple[Factor, ...], U: np.ndarray) -> np.ndarray:
    columns = [np.clip(_inverse_cdf(f, U[:, i]), f.low, f.high) for i, f in enumerate(factors)]
    return np.column_stack(columns).astype(np.float64)


def _grid_levels(factor: Factor, default_levels: int) -> np.ndarray:
    if factor.values is not None:
        return np.asarray(factor.values, dtype=np.float64)
    n = int(factor.levels or default_levels)
    values = np.linspace(factor.low, factor.high, n)
    return np.unique(np.round(values)) if factor.integer else values


def build_design(factors: tuple[Factor, ...], kind: str, samples: int, levels: int = 4, seed: int = 0,
                 second_order: bool = False) -> Design:
    """The design's rows for ``factors`` (see the module's docstring for each kind)."""
    problem = problem_for(factors)
    if kind == "grid":
        X = np.array(list(itertools.product(*(_grid_levels(f, levels) for f in factors))), dtype=np.float64)
    elif kind == "latin":
        from SALib.sample import latin

        U = latin.sample(_unit_problem(factors), samples, seed=seed)
        X = _to_factors(factors, U)
    elif kind == "saltelli":
        from SALib.sample import sobol

        if samples & (samples - 1):
            raise PanopticumError(f"a saltelli design needs samples a power of 2 (Sobol' sequences), got {samples}")
        U = sobol.sample(_unit_problem(factors), samples, calc_second_order=second_order, seed=seed)
        X = _to_factors(factors, U)
    elif kind == "morris":
        from SALib.sample import morris

        if len(factors) < 2:
            raise PanopticumError("a morris design needs at least 2 factors")
        X = morris.sample(problem, samples, num_levels=levels, seed=seed)
    else:
        raise PanopticumError(f"unknown design '{kind}'")
    return Design(kind=kind, factors=factors, X=X, problem=problem, levels=levels, second_order=second_order)


def row_parameters(factors: tuple[Factor, ...], row: np.ndarray, base: dict[str, Any]) -> dict[str, Any]:
    """The parameter values (dotted path -> value) that a design row sets."""
    out: dict[str, Any] = {}
    for factor, x in zip(factors, row):
        x = float(x)
        for path in factor.paths:
            if factor.kind == "switch":
                out[path] = bool(round(x))
            elif factor.kind == "date":
                out[path] = datetime.date.fromordinal(int(round(x)))
            elif factor.kind == "factor":
                value = base[path] * x
                out[path] = int(round(value)) if isinstance(base[path], int) else float(value)
            else:
                out[path] = int(round(x)) if factor.integer else float(x)
    return out
