"""A dashboard run: a scenario run into the run store in a background thread, chunk by chunk.

The page must stay responsive while the model runs, show each chunk of days as it
finishes, and stop when asked. :class:`LiveRun` drives
:func:`panopticum.store.start_run` in a thread; after each chunk it reads the run's
metrics back from the store and reports a :class:`Progress`. ``cancel()`` takes effect at
the next chunk boundary: the run stops there and stays in the store as an interrupted run
(``panopticum resume RUN`` continues it).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from panopticum.dashboard.series import RunSeries, from_store
from panopticum.errors import PanopticumError

STARTING, RUNNING, COMPLETE, CANCELLED, FAILED = "starting", "running", "complete", "cancelled", "failed"
FINISHED = (COMPLETE, CANCELLED, FAILED)


class Cancelled(BaseException):
    """Raised from the chunk callback to stop a run; a BaseException, so the store records
    the run as interrupted (resumable) rather than failed."""


@dataclasses.dataclass(frozen=True)
class Progress:
    status: str
    stage: str = ""
    days_done: int = 0
    days: int = 0
    run_id: str | None = None
    series: RunSeries | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def chunk_days_for(days: int, updates: int = 12, shortest: int = 5) -> int:
    """Days per chunk so the charts update about ``updates`` times (chunks of at least
    ``shortest`` days, as each costs a store write); a divisor of ``days`` where one is near,
    since each new chunk length costs a compilation."""
    target = min(days, max(shortest, round(days / updates)))
    for delta in range(0, max(3, target // 2)):
        for c in (target + delta, target - delta):
            if 1 <= c <= days and days % c == 0:
                return c
    return target


class LiveRun:
    """One run of the model for the page; ``on_update(progress)`` is called from the run's thread."""

    def __init__(self, store, scenario: str, *, agents: int, days: int, seed: int = 0,
                 overrides: dict[str, Any] | None = None, on_update: Callable[[Progress], None] | None = None,
                 chunk_days: int | None = None):
        self.store = store
        self.scenario = scenario
        self.kwargs = dict(agents=agents, days=days, seed=seed, overrides=dict(overrides or {}),
                           chunk_days=chunk_days or chunk_days_for(days))
        self.on_update = on_update or (lambda _: None)
        self.progress = Progress(STARTING, "starting", days=days)
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "LiveRun":
        self._thread = threading.Thread(target=self._main, name="panopticum-dashboard-run", daemon=True)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True if it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.progress.finished

    def _emit(self, **changes: Any) -> None:
        self.progress = dataclasses.replace(self.progress, **changes)
        self.on_update(self.progress)

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()

    def _on_stage(self, stage: str) -> None:
        self._check_cancel()
        self._emit(stage=stage)

    def _on_created(self, run_id: str) -> None:
        self._emit(status=RUNNING, run_id=run_id)

    def _on_chunk(self, done: int, days: int) -> None:
        if done > 0:
            self._emit(days_done=done, days=days, series=from_store(self.store, self.progress.run_id))
        self._check_cancel()

    def _main(self) -> None:
        from panopticum.store import start_run

        try:
            start_run(self.store, self.scenario, on_stage=self._on_stage, on_chunk=self._on_chunk,
                      on_created=self._on_created, **self.kwargs)
        except Cancelled:
            self._emit(status=CANCELLED, stage="cancelled")
        except PanopticumError as exc:
            self._emit(status=FAILED, stage="failed", error=str(exc))
        except Exception as exc:  # the page shows a message, never a traceback
            self._emit(status=FAILED, stage="failed", error=f"{type(exc).__name__}: {exc}")
        else:
            self._emit(status=COMPLETE, stage="complete")
