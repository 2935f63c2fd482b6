"""Docking against Mesa's implementation (``mesa.examples.advanced.epstein_civil_violence``).

Axtell, Axelrod, Epstein and Cohen (1996, Computational and Mathematical Organization
Theory 1:123-141) align two models by comparing the *distributions* of their outputs over
many seeds, not run against run. This module runs both under the same parameters and
summarises each run by its time-averaged active and jailed shares and its burst count.

Mesa is a test dependency only: it is imported inside :func:`run_mesa`.

**Burst.** A burst starts at a step where the active share rises to at least
``BURST_HIGH`` after having been at most ``BURST_LOW`` at some step since the previous burst
ended (or since the start): a hysteresis crossing, so noise around one level does not count
as many bursts.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

import numpy as np

BURST_HIGH = 0.05
"""Active share a burst must reach (5% of citizens)."""
BURST_LOW = 0.01
"""Active share to fall to (1%) before another burst can start."""
BURN_IN = 20
"""Steps left out of the time averages (the initial transient)."""


def count_bursts(active_share: np.ndarray, high: float = BURST_HIGH, low: float = BURST_LOW) -> int:
    """Bursts in one run's active-share series; see the module docstring."""
    bursts, armed = 0, False
    for a in np.asarray(active_share, dtype=float):
        if a <= low:
            armed = True
        elif armed and a >= high:
            bursts += 1
            armed = False
    return bursts


def summarise(series: np.ndarray, n_citizens: np.ndarray | int, burn_in: int = BURN_IN) -> dict:
    """Per-run summaries of ``[runs, steps + 1, 3]`` counts (quiet, active, jailed).

    **Returns:** arrays ``active``, ``jailed`` (time-averaged shares after ``burn_in``) and
    ``bursts`` (counts per run).
    """
    series = np.asarray(series, dtype=float)
    n = np.asarray(n_citizens, dtype=float).reshape(-1, 1)
    active = series[:, :, 1] / n
    jailed = series[:, :, 2] / n
    return {
        "active": active[:, burn_in:].mean(axis=1),
        "jailed": jailed[:, burn_in:].mean(axis=1),
        "bursts": np.array([count_bursts(a) for a in active]),
    }


def mesa_kwargs(params) -> dict:
    """Mesa's ``EpsteinCivilViolence`` arguments equal to ``params``."""
    return dict(
        width=params.width,
        height=params.height,
        citizen_density=params.citizen_density,
        cop_density=params.cop_density,
        citizen_vision=params.citizen_vision,
        cop_vision=params.cop_vision,
        legitimacy=float(params.legitimacy),
        max_jail_term=int(params.max_jail_term),
        active_threshold=float(params.active_threshold),
        arrest_prob_constant=float(params.arrest_prob_constant),
        movement=params.movement,
        max_iters=10**9,
    )


def run_mesa(kwargs: dict, seed: int, steps: int) -> tuple[np.ndarray, int]:
    """One Mesa run: ``int[steps + 1, 3]`` counts (quiet, active, jailed) and its citizens."""
    Citizen, EpsteinCivilViolence = mesa_epstein()
    model = EpsteinCivilViolence(seed=seed, **kwargs)
    model.datacollector = _NoCollect()
    out = np.zeros((steps + 1, 3), dtype=np.int64)
    out[0] = (model.QUIET, model.ACTIVE, model.ARRESTED)
    for t in range(1, steps + 1):
        model.step()
        out[t] = (model.QUIET, model.ACTIVE, model.ARRESTED)
    return out, len(model.agents_by_type[Citizen])


