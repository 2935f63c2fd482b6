"""Calibration of the free parameters to published figures: a posterior by ABC-SMC.

::

    from panopticum.calibration import load_targets, calibrate

    targets = load_targets("nk-2024")
    calibration = calibrate(targets, scenario="baseline-2023", agents=10_000, store="panopticum-runs")

Modules, one job each: :mod:`.targets` (the targets file), :mod:`.observables` (each
target computed from a run as it was measured), :mod:`.simulator` (parameters -> a run's
observables: the seam where batched runs will replace one run per particle), :mod:`.abc`
(pyabc's ABC-SMC, its Dask sampler, the store), :mod:`.results` (posterior, plots,
predictive check, report). docs/calibration.md describes the method.
"""

from panopticum.calibration.targets import Target, TargetSet, builtin_targets, check_prior, load_targets

__all__ = ["Target", "TargetSet", "builtin_targets", "check_prior", "load_targets"]
