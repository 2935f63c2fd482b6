"""Where a run store keeps things, and how files are written so that a kill never corrupts one.

A run store is a directory::

    STORE/
      catalog.duckdb                 the index: one row per run (rebuilt from the runs/ files)
      .lock                          flock'ed around every catalog update
      runs/<run_id>/
        manifest.json                every parameter value, seed, versions, platform
        status.json                  running | complete | failed, days done, pid
        metrics/chunk-00000.parquet  tidy daily metrics, one file per chunk of days
        checkpoint/state.npz         the model state after the last chunk written
        checkpoint/previous.npz      the checkpoint before it, kept in case state.npz is damaged

The files under ``runs/`` are the source of truth; ``catalog.duckdb`` is an index over
them that can always be rebuilt. Every file is written to a temporary name in the same
directory and renamed into place (``os.replace``), so a reader sees the old file or the
new one, never half of one. Temporary names start with ``.`` and end with ``.tmp``, so the
glob ``runs/*/metrics/*.parquet`` never matches one; :func:`remove_temporaries` clears
those a kill left behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError

DEFAULT_STORE = "panopticum-runs"
CATALOG = "catalog.duckdb"
LOCK = ".lock"
RUNS = "runs"
MANIFEST = "manifest.json"
STATUS = "status.json"
METRICS = "metrics"
CHECKPOINT = "checkpoint"
STATE_FILE = "state.npz"
PREVIOUS_STATE_FILE = "previous.npz"


def chunk_name(first_day: int) -> str:
    return f"chunk-{first_day:05d}.parquet"


def atomic_write(path: Path, write: Callable[[Path], None], previous: Path | None = None) -> None:
    """Write ``path`` via a temporary file in its directory, fsync'ed, then renamed into place.

    With ``previous``, the file ``path`` held until now is first renamed to ``previous``; a
    kill between the two renames leaves ``previous`` alone, never nothing.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, 0o666 & ~umask())
        write(Path(tmp))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        if previous is not None and path.exists():
            os.replace(path, previous)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")


def remove_temporaries(directory: Path) -> list[Path]:
    """Delete the temporary files under ``directory`` (left by a kill mid-write); returns them.

    Only safe while no process writes there: the caller holds the run.
    """
    removed = []
    for path in directory.rglob(".*.tmp"):
        if path.is_file() and is_temporary(path):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"))


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PanopticumError(f"missing file {path}") from None
    except (OSError, ValueError) as exc:
        raise PanopticumError(f"cannot read {path}: {exc}") from None
