"""Experiments in the run store: their definition, design and finished points on disk.

::

    STORE/experiments/<experiment_id>/
      experiment.toml                 the experiment file as given
      definition.json                 name, definition hash, design kind, factors, outcomes
      design.parquet                  one row per design row: its point and factor values
      status.json                     running | complete | interrupted, units done, pid
      points/batch-<id>.parquet       one file per finished batch: key, point, replicate,
                                      seed, parameters (JSON), one column per outcome, worker
      series/batch-<id>.parquet       the outcomes' daily series (only with keep_series)

Batch files are written whole (temporary name, fsync, rename) by the worker that ran the
batch and named by the hash of the batch's keys, so a batch run again after a lost worker
replaces its own file rather than adding one. The catalog's ``experiments`` and ``points``
tables are an index rebuilt from these files.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.store import catalog, layout
from panopticum.store.runstore import effective_status, now, process_identity

EXPERIMENTS = "experiments"
PREFIX = "exp-"


def definition_hash(definition: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()


def write_batch_files(root: str | os.PathLike, experiment_id: str, batch: str, frame: pd.DataFrame,
                      series: pd.DataFrame | None) -> None:
    """Write a finished batch's points (and series) under the experiment, each file whole."""
    base = Path(root) / EXPERIMENTS / experiment_id
    if series is not None:
        path = base / "series" / f"batch-{batch}.parquet"
        layout.atomic_write(path, lambda p: series.to_parquet(p, index=False))
    path = base / "points" / f"batch-{batch}.parquet"
    layout.atomic_write(path, lambda p: frame.to_parquet(p, index=False))


