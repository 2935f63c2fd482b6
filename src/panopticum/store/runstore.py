"""The run store: runs on disk, their status, metrics and checkpoints (layout in :mod:`.layout`)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import secrets
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.store import catalog, layout

RUNNING, COMPLETE, FAILED, INCOMPLETE = "running", "complete", "failed", "incomplete"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def new_run_id() -> str:
    """Short, sortable and unique: UTC time to the second plus 4 random hex digits."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def parameter_hash(parameters: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of every parameter value (dates as ISO strings)."""
    text = json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _proc_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # a zombie has died
        return "dead"
    return fields[19]


def _alive(pid: int | None, start: str | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    found = _proc_start(pid)
    if found == "dead":
        return False
    return start is None or found is None or found == start


def process_identity() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(), "pid_start": _proc_start(os.getpid())}


def effective_status(status: dict[str, Any]) -> str:
    """``running`` only while the writing process lives; a dead writer's run is ``incomplete``."""
    state = status.get("status")
    if state == RUNNING:
        if status.get("host") != socket.gethostname():
            return RUNNING  # cannot check another machine's processes
        return RUNNING if _alive(status.get("pid"), status.get("pid_start")) else INCOMPLETE
    if state in (COMPLETE, FAILED):
        return state
    return INCOMPLETE


