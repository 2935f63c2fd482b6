"""Running a scenario: from a scenario name to tidy daily metrics and a manifest.

The Python API behind ``panopticum run``::

    from panopticum.run import run_scenario, write_run

    result = run_scenario("baseline-2023", agents=20_000, days=90, seed=1)
    result.metrics          # tidy DataFrame: member, day, date, region, metric, value
    write_run(result, "out/")   # metrics.parquet and manifest.json

    result = run_scenario("baseline-2023", agents=20_000, days=90, survey_at=["2023-03-01"])
    result.snapshot("2023-03-01")   # every agent's history on that date (docs/surveys.md)

``result.metrics`` has one row per (member, day, region, metric); region is a province's
name or ``"ALL"`` for the country, and national-only metrics (queues, timeline levels)
appear with ``"ALL"`` alone. ``panopticum metrics`` describes each metric.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from panopticum import __version__
from panopticum.engine import Simulation, build_schedule, build_world, engine_params
from panopticum.engine.timeline import burn_in_schedule
from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.engine.simulate import Chunk
from panopticum.engine.state import State
from panopticum.errors import PanopticumError
from panopticum.params.scenarios import Scenario, load_scenario
from panopticum.params.schema import flatten_parameters, parse_assignment
from panopticum.population import REGION_NAMES, Population, build_population, load_population

REGION_LABELS = list(REGION_NAMES) + ["ALL"]
MAX_DAYS = 36_500
SEED_LIMIT = 2**32
"""Run seeds are in ``[0, 2**32)``: JAX's default key takes a 32-bit seed, so a larger seed
would silently give the run of a smaller one (``2**32`` the run of ``0``); it is refused."""


def check_seed(seed: int) -> int:
    """The seed, if a run can use it as given; else a :class:`PanopticumError` naming the range."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        raise PanopticumError(
            f"seed must be a whole number in [0, {SEED_LIMIT - 1}] (2**32 - 1: seeds are 32-bit, and a larger "
            f"one would repeat the run of a smaller one), got {seed!r}"
        )
    return int(seed)


@dataclasses.dataclass
class RunResult:
    scenario: Scenario
    seed: int
    days: int
    members: int
    population: Population
    regional: np.ndarray  # [members, days, n_regions + 1, n_regional]
    national: np.ndarray  # [members, days, n_national]
    final_state: State | None
    manifest: dict[str, Any]
    snapshots: dict[tuple[int, int], Any] = dataclasses.field(default_factory=dict)
    """Survey snapshots by (member, run day), for the dates asked with ``survey_at``."""

    def snapshot(self, date: datetime.date | str, member: int = 0):
        """The :class:`~panopticum.surveys.Snapshot` kept on ``date`` for ``member``."""
        date = datetime.date.fromisoformat(date) if isinstance(date, str) else date
        day = (date - self.scenario.params.timeline.start_date).days
        if (member, day) not in self.snapshots:
            kept = sorted({str(self.scenario.params.timeline.start_date + datetime.timedelta(days=d))
                           for _, d in self.snapshots})
            raise PanopticumError(f"no survey snapshot on {date} for member {member}; kept: {', '.join(kept) or 'none'}")
        return self.snapshots[(member, day)]

    @property
    def metrics(self) -> pd.DataFrame:
        return tidy_metrics(self.regional, self.national, self.scenario.params.timeline.start_date)


