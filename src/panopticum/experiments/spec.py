"""Experiment files: TOML, validated against the parameter schema like scenarios.

An experiment names a base scenario, the parameters to vary (each a *factor* of the
design), the outcomes to measure, the design and its size, the replicates (seeds) per
point, and the agents and days of every run::

    [experiment]
    name = "capacity-vs-cameras"
    scenario = "baseline-2023"     # a built-in scenario or a .toml path (relative to this file)
    agents = 20000                 # or population = "country.pop"
    days = 365
    seed = 0                       # population and keys: see docs/experiments.md
    replicates = 4                 # seeds per point
    design = "morris"              # grid | latin | saltelli | morris
    samples = 10                   # latin: points; saltelli: base samples N; morris: trajectories

    [[vary]]                       # one parameter, over its schema range unless given
    path = "cameras.coverage_market"
    range = [0.0, 0.8]

    [[vary]]                       # several parameters scaled together from their base values
    name = "capacity"
    paths = ["analysis.capacity_*"]
    factor = [0.0, 10.0]

    [[outcomes]]
    name = "freedom"
    metric = "freedom_index"
    aggregate = "mean_last"        # mean | mean_last | final | at_date | min | max | sum
    days = 90
    region = "ALL"

Every error is one :class:`~panopticum.errors.PanopticumError` line naming the file and
the cause. Loading touches nothing on disk.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from panopticum.engine.metrics import ALL_METRICS, NATIONAL
from panopticum.errors import PanopticumError
from panopticum.experiments.factors import Factor, _check_keys, _date, free_parameters, parse_factor
from panopticum.params.scenarios import Scenario, load_scenario
from panopticum.params.schema import flatten_parameters
from panopticum.population import REGION_NAMES

DESIGNS = ("grid", "latin", "saltelli", "morris")
AGGREGATES = ("mean", "mean_last", "final", "at_date", "min", "max", "sum")

EXPERIMENT_KEYS = {
    "name", "description", "scenario", "agents", "population", "days", "seed", "replicates", "design",
    "samples", "levels", "second_order", "batch_points", "chunk_days", "keep_series", "vary_free",
    "resamples", "confidence",
}
OUTCOME_KEYS = {"name", "metric", "aggregate", "days", "date", "region"}


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A scalar measured on each run: ``aggregate`` of ``metric`` in ``region`` ("ALL" for
    the country) over the last ``days`` days (``mean_last``) or on ``date`` (``at_date``)."""

    name: str
    metric: str
    aggregate: str
    region: str = "ALL"
    days: int | None = None
    date: datetime.date | None = None


@dataclasses.dataclass(frozen=True)
class RunSpec:
    """What a worker needs to run units: plain values only, so it pickles cheaply."""

    base: tuple[tuple[str, Any], ...]  # every base parameter value by path
    agents: int | None
    population: str | None
    days: int
    seed: int
    replicates: int
    chunk_days: int
    keep_series: bool
    outcomes: tuple[Outcome, ...]
    start_date: datetime.date
    cadence: int


@dataclasses.dataclass(frozen=True)
class Experiment:
    name: str
    description: str
    scenario: Scenario
    scenario_ref: str
    source: str
    agents: int | None
    population: str | None
    days: int
    seed: int
    replicates: int
    design: str
    samples: int
    levels: int
    second_order: bool
    batch_points: int
    chunk_days: int
    keep_series: bool
    resamples: int
    confidence: float
    factors: tuple[Factor, ...]
    outcomes: tuple[Outcome, ...]
    text: str

    @property
    def start_date(self) -> datetime.date:
        return self.scenario.params.timeline.start_date

    def base_values(self) -> dict[str, Any]:
        return flatten_parameters(self.scenario.params)

    def run_spec(self) -> RunSpec:
        return RunSpec(
            base=tuple(self.base_values().items()), agents=self.agents, population=self.population, days=self.days,
            seed=self.seed, replicates=self.replicates, chunk_days=self.chunk_days, keep_series=self.keep_series,
            outcomes=self.outcomes, start_date=self.start_date, cadence=self.scenario.params.beliefs.cadence_days,
        )

    def definition(self) -> dict[str, Any]:
        """Everything that decides the points and their results (hashed to recognise a resume)."""
        base = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in self.base_values().items()}
        return {
            "base_parameters": base, "agents": self.agents, "population": self.population, "days": self.days,
            "seed": self.seed, "replicates": self.replicates, "design": self.design, "samples": self.samples,
            "levels": self.levels, "second_order": self.second_order,
            "factors": [dataclasses.asdict(f) for f in self.factors],
            "outcomes": [{**dataclasses.asdict(o), "date": o.date.isoformat() if o.date else None} for o in self.outcomes],
            "keep_series": self.keep_series,
        }


