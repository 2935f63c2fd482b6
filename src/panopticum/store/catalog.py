"""The catalog: an embedded DuckDB file indexing the runs of a store.

``catalog.duckdb`` holds a table ``runs`` (one row per run: id, scenario, parameter hash,
seed, agents, members, days, days done, versions, created, status) and a view ``metrics``
over every run's Parquet files. It is an index, never the only copy of anything: each
update rewrites the table from the runs' own ``status.json`` and ``manifest.json`` files,
under an exclusive ``flock`` on ``STORE/.lock`` so that concurrent runs take turns, and a
catalog that cannot be opened (another program holding it, a damaged file) is rebuilt or
skipped; the runs' files stay readable either way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from panopticum.store import layout

COLUMNS = [
    ("run_id", "VARCHAR"),
    ("scenario", "VARCHAR"),
    ("status", "VARCHAR"),
    ("param_hash", "VARCHAR"),
    ("seed", "BIGINT"),
    ("agents", "BIGINT"),
    ("members", "INTEGER"),
    ("days", "INTEGER"),
    ("days_done", "INTEGER"),
    ("start_date", "DATE"),
    ("created", "TIMESTAMPTZ"),
    ("updated", "TIMESTAMPTZ"),
    ("panopticum_version", "VARCHAR"),
    ("jax_version", "VARCHAR"),
    ("backend", "VARCHAR"),
    ("wall_seconds", "DOUBLE"),
]


@contextlib.contextmanager
def store_lock(root: Path, timeout: float = 60.0) -> Iterator[None]:
    """An exclusive lock on ``root/.lock`` (released by the kernel if the process dies)."""
    fd = os.open(root / layout.LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{root / layout.LOCK} held for over {timeout:.0f} s") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _connect(path: Path, attempts: int = 40):
    """Open the catalog for writing, retrying while another program holds it."""
    import duckdb

    last: Exception | None = None
    for _ in range(attempts):
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise CatalogDamaged(str(exc)) from None
            last = exc  # held by another program (e.g. a user's duckdb shell): wait a little
            time.sleep(0.1)
    raise last  # type: ignore[misc]


class CatalogDamaged(Exception):
    """The catalog file exists but is not a database DuckDB can open."""


def write_catalog(root: Path, rows: pd.DataFrame) -> bool:
    """Replace the catalog's ``runs`` table with ``rows`` and refresh the ``metrics`` view.

    Returns False, leaving the old catalog, when it cannot be opened (the runs' files are the
    source of truth, so the next update catches up); a damaged catalog is set aside and rebuilt.
    """
    import duckdb

    path = root / layout.CATALOG
    try:
        with store_lock(root):
            try:
                con = _connect(path)
            except duckdb.IOException:
                return False
            except (CatalogDamaged, duckdb.Error):
                # Not a database we can read: keep it aside for inspection and start afresh.
                os.replace(path, path.with_name(f"{path.name}.damaged-{int(time.time())}"))
                Path(f"{path}.wal").unlink(missing_ok=True)
                con = _connect(path)
            try:
                _fill(con, root, rows)
            finally:
                con.close()
    except (TimeoutError, duckdb.Error):
        return False
    return True


def _fill(con, root: Path, rows: pd.DataFrame) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    frame = rows.reindex(columns=[name for name, _ in COLUMNS])  # noqa: F841 (read by DuckDB by name)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"CREATE OR REPLACE TABLE runs ({columns})")
    if len(frame):
        con.execute("INSERT INTO runs SELECT * FROM frame")
    pattern = str((root / layout.RUNS).resolve() / "*" / layout.METRICS / "*.parquet").replace("'", "''")
    if any((root / layout.RUNS).glob(f"*/{layout.METRICS}/*.parquet")):
        con.execute(f"CREATE OR REPLACE VIEW metrics AS SELECT * FROM read_parquet('{pattern}', union_by_name = true)")
    else:
        con.execute("DROP VIEW IF EXISTS metrics")
    con.execute("COMMIT")


EXPERIMENT_COLUMNS = [
    ("experiment_id", "VARCHAR"),
    ("name", "VARCHAR"),
    ("status", "VARCHAR"),
    ("design", "VARCHAR"),
    ("scenario", "VARCHAR"),
    ("definition_hash", "VARCHAR"),
    ("agents", "BIGINT"),
    ("days", "INTEGER"),
    ("seed", "BIGINT"),
    ("replicates", "INTEGER"),
    ("points", "BIGINT"),
    ("units", "BIGINT"),
    ("units_done", "BIGINT"),
    ("created", "TIMESTAMPTZ"),
    ("updated", "TIMESTAMPTZ"),
]

POINT_COLUMNS = [
    ("experiment_id", "VARCHAR"),
    ("key", "VARCHAR"),
    ("point", "BIGINT"),
    ("replicate", "INTEGER"),
    ("seed", "BIGINT"),
    ("parameters", "VARCHAR"),
    ("outcomes", "VARCHAR"),
    ("batch", "VARCHAR"),
    ("worker", "VARCHAR"),
]


def write_experiment_tables(root: Path, experiments: pd.DataFrame, points: pd.DataFrame) -> bool:
    """Replace the catalog's ``experiments`` and ``points`` tables (parameters and outcomes as
    JSON text); the ``runs`` table is left alone. False, changing nothing, when the catalog
    is busy or damaged (the experiments' own files are the source of truth)."""
    import duckdb

    path = root / layout.CATALOG
    try:
        with store_lock(root):
            try:
                con = _connect(path)
            except (duckdb.Error, CatalogDamaged):
                return False
            try:
                con.execute("BEGIN TRANSACTION")
                for table, columns, rows in (("experiments", EXPERIMENT_COLUMNS, experiments), ("points", POINT_COLUMNS, points)):
                    frame = rows.reindex(columns=[name for name, _ in columns])  # noqa: F841 (read by DuckDB by name)
                    con.execute(f"CREATE OR REPLACE TABLE {table} ({', '.join(f'{n} {k}' for n, k in columns)})")
                    if len(frame):
                        con.execute(f"INSERT INTO {table} SELECT * FROM frame")
                con.execute("COMMIT")
            finally:
                con.close()
    except (TimeoutError, duckdb.Error):
        return False
    return True
