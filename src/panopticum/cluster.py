"""Dask clusters for sweeps and calibration: a local one sized to the machine, or a scheduler.

On a machine without a GPU the local cluster has one single-threaded worker process per
core: each run is one JAX program that already uses the cores XLA gives it, and processes
keep the workers' Python apart. On a machine with GPUs it has one worker per GPU, each
seeing only its own (``CUDA_VISIBLE_DEVICES``): JAX takes most of a GPU's memory when a
process first uses it, so a worker per core would have the second worker on a GPU fail for
want of memory. ``workers`` more than the GPUs share them round-robin, each then allowed an
equal part of its GPU's memory (``XLA_PYTHON_CLIENT_MEM_FRACTION``). ``JAX_PLATFORMS=cpu``
in the environment keeps a GPU machine's workers on its cores.

GPUs are counted without starting JAX in this process (which would take GPU memory the
workers need): the NVIDIA driver's list of GPUs, narrowed by ``CUDA_VISIBLE_DEVICES``, and
only when JAX's CUDA plugin is installed.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import pkgutil
from pathlib import Path

from panopticum.errors import PanopticumError

DRIVER_GPUS = Path("/proc/driver/nvidia/gpus")
MEMORY_SHARE = 0.9  # of a GPU's memory, split between the workers that share it


def cuda_plugin_installed() -> bool:
    """Whether JAX would find a CUDA backend (its ``jax_plugins`` CUDA package)."""
    if importlib.util.find_spec("jax_plugins") is None:
        return False
    import jax_plugins

    return any("cuda" in m.name for m in pkgutil.iter_modules(jax_plugins.__path__))


def visible_gpus(environ: dict[str, str] | None = None, driver: Path = DRIVER_GPUS,
                 plugin: bool | None = None) -> list[str]:
    """The GPUs a worker may be given, as ``CUDA_VISIBLE_DEVICES`` values; empty on a machine
    without one, without JAX's CUDA plugin, or with ``JAX_PLATFORMS`` naming no GPU."""
    env = os.environ if environ is None else environ
    platforms = [p.strip().lower() for p in env.get("JAX_PLATFORMS", "").split(",") if p.strip()]
    if platforms and not {"cuda", "gpu"} & set(platforms):
        return []
    if not (cuda_plugin_installed() if plugin is None else plugin):
        return []
    listed = env.get("CUDA_VISIBLE_DEVICES")
    if listed is not None:
        ids = [i.strip() for i in listed.split(",") if i.strip()]
        return [] if not ids or ids[0] == "-1" else ids
    try:
        count = sum(1 for _ in driver.iterdir())
    except OSError:
        return []
    return [str(i) for i in range(count)]


def worker_environment() -> dict[str, str]:
    """What every worker's environment gains: it imports panopticum from where this process
    does (an uninstalled checkout too)."""
    src = str(Path(__file__).resolve().parents[1])
    paths = [src] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}


def gpu_workers(gpus: list[str], workers: int | None) -> list[dict[str, str]]:
    """Each worker's environment on a GPU machine: ``workers`` (default one a GPU) dealt
    round-robin over ``gpus``, a GPU's memory split evenly between the workers sharing it."""
    n = workers or len(gpus)
    dealt = [gpus[i % len(gpus)] for i in range(n)]
    envs = []
    for gpu in dealt:
        env = {"CUDA_VISIBLE_DEVICES": gpu}
        sharing = dealt.count(gpu)
        if sharing > 1:
            env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{MEMORY_SHARE / sharing:.3f}"
        envs.append(env)
    return envs


def local_cluster(workers: int | None = None, gpus: list[str] | None = None):
    """A cluster of worker processes on this machine, one thread each: ``workers`` of them
    (default one per core, or one per GPU where there are GPUs; ``gpus`` defaults to
    :func:`visible_gpus`, and ``[]`` keeps the workers on the cores of a GPU machine)."""
    from distributed import LocalCluster, Nanny, Scheduler, SpecCluster

    if workers is not None and workers < 1:
        raise PanopticumError(f"--workers must be at least 1, got {workers}")
    base = worker_environment()
    found = visible_gpus()
    gpus = found if gpus is None else gpus
    if not gpus:
        env = {**base, "JAX_PLATFORMS": "cpu"} if found else base  # GPUs left out: JAX too
        return LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                            dashboard_address=":0", silence_logs=logging.ERROR, env=env)
    specs = {
        f"gpu{env['CUDA_VISIBLE_DEVICES']}-{i}": {
            "cls": Nanny,
            "options": {"nthreads": 1, "env": {**base, **env}, "silence_logs": logging.ERROR},
        }
        for i, env in enumerate(gpu_workers(gpus, workers))
    }
    scheduler = {"cls": Scheduler, "options": {"host": "127.0.0.1", "dashboard_address": ":0"}}
    return SpecCluster(workers=specs, scheduler=scheduler, silence_logs=logging.ERROR, name="panopticum")


def connect(scheduler: str | None = None, workers: int | None = None):
    """A Dask client and the cluster it started: to ``scheduler`` (one clear error if it cannot
    be reached; no cluster started) or to a new :func:`local_cluster` of ``workers``."""
    from distributed import Client

    if scheduler:
        try:
            return Client(scheduler, timeout="5s"), None
        except (OSError, TimeoutError, ValueError) as exc:
            raise PanopticumError(f"cannot reach the Dask scheduler at {scheduler}: {exc or type(exc).__name__}") from None
    cluster = local_cluster(workers)
    return Client(cluster), cluster