def builtin_dir():
    return resources.files("panopticum") / "experiments" / "builtin"


def builtin_experiments() -> list[str]:
    return sorted(p.name[: -len(".toml")] for p in builtin_dir().iterdir() if p.name.endswith(".toml"))


def _read(ref: str) -> tuple[str, str, Path | None]:
    path = Path(ref)
    if path.is_file():
        return path.read_text(encoding="utf-8"), str(path), path.parent
    if ref.endswith(".toml") or "/" in ref:
        raise PanopticumError(f"experiment file not found: {ref}")
    if ref in builtin_experiments():
        return (builtin_dir() / f"{ref}.toml").read_text(encoding="utf-8"), "built-in", None
    raise PanopticumError(f"unknown experiment '{ref}'; built-in: {', '.join(builtin_experiments())} (or give a .toml path)")


def load_experiment(ref: str) -> Experiment:
    """Read and validate an experiment file (or a built-in experiment's name)."""
    text, source, folder = _read(ref)
    label = Path(ref).name
    try:
        data = tomllib.loads(text)
        return _parse(data, text, source, folder)
    except tomllib.TOMLDecodeError as exc:
        raise PanopticumError(f"malformed TOML in {label}: {exc}") from None
    except PanopticumError as exc:
        raise PanopticumError(f"{label}: {exc}") from None


def _int(meta: dict, key: str, default: int | None, low: int, high: int) -> int | None:
    value = meta.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PanopticumError(f"[experiment] {key} must be a whole number in [{low}, {high}], got {value!r}")
    return value


