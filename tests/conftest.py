"""Shared helpers: the CLI run in-process and a truly read-only directory (fault tests);
one 10,000-agent population and a run helper returning series by metric name (the
model's mechanism tests)."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.population import build_population
from panopticum.run import RunResult, run_scenario

NO_BURN_IN = {"timeline.burn_in_days": 0}
"""For tests of the store, the CLI and reports, where the model's settling does not
matter: runs start on day 0 without the burn-in (tests/test_stocks.py covers it)."""
NO_BURN_IN_ARGS = ["--set", "timeline.burn_in_days=0"]

REG = {m.name: i for i, m in enumerate(REGIONAL)}
NAT = {m.name: i for i, m in enumerate(NATIONAL)}


@pytest.fixture(scope="session")
def country():
    """10,000 agents standing for 26.5 million people."""
    return build_population(10_000, seed=3)


@dataclasses.dataclass
class Series:
    """A run's metrics by name: ``s["metric"]`` is the country's daily series averaged over
    members; ``s.regions("metric")`` is ``[days, regions]`` (member mean)."""

    result: RunResult

    def __getitem__(self, metric: str) -> np.ndarray:
        if metric in REG:
            return self.result.regional[:, :, -1, REG[metric]].mean(axis=0)
        return self.result.national[:, :, NAT[metric]].mean(axis=0)

    def members(self, metric: str) -> np.ndarray:
        """``[members, days]`` of the country's series."""
        return self.result.regional[:, :, -1, REG[metric]]

    def regions(self, metric: str) -> np.ndarray:
        return self.result.regional[:, :, :-1, REG[metric]].mean(axis=0)


def simulate(population, scenario="baseline-2023", days=120, seed=1, members=1, burn_in=0, **overrides) -> Series:
    """Run a scenario on ``population`` with overrides given as keyword arguments, dots as
    double underscores (``cameras__enabled=False``). No burn-in unless asked: mechanism
    tests compare runs from the same start."""
    sets = {k.replace("__", "."): v for k, v in overrides.items()}
    sets["timeline.burn_in_days"] = burn_in
    result = run_scenario(scenario, population=population, days=days, seed=seed, members=members, overrides=sets, chunk_days=60)
    return Series(result)


@dataclasses.dataclass
class DayZero:
    """What a day's step takes on the first day of a run: the world, its layout, the engine's
    parameters, member 0's initial state and the day's levels."""

    world: object
    layout: object
    params: dict
    state: object
    levels: object


def day_zero(population, params_model, seed: int = 4, cadence: int = 7) -> DayZero:
    """The first day of ``params_model`` (validated parameters) on ``population``, unbatched."""
    import jax
    import jax.numpy as jnp

    from panopticum.engine import Simulation, build_schedule, build_world, engine_params

    world, layout = build_world(population)
    params = {k: jnp.asarray(v) for k, v in engine_params(params_model).items()}
    schedule = build_schedule(params_model, 1)
    state = jax.tree_util.tree_map(lambda x: x[0], Simulation(world, layout, cadence).initial_state(seed, 1, params, schedule))
    levels = jax.tree_util.tree_map(lambda a: jnp.asarray(a[0]), schedule)
    return DayZero(world, layout, params, state, levels)


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """``panopticum ARGV`` in this process: (exit status, stdout, stderr). An exception other
    than the one-line exit escapes, so a traceback fails the test."""
    from panopticum.cli import main

    try:
        main([str(a) for a in argv])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    """The single ``error:`` line of a failed command (and no traceback)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture()
def make_readonly():
    """``make_readonly(dir)``: make a directory read-only for real, to everyone in this process.

    As root (whom permissions do not stop) it is bind-mounted read-only onto itself; as
    anyone else its tree loses write permission. Skips where neither is possible.
    """
    undo = []

    def make(path: Path) -> Path:
        path = Path(path)
        if os.geteuid() == 0:
            if not shutil.which("mount") or not _mount("--bind", str(path), str(path)):
                pytest.skip("running as root without permission to mount: cannot make a read-only directory")
            undo.append(lambda: subprocess.run(["umount", str(path)], capture_output=True))
            if not _mount("-o", "remount,bind,ro", str(path)):
                pytest.skip("cannot remount a bind mount read-only here")
        else:
            dirs = [path, *(p for p in path.rglob("*") if p.is_dir())]
            for d in dirs:
                d.chmod(0o555)
            undo.append(lambda: [d.chmod(0o755) for d in dirs])
        return path

    yield make
    for step in reversed(undo):
        with contextlib.suppress(OSError):
            step()


@pytest.fixture()
def small_tmpfs(tmp_path):
    """``small_tmpfs(size)``: a directory on a tmpfs of ``size`` (e.g. ``"2m"``), to fill up for
    real; root only (skips elsewhere). Returns (directory, resize) where ``resize(size)``
    remounts it larger, as a user freeing space would."""
    mounted = []

    def make(size: str):
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a small tmpfs needs root")
        path = tmp_path / "tmpfs"
        path.mkdir()
        if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)):
            pytest.skip("cannot mount a tmpfs here")
        mounted.append(path)
        return path, lambda new: _mount("-o", f"remount,size={new}", str(path))

    yield make
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture(scope="session")
def browse_store(tmp_path_factory):
    """A run store holding a tiny grid experiment, a tiny Morris experiment and one survey
    study (tests/store_fixtures.py), for the dashboard's browsers: ``(root, ids)`` with ids
    ``grid``, ``morris`` and ``study`` (the study's RUN/FOLDER)."""
    from store_fixtures import tiny_experiment, tiny_study

    base = tmp_path_factory.mktemp("browse")
    root = base / "store"
    ids = {"grid": tiny_experiment(root, base, "tiny-grid"),
           "morris": tiny_experiment(root, base, "tiny-morris", design="morris", replicates=1),
           "study": tiny_study(root)}
    return root, ids