def mesa_epstein():
    """Mesa's ``Citizen`` and ``EpsteinCivilViolence`` classes, from Mesa's own files.

    ``mesa.examples/__init__.py`` imports every example, some of which need networkx;
    where that fails, the two parent packages are registered as bare namespace modules
    so that only the Epstein example's files are imported (they need ``mesa`` alone).
    """
    import importlib
    import sys
    import types

    try:
        import mesa.examples  # noqa: F401
    except ImportError:
        import mesa

        root = os.path.join(os.path.dirname(mesa.__file__), "examples")
        for name, path in (
            ("mesa.examples", root),
            ("mesa.examples.advanced", os.path.join(root, "advanced")),
        ):
            module = types.ModuleType(name)
            module.__path__ = [path]
            sys.modules[name] = module
    agents = importlib.import_module("mesa.examples.advanced.epstein_civil_violence.agents")
    model = importlib.import_module("mesa.examples.advanced.epstein_civil_violence.model")
    return agents.Citizen, model.EpsteinCivilViolence


class _NoCollect:
    """Stands in for Mesa's DataCollector: the counts are read directly, faster."""

    def collect(self, model) -> None:
        pass


def _run_mesa_star(args):
    return run_mesa(*args)


def run_mesa_batch(
    params, seeds: Sequence[int], steps: int, workers: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mesa runs over ``seeds`` in a process pool: ``[runs, steps+1, 3]`` and citizens."""
    kwargs = mesa_kwargs(params)
    jobs = [(kwargs, int(s), steps) for s in seeds]
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        results = [_run_mesa_star(j) for j in jobs]
    else:
        # spawn, not fork: JAX's threads may already be running in this process
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            results = list(pool.map(_run_mesa_star, jobs))
    return np.stack([r[0] for r in results]), np.array([r[1] for r in results])


def ks_2samp(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided two-sample Kolmogorov-Smirnov p-value (scipy's ``ks_2samp``, exact for
    small samples); 1.0 when both samples are constant and equal (e.g. all zero)."""
    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    if np.ptp(a) == 0 and np.ptp(b) == 0 and a[0] == b[0]:
        return 1.0
    return float(stats.ks_2samp(a, b).pvalue)


def mesa_counts(params, seed: int) -> tuple[int, int]:
    """``(n_cops, n_citizens)`` drawn as Mesa places agents: each cell independently a
    citizen, a cop or empty with the densities' probabilities (a multinomial draw; the
    same distribution as Mesa's, not its random stream)."""
    u = np.random.default_rng(int(seed)).random(params.n_cells)
    n_citizens = int((u < params.citizen_density).sum())
    n_cops = int((u < params.citizen_density + params.cop_density).sum()) - n_citizens
    return n_cops, n_citizens


def run_ours_batch(
    params, seeds: Sequence[int], steps: int, random_counts: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Our runs over ``seeds``, vmapped: ``[runs, steps+1, 3]`` and citizens.

    With ``random_counts``, each seed's cop and citizen counts are drawn as Mesa's are
    (:func:`mesa_counts`) instead of being exact; seeds with equal counts run together
    (the counts fix array shapes, so each distinct pair compiles once).
    """
    import jax

    from panopticum.epstein.model import simulate

    seeds = np.asarray(seeds, dtype=np.uint32)
    if random_counts:
        groups: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(seeds):
            groups.setdefault(mesa_counts(params, int(s)), []).append(i)
    else:
        groups = {(params.n_cops, params.n_citizens): list(range(len(seeds)))}
    series = np.zeros((len(seeds), steps + 1, 3), dtype=np.int64)
    citizens = np.zeros(len(seeds), dtype=np.int64)
    for (n_cops, n_citizens), idx in groups.items():
        p = params
        if (n_cops, n_citizens) != (params.n_cops, params.n_citizens):
            p = params.replace(
                cop_density=n_cops / params.n_cells, citizen_density=n_citizens / params.n_cells
            )
            assert (p.n_cops, p.n_citizens) == (n_cops, n_citizens)
        keys = jax.vmap(jax.random.key)(seeds[idx])
        sim = jax.jit(jax.vmap(lambda k, p=p: simulate(k, p, steps)[1]))
        series[idx] = np.asarray(sim(keys))
        citizens[idx] = n_citizens
    return series, citizens
