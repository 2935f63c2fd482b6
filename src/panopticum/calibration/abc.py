"""ABC-SMC with pyabc: priors from the schema, distances scaled by each target's uncertainty,
simulations on a Dask cluster, one generation at a time into the run store.

A calibration lives in ``STORE/calibrations/<id>/``::

    calibration.json   scenario, agents, dates, priors, population size, generations done
    targets.toml       a copy of the targets file, so that a resumed run reads the same
    abc.db             pyabc's database (every generation's particles, weights, epsilons)
    posterior.parquet  the last generation's particles and weights
"""

from __future__ import annotations

import datetime
import json
import logging
import math
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from panopticum.calibration.observables import RESPONDENTS, observed_values, survey_uncertainty
from panopticum.calibration.simulator import Simulator
from panopticum.calibration.targets import TargetSet, check_prior, load_targets
from panopticum.errors import PanopticumError
from panopticum.store.layout import atomic_write

CALIBRATIONS = "calibrations"
DEFAULT_FREE = (
    "escape.rate",
    "informants.share",
    "media.share_rate",
    "enforcement.camp_share_criticise",
    "behaviour.media.threshold",
)
"""Free parameters calibrated unless told otherwise: each drives one or more targets
(arrivals, the share in the system, foreign video, political prisoners)."""


def key(path: str) -> str:
    """A parameter's name inside pyabc (which reads dots as attribute access)."""
    return path.replace(".", "__")


def path_of(name: str) -> str:
    return name.replace("__", ".")


def parse_free(items: list[str] | None, targets: TargetSet) -> dict[str, tuple[float, float]]:
    """``PARAM`` (prior: the targets file's, else the schema's range) or ``PARAM=LOW:HIGH``."""
    from panopticum.params.schema import SPEC_BY_PATH

    chosen = list(items) if items else (list(targets.priors) or list(DEFAULT_FREE))
    priors = {}
    for item in chosen:
        path, _, bounds = item.partition("=")
        path = path.strip()
        if bounds:
            try:
                low, high = (float(b) for b in bounds.split(":"))
            except ValueError:
                raise PanopticumError(f"--free expects PARAM or PARAM=LOW:HIGH, got {item!r}") from None
        elif path in targets.priors:
            low, high = targets.priors[path]
        elif path in SPEC_BY_PATH and SPEC_BY_PATH[path].kind in (int, float):
            low, high = SPEC_BY_PATH[path].low, SPEC_BY_PATH[path].high
        else:
            low, high = 0.0, 1.0  # only reached for an unknown or non-numeric path: check_prior says which
        priors[path] = check_prior(path, low, high)
    return priors


class ScaledDistance:
    """Euclidean distance between simulated and observed, each difference over the target's
    uncertainty; a one-sided target counts only on the wrong side of its bound. A survey
    target's uncertainty grows with the sampling error of the respondents its simulated
    survey had (``NAME#n``); with too few to estimate anything it does not count."""

    def __init__(self, uncertainty: dict[str, float], bound: dict[str, str]):
        self.uncertainty, self.bound = uncertainty, bound

    def __call__(self, x: dict, x0: dict) -> float:
        total = 0.0
        for label, scale in self.uncertainty.items():
            if label + RESPONDENTS in x:
                scale = survey_uncertainty(scale, float(x0[label]), float(x[label + RESPONDENTS]))
                if not math.isfinite(scale):
                    continue
            diff = float(x[label]) - float(x0[label])
            if self.bound[label] == "upper":
                diff = max(diff, 0.0)
            elif self.bound[label] == "lower":
                diff = min(diff, 0.0)
            if not math.isfinite(diff):
                return math.inf
            total += (diff / scale) ** 2
        return math.sqrt(total)


def calibration_dir(store: str | Path, calibration_id: str) -> Path:
    return Path(store) / CALIBRATIONS / calibration_id


def resolve(store: str | Path, calibration: str) -> Path:
    """A calibration's folder from its id (or a unique prefix, or 'latest'), or a folder path."""
    if Path(calibration, "calibration.json").exists():
        return Path(calibration)
    root = Path(store) / CALIBRATIONS
    ids = sorted(p.name for p in root.glob("*") if (p / "calibration.json").exists()) if root.exists() else []
    if calibration == "latest" and ids:
        return root / ids[-1]
    found = [i for i in ids if i.startswith(calibration)]
    if len(found) != 1:
        what = "no" if not found else "more than one"
        raise PanopticumError(f"{what} calibration in {root} matches '{calibration}'")
    return root / found[0]


