"""The local Dask cluster: one worker per core, or one per GPU each seeing only its own."""

from __future__ import annotations

import os

import pytest

from panopticum.cluster import gpu_workers, local_cluster, visible_gpus
from panopticum.errors import PanopticumError


@pytest.fixture
def driver(tmp_path):
    """A stand-in for the NVIDIA driver's list of GPUs, with two."""
    for address in ("0000:01:00.0", "0000:02:00.0"):
        (tmp_path / address).mkdir()
    return tmp_path


def test_gpus_are_counted_from_the_driver_and_narrowed_by_cuda_visible_devices(driver, tmp_path):
    assert visible_gpus({}, driver, plugin=True) == ["0", "1"]
    assert visible_gpus({"CUDA_VISIBLE_DEVICES": "3, 5"}, driver, plugin=True) == ["3", "5"]
    assert visible_gpus({"JAX_PLATFORMS": "cuda,cpu"}, driver, plugin=True) == ["0", "1"]


@pytest.mark.parametrize("environ, plugin", [
    ({}, False),                                # JAX without its CUDA plugin runs on the cores
    ({"JAX_PLATFORMS": "cpu"}, True),           # the user keeps the workers on the cores
    ({"CUDA_VISIBLE_DEVICES": "-1"}, True),
    ({"CUDA_VISIBLE_DEVICES": ""}, True),
])
def test_no_gpu_is_used_where_jax_would_not_use_one(driver, environ, plugin):
    assert visible_gpus(environ, driver, plugin=plugin) == []


def test_a_machine_without_the_driver_has_no_gpus(tmp_path):
    assert visible_gpus({}, tmp_path / "absent", plugin=True) == []


def test_workers_are_dealt_over_the_gpus_sharing_memory_evenly():
    assert gpu_workers(["0", "1"], None) == [{"CUDA_VISIBLE_DEVICES": "0"}, {"CUDA_VISIBLE_DEVICES": "1"}]
    assert gpu_workers(["0", "1"], 3) == [
        {"CUDA_VISIBLE_DEVICES": "0", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.450"},
        {"CUDA_VISIBLE_DEVICES": "1"},
        {"CUDA_VISIBLE_DEVICES": "0", "XLA_PYTHON_CLIENT_MEM_FRACTION": "0.450"},
    ]


def test_a_gpu_cluster_starts_one_worker_per_gpu_each_seeing_only_its_own():
    from distributed import Client

    def seen() -> tuple[str, str, str]:
        return (os.environ.get("CUDA_VISIBLE_DEVICES", ""), os.environ.get("XLA_PYTHON_CLIENT_MEM_FRACTION", ""),
                os.environ.get("PYTHONPATH", ""))

    with local_cluster(gpus=["0", "1"]) as cluster, Client(cluster) as client:
        client.wait_for_workers(2, timeout=60)
        envs = sorted(client.run(seen).values())
        assert [e[:2] for e in envs] == [("0", ""), ("1", "")]
        assert all(e[2] for e in envs)  # workers import panopticum from where the tests do
        assert all(w["nthreads"] == 1 for w in client.scheduler_info()["workers"].values())


def test_zero_workers_is_one_clear_error():
    with pytest.raises(PanopticumError, match="at least 1"):
        local_cluster(0, gpus=[])


def test_workers_kept_off_a_machines_gpus_run_jax_on_the_cores(monkeypatch):
    from distributed import Client

    import panopticum.cluster

    monkeypatch.setattr(panopticum.cluster, "visible_gpus", lambda: ["0"])
    with local_cluster(1, gpus=[]) as cluster, Client(cluster) as client:
        client.wait_for_workers(1, timeout=60)
        assert list(client.run(lambda: os.environ.get("JAX_PLATFORMS")).values()) == ["cpu"]
