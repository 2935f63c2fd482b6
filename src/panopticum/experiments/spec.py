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
import fnmatch
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from panopticum.engine.metrics import ALL_METRICS, NATIONAL
from panopticum.engine.params import STATIC
from panopticum.errors import PanopticumError
from panopticum.params.scenarios import Scenario, load_scenario
from panopticum.params.schema import SPEC_BY_PATH, describe_range, flatten_parameters
from panopticum.population import REGION_NAMES

DESIGNS = ("grid", "latin", "saltelli", "morris")
AGGREGATES = ("mean", "mean_last", "final", "at_date", "min", "max", "sum")
DISTRIBUTIONS = ("uniform", "normal", "triangular", "lognormal")
FREE_SOURCE = "free parameter"
UNVARIABLE = {"timeline.start_date": "it moves the calendar that outcomes are measured on"}

EXPERIMENT_KEYS = {
    "name", "description", "scenario", "agents", "population", "days", "seed", "replicates", "design",
    "samples", "levels", "second_order", "batch_points", "chunk_days", "keep_series", "vary_free",
    "resamples", "confidence",
}
VARY_KEYS = {"path", "name", "paths", "range", "factor", "values", "levels", "distribution", "mean", "sd", "mode"}
OUTCOME_KEYS = {"name", "metric", "aggregate", "days", "date", "region"}


@dataclasses.dataclass(frozen=True)
class Factor:
    """One dimension of a design.

    ``kind`` says how a design value becomes parameter values: ``value`` (the value itself,
    rounded for whole-number parameters), ``factor`` (every path set to its base value
    times the design value), ``date`` (days since ``low``'s date; ``low`` and ``high`` are
    ordinal days) or ``switch`` (0 or 1, grid designs only). ``low`` and ``high`` bound the
    design value; ``distribution`` with ``mean``/``sd``/``mode`` shapes sampled designs.
    """

    name: str
    paths: tuple[str, ...]
    kind: str
    low: float
    high: float
    values: tuple[float, ...] | None = None
    levels: int | None = None
    distribution: str = "uniform"
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    integer: bool = False


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


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise PanopticumError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")


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
    factors = [_factor(v, design, base) for v in (vary if isinstance(vary, list) else [vary])]
    if meta.get("vary_free", False):
        named = {p for f in factors for p in f.paths}
        factors += [_factor({"path": p}, design, base) for p in free_parameters() if p not in named]
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


def free_parameters() -> list[str]:
    """Every numeric parameter the schema marks free, that a sweep can vary (no dates, no
    compile-time constants)."""
    return [
        p for p, s in SPEC_BY_PATH.items()
        if s.source.startswith(FREE_SOURCE) and s.kind in (float, int) and p not in STATIC and p not in UNVARIABLE
    ]


