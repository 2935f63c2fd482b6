"""Shared fixtures: one 10,000-agent population for the model's mechanism tests, and a
run helper that returns national series by metric name."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.population import build_population
from panopticum.run import RunResult, run_scenario

REG = {m.name: i for i, m in enumerate(REGIONAL)}
NAT = {m.name: i for i, m in enumerate(NATIONAL)}


@pytest.fixture(scope="session")
def country():
    """10,000 agents standing for 26.5 million people."""
    return build_population(10_000, seed=3)


@dataclasses.dataclass
class Series:
    """A run's metrics by name: ``s["metric"]`` is the country's daily series averaged over
    members; ``s.regions("metric")`` is ``[days, regions]`` (member mean)."""

    result: RunResult

    def __getitem__(self, metric: str) -> np.ndarray:
        if metric in REG:
            return self.result.regional[:, :, -1, REG[metric]].mean(axis=0)
        return self.result.national[:, :, NAT[metric]].mean(axis=0)

    def members(self, metric: str) -> np.ndarray:
        """``[members, days]`` of the country's series."""
        return self.result.regional[:, :, -1, REG[metric]]

    def regions(self, metric: str) -> np.ndarray:
        return self.result.regional[:, :, :-1, REG[metric]].mean(axis=0)


def simulate(population, scenario="baseline-2023", days=120, seed=1, members=1, burn_in=0, **overrides) -> Series:
    """Run a scenario on ``population`` with overrides given as keyword arguments, dots as
    double underscores (``cameras__enabled=False``). No burn-in unless asked: mechanism
    tests compare runs from the same start."""
    sets = {k.replace("__", "."): v for k, v in overrides.items()}
    sets["timeline.burn_in_days"] = burn_in
    result = run_scenario(scenario, population=population, days=days, seed=seed, members=members, overrides=sets, chunk_days=60)
    return Series(result)
