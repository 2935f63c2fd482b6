"""From a particle's parameter values to its simulated observables: one run per particle.

:class:`Simulator` is a picklable callable that pyabc's samplers ship to their workers; each
run keeps a survey snapshot on every date a survey or census target reads. (Running many
particles as one batched program was measured not to pay on the CPU at 10,000 agents:
docs/calibration.md, budget.)
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

    @property
    def survey_dates(self) -> list[datetime.date]:
        """The dates the survey and census targets read: the run keeps a snapshot on each."""
        return sorted({t.date for t in self.targets if t.needs_snapshots})

    def run(self, parameters: dict[str, float], seed: int):
        from panopticum.population import build_population
        from panopticum.run import enable_compilation_cache, run_scenario

        if self._population is None:
            enable_compilation_cache()
            self._population = build_population(self.agents, self.population_seed)
        return run_scenario(self.scenario, population=self._population, days=self.days, seed=seed,
                            overrides=self.overrides(parameters), chunk_days=max(self.days, 30),
                            survey_at=self.survey_dates)

    def observe(self, parameters: dict[str, float], seed: int) -> dict[str, float]:
        """Run one simulation and compute every target from it (its snapshots included)."""
        result = self.run(parameters, seed)
        return observe_all(RunView.of(result, snapshots=lambda date: result.snapshot(date)), self.targets, seed)

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.default_rng().integers(0, 2**31))
        return self.observe({k: float(v) for k, v in dict(parameters).items()}, seed)
