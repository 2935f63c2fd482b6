"""The catalog: an embedded DuckDB file indexing the runs of a store.

``catalog.duckdb`` holds a table ``runs`` (one row per run: id, scenario, parameter hash,
seed, agents, members, days, days done, versions, created, status), a table
``member_parameters`` (run, member, parameter, value: the values of runs whose members have
their own parameters, such as posterior draws; other runs' members share the run's
parameters and have no rows), tables ``experiments``
and ``points`` (one row per experiment, and per point and replicate), a view ``metrics``
over every run's Parquet files (empty, with its columns, before the first chunk lands) and
a table ``store`` recording the directory the view reads. It is an index, never the only
copy of anything: each update builds a new catalog from the runs' own ``status.json`` and
``manifest.json`` files in a temporary file and renames it into place, under an exclusive
``flock`` on ``STORE/.lock`` so that concurrent runs take turns. A reader (a user's
``duckdb`` shell, read-only or not) therefore never blocks a writer and is never blocked by
one: it keeps the catalog it opened. A catalog file that is not a DuckDB database is set
aside, not overwritten; the runs' files stay readable either way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from panopticum.errors import PanopticumError
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
    """An exclusive lock on ``root/.lock`` (released by the kernel if the process dies).

    Raises :class:`PanopticumError` when the store cannot be written (read-only, no
    permission), and TimeoutError when another process holds the lock too long.
    """
    try:
        fd = os.open(root / layout.LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PanopticumError(f"the run store {root} is not writable ({exc.strerror or exc}); "
                              "reading it works, running or resuming needs write access") from None
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


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def _is_database(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def glob_literal(path: Path) -> str:
    """``path`` as a DuckDB glob matching itself alone: ``[``, ``*`` and ``?`` bracketed, so a
    store named ``runs[1]`` never reads the runs of a store named ``runs1``."""
    return re.sub(r"([\[*?])", r"[\1]", str(path))


def metrics_pattern(root: Path) -> str:
    return glob_literal((root / layout.RUNS).resolve()) + f"/*/{layout.METRICS}/*.parquet"


def write_catalog(root: Path, list_runs: Callable[[], pd.DataFrame]) -> bool:
    """Replace the catalog with one holding ``list_runs()`` and a ``metrics`` view over the store.

    The runs are listed under the lock, so that of two processes updating at once the later
    one writes what both have done (listing first would let a stale list land last).

    Returns False, leaving the old catalog, when it cannot be written (a read-only store, a
    full disk, the lock held too long): the runs' files are the source of truth, so the
    next update catches up.
    """
    import duckdb

    path = root / layout.CATALOG
    try:
        with store_lock(root):
            for stale in root.glob(f".{layout.CATALOG}.*.tmp*"):  # a killed update's leftovers
                stale.unlink(missing_ok=True)
            if path.exists() and not _is_database(path):
                # Not a database: keep it aside for inspection and start afresh.
                os.replace(path, path.with_name(f"{path.name}.damaged-{int(time.time())}"))
            fd, tmp = tempfile.mkstemp(prefix=f".{layout.CATALOG}.", suffix=".tmp", dir=root)
            os.close(fd)
            os.unlink(tmp)  # DuckDB creates the file itself
            try:
                con = duckdb.connect(tmp)
                try:
                    _fill(con, root, list_runs())
                finally:
                    con.close()
                os.chmod(tmp, 0o666 & ~layout.umask())
                Path(f"{path}.wal").unlink(missing_ok=True)  # a write-ahead log of the old file
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
                Path(f"{tmp}.wal").unlink(missing_ok=True)
    except (PanopticumError, TimeoutError, OSError, duckdb.Error):
        return False
    return True


METRICS_COLUMNS = [("run_id", "VARCHAR"), ("member", "SMALLINT"), ("day", "INTEGER"), ("date", "TIMESTAMP"),
                   ("region", "VARCHAR"), ("metric", "VARCHAR"), ("value", "DOUBLE")]


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


MEMBER_PARAMETER_COLUMNS = [("run_id", "VARCHAR"), ("member", "INTEGER"), ("parameter", "VARCHAR"), ("value", "DOUBLE")]


def _member_parameter_rows(root: Path) -> pd.DataFrame:
    """The ``member_parameters`` table, from the manifests of runs whose members have their
    own parameters (an unreadable manifest is skipped: the run is listed as damaged)."""
    rows = []
    for path in sorted((root / layout.RUNS).glob(f"*/{layout.MANIFEST}")):
        try:
            manifest = layout.read_json(path)
            own = manifest.get("member_overrides") or []
            rows += [(path.parent.name, m, name, float(value)) for m, values in enumerate(own) for name, value in values.items()]
        except (PanopticumError, AttributeError, TypeError, ValueError):
            continue
    return pd.DataFrame(rows, columns=[name for name, _ in MEMBER_PARAMETER_COLUMNS])


def _fill(con, root: Path, rows: pd.DataFrame) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    frame = rows.reindex(columns=[name for name, _ in COLUMNS])  # noqa: F841 (read by DuckDB by name)
    con.execute("BEGIN TRANSACTION")
    con.execute(f"CREATE TABLE runs ({columns})")
    if len(frame):
        con.execute("INSERT INTO runs SELECT * FROM frame")
    con.execute("CREATE TABLE store (root VARCHAR)")
    con.execute("INSERT INTO store VALUES (?)", [str(root.resolve())])
    pattern = metrics_pattern(root).replace("'", "''")
    if any((root / layout.RUNS).glob(f"*/{layout.METRICS}/*.parquet")):
        con.execute(f"CREATE VIEW metrics AS SELECT * FROM read_parquet('{pattern}', union_by_name = true)")
    else:  # no chunk yet: the view exists, empty, with its columns
        empty = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in METRICS_COLUMNS)
        con.execute(f"CREATE VIEW metrics AS SELECT {empty} WHERE false")
    experiments, points = _experiment_tables(root)
    for table, table_columns, table_rows in (("experiments", EXPERIMENT_COLUMNS, experiments), ("points", POINT_COLUMNS, points),
                                             ("member_parameters", MEMBER_PARAMETER_COLUMNS, _member_parameter_rows(root))):
        table_frame = table_rows.reindex(columns=[name for name, _ in table_columns])  # noqa: F841 (read by DuckDB by name)
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {k}' for n, k in table_columns)})")
        if len(table_frame):
            con.execute(f"INSERT INTO {table} SELECT * FROM table_frame")
    con.execute("COMMIT")


def _experiment_tables(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``experiments`` and ``points`` tables, from the experiments' own files (empty
    when the store holds none), so that every rebuild of the catalog keeps them."""
    from panopticum.experiments.store import EXPERIMENTS, ExperimentStore

    if not (root / EXPERIMENTS).is_dir():
        return pd.DataFrame(), pd.DataFrame()
    return ExperimentStore(root).catalog_tables()  # not .open: that may update the catalog itself


def recorded_root(root: Path) -> str | None:
    """The store directory the catalog's view reads, or None if the catalog cannot be read."""
    import duckdb

    path = root / layout.CATALOG
    if not _is_database(path):
        return None
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            found = con.execute("SELECT root FROM store").fetchone()
    except duckdb.Error:
        return None
    return found[0] if found else None
