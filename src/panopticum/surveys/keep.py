"""Keeping survey snapshots as a run goes: on each survey date, every agent's history.

A snapshot on run day ``D`` is the state at the end of day ``D`` (an agent who watched
foreign media on day ``D`` has ``last_media == D``). The engine keeps, per agent, the last
day of each event and a running total of days with foreign media (:mod:`panopticum.engine.history`);
the days watched in the 365 days up to ``D`` are the total at the end of ``D`` less the
total at the end of ``D - 365``, so the run also stops at the end of day ``D - 365`` to keep
that total (2 bytes an agent, on disk as ``survey/member-<m>/window-DDDDD.npy`` until the run
is complete, so that a killed run resumed later still has it). Those who left stop
watching, so their count runs up to their leaving.

The run must see the state at those day boundaries. A chunk of days containing one is run a
day at a time (one more compiled program, of one day, whatever the dates), so that every other
chunk keeps its length and compiled program, the metrics chunks keep their days, and the
results are those of a run without survey dates, bit for bit.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np

from panopticum.errors import PanopticumError
from panopticum.surveys.snapshot import (
    BEHAVIOURS, DETAINED, FREE, LEFT, SURVEY_DIR, Snapshot, snapshot_path, write_snapshot,
)

WINDOW = 365
"""Days in ``media_days_365``'s window, the survey date included."""


def survey_days(dates: Iterable[datetime.date], start: datetime.date, days: int) -> list[int]:
    """Run day indices of ``dates``, sorted and without repeats; one clear error for a date
    outside the run."""
    last = start + datetime.timedelta(days=days - 1)
    out = set()
    for date in dates:
        day = (date - start).days
        if not 0 <= day < days:
            raise PanopticumError(f"survey date {date} is outside the run ({start} to {last})")
        out.add(day)
    return sorted(out)


def parse_dates(texts: Iterable[str], option: str = "--survey-at") -> list[datetime.date]:
    out = []
    for text in texts:
        try:
            out.append(datetime.date.fromisoformat(str(text)))
        except ValueError:
            raise PanopticumError(f"{option} expects a date YYYY-MM-DD, got {text!r}") from None
    return out


def window_opening(day: int) -> int:
    """The day boundary (days done) at which ``day``'s media window opens; 0 at the run's start."""
    return max(day - WINDOW + 1, 0)


def cut_days(days: Iterable[int]) -> set[int]:
    """Day boundaries (days done) at which the run must hand its state to the keeper."""
    cuts = set()
    for d in days:
        cuts.add(d + 1)
        if window_opening(d) > 0:
            cuts.add(window_opening(d))
    return cuts


def run_with_cuts(sim, seed: int, params: dict, schedule, *, members: int, chunk_days: int, state, first_day: int,
                  burn_in, cuts: set[int], at_cut: Callable[[int, Any], None]) -> Iterator[Any]:
    """:meth:`Simulation.run`'s chunks, calling ``at_cut(days done, state)`` at each boundary of
    ``cuts``, before the chunk holding it is yielded (so before it is written or checkpointed)."""
    from panopticum.engine.simulate import Chunk, slice_days

    if state is None:
        state = sim.settled_state(seed, members, params, schedule, chunk_days, burn_in)
    total = len(schedule.day)
    for start in range(first_day, total, chunk_days):
        stop = min(start + chunk_days, total)
        prefix = slice_days(schedule, 0, stop)
        step = 1 if any(start < c < stop for c in cuts) else stop - start
        pieces = []
        for piece in sim.run(seed, params, prefix, members=members, chunk_days=step, state=state, first_day=start):
            state = piece.state
            pieces.append(piece)
            done = piece.first_day + piece.regional.shape[1]
            if done in cuts:
                at_cut(done, state)
        yield Chunk(first_day=start, regional=np.concatenate([p.regional for p in pieces], axis=1),
                    national=np.concatenate([p.national for p in pieces], axis=1), state=state)


def _member(state, m: int):
    return jax.tree_util.tree_map(lambda a: a[m], state)


