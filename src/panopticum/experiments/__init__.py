"""Experiments: sweeps and sensitivity analysis over the model's parameters.

An experiment file (:mod:`.spec`) names a base scenario, the factors to vary, the outcomes
and a design (:mod:`.design`, sampled with SALib); its points x seeds run in batches, each
one compiled JAX program (:mod:`.batching`), on Dask workers that write each finished
batch into the run store (:mod:`.execute`, :mod:`.store`), reduced to outcomes on the
worker (:mod:`.outcomes`); :mod:`.analysis` computes Sobol' and Morris indices and
:mod:`.report` draws the figures and the HTML report. docs/experiments.md explains it all.
"""

from panopticum.experiments.execute import run_experiment
from panopticum.experiments.report import load_results, write_experiment_report
from panopticum.experiments.spec import Experiment, load_experiment
from panopticum.experiments.store import ExperimentStore

__all__ = ["Experiment", "ExperimentStore", "load_experiment", "load_results", "run_experiment", "write_experiment_report"]
