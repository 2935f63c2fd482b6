"""From a particle's parameter values to its simulated observables: one run per particle.

This is the seam for batched runs: :class:`Simulator` is a picklable callable that pyabc's
samplers ship to their workers; a batched version would take many particles at once and run
them as one ensemble of members with their own parameters.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import numpy as np

from panopticum.calibration.observables import RunView, observe_all
from panopticum.calibration.targets import Target


@dataclasses.dataclass
class Simulator:
    scenario: str
    agents: int
    start_date: datetime.date
    days: int
    targets: list[Target]
    fixed: dict[str, Any] = dataclasses.field(default_factory=dict)
    population_seed: int = 0

    def __post_init__(self) -> None:
        self._population = None

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_population"] = None  # each worker builds its own once
        return state

    def overrides(self, parameters: dict[str, float]) -> dict[str, Any]:
        from panopticum.params.schema import SPEC_BY_PATH

        out = {"timeline.start_date": self.start_date, **self.fixed}
        for path, value in parameters.items():
            out[path] = int(round(value)) if SPEC_BY_PATH[path].kind is int else float(value)
        return out

    def run(self, parameters: dict[str, float], seed: int):
        from panopticum.population import build_population
        from panopticum.run import enable_compilation_cache, run_scenario

        if self._population is None:
            enable_compilation_cache()
            self._population = build_population(self.agents, self.population_seed)
        return run_scenario(self.scenario, population=self._population, days=self.days, seed=seed,
                            overrides=self.overrides(parameters), chunk_days=max(self.days, 30))

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.default_rng().integers(0, 2**31))
        params = {k: float(v) for k, v in dict(parameters).items()}
        result = self.run(params, seed)
        return observe_all(RunView.of(result), self.targets, seed)
