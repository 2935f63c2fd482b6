"""``panopticum report EXPERIMENT``: the report command's hook for experiments."""

from __future__ import annotations

from pathlib import Path


def report_experiment(store_dir: Path, ref: str, out: Path) -> bool:
    """Write the report of the experiment ``ref`` (an id, a unique prefix or a name) and
    return True; False if the store has no such experiment (then ``ref`` names a run)."""
    from panopticum.experiments.report import write_experiment_report
    from panopticum.experiments.store import EXPERIMENTS, ExperimentStore

    if not (Path(store_dir) / EXPERIMENTS).is_dir():
        return False
    store = ExperimentStore.open(store_dir)
    if store.find(ref) is None:
        return False
    write_experiment_report(store, ref, out)
    return True
