"""The agent axis split over two devices gives the unsharded run's results.

The comparison runs in a subprocess that starts JAX with two CPU host devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=2``), the way a 2-core machine or a
2-GPU machine splits a run. Every per-agent array of the state must be bit for bit the
unsharded one (so every act, record, punishment and departure was the same), every metric
that is a count over adults equal to the last bit of its division, and the rest (float sums over agents, summed
block by block) within the tolerance docs/engine.md states.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

# A sharded run on two host devices of a 2-core machine is about ten times slower than one
# device (docs/engine.md), so this module runs with the slow tests: pytest -m slow.
pytestmark = pytest.mark.slow

from panopticum.engine.metrics import NATIONAL, REGIONAL

SRC = str(Path(__file__).resolve().parent.parent / "src")
FLOAT_RTOL, FLOAT_ATOL = 1e-5, 1e-6
COUNT_RTOL = 2.5e-7  # two units in the last place of a float32

CHILD = r"""
import json, sys
import numpy as np
import jax
from panopticum.engine import Simulation, build_schedule, build_world, engine_params
from panopticum.engine.state import state_arrays
from panopticum.params.scenarios import load_scenario
from panopticum.population import build_population

out = sys.argv[1]
scenario = load_scenario("baseline-2023")
world, layout = build_world(build_population(10_000, 0))
params = engine_params(scenario.params)
schedule = build_schedule(scenario.params, 14)
arrays = {"devices": len(jax.devices())}
for d in (1, 2):
    chunks = list(Simulation(world, layout, 7, devices=d).run(5, params, schedule, members=2, chunk_days=7))
    arrays[f"regional{d}"] = np.concatenate([c.regional for c in chunks], axis=1)
    arrays[f"national{d}"] = np.concatenate([c.national for c in chunks], axis=1)
    state = chunks[-1].state
    arrays[f"spec{d}"] = str(state.detained.sharding.spec) if d > 1 else ""
    for name, value in state_arrays(state).items():
        arrays[f"state{d}.{name}"] = np.asarray(value)
np.savez(out, **{k: np.asarray(v) for k, v in arrays.items()})
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("sharding") / "runs.npz"
    env = dict(os.environ, PYTHONPATH=SRC, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    done = subprocess.run([sys.executable, "-c", CHILD, str(out)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(np.load(out))


def test_the_sharded_run_used_two_devices(two_runs):
    assert int(two_runs["devices"]) == 2
    assert "agents" in str(two_runs["spec2"])


def test_every_per_agent_state_array_is_bit_for_bit_the_unsharded_one(two_runs):
    names = [k.split(".", 1)[1] for k in two_runs if k.startswith("state1.")]
    n = two_runs["state1.detained"].shape[-1]
    per_agent = [name for name in names if two_runs[f"state1.{name}"].shape[-1] == n]
    assert "detained" in per_agent and "acts_seen" in per_agent and "pending" in per_agent
    for name in names:
        a, b = two_runs[f"state1.{name}"], two_runs[f"state2.{name}"]
        assert a.dtype == b.dtype and a.shape == b.shape, name
        if name in per_agent:
            assert np.array_equal(a, b), name
        else:  # the queues' backlogs and the risk tally: sums over agents
            np.testing.assert_allclose(b, a, rtol=FLOAT_RTOL, atol=FLOAT_ATOL, err_msg=name)


def test_counts_are_equal_and_float_sums_within_tolerance(two_runs):
    regional1, regional2 = two_runs["regional1"], two_runs["regional2"]
    national1, national2 = two_runs["national1"], two_runs["national2"]
    assert regional1.shape == regional2.shape and national1.shape == national2.shape
    # Shares of adults are counts over counts: no float sum over agents enters them, only
    # the division, which the partitioned program may round in the last bit.
    counts = [i for i, m in enumerate(REGIONAL) if m.unit == "share of adults"]
    assert counts and regional1[..., counts].any()
    np.testing.assert_allclose(regional2[..., counts], regional1[..., counts], rtol=COUNT_RTOL, atol=0)
    np.testing.assert_allclose(regional2, regional1, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)
    np.testing.assert_allclose(national2, national1, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)
    assert len(NATIONAL) == national1.shape[-1]


def test_agents_that_do_not_split_evenly_are_refused():
    from panopticum.engine.sharding import check_divisible

    with pytest.raises(ValueError, match="do not split evenly over 2 devices"):
        check_divisible(3001, 2)


def test_more_devices_than_the_machine_has_are_refused_in_one_line():
    from panopticum.engine.sharding import agent_mesh

    import jax

    with pytest.raises(ValueError, match="xla_force_host_platform_device_count") as info:
        agent_mesh(len(jax.devices()) + 1)
    assert "\n" not in str(info.value)


def test_run_command_refuses_zero_devices(tmp_path):
    env = dict(os.environ, PYTHONPATH=SRC)
    result = subprocess.run(
        [sys.executable, "-m", "panopticum", "run", "--scenario", "baseline-2023", "--agents", "10000", "--devices", "0",
         "--store", str(tmp_path / "store")],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode != 0
    assert "--devices must be 1 or more" in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store").exists()