def tidy_metrics(regional: np.ndarray, national: np.ndarray, start: datetime.date, first_day: int = 0) -> pd.DataFrame:
    """Tidy rows (member, day, date, region, metric, value) from the engine's arrays."""
    members, days, n_regions, n_metrics = regional.shape
    day = np.arange(first_day, first_day + days)
    dates = (np.datetime64(start) + day).astype("datetime64[D]")
    m, d, r, k = np.meshgrid(np.arange(members), np.arange(days), np.arange(n_regions), np.arange(n_metrics), indexing="ij")
    reg = pd.DataFrame(
        {
            "member": m.ravel().astype(np.int16),
            "day": day[d.ravel()].astype(np.int32),
            "date": dates[d.ravel()],
            "region": pd.Categorical.from_codes(r.ravel(), REGION_LABELS),
            "metric": pd.Categorical.from_codes(k.ravel(), [x.name for x in REGIONAL]),
            "value": regional.ravel().astype(np.float64),
        }
    )
    m2, d2, k2 = np.meshgrid(np.arange(members), np.arange(days), np.arange(national.shape[2]), indexing="ij")
    nat = pd.DataFrame(
        {
            "member": m2.ravel().astype(np.int16),
            "day": day[d2.ravel()].astype(np.int32),
            "date": dates[d2.ravel()],
            "region": "ALL",
            "metric": [NATIONAL[i].name for i in k2.ravel()],
            "value": national.ravel().astype(np.float64),
        }
    )
    out = pd.concat([reg.astype({"region": str, "metric": str}), nat], ignore_index=True)
    return out


BYTES_PER_AGENT_MEMBER = 300
"""Memory a member's day needs per agent: the state (about 50 bytes an agent) and the
temporaries of a day's step; measured at about 250 bytes on CPU, rounded up."""
BYTES_PER_METRIC_ROW = 150
"""Memory of one tidy metrics row (member, day, date, region, metric, value) in pandas."""
DEFAULT_AGENTS = 20_000


def _host_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _accelerator_available() -> int | None:
    """Free memory of the default JAX device, or None on CPU (which shares the host's)."""
    import jax

    if jax.default_backend() == "cpu":
        return None
    try:
        stats = jax.devices()[0].memory_stats() or {}
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    except (KeyError, TypeError, ValueError, RuntimeError):
        return None


def _gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def check_memory(agents: int, members: int, chunk_days: int) -> None:
    """Refuse a run (an ensemble, mostly) that could not fit in memory, before it starts.

    The estimate: ``members x agents x`` :data:`BYTES_PER_AGENT_MEMBER` on the device that
    runs the model, and ``members x chunk days x rows a day x`` :data:`BYTES_PER_METRIC_ROW`
    on the host for a chunk's metrics.
    """
    rows_a_day = len(REGION_LABELS) * len(REGIONAL) + len(NATIONAL)
    per_member_model = agents * BYTES_PER_AGENT_MEMBER
    per_member_rows = min(chunk_days, MAX_DAYS) * rows_a_day * BYTES_PER_METRIC_ROW
    host, device = _host_available(), _accelerator_available()
    budgets = [(per_member_rows + (per_member_model if device is None else 0), host, "memory")]
    if device is not None:
        budgets.append((per_member_model, device, "accelerator memory"))
    for per_member, available, what in budgets:
        if available is None or per_member * members <= available:
            continue
        fit = int(available // per_member)
        advice = f"use --ensemble {fit} or fewer" if fit >= 1 else "use fewer agents or shorter --chunk-days"
        raise PanopticumError(
            f"{members:,} {'members' if members > 1 else 'member'} of {agents:,} agents would need about {_gib(per_member * members)} of {what} "
            f"(about {_gib(per_member)} each), more than the {_gib(available)} available: {advice}"
        )


def resolve_population(population: Population | str | os.PathLike | None, agents: int | None, seed: int) -> Population:
    if population is not None and agents is not None:
        raise PanopticumError("give either a population file or a number of agents, not both")
    if isinstance(population, Population):
        return population
    if population is not None:
        return load_population(population)
    return build_population(agents if agents is not None else DEFAULT_AGENTS, seed)


def parse_overrides(assignments: list[str] | dict[str, Any] | None) -> dict[str, Any]:
    if not assignments:
        return {}
    if isinstance(assignments, dict):
        return dict(assignments)
    return dict(parse_assignment(a) for a in assignments)


def _platform() -> dict[str, Any]:
    import jax

    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "system": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "jax_backend": jax.default_backend(),
        "devices": [str(d) for d in jax.devices()],
    }


