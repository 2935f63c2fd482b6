"""Virtual surveys drawn from a run's synthetic population and scored against its true history.

::

    from panopticum.surveys import load_design, load_snapshot, run_study, score

    snapshot = load_snapshot(store, "latest")            # or synthetic_snapshot(population)
    study = run_study(snapshot, load_design("stimson-2024"), replicates=200, seed=0)
    score(study)       # truth, mean estimate, bias, RMSE, 95% coverage, design effect

Modules, one job each: :mod:`.snapshot` (the per-agent table a survey reads),
:mod:`.synthetic` (snapshots with known truth), :mod:`.params` (survey parameters),
:mod:`.questions`, :mod:`.frames`, :mod:`.response`, :mod:`.estimators`, :mod:`.designs`,
:mod:`.study` (replicates), :mod:`.scoring` and :mod:`.figures` (figures, HTML section).
docs/surveys.md describes the method.
"""

from panopticum.surveys.designs import Design, builtin_designs, load_design
from panopticum.surveys.frames import FrameTooSmall
from panopticum.surveys.scoring import score
from panopticum.surveys.snapshot import SNAPSHOT_SCHEMA, Snapshot, load_snapshot, read_snapshot, write_snapshot
from panopticum.surveys.study import Study, run_study
from panopticum.surveys.synthetic import SyntheticRates, random_ties, synthetic_snapshot

__all__ = [
    "Design",
    "FrameTooSmall",
    "SNAPSHOT_SCHEMA",
    "Snapshot",
    "Study",
    "SyntheticRates",
    "builtin_designs",
    "load_design",
    "load_snapshot",
    "random_ties",
    "read_snapshot",
    "run_study",
    "score",
    "synthetic_snapshot",
    "write_snapshot",
]