def _unknown(path: str) -> PanopticumError:
    close = difflib.get_close_matches(path, SPEC_BY_PATH, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `panopticum params` lists them"
    return PanopticumError(f"unknown parameter '{path}'{hint}")


def _check_variable(path: str) -> None:
    if path not in SPEC_BY_PATH:
        raise _unknown(path)
    if path in STATIC:
        raise PanopticumError(f"{path} cannot be varied in a sweep: it is compiled into the program; run one experiment per value")
    if path in UNVARIABLE:
        raise PanopticumError(f"{path} cannot be varied in a sweep: {UNVARIABLE[path]}")


def _pair(value: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise PanopticumError(f"{what} must be a pair [low, high], got {value!r}")
    return value[0], value[1]


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PanopticumError(f"{what} must be a number, got {value!r}")
    return float(value)


def _date(value: Any, what: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise PanopticumError(f"{what} must be a date YYYY-MM-DD, got {value!r}")
    return value


def _factor(table: Any, design: str, base: dict[str, Any]) -> Factor:
    if not isinstance(table, dict):
        raise PanopticumError("each [[vary]] must be a table")
    where = f"[[vary]] {table.get('path') or table.get('name', '')}".rstrip()
    _check_keys(table, VARY_KEYS, where)
    if ("path" in table) == ("paths" in table):
        raise PanopticumError(f"{where}: give either path (one parameter) or name and paths (scaled together)")
    values = table.get("values")
    levels = table.get("levels")
    if levels is not None and (isinstance(levels, bool) or not isinstance(levels, int) or levels < 2):
        raise PanopticumError(f"{where}: levels must be a whole number of at least 2, got {levels!r}")
    if values is not None and (not isinstance(values, list) or not values):
        raise PanopticumError(f"{where}: values must be a non-empty list")
    dist = _distribution(table, design, where)
    if "paths" in table:
        return _group(table, design, base, where, dist)
    path = str(table["path"])
    _check_variable(path)
    spec = SPEC_BY_PATH[path]
    if "factor" in table:
        raise PanopticumError(f"{where}: factor applies to name and paths; give range for one parameter")
    if spec.kind is bool:
        if design != "grid":
            raise PanopticumError(f"{path} is a switch: switches can be varied only in a grid design")
        return Factor(path, (path,), "switch", 0.0, 1.0, values=(0.0, 1.0))
    if spec.kind is datetime.date:
        lo, hi = (_date(v, f"{where} range") for v in _pair(table.get("range", [spec.low, spec.high]), f"{where} range"))
        _within(path, lo, hi)
        grid = tuple(float(_date(v, f"{where} values").toordinal()) for v in values) if values else None
        return Factor(path, (path,), "date", float(lo.toordinal()), float(hi.toordinal()), values=grid,
                      levels=table.get("levels"), integer=True, **dist)
    lo, hi = (_number(v, f"{where} range") for v in _pair(table.get("range", [spec.low, spec.high]), f"{where} range"))
    _within(path, lo, hi)
    grid = tuple(_number(v, f"{where} values") for v in values) if values is not None else None
    if grid:
        for v in grid:
            _within(path, v, v)
    return Factor(path, (path,), "value", lo, hi, values=grid, levels=table.get("levels"), integer=spec.kind is int, **dist)


def _group(table: dict, design: str, base: dict[str, Any], where: str, dist: dict) -> Factor:
    if "name" not in table:
        raise PanopticumError(f"{where}: a group of paths needs a name")
    patterns = table["paths"] if isinstance(table["paths"], list) else [table["paths"]]
    paths: list[str] = []
    for pattern in patterns:
        found = [p for p in SPEC_BY_PATH if fnmatch.fnmatchcase(p, str(pattern))]
        if not found:
            raise _unknown(str(pattern))
        paths += [p for p in found if p not in paths]
    for p in paths:
        _check_variable(p)
        if SPEC_BY_PATH[p].kind not in (float, int):
            raise PanopticumError(f"{where}: {p} is not a number; only numbers can be scaled by a factor")
    if "factor" not in table:
        raise PanopticumError(f"{where}: a group of paths needs factor = [low, high] (multiples of the base values)")
    lo, hi = (_number(v, f"{where} factor") for v in _pair(table["factor"], f"{where} factor"))
    if lo > hi or lo < 0:
        raise PanopticumError(f"{where}: factor must be 0 <= low <= high, got [{lo}, {hi}]")
    for p in paths:
        _within(p, base[p] * lo, base[p] * hi, note=f" (factor {hi:g} x base {base[p]:g})")
    values = tuple(_number(v, f"{where} values") for v in table["values"]) if "values" in table else None
    return Factor(str(table["name"]), tuple(paths), "factor", lo, hi, values=values, levels=table.get("levels"), **dist)


def _within(path: str, lo: Any, hi: Any, note: str = "") -> None:
    spec = SPEC_BY_PATH[path]
    if lo > hi:
        raise PanopticumError(f"{path}: range low {lo} is above high {hi}")
    if lo < spec.low or hi > spec.high:
        shown = f"[{lo}, {hi}]" if lo != hi else f"{lo}"
        raise PanopticumError(f"{path}: {shown}{note} is outside the schema's range {describe_range(path)}")


def _distribution(table: dict, design: str, where: str) -> dict[str, Any]:
    dist = table.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise PanopticumError(f"{where}: unknown distribution '{dist}'; choose one of {', '.join(DISTRIBUTIONS)}")
    if dist == "uniform":
        return {}
    if design in ("grid", "morris"):
        raise PanopticumError(f"{where}: a {dist} distribution needs a latin or saltelli design ({design} steps evenly)")
    need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "triangular": ("mode",)}[dist]
    missing = [k for k in need if k not in table]
    if missing:
        raise PanopticumError(f"{where}: a {dist} distribution needs {' and '.join(missing)}")
    out: dict[str, Any] = {"distribution": dist}
    for k in need:
        out[k] = _number(table[k], f"{where} {k}")
    if out.get("sd", 1.0) <= 0:
        raise PanopticumError(f"{where}: sd must be positive")
    return out


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