def _versions() -> dict[str, str]:
    import jax

    return {"panopticum": __version__, "jax": jax.__version__, "numpy": np.__version__, "pandas": pd.__version__}


def build_manifest(scenario: Scenario, population: Population, seed: int, days: int, members: int, overrides: dict) -> dict:
    params = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in flatten_parameters(scenario.params).items()}
    return {
        "scenario": {"name": scenario.name, "description": scenario.description, "source": scenario.source},
        "overrides": {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in overrides.items()},
        "parameters": params,
        "seed": seed,
        "days": days,
        "members": members,
        "agents": population.n,
        "people_per_agent": population.scale,
        "population": dict(population.meta),
        "start_date": scenario.params.timeline.start_date.isoformat(),
        "survey_dates": [d.isoformat() for d in scenario.survey_dates],
        "versions": _versions(),
        "platform": _platform(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def prepare(
    scenario: str | Scenario,
    *,
    population: Population | str | os.PathLike | None = None,
    agents: int | None = None,
    days: int | None = None,
    seed: int = 0,
    overrides: list[str] | dict[str, Any] | None = None,
    members: int = 1,
    survey_at: list[datetime.date | str] | None = None,
):
    """Resolve everything a run needs: ``(scenario, population, days, overrides)``; the
    scenario's survey dates are its own and ``survey_at``'s, checked to fall in the run."""
    if members < 1:
        raise PanopticumError(f"an ensemble needs at least 1 member, got {members}")
    seed = check_seed(seed)
    override_dict = parse_overrides(overrides)
    if isinstance(scenario, str):
        scenario = load_scenario(scenario, override_dict)
    days = scenario.days if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise PanopticumError(f"days must be in [1, {MAX_DAYS}], got {days}")
    scenario = with_survey_dates(scenario, survey_at, days)
    pop = resolve_population(population, agents, seed)
    return scenario, pop, days, override_dict


def with_survey_dates(scenario: Scenario, survey_at: list[datetime.date | str] | None, days: int) -> Scenario:
    """The scenario keeping its survey dates and ``survey_at``'s, each checked to fall in the run."""
    from panopticum.surveys.keep import parse_dates, survey_days

    extra = [d if isinstance(d, datetime.date) else parse_dates([d])[0] for d in survey_at or ()]
    dates = tuple(sorted(set(scenario.survey_dates) | set(extra)))
    survey_days(dates, scenario.params.timeline.start_date, days)
    return dataclasses.replace(scenario, survey_dates=dates)


def make_simulation(
    scenario: Scenario, population: Population, days: int, devices: int = 1
) -> tuple[Simulation, dict, Any, Any]:
    """The compiled model for a population, the engine's parameters, the day schedule and
    the burn-in's schedule. ``devices > 1`` splits the agents over that many devices."""
    world, layout = build_world(population)
    try:
        sim = Simulation(world, layout, scenario.params.beliefs.cadence_days, devices=devices)
    except ValueError as exc:
        raise PanopticumError(str(exc)) from None
    return sim, engine_params(scenario.params), build_schedule(scenario.params, days), burn_in_schedule(scenario.params)


def scenario_from_manifest(manifest: dict[str, Any]) -> Scenario:
    """The scenario exactly as a run used it: every parameter value from its manifest."""
    from panopticum.params.schema import make_parameters

    meta = manifest["scenario"]
    params = make_parameters(manifest["parameters"])
    return Scenario(
        name=meta["name"], description=meta.get("description", ""), days=int(manifest["days"]), params=params,
        source=meta.get("source", "manifest"),
        survey_dates=tuple(datetime.date.fromisoformat(d) for d in manifest.get("survey_dates", [])),
    )


def run_scenario(
    scenario: str | Scenario,
    *,
    population: Population | str | os.PathLike | None = None,
    agents: int | None = None,
    days: int | None = None,
    seed: int = 0,
    overrides: list[str] | dict[str, Any] | None = None,
    members: int = 1,
    chunk_days: int = 30,
    on_chunk: Callable[[Chunk, int], None] | None = None,
    devices: int = 1,
    survey_at: list[datetime.date | str] | None = None,
) -> RunResult:
    """Run a scenario (a built-in name, a TOML path or a :class:`Scenario`) to the end.

    ``members > 1`` runs an ensemble of seeds as one compiled program; ``on_chunk(chunk,
    days)`` is called after each chunk of days (for progress bars and checkpoints).
    ``devices > 1`` splits the agent axis over that many devices (the same integer results;
    float sums over agents within the tolerance in docs/engine.md).
    ``survey_at`` (dates, with the scenario's ``[[survey]]`` dates) keeps a survey snapshot
    on each: ``result.snapshot(date, member)``.
    """
    from panopticum.surveys.keep import Keeper, run_with_cuts, survey_days

    scenario, pop, days, override_dict = prepare(
        scenario, population=population, agents=agents, days=days, seed=seed, overrides=overrides, members=members,
        survey_at=survey_at,
    )
    check_memory(pop.n, members, chunk_days)
    started = time.perf_counter()
    sim, params, schedule, burn_in = make_simulation(scenario, pop, days, devices)
    start = scenario.params.timeline.start_date
    keeper = Keeper(survey_days(scenario.survey_dates, start, days), start, pop, sim.world, params, members)
    regional, national, state = [], [], None
    for chunk in run_with_cuts(sim, seed, params, schedule, members=members, chunk_days=chunk_days, state=None,
                               first_day=0, burn_in=burn_in, cuts=keeper.cuts, at_cut=keeper):
        regional.append(chunk.regional)
        national.append(chunk.national)
        state = chunk.state
        if on_chunk:
            on_chunk(chunk, days)
    manifest = build_manifest(scenario, pop, seed, days, members, override_dict)
    manifest["wall_seconds"] = round(time.perf_counter() - started, 3)
    return RunResult(
        scenario=scenario,
        seed=seed,
        days=days,
        members=members,
        population=pop,
        regional=np.concatenate(regional, axis=1),
        national=np.concatenate(national, axis=1),
        final_state=state,
        manifest=manifest,
        snapshots=keeper.kept,
    )


def _atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_run(result: RunResult, out_dir: str | os.PathLike) -> Path:
    """Write ``metrics.parquet`` and ``manifest.json`` into ``out_dir`` (each atomically)."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        _atomic_write(out / "metrics.parquet", lambda p: result.metrics.to_parquet(p, index=False))
        _atomic_write(out / "manifest.json", lambda p: p.write_text(json.dumps(result.manifest, indent=2, default=str)))
    except OSError as exc:
        raise PanopticumError(f"cannot write the run to {out}: {exc.strerror or exc}") from None
    return out


def enable_compilation_cache(directory: str | os.PathLike | None = None) -> Path | None:
    """Keep JAX's compiled programs on disk, so the second run of a shape skips compilation.

    The directory is ``directory``, else ``$PANOPTICUM_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/panopticum/xla`` (``~/.cache/panopticum/xla``); a
    ``$JAX_COMPILATION_CACHE_DIR`` already set wins, and ``PANOPTICUM_CACHE_DIR=off``
    turns the cache off. Returns the directory used, or None. The engine keeps its chunk
    programs' executables in its ``executables/`` folder, under a key it computes without
    tracing (:mod:`panopticum.engine.executables`), and reads none while the cache is off.
    """
    import jax

    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
    chosen = directory or os.environ.get("PANOPTICUM_CACHE_DIR")
    if chosen == "off":
        return None
    if not chosen:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        chosen = Path(base) / "panopticum" / "xla"
    path = Path(chosen)
    try:
        path.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(path))
        # The initialiser compiles in under a second; cached too, a warm process compiles nothing.
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.1)
    except (OSError, AttributeError, ValueError):
        return None
    return path
