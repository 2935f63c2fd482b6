"""The run store: runs on disk, their status, metrics and checkpoints (layout in :mod:`.layout`)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import os
import secrets
import shutil
import socket
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.store import catalog, layout

RUNNING, COMPLETE, FAILED, INCOMPLETE = "running", "complete", "failed", "incomplete"
DAMAGED = "damaged"  # listed for a run whose status.json cannot be read
_WHOLE_COLUMNS = ("seed", "agents", "members", "days", "days_done")


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def new_run_id() -> str:
    """Short, sortable and unique: UTC time to the second plus 4 random hex digits."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def parameter_hash(parameters: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of every parameter value (dates as ISO strings)."""
    text = json.dumps(parameters, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def run_parameter_hash(manifest: dict[str, Any]) -> str:
    """A run's parameter hash: of its parameters, and of its members' own values when its
    members have their own (a run without them hashes as it always has)."""
    if not manifest.get("member_overrides"):
        return parameter_hash(manifest["parameters"])
    return parameter_hash({"parameters": manifest["parameters"], "member_overrides": manifest["member_overrides"]})


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
        store = cls(path)
        store.follow_move()
        return store

    def follow_move(self) -> None:
        """Point the catalog's ``metrics`` view here if the store was moved or copied (best effort:
        a read-only store keeps its old catalog, and its runs' files stay readable)."""
        recorded = catalog.recorded_root(self.root) if (self.root / layout.CATALOG).exists() else None
        if recorded is not None and recorded != str(self.root.resolve()):
            self.sync_catalog()

    def resume_hint(self, run_id: str) -> str:
        return f"`panopticum resume {run_id} --store {self.root}`"

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
        manifest = dict(manifest, run_id=run_id, chunk_days=chunk_days, param_hash=run_parameter_hash(manifest))
        try:
            (d / layout.METRICS).mkdir()
            (d / layout.CHECKPOINT).mkdir()
            layout.write_json(d / layout.MANIFEST, manifest)
            layout.write_json(d / layout.STATUS, fresh_status(manifest))  # last: the run exists from here on
        except OSError:
            shutil.rmtree(d, ignore_errors=True)  # nothing half-made is left (a disk full mid-way)
            raise
        self.sync_catalog()
        return run_id

    def manifest(self, run_id: str) -> dict[str, Any]:
        return layout.read_json(self.run_dir(run_id) / layout.MANIFEST)

    def member_parameters(self, run_id: str) -> list[dict[str, Any]]:
        """Every member's parameters by dotted path: the run's, with the member's own values
        where its members have their own (posterior draws); a run without them (and every
        run of an older store) gives each member the run's parameters."""
        manifest = self.manifest(run_id)
        own = manifest.get("member_overrides") or [{}] * int(manifest["members"])
        return [dict(manifest["parameters"], **values) for values in own]

    def status(self, run_id: str) -> dict[str, Any]:
        status = layout.read_json(self.run_dir(run_id) / layout.STATUS)
        if not isinstance(status, dict) or not isinstance(status.get("days_done", 0), int):
            raise PanopticumError(f"cannot read {self.run_dir(run_id) / layout.STATUS}: not a run status")
        status["recorded_status"] = status.get("status")
        status["status"] = effective_status(status)
        return status

    def repair_status(self, run_id: str, days_done: int) -> dict[str, Any]:
        """Write a new ``status.json`` (incomplete, ``days_done``) from the run's manifest."""
        status = dict(fresh_status(self.manifest(run_id)), status=INCOMPLETE, days_done=days_done)
        status.pop("pid", None)
        layout.write_json(self.run_dir(run_id) / layout.STATUS, status)
        return status

    def update_status(self, run_id: str, sync: bool = False, **changes: Any) -> dict[str, Any]:
        path = self.run_dir(run_id) / layout.STATUS
        status = layout.read_json(path)
        status.update(changes, updated=now())
        layout.write_json(path, status)
        if sync:
            self.sync_catalog()
        return status

    def _damaged_row(self, run_id: str, problem: str) -> dict[str, Any]:
        row: dict[str, Any] = {"run_id": run_id, "status": DAMAGED, "error": problem}
        try:
            m = self.manifest(run_id)
            row.update(scenario=m["scenario"]["name"], param_hash=m.get("param_hash"), seed=m["seed"],
                       agents=m["agents"], members=m["members"], days=m["days"], start_date=m["start_date"],
                       created=m["created"])
        except (PanopticumError, KeyError, TypeError):
            row["scenario"] = "(manifest damaged too)"
        return row

    def list_runs(self) -> pd.DataFrame:
        """One row per run, from the runs' own files (status as of now); a run whose
        ``status.json`` cannot be read is listed as ``damaged``, with the reason in ``error``."""
        rows = []
        for run_id in self.run_ids():
            try:
                rows.append(self.status(run_id))
            except PanopticumError as exc:  # status.json is written whole, so this is damage
                rows.append(self._damaged_row(run_id, str(exc)))
        names = [name for name, _ in catalog.COLUMNS]
        frame = pd.DataFrame(rows)
        frame = frame.reindex(columns=names + [c for c in frame.columns if c not in names])
        for col in _WHOLE_COLUMNS:
            if col in frame:
                frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Int64")
        for col in ("created", "updated"):
            if col in frame:
                frame[col] = pd.to_datetime(frame[col], utc=True)
        if "start_date" in frame:
            frame["start_date"] = pd.to_datetime(frame["start_date"]).dt.date
        return frame

    def sync_catalog(self) -> bool:
        """Rewrite the catalog's ``runs`` table from the runs' files (False if it was busy)."""
        return catalog.write_catalog(self.root, self.list_runs)

    # --- metrics and checkpoints ------------------------------------------------------------

    def write_chunk(self, run_id: str, first_day: int, frame: pd.DataFrame) -> None:
        path = self.run_dir(run_id) / layout.METRICS / layout.chunk_name(first_day)
        layout.atomic_write(path, lambda p: frame.to_parquet(p, index=False))

    def chunk_files(self, run_id: str) -> list[Path]:
        return sorted((self.run_dir(run_id) / layout.METRICS).glob("chunk-*.parquet"))

    def chunk_problem(self, run_id: str, upto_day: int, read: bool = False) -> str | None:
        """What is wrong with the chunk files of days ``0 .. upto_day - 1``, or None: a file
        missing, or (``read=True``) one that cannot be read back whole."""
        manifest = self.manifest(run_id)
        chunk_days, days = int(manifest["chunk_days"]), int(manifest["days"])
        folder = self.run_dir(run_id) / layout.METRICS
        for first in range(0, min(upto_day, days), chunk_days):
            path = folder / layout.chunk_name(first)
            if not path.is_file():
                return f"the metrics of days {first}-{min(first + chunk_days, days) - 1} ({path.name}) are missing"
            if read:
                try:
                    frame = _read_chunk(path)
                except PanopticumError as exc:
                    return str(exc)
                if not frame["day"].between(first, first + chunk_days - 1).all():
                    return f"the metrics file {path} holds other days than its name says"
        return None

    def metrics(self, run_id: str) -> pd.DataFrame:
        """The run's tidy metrics: run_id, member, day, date, region, metric, value.

        Raises :class:`PanopticumError` if a chunk of the days done is missing or damaged
        (``panopticum resume`` computes it again)."""
        try:
            done = int(self.status(run_id).get("days_done") or 0)
        except PanopticumError:
            done = 0
        problem = self.chunk_problem(run_id, done)
        if problem:
            raise PanopticumError(f"run {run_id}: {problem}; {self.resume_hint(run_id)} computes them again")
        files = self.chunk_files(run_id)
        if not files:
            return pd.DataFrame(columns=["run_id", "member", "day", "date", "region", "metric", "value"])
        try:
            frames = [_read_chunk(f) for f in files]
        except PanopticumError as exc:
            raise PanopticumError(f"run {run_id}: {exc}; {self.resume_hint(run_id)} computes it again") from None
        return pd.concat(frames, ignore_index=True)

    def save_checkpoint(self, run_id: str, state: Any, day: int) -> None:
        """Save the model state (a dataclass of arrays, member axis first) reached at ``day``;
        the checkpoint it replaces is kept as ``previous.npz``."""
        from panopticum.engine.state import state_arrays

        arrays = {name: np.asarray(value) for name, value in state_arrays(state).items()}
        folder = self.run_dir(run_id) / layout.CHECKPOINT

        def write(p: Path) -> None:
            with open(p, "wb") as fh:
                np.savez(fh, _checkpoint_day=np.int64(day), **arrays)

        layout.atomic_write(folder / layout.STATE_FILE, write, previous=folder / layout.PREVIOUS_STATE_FILE)

    def load_checkpoint(
        self, run_id: str, fields: list[str] | None = None, notice=None
    ) -> tuple[dict[str, np.ndarray], int] | None:
        """The newest checkpoint that reads back whole (``state.npz``, else ``previous.npz``), as
        ``(arrays, day)``; None if there is none. ``fields``: the state's field names, which a
        checkpoint must hold. ``notice(text)`` hears of each damaged checkpoint passed over."""
        folder = self.run_dir(run_id) / layout.CHECKPOINT
        days = int(self.manifest(run_id)["days"])
        for name in (layout.STATE_FILE, layout.PREVIOUS_STATE_FILE):
            path = folder / name
            if not path.is_file():
                continue
            try:
                with np.load(path, allow_pickle=False) as z:
                    arrays = {k: z[k] for k in z.files}
                day = int(arrays.pop("_checkpoint_day"))
                if fields is not None and set(arrays) != set(fields):
                    raise ValueError("it holds other arrays than the model's state")
                if not 0 < day <= days:
                    raise ValueError(f"day {day} is outside the run")
                return arrays, day
            except Exception as exc:  # noqa: BLE001 (zip, npy, key and value errors alike: a damaged file)
                if notice:
                    notice(f"checkpoint {path} is damaged ({type(exc).__name__}: {exc}); passing over it")
        return None


def _read_chunk(path: Path) -> pd.DataFrame:
    import pyarrow

    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise PanopticumError(f"the metrics file {path} is damaged ({type(exc).__name__})") from None


def fresh_status(manifest: dict[str, Any]) -> dict[str, Any]:
    """The ``status.json`` of a run just created from ``manifest`` (``running``, no day done)."""
    return {
        "run_id": manifest["run_id"],
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
