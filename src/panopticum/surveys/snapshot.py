"""The per-agent table a survey reads, and where a run keeps it.

A run that keeps survey data writes one Parquet file per kept survey date and ensemble
member, ``<run dir>/survey/member-<m>/day-<DDDDD>.parquet``: one row per agent in population
order, the columns of :data:`SNAPSHOT_SCHEMA`, and the file metadata ``day`` (run day index)
and ``date`` (ISO date). The personal ties are not in the file: they are the run's
population's, rebuilt (or loaded) from what the run's manifest records.

:func:`write_snapshot` writes exactly this contract; :func:`load_snapshot` finds a run's
snapshot for a date and joins the ties; :func:`read_snapshot` reads one file.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from panopticum.errors import PanopticumError

SURVEY_DIR = "survey"
FREE, DETAINED, LEFT = 0, 1, 2
"""Values of the ``status`` column."""

BEHAVIOURS = ("trade", "media", "criticise", "call")
"""Bit order of ``punished_for`` and the suffixes of ``perceived_risk_*``."""

SNAPSHOT_SCHEMA = pa.schema(
    [
        ("region", pa.int8()),
        ("female", pa.bool_()),
        ("age", pa.int16()),
        ("status", pa.int8()),
        ("left_day", pa.int32()),
        ("phone", pa.bool_()),
        ("smuggled_phone", pa.bool_()),
        ("informant", pa.bool_()),
        ("in_system", pa.bool_()),
        ("last_trade", pa.int32()),
        ("last_media", pa.int32()),
        ("last_criticise", pa.int32()),
        ("last_call", pa.int32()),
        ("last_inspected", pa.int32()),
        ("last_punished", pa.int32()),
        ("media_days_365", pa.int16()),
        ("punished_for", pa.uint8()),
        ("witnessed_media_punishment", pa.bool_()),
        ("perceived_risk_trade", pa.float32()),
        ("perceived_risk_media", pa.float32()),
        ("perceived_risk_criticise", pa.float32()),
        ("perceived_risk_call", pa.float32()),
    ]
)
"""The columns of a survey snapshot and their types (the contract with the engine)."""

COLUMNS = tuple(SNAPSHOT_SCHEMA.names)
_FILE = re.compile(r"day-(\d{5})\.parquet$")


@dataclasses.dataclass(frozen=True, eq=False)
class Snapshot:
    """Every agent's history at one survey date, with the population's personal ties.

    ``columns`` maps each name of :data:`COLUMNS` to a numpy array ``[n]``; ``tie_indptr``
    (int64 ``[n + 1]``) and ``tie_index`` (int32) are the symmetric tie CSR of the
    population; ``day`` is the run day index and ``date`` its calendar date.
    """

    columns: dict[str, np.ndarray]
    day: int
    date: datetime.date
    tie_indptr: np.ndarray
    tie_index: np.ndarray
    member: int = 0
    source: str = "synthetic"

    def __post_init__(self) -> None:
        n = self.n
        if self.tie_indptr.shape != (n + 1,):
            raise PanopticumError(f"the ties are for {self.tie_indptr.shape[0] - 1:,} agents, the snapshot has {n:,}")

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    @property
    def n(self) -> int:
        return int(self.columns["region"].shape[0])

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.tie_indptr)


def snapshot_path(run_dir: Path, member: int, day: int) -> Path:
    return Path(run_dir) / SURVEY_DIR / f"member-{member}" / f"day-{day:05d}.parquet"


def kept_days(run_dir: Path, member: int = 0) -> list[int]:
    """Run days with a snapshot for ``member``, ascending (empty if none)."""
    folder = Path(run_dir) / SURVEY_DIR / f"member-{member}"
    if not folder.is_dir():
        return []
    return sorted(int(m.group(1)) for p in folder.iterdir() if (m := _FILE.fullmatch(p.name)))


def write_snapshot(path: Path, columns: dict[str, np.ndarray], day: int, date: datetime.date) -> None:
    """Write one snapshot file atomically, cast to :data:`SNAPSHOT_SCHEMA`."""
    from panopticum.store.layout import atomic_write

    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"snapshot columns missing: {', '.join(missing)}")
    table = pa.table({c: pa.array(np.asarray(columns[c])).cast(SNAPSHOT_SCHEMA.field(c).type) for c in COLUMNS})
    table = table.replace_schema_metadata({"day": str(int(day)), "date": date.isoformat()})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: pq.write_table(table, p))


def read_snapshot(path: Path) -> tuple[dict[str, np.ndarray], int, datetime.date]:
    """One snapshot file's columns (numpy), day and date."""
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise PanopticumError(f"cannot read the survey snapshot {path}: {exc}") from None
    missing = [c for c in COLUMNS if c not in table.column_names]
    if missing:
        raise PanopticumError(f"the survey snapshot {path} lacks the column(s) {', '.join(missing)}")
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    try:
        day, date = int(meta["day"]), datetime.date.fromisoformat(meta["date"])
    except (KeyError, ValueError):
        raise PanopticumError(f"the survey snapshot {path} lacks its 'day' and 'date' metadata") from None
    columns = {c: table.column(c).to_numpy(zero_copy_only=False).astype(SNAPSHOT_SCHEMA.field(c).type.to_pandas_dtype(),
                                                                         copy=False) for c in COLUMNS}
    return columns, day, date