def _parse(data: dict, text: str, source: str, folder: Path | None) -> Experiment:
    meta = data.pop("experiment", None)
    if not isinstance(meta, dict):
        raise PanopticumError("missing the [experiment] table")
    _check_keys(meta, EXPERIMENT_KEYS, "[experiment]")
    vary = data.pop("vary", [])
    outcomes = data.pop("outcomes", None)
    if data:
        raise PanopticumError(f"unknown table(s): {', '.join(sorted(data))} (expected [experiment], [[vary]], [[outcomes]])")
    scenario_ref = str(meta.get("scenario", "baseline-2023"))
    if folder is not None and scenario_ref.endswith(".toml") and not Path(scenario_ref).is_absolute():
        scenario_ref = str(folder / scenario_ref)
    scenario = load_scenario(scenario_ref)
    design = meta.get("design", "grid")
    if design not in DESIGNS:
        raise PanopticumError(f"unknown design '{design}'; choose one of {', '.join(DESIGNS)}")
    population = meta.get("population")
    if population is not None and folder is not None and not Path(population).is_absolute():
        population = str(folder / population)
    if population is not None and not Path(population).is_file():
        raise PanopticumError(f"population file not found: {population}")
    agents = _int(meta, "agents", None if population else 20_000, 10_000, 26_500_000)
    if population and agents:
        raise PanopticumError("give either agents or population in [experiment], not both")
    days = _int(meta, "days", scenario.days, 1, 36_500)
    base = flatten_parameters(scenario.params)
    factors = [parse_factor(v, design, base) for v in (vary if isinstance(vary, list) else [vary])]
    if meta.get("vary_free", False):
        named = {p for f in factors for p in f.paths}
        factors += [parse_factor({"path": p}, design, base) for p in free_parameters() if p not in named]
    if not factors:
        raise PanopticumError("nothing to vary: add [[vary]] tables or vary_free = true")
    names = [f.name for f in factors]
    if len(set(names)) != len(names):
        raise PanopticumError(f"a factor is named twice: {', '.join(sorted({n for n in names if names.count(n) > 1}))}")
    paths = [p for f in factors for p in f.paths]
    if len(set(paths)) != len(paths):
        raise PanopticumError(f"a parameter is varied twice: {', '.join(sorted({p for p in paths if paths.count(p) > 1}))}")
    if not isinstance(outcomes, list) or not outcomes:
        raise PanopticumError("no [[outcomes]]: name at least one metric to measure")
    parsed_outcomes = tuple(_outcome(o, scenario.params.timeline.start_date, days) for o in outcomes)
    if len({o.name for o in parsed_outcomes}) != len(parsed_outcomes):
        raise PanopticumError("two outcomes share a name")
    replicates = _int(meta, "replicates", 1, 1, 10_000)
    default_batch = max(1, 8 // replicates)
    confidence = meta.get("confidence", 0.95)
    if not isinstance(confidence, float) or not 0.5 <= confidence < 1:
        raise PanopticumError(f"[experiment] confidence must be in [0.5, 1), got {confidence!r}")
    return Experiment(
        name=str(meta.get("name", "experiment")), description=str(meta.get("description", "")),
        scenario=scenario, scenario_ref=scenario_ref, source=source, agents=agents,
        population=str(population) if population else None, days=days,
        seed=_int(meta, "seed", 0, 0, 2**31 - 1), replicates=replicates, design=design,
        samples=_int(meta, "samples", {"latin": 64, "saltelli": 64, "morris": 10}.get(design, 1), 1, 10_000_000),
        levels=_int(meta, "levels", 4, 2, 1000), second_order=bool(meta.get("second_order", False)),
        batch_points=_int(meta, "batch_points", default_batch, 1, 100_000),
        chunk_days=_int(meta, "chunk_days", 73, 1, 36_500), keep_series=bool(meta.get("keep_series", False)),
        resamples=_int(meta, "resamples", 1000, 10, 100_000), confidence=confidence,
        factors=tuple(factors), outcomes=parsed_outcomes, text=text,
    )


def _outcome(table: Any, start: datetime.date, days: int) -> Outcome:
    if not isinstance(table, dict):
        raise PanopticumError("each [[outcomes]] must be a table")
    _check_keys(table, OUTCOME_KEYS, f"[[outcomes]] {table.get('name', '')}".rstrip())
    metric = str(table.get("metric", ""))
    if metric not in ALL_METRICS:
        close = difflib.get_close_matches(metric, ALL_METRICS, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `panopticum metrics` lists them"
        raise PanopticumError(f"unknown outcome metric '{metric}'{hint}")
    aggregate = table.get("aggregate", "mean")
    if aggregate not in AGGREGATES:
        raise PanopticumError(f"outcome {metric}: unknown aggregate '{aggregate}'; choose one of {', '.join(AGGREGATES)}")
    region = str(table.get("region", "ALL"))
    if region != "ALL" and region not in REGION_NAMES:
        raise PanopticumError(f"outcome {metric}: unknown region '{region}'; regions: ALL, {', '.join(REGION_NAMES)}")
    if region != "ALL" and metric in {m.name for m in NATIONAL}:
        raise PanopticumError(f"outcome {metric}: a national metric has no region '{region}'")
    window, when = None, None
    if aggregate == "mean_last":
        window = table.get("days", 90)
        if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= days:
            raise PanopticumError(f"outcome {metric}: days must be a whole number in [1, {days}], got {window!r}")
    if aggregate == "at_date":
        when = _date(table.get("date"), f"outcome {metric} date")
        if not 0 <= (when - start).days < days:
            raise PanopticumError(f"outcome {metric}: {when} is outside the run ({start} + {days} days)")
    name = str(table.get("name") or f"{metric}_{aggregate}" + (f"_{region}" if region != "ALL" else ""))
    return Outcome(name=name, metric=metric, aggregate=aggregate, region=region, days=window, date=when)