def _priors(priors: dict[str, tuple[float, float]]):
    import pyabc

    return pyabc.Distribution(**{key(p): pyabc.RV("uniform", low, high - low) for p, (low, high) in priors.items()})


class Sampler:
    """pyabc's Dask sampler on a cluster (a LocalCluster unless ``scheduler`` names one), or
    its single-core sampler with ``workers=0``. A context manager: closes what it opened."""

    def __init__(self, scheduler: str | None = None, workers: int = 2):
        self.scheduler, self.workers = scheduler, workers
        self.client = self.cluster = None

    def __enter__(self):
        from pyabc.sampler import DaskDistributedSampler, SingleCoreSampler

        if self.scheduler is None and self.workers == 0:
            return SingleCoreSampler()
        from distributed import Client

        from panopticum.cluster import local_cluster

        try:
            if self.scheduler is None:
                self.cluster = local_cluster(self.workers)
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.scheduler, timeout=30)
        except OSError as exc:
            raise PanopticumError(f"cannot reach the Dask scheduler {self.scheduler}: {exc}") from None
        return DaskDistributedSampler(dask_client=self.client, batch_size=1)

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str)))


def posterior_frame(history, t: int | None = None) -> pd.DataFrame:
    """A generation's particles (dotted parameter names) and normalised weights."""
    df, w = history.get_distribution(m=0, t=t)
    df = df.rename(columns={c: path_of(c) for c in df.columns}).reset_index(drop=True)
    df["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    return df


def _save_posterior(folder: Path, history) -> pd.DataFrame:
    post = posterior_frame(history)
    post["generation"] = int(history.max_t)
    atomic_write(folder / "posterior.parquet", lambda p: post.to_parquet(p, index=False))
    return post


class ParticleModel:
    """pyabc's model: a particle (pyabc's names) to its observables. Picklable, for Dask."""

    def __init__(self, simulator: Simulator):
        self.simulator = simulator

    def __call__(self, pars) -> dict[str, float]:
        return self.simulator({path_of(k): v for k, v in dict(pars).items()})


class _GenerationProgress(logging.Handler):
    """Turns pyabc's log lines ('t: 2, eps: ...', 'Accepted: 50 / 212 ...') into one
    ``on_generation`` call a generation."""

    def __init__(self, on_generation):
        super().__init__(logging.INFO)
        self.on_generation, self.current, self.started = on_generation, {}, time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("t: ") and ", eps: " in text:
            t, eps = text[3:].rstrip(".").split(", eps: ")
            self.current = {"generation": int(t), "epsilon": float(eps)}
        elif text.startswith("Accepted: ") and self.current and self.on_generation:
            accepted, rest = text[len("Accepted: "):].split(" / ")
            now = time.perf_counter()
            self.on_generation({**self.current, "accepted": int(accepted), "simulations": int(rest.split(" ")[0]),
                                "seconds": now - self.started})
            self.started, self.current = now, {}


def build_abc(meta: dict[str, Any], targets: TargetSet, sampler):
    import pyabc

    _, unc, bound = observed_values(list(targets.targets))
    simulator = Simulator(meta["scenario"], meta["agents"], targets.start_date, targets.days, list(targets.targets),
                          fixed={"timeline.burn_in_days": meta["burn_in_days"]} if meta.get("burn_in_days") is not None else {})
    priors = {p: tuple(b) for p, b in meta["priors"].items()}
    return pyabc.ABCSMC(
        ParticleModel(simulator),
        _priors(priors), ScaledDistance(unc, bound), population_size=meta["population_size"], sampler=sampler,
    )


def calibrate(
    targets: str | TargetSet,
    *,
    scenario: str,
    agents: int,
    store: str | Path,
    generations: int = 5,
    population_size: int = 50,
    free: list[str] | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    burn_in_days: int | None = None,
    resume: str | None = None,
    max_minutes: float | None = None,
    on_generation: Callable[[dict[str, Any]], None] | None = None,
) -> Path:
    """Run (or resume) ABC-SMC until ``generations`` generations are done, or the first
    generation to end after ``max_minutes`` of this call; returns the folder.

    ``on_generation`` gets ``{generation, epsilon, accepted, simulations, seconds}`` after
    each.
    """
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("Sampler").setLevel(logging.WARNING)
    for name in ("Epsilon", "ABC.History", "ABC.Distance", "ABC.Population", "ABC.Predictor", "distributed"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if max_minutes is not None and not max_minutes > 0:
        raise PanopticumError(f"--max-minutes must be positive, got {max_minutes}")
    if resume is not None:
        folder = resolve(store, resume)
        meta = json.loads((folder / "calibration.json").read_text())
        targets = load_targets(str(folder / "targets.toml"))
        meta["generations"] = generations
    else:
        targets = load_targets(targets) if isinstance(targets, str) else targets
        from panopticum.params.scenarios import load_scenario

        load_scenario(scenario)  # an unknown scenario fails here, before anything is written
        from panopticum.population.build import check_n_agents

        check_n_agents(agents)
        if generations < 1 or population_size < 2:
            raise PanopticumError("a calibration needs at least 1 generation and a population of at least 2")
        priors = parse_free(free, targets)
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
        folder = calibration_dir(store, f"{stamp}-{targets.name}")
        folder.mkdir(parents=True, exist_ok=False)
        shutil.copyfile(targets.source, folder / "targets.toml")
        meta = {"targets": targets.name, "scenario": scenario, "agents": agents, "priors": priors,
                "population_size": population_size, "generations": generations, "burn_in_days": burn_in_days,
                "start_date": targets.start_date.isoformat(), "days": targets.days, "generations_done": 0,
                "simulations": 0, "wall_seconds": 0.0, "id": folder.name}
        _write_json(folder / "calibration.json", meta)
    observed, _, _ = observed_values(list(targets.targets))
    db = f"sqlite:///{(folder / 'abc.db').resolve()}"
    with Sampler(scheduler, workers) as sampler:
        abc = build_abc(meta, targets, sampler)
        if meta["generations_done"] == 0 and not (folder / "abc.db").exists():
            abc.new(db, observed)
        else:
            # the database, not calibration.json, says what is done: a run stopped during a
            # later generation has stored every generation it finished
            history = abc.load(db, 1)
            # pyabc times each generation (its first tolerance's prior sample included)
            timed = round(float(history.get_all_populations()["wall_time"].sum()), 1)
            if history.max_t + 1 > meta["generations_done"] or timed > meta["wall_seconds"]:
                meta["generations_done"] = max(meta["generations_done"], int(history.max_t) + 1)
                meta["simulations"] = int(history.total_nr_simulations)
                meta["wall_seconds"] = max(meta["wall_seconds"], timed)
                _save_posterior(folder, history)
                _write_json(folder / "calibration.json", meta)
        remaining = meta["generations"] - meta["generations_done"]
        if remaining > 0:
            # one call for every generation left: pyabc's epsilon schedule carries across them
            progress = _GenerationProgress(on_generation)
            logger = logging.getLogger("ABC")
            saved = logger.handlers[:]
            logger.handlers = [progress]  # pyabc's own lines are replaced by on_generation's
            logger.setLevel(logging.INFO)
            started = time.perf_counter()
            try:
                history = abc.run(max_nr_populations=remaining, max_walltime=(
                    datetime.timedelta(minutes=max_minutes) if max_minutes is not None else None))
            finally:
                logger.handlers = saved
                logger.setLevel(logging.WARNING)
            meta["generations_done"] = int(history.max_t) + 1
            meta["simulations"] = int(history.total_nr_simulations)
            meta["wall_seconds"] = max(round(meta["wall_seconds"] + time.perf_counter() - started, 1),
                                       round(float(history.get_all_populations()["wall_time"].sum()), 1))
            _save_posterior(folder, history)
            _write_json(folder / "calibration.json", meta)
    return folder


def load_posterior(folder: Path) -> pd.DataFrame:
    path = folder / "posterior.parquet"
    if not path.exists():
        raise PanopticumError(f"calibration {folder.name} has no posterior yet (no generation finished)")
    return pd.read_parquet(path)
