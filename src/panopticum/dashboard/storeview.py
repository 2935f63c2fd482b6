"""What the dashboard's run-store browser lists and opens.

The store is opened read-only in spirit: the browser lists runs, loads one for the charts
or a comparison, and builds a run's self-contained HTML report in memory. Runs the
dashboard makes land in the same store, so ``panopticum runs`` lists them too.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from panopticum.errors import PanopticumError

STORE_ENV = "PANOPTICUM_DASHBOARD_STORE"


def store_dir() -> Path:
    """The store the dashboard was started on (``--store``), else the default."""
    from panopticum.store.layout import DEFAULT_STORE

    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def open_store():
    from panopticum.store import RunStore

    return RunStore.open(store_dir(), create=True)


@dataclasses.dataclass(frozen=True)
class RunRow:
    run_id: str
    scenario: str
    status: str
    seed: int
    agents: int
    members: int
    days: str

    @property
    def choice(self) -> str:
        return f"{self.run_id}  {self.scenario}  ({self.status}, {self.days} days, {self.agents:,} agents)"


def list_runs(store) -> list[RunRow]:
    """The store's runs, newest first."""
    frame = store.list_runs()
    rows = []
    for r in frame.sort_values("run_id", ascending=False).itertuples() if not frame.empty else []:
        done = f"{r.days_done}/{r.days}" if r.status != "complete" else f"{r.days}"
        rows.append(RunRow(r.run_id, r.scenario, str(r.status), int(r.seed), int(r.agents), int(r.members), done))
    return rows


def report_html(store, run_id: str) -> str:
    """The run's HTML report (as ``panopticum report`` writes it), or a PanopticumError."""
    from panopticum.report.html import build_report

    try:
        return build_report(store, store.resolve(run_id))
    except PanopticumError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise PanopticumError(f"cannot build the report of {run_id}: {exc}") from None
