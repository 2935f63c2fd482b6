"""The run store: every run on disk, indexed by an embedded DuckDB catalog.

::

    from panopticum.store import RunStore, start_run, resume_run

    store = RunStore.open("panopticum-runs", create=True)
    run_id = start_run(store, "baseline-2023", agents=20_000, days=180, seed=1)
    store.metrics(run_id)        # tidy DataFrame: run_id, member, day, date, region, metric, value
    store.list_runs()            # one row per run, with its status

Layout and the guarantees on kill and concurrency: :mod:`panopticum.store.layout` and
docs/runs.md.
"""

from panopticum.store.layout import DEFAULT_STORE
from panopticum.store.runner import resume_run, start_run
from panopticum.store.runstore import COMPLETE, FAILED, INCOMPLETE, RUNNING, RunStore, parameter_hash

__all__ = [
    "COMPLETE",
    "DEFAULT_STORE",
    "FAILED",
    "INCOMPLETE",
    "RUNNING",
    "RunStore",
    "parameter_hash",
    "resume_run",
    "start_run",
]