NO_SURVEY_DATA = ("keep it with `panopticum run --survey-at DATE` or a scenario [[survey]] table")


def choose_day(run_dir: Path, manifest: dict[str, Any], date: datetime.date | None, member: int) -> int:
    """The run day to survey: ``date``'s, or the last kept; one clear error otherwise."""
    run_id = manifest.get("run_id", Path(run_dir).name)
    members = int(manifest.get("members", 1))
    if not 0 <= member < members:
        raise PanopticumError(f"run {run_id} has {members} member(s); --member {member} is not one of them")
    days = kept_days(run_dir, member)
    if not (Path(run_dir) / SURVEY_DIR).is_dir() or not days:
        raise PanopticumError(f"run {run_id} kept no survey data; {NO_SURVEY_DATA}")
    start = datetime.date.fromisoformat(manifest["start_date"])
    if date is None:
        return days[-1]
    day = (date - start).days
    last = start + datetime.timedelta(days=int(manifest["days"]) - 1)
    if not 0 <= day < int(manifest["days"]):
        raise PanopticumError(f"date {date} is outside run {run_id} ({start} to {last})")
    if day not in days:
        kept = ", ".join(str(start + datetime.timedelta(days=d)) for d in days)
        raise PanopticumError(f"run {run_id} kept no survey data on {date}; kept: {kept}")
    return day


def run_ties(manifest: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The tie CSR of the population a run used, rebuilt (or loaded) as its manifest records."""
    from panopticum.population import build_population, load_population

    source = manifest.get("population_source") or {}
    if source.get("kind") == "file":
        path = Path(source["path"])
        if not path.is_file():
            raise PanopticumError(f"the run's population file {path} is gone; the survey needs its ties")
        pop = load_population(path)
    else:
        pop = build_population(int(manifest["agents"]), int(source.get("seed", manifest["seed"])))
    if pop.n != int(manifest["agents"]) or dict(pop.meta) != manifest.get("population", dict(pop.meta)):
        raise PanopticumError("the population rebuilt for this run differs from the one it ran on; "
                              "the survey cannot recover its ties")
    return pop.tie_indptr, pop.tie_index


def load_snapshot(store, run: str, date: datetime.date | None = None, member: int = 0) -> Snapshot:
    """The snapshot of run ``run`` (an id, prefix or 'latest') at ``date`` (default: the last kept)."""
    run_id = store.resolve(run)
    run_dir = store.run_dir(run_id)
    manifest = store.manifest(run_id)
    manifest.setdefault("run_id", run_id)
    day = choose_day(run_dir, manifest, date, member)
    columns, file_day, file_date = read_snapshot(snapshot_path(run_dir, member, day))
    if file_day != day:
        raise PanopticumError(f"the survey snapshot for day {day} of run {run_id} says it is day {file_day}")
    indptr, index = run_ties(manifest)
    if indptr.shape[0] - 1 != columns["region"].shape[0]:
        raise PanopticumError(f"the survey snapshot of run {run_id} has {columns['region'].shape[0]:,} rows "
                              f"for {indptr.shape[0] - 1:,} agents")
    return Snapshot(columns, day, file_date, indptr, index, member=member, source=f"run {run_id}")


def ties_of(indptr: np.ndarray, index: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every tie of ``nodes``: ``(owner, other)``, owner a position in ``nodes``, grouped by owner."""
    starts = indptr[nodes]
    counts = (indptr[nodes + 1] - starts).astype(np.int64)
    total = int(counts.sum())
    owner = np.repeat(np.arange(nodes.shape[0]), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, index[np.repeat(starts, counts) + offsets]


def any_tie(indptr: np.ndarray, index: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """For every agent: whether any of their ties has ``flag`` (bool ``[n]``)."""
    return count_ties(indptr, index, flag) > 0


def count_ties(indptr: np.ndarray, index: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """For every agent: how many of their ties have ``flag`` (a running sum, no per-edge owner array)."""
    running = np.zeros(index.shape[0] + 1, dtype=np.int64 if index.shape[0] >= 2**31 else np.int32)
    np.cumsum(flag[index], out=running[1:])
    return running[indptr[1:]] - running[indptr[:-1]]