@dataclasses.dataclass
class ExperimentStore:
    root: Path

    @classmethod
    def open(cls, root: str | os.PathLike, create: bool = False) -> "ExperimentStore":
        from panopticum.store import RunStore

        store = RunStore.open(root, create=create)
        if create:
            (store.root / EXPERIMENTS).mkdir(exist_ok=True)
        return cls(store.root)

    def dir(self, experiment_id: str) -> Path:
        return self.root / EXPERIMENTS / experiment_id

    def ids(self) -> list[str]:
        base = self.root / EXPERIMENTS
        return sorted(p.name for p in base.iterdir() if (p / layout.STATUS).is_file()) if base.is_dir() else []

    def definition(self, experiment_id: str) -> dict[str, Any]:
        return layout.read_json(self.dir(experiment_id) / "definition.json")

    def find(self, ref: str) -> str | None:
        """An experiment id, a unique prefix of one, or a name (its latest experiment); None if none."""
        ids = self.ids()
        if ref in ids:
            return ref
        named = [i for i in ids if self.definition(i).get("name") == ref]
        if named:
            return named[-1]
        found = [i for i in ids if i.startswith(ref)] if ref.startswith(PREFIX) else []
        if len(found) > 1:
            raise PanopticumError(f"experiment '{ref}' is ambiguous: {', '.join(found[:5])}")
        return found[0] if found else None

    def resolve(self, ref: str) -> str:
        found = self.find(ref)
        if found is None:
            raise PanopticumError(f"unknown experiment '{ref}' in {self.root}")
        return found

    def resumable(self, name: str, digest: str) -> str | None:
        """The latest experiment of this name and definition, or None."""
        for experiment_id in reversed(self.ids()):
            d = self.definition(experiment_id)
            if d.get("name") == name:
                if d.get("definition_hash") != digest:
                    raise PanopticumError(
                        f"the latest experiment named '{name}' ({experiment_id}) was run from a different "
                        "definition; run without --resume to start a new one")
                return experiment_id
        return None

    def create(self, definition: dict[str, Any], text: str, design: pd.DataFrame, units: int) -> str:
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S-")
        for _ in range(100):
            experiment_id = PREFIX + stamp + secrets.token_hex(2)
            try:
                self.dir(experiment_id).mkdir(parents=True)
                break
            except FileExistsError:
                continue
        else:  # pragma: no cover
            raise PanopticumError("could not find a free experiment id")
        d = self.dir(experiment_id)
        (d / "points").mkdir()
        (d / "series").mkdir()
        layout.atomic_write(d / "experiment.toml", lambda p: p.write_text(text, encoding="utf-8"))
        layout.atomic_write(d / "design.parquet", lambda p: design.to_parquet(p, index=False))
        layout.write_json(d / "definition.json", dict(definition, experiment_id=experiment_id, created=now()))
        layout.write_json(d / layout.STATUS, {"experiment_id": experiment_id, "status": "running", "units": units,
                                              "units_done": 0, "created": now(), "updated": now(), **process_identity()})
        return experiment_id

    def design(self, experiment_id: str) -> pd.DataFrame:
        return pd.read_parquet(self.dir(experiment_id) / "design.parquet")

    def experiment_text(self, experiment_id: str) -> str:
        return (self.dir(experiment_id) / "experiment.toml").read_text(encoding="utf-8")

    def status(self, experiment_id: str) -> dict[str, Any]:
        status = layout.read_json(self.dir(experiment_id) / layout.STATUS)
        status["status"] = effective_status(status)
        return status

    def update_status(self, experiment_id: str, **changes: Any) -> None:
        path = self.dir(experiment_id) / layout.STATUS
        status = layout.read_json(path)
        status.update(changes, updated=now())
        if changes.get("status") == "running":
            status.update(process_identity())
        layout.write_json(path, status)

    def batch_files(self, experiment_id: str, kind: str = "points") -> list[Path]:
        return sorted((self.dir(experiment_id) / kind).glob("batch-*.parquet"))

    def results(self, experiment_id: str) -> pd.DataFrame:
        """Every finished unit: key, point, replicate, seed, parameters, outcomes, batch, worker."""
        files = self.batch_files(experiment_id)
        if not files:
            return pd.DataFrame(columns=["key", "point", "replicate", "seed", "parameters", "batch", "worker"])
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def series(self, experiment_id: str) -> pd.DataFrame:
        files = self.batch_files(experiment_id, "series")
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files else pd.DataFrame()

    def done_keys(self, experiment_id: str) -> set[str]:
        files = self.batch_files(experiment_id)
        return set().union(*(set(pd.read_parquet(f, columns=["key"])["key"]) for f in files)) if files else set()

    def list_experiments(self) -> pd.DataFrame:
        rows = []
        for experiment_id in self.ids():
            d, s = self.definition(experiment_id), self.status(experiment_id)
            rows.append({"experiment_id": experiment_id, "name": d["name"], "status": s["status"],
                         "design": d["design"], "scenario": d["scenario"], "definition_hash": d["definition_hash"],
                         "agents": d.get("agents"), "days": d["days"], "seed": d["seed"], "replicates": d["replicates"],
                         "points": d["points"], "units": s["units"], "units_done": s.get("units_done", 0),
                         "created": s["created"], "updated": s["updated"]})
        frame = pd.DataFrame(rows, columns=[n for n, _ in catalog.EXPERIMENT_COLUMNS])
        for col in ("created", "updated"):
            frame[col] = pd.to_datetime(frame[col], utc=True)
        return frame

    def sync_catalog(self) -> bool:
        """Rebuild the catalog, its ``experiments`` and ``points`` tables from the files
        (False if it was busy: the next update catches up)."""
        from panopticum.store import RunStore

        return RunStore.open(self.root).sync_catalog()

    def catalog_tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The catalog's ``experiments`` and ``points`` tables (parameters and outcomes as
        JSON text), read from the experiments' files."""
        points = []
        for experiment_id in self.ids():
            frame = self.results(experiment_id)
            if frame.empty:
                continue
            fixed = {"key", "point", "replicate", "seed", "parameters", "batch", "worker"}
            outcome_cols = [c for c in frame.columns if c not in fixed]
            frame["outcomes"] = [json.dumps(dict(zip(outcome_cols, map(float, vals))))
                                 for vals in frame[outcome_cols].itertuples(index=False)]
            points.append(frame.assign(experiment_id=experiment_id))
        table = pd.concat(points, ignore_index=True) if points else pd.DataFrame()
        return self.list_experiments(), table