def snapshot_columns(state, world, population, params: dict, media_before: np.ndarray) -> dict[str, np.ndarray]:
    """The snapshot columns of one member's state (no member axis) at the end of a day;
    ``media_before``: the running media total when the window opened."""
    from panopticum.engine.behaviour import perceived_risk
    from panopticum.engine.history import EVENTS, last_days

    left_day = np.asarray(state.left_day)
    detained = np.asarray(state.detained)
    status = np.where(left_day >= 0, LEFT, np.where(detained > 0, DETAINED, FREE)).astype(np.int8)
    informant = np.asarray(state.informant)
    last = last_days(state.history.last)
    media_days = np.asarray(state.history.media_days).astype(np.int32) - media_before.astype(np.int32)
    risk = np.asarray(perceived_risk(state, params))
    columns = {
        "region": population.region, "female": population.female, "age": population.age, "status": status,
        "left_day": left_day, "phone": population.phone, "smuggled_phone": np.asarray(state.smuggled_phone),
        "informant": informant, "in_system": np.asarray(world.in_system_fixed) | informant,
        **{f"last_{event}": last[i] for i, event in enumerate(EVENTS)},
        "media_days_365": media_days,
        "punished_for": np.asarray(state.ever_punished),
        "witnessed_media_punishment": np.asarray(state.history.witnessed_media),
        **{f"perceived_risk_{b}": risk[i] for i, b in enumerate(BEHAVIOURS)},
    }
    return columns


def window_path(run_dir: Path, member: int, day: int) -> Path:
    return Path(run_dir) / SURVEY_DIR / f"member-{member}" / f"window-{day:05d}.npy"


@dataclasses.dataclass
class Keeper:
    """Takes the snapshots of ``days`` for every member: into ``run_dir`` (the store's layout)
    when given, else into :attr:`kept` (the Python API)."""

    days: list[int]
    start: datetime.date
    population: Any
    world: Any
    params: dict
    members: int
    run_dir: Path | None = None
    kept: dict[tuple[int, int], Snapshot] = dataclasses.field(default_factory=dict)
    _windows: dict[tuple[int, int], np.ndarray] = dataclasses.field(default_factory=dict)

    @property
    def cuts(self) -> set[int]:
        return cut_days(self.days)

    def __call__(self, done: int, state) -> None:
        for day in self.days:
            if done == window_opening(day) and done > 0:
                for m in range(self.members):
                    self._keep_window(m, day, np.asarray(state.history.media_days[m]))
            if done == day + 1:
                for m in range(self.members):
                    self._snapshot(m, day, _member(state, m))

    def _keep_window(self, member: int, day: int, totals: np.ndarray) -> None:
        self._windows[(member, day)] = totals
        if self.run_dir is not None:
            from panopticum.store.layout import atomic_write

            path = window_path(self.run_dir, member, day)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, lambda p: _save(p, totals))

    def _window(self, member: int, day: int) -> np.ndarray:
        if window_opening(day) == 0:
            return np.zeros(self.population.n, np.uint16)
        if (member, day) in self._windows:
            return self._windows[(member, day)]
        path = window_path(self.run_dir, member, day) if self.run_dir is not None else None
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError, TypeError):
            raise PanopticumError(f"the media totals kept for the survey of day {day} ({path}) are missing or damaged; "
                                  "run the scenario again") from None

    def _snapshot(self, member: int, day: int, state) -> None:
        params = {k: (v[member] if np.ndim(v) else v) for k, v in self.params.items()}  # a member's own, if any
        columns = snapshot_columns(state, self.world, self.population, params, self._window(member, day))
        date = self.start + datetime.timedelta(days=day)
        if self.run_dir is None:
            pop = self.population
            self.kept[(member, day)] = Snapshot(columns, day, date, pop.tie_indptr, pop.tie_index, member=member,
                                                source="run")
        else:
            write_snapshot(snapshot_path(self.run_dir, member, day), columns, day, date)

    def finish(self) -> None:
        """The run is complete: the kept media totals are no longer needed."""
        if self.run_dir is not None:
            for path in (Path(self.run_dir) / SURVEY_DIR).glob("member-*/window-*.npy"):
                path.unlink(missing_ok=True)


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as fh:
        np.save(fh, array, allow_pickle=False)