@dataclasses.dataclass
class RunStore:
    """A directory of runs with a DuckDB catalog; see :mod:`panopticum.store.layout`."""

    root: Path

    @classmethod
    def open(cls, root: str | os.PathLike | None = None, create: bool = False) -> "RunStore":
        path = Path(root if root is not None else layout.DEFAULT_STORE)
        if create:
            try:
                (path / layout.RUNS).mkdir(parents=True, exist_ok=True)
                probe = path / f".write-test-{os.getpid()}"
                probe.write_text("ok")
                probe.unlink()
            except OSError as exc:
                raise PanopticumError(f"cannot write to the run store {path}: {exc.strerror or exc}") from None
        elif not (path / layout.RUNS).is_dir():
            raise PanopticumError(f"no run store at {path} (give --store DIR, or run `panopticum run` first)")
        return cls(path)

    # --- runs -------------------------------------------------------------------------------

    def run_dir(self, run_id: str) -> Path:
        return self.root / layout.RUNS / run_id

    def run_ids(self) -> list[str]:
        base = self.root / layout.RUNS
        return sorted(p.name for p in base.iterdir() if (p / layout.STATUS).is_file()) if base.is_dir() else []

    def resolve(self, ref: str) -> str:
        """A run id, a unique prefix of one, or ``latest``."""
        ids = self.run_ids()
        if ref == "latest" and ids:
            return ids[-1]
        if ref in ids:
            return ref
        found = [i for i in ids if i.startswith(ref)] if ref else []
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise PanopticumError(f"run '{ref}' is ambiguous: {', '.join(found[:5])}")
        raise PanopticumError(f"unknown run '{ref}' in {self.root}; `panopticum runs` lists them")

    def create_run(self, manifest: dict[str, Any], chunk_days: int) -> str:
        """Make a run's directory, manifest and status (``running``); returns its id."""
        for _ in range(100):
            run_id = new_run_id()
            try:
                self.run_dir(run_id).mkdir(parents=False)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                raise PanopticumError(f"cannot write to the run store {self.root}: {exc.strerror or exc}") from None
        else:  # pragma: no cover
            raise PanopticumError("could not find a free run id")
        d = self.run_dir(run_id)
        (d / layout.METRICS).mkdir()
        (d / layout.CHECKPOINT).mkdir()
        manifest = dict(manifest, run_id=run_id, chunk_days=chunk_days, param_hash=parameter_hash(manifest["parameters"]))
        layout.write_json(d / layout.MANIFEST, manifest)
        status = {
            "run_id": run_id,
            "status": RUNNING,
            "scenario": manifest["scenario"]["name"],
            "param_hash": manifest["param_hash"],
            "seed": manifest["seed"],
            "agents": manifest["agents"],
            "members": manifest["members"],
            "days": manifest["days"],
            "days_done": 0,
            "start_date": manifest["start_date"],
            "created": manifest["created"],
            "updated": now(),
            "panopticum_version": manifest["versions"]["panopticum"],
            "jax_version": manifest["versions"]["jax"],
            "backend": manifest["platform"]["jax_backend"],
            **process_identity(),
        }
        layout.write_json(d / layout.STATUS, status)
        self.sync_catalog()
        return run_id

    def manifest(self, run_id: str) -> dict[str, Any]:
        return layout.read_json(self.run_dir(run_id) / layout.MANIFEST)

    def status(self, run_id: str) -> dict[str, Any]:
        status = layout.read_json(self.run_dir(run_id) / layout.STATUS)
        status["recorded_status"] = status.get("status")
        status["status"] = effective_status(status)
        return status

    def update_status(self, run_id: str, sync: bool = False, **changes: Any) -> dict[str, Any]:
        path = self.run_dir(run_id) / layout.STATUS
        status = layout.read_json(path)
        status.update(changes, updated=now())
        layout.write_json(path, status)
        if sync:
            self.sync_catalog()
        return status

    def list_runs(self) -> pd.DataFrame:
        """One row per run, from the runs' own files (status as of now)."""
        rows = []
        for run_id in self.run_ids():
            try:
                rows.append(self.status(run_id))
            except PanopticumError:
                continue  # a run directory being created right now
        frame = pd.DataFrame(rows, columns=[name for name, _ in catalog.COLUMNS] if not rows else None)
        for col in ("created", "updated"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col], utc=True)
        if "start_date" in frame:
            frame["start_date"] = pd.to_datetime(frame["start_date"]).dt.date
        return frame

    def sync_catalog(self) -> bool:
        """Rewrite the catalog's ``runs`` table from the runs' files (False if it was busy)."""
        return catalog.write_catalog(self.root, self.list_runs())

    # --- metrics and checkpoints ------------------------------------------------------------

    def write_chunk(self, run_id: str, first_day: int, frame: pd.DataFrame) -> None:
        path = self.run_dir(run_id) / layout.METRICS / layout.chunk_name(first_day)
        layout.atomic_write(path, lambda p: frame.to_parquet(p, index=False))

    def chunk_files(self, run_id: str) -> list[Path]:
        return sorted((self.run_dir(run_id) / layout.METRICS).glob("chunk-*.parquet"))

    def metrics(self, run_id: str) -> pd.DataFrame:
        """The run's tidy metrics: run_id, member, day, date, region, metric, value."""
        files = self.chunk_files(run_id)
        if not files:
            return pd.DataFrame(columns=["run_id", "member", "day", "date", "region", "metric", "value"])
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        return frame

    def save_checkpoint(self, run_id: str, state: Any, day: int) -> None:
        """Save the model state (a dataclass of arrays, member axis first) reached at ``day``."""
        arrays = {f.name: np.asarray(getattr(state, f.name)) for f in dataclasses.fields(state)}
        path = self.run_dir(run_id) / layout.CHECKPOINT / layout.STATE_FILE

        def write(p: Path) -> None:
            with open(p, "wb") as fh:
                np.savez(fh, _checkpoint_day=np.int64(day), **arrays)

        layout.atomic_write(path, write)

    def load_checkpoint(self, run_id: str) -> tuple[dict[str, np.ndarray], int] | None:
        path = self.run_dir(run_id) / layout.CHECKPOINT / layout.STATE_FILE
        if not path.is_file():
            return None
        try:
            with np.load(path) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise PanopticumError(f"cannot read the checkpoint {path}: {exc}") from None
        day = int(arrays.pop("_checkpoint_day"))
        return arrays, day
