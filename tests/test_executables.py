"""Executables kept on disk under the engine's own key (engine/executables.py).

Each run that matters happens in a fresh process, as a second ``panopticum run`` would: a
first one compiles and stores the chunk program and the initialiser, a second loads them
without tracing the step (the step's Python function is never called) and gives the same
results bit for bit; a damaged entry falls back to compiling and gives the same results. The key's parts (a changed engine source misses), the size bound and the cache
being off are checked on a toy program, which compiles in milliseconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine import executables

SRC = str(Path(__file__).resolve().parent.parent / "src")

CHILD = r"""
import collections, json, sys
import jax
import numpy as np
events = collections.Counter()
jax.monitoring.register_event_duration_secs_listener(lambda name, secs, **_: events.update({name.rsplit("/", 1)[-1]: secs}))
from panopticum.run import enable_compilation_cache
enable_compilation_cache(sys.argv[1])
import panopticum.engine.simulate as simulate

calls = {"step": 0, "init": 0}
real_step, real_init = simulate.make_step, simulate.init_state
def counted_step(layout, cadence):
    step = real_step(layout, cadence)
    def traced(*args):
        calls["step"] += 1  # only a trace calls the Python step
        return step(*args)
    return traced
def counted_init(*args):
    calls["init"] += 1
    return real_init(*args)
simulate.make_step, simulate.init_state = counted_step, counted_init
if "--changed-source" in sys.argv:
    from panopticum.engine import executables
    unchanged = executables.source_lines()
    executables.source_lines = lambda: tuple(l + " changed" if l.startswith("source engine/step.py ") else l for l in unchanged)

from panopticum.engine import Simulation, build_schedule, build_world, default_engine_params
from panopticum.engine.state import state_arrays
from panopticum.params.schema import make_parameters
from panopticum.population import build_population

world, layout = build_world(build_population(10_000, seed=3))
schedule = build_schedule(make_parameters({}), 5)
params = default_engine_params()
if "--batch" in sys.argv:
    params = {k: np.full(2, v, np.float32) for k, v in params.items()}
chunks = list(Simulation(world, layout, 7).run(4, params, schedule, members=2, chunk_days=5))
arrays = {f"state.{k}": np.asarray(v) for k, v in state_arrays(chunks[-1].state).items()}
np.savez(sys.argv[2], regional=chunks[0].regional, national=chunks[0].national, **arrays)
print(json.dumps({"calls": calls, "events": events}))
"""


def run_child(cache: Path | str, out: Path, *flags: str) -> dict:
    """The run above in a fresh process, ``cache`` its compilation cache ("off": none)."""
    env = dict(os.environ, PYTHONPATH=SRC)
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", CHILD, str(cache), str(out), *flags], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {**report, "results": dict(np.load(out)), "stderr": done.stderr}


def entries(cache: Path) -> list[Path]:
    return sorted((cache / executables.SUBDIRECTORY).glob("*.exe"))


def assert_same_results(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    """A first process: compiles, stores, and its results."""
    cache = tmp_path_factory.mktemp("executables") / "cache"
    return cache, run_child(cache, cache.parent / "first.npz")


def test_a_first_run_stores_the_chunk_program_and_the_initialiser(first):
    cache, run = first
    assert run["calls"]["step"] > 0 and run["calls"]["init"] > 0
    assert [p.name.split("-")[0] for p in entries(cache)] == ["chunk", "init"]
    assert not list((cache / executables.SUBDIRECTORY).glob(".tmp-*"))


def test_a_second_process_loads_them_without_tracing_and_gives_the_same_results(first, tmp_path):
    cache, cold = first
    hit = run_child(cache, tmp_path / "hit.npz")
    assert hit["calls"] == {"step": 0, "init": 0}
    assert hit["events"]["executable_load_duration"] > 0
    assert_same_results(cold["results"], hit["results"])


def test_a_damaged_entry_is_ignored_and_removed(first, tmp_path):
    """Damaged in place (JAX's own cache keys its entries by the directory they lie in):
    the run compiles as it would without the entries, here from JAX's cache, and so stores
    nothing (XLA:CPU cannot serialize such an executable whole); the entries are put back
    afterwards for the other tests. A fresh compilation rewriting an entry: the toy test
    below."""
    cache = first[0]
    kept = {entry: entry.read_bytes() for entry in entries(cache)}
    chunk, init = kept
    try:
        damaged = bytearray(kept[chunk])
        damaged[len(damaged) // 2] ^= 0xFF
        chunk.write_bytes(bytes(damaged))
        init.write_bytes(kept[init][:1000])  # cut short, as by a full disk
        again = run_child(cache, tmp_path / "again.npz")
        assert again["calls"]["step"] > 0 and again["calls"]["init"] > 0
        assert "Traceback" not in again["stderr"] and again["stderr"].count("checksum does not match") == 2
        assert_same_results(first[1]["results"], again["results"])
        assert entries(cache) == []
    finally:
        for entry, data in kept.items():
            entry.write_bytes(data)


@pytest.mark.slow
def test_the_stored_programs_give_what_the_plain_jit_function_gives(first, tmp_path):
    plain = run_child("off", tmp_path / "plain.npz")
    assert "executable_key_duration" not in plain["events"]
    assert_same_results(first[1]["results"], plain["results"])


@pytest.mark.slow
def test_a_changed_engine_source_compiles_and_stores_a_program_a_next_process_runs(first, tmp_path):
    """The program is the same, so JAX's cache could give it; it is compiled under the new
    key's name instead (an executable from JAX's cache cannot be stored whole)."""
    cache = first[0]
    before = set(entries(cache))
    changed = run_child(cache, tmp_path / "changed.npz", "--changed-source")
    assert changed["calls"]["step"] > 0 and "cache_retrieval_time_sec" not in changed["events"]
    assert len(set(entries(cache)) - before) == 2
    again = run_child(cache, tmp_path / "again.npz", "--changed-source")
    assert again["calls"] == {"step": 0, "init": 0}
    assert_same_results(first[1]["results"], again["results"])


@pytest.mark.slow
def test_members_with_their_own_parameters_load_the_batch_programs(tmp_path):
    cache = tmp_path / "cache"
    cold = run_child(cache, tmp_path / "cold.npz", "--batch")
    assert [p.name.split("-")[0] for p in entries(cache)] == ["batch", "batch"]
    hit = run_child(cache, tmp_path / "hit.npz", "--batch")
    assert hit["calls"] == {"step": 0, "init": 0}
    assert_same_results(cold["results"], hit["results"])


def test_the_key_covers_every_panopticum_module_the_engine_imports():
    """Every panopticum module that importing the engine loads is among the hashed sources."""
    env = dict(os.environ, PYTHONPATH=SRC)
    code = ("import sys, json, panopticum.engine.simulate\n"
            "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() if n.startswith('panopticum') and m.__file__)))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    loaded = {Path(f).resolve().relative_to(Path(SRC).resolve() / "panopticum").as_posix() for f in json.loads(done.stdout)}
    hashed = set(executables.engine_sources())
    assert loaded <= hashed, loaded - hashed
    engine = {p.relative_to(Path(SRC) / "panopticum").as_posix() for p in (Path(SRC) / "panopticum" / "engine").rglob("*.py")}
    assert engine <= hashed


def double(x, y):
    return x * 2 + y


def toy(traces: list) -> executables.StoredProgram:
    """A stored toy program whose every trace appends to ``traces``."""

    def traced(x, y):
        traces.append(1)
        return double(x, y)

    return executables.StoredProgram("toy", traced, {})


def test_a_changed_engine_source_misses_and_the_unchanged_one_hits(monkeypatch, tmp_path):
    monkeypatch.setattr(executables, "directory", lambda: tmp_path / executables.SUBDIRECTORY)
    args, traces = (jnp.arange(3.0), np.float32(1)), []
    toy(traces)(*args)
    assert len(traces) == 1 and len(entries(tmp_path)) == 1
    toy(traces)(*args)  # a new program object, as in a new process: loaded, not traced
    assert len(traces) == 1
    unchanged = executables.source_lines()
    changed = tuple("source engine/step.py changed" if line.startswith("source engine/step.py ") else line for line in unchanged)
    assert changed != unchanged
    monkeypatch.setattr(executables, "source_lines", lambda: changed)
    np.testing.assert_array_equal(toy(traces)(*args), [1.0, 3.0, 5.0])
    assert len(traces) == 2 and len(entries(tmp_path)) == 2


def test_the_key_changes_with_every_static_value_argument_and_setting(monkeypatch):
    program = executables.StoredProgram("toy", double, {"layout": (1, 2)})
    base = (jnp.zeros(3, jnp.float32), np.float32(1))
    key = program.key_text(base)
    other_static = executables.StoredProgram("toy", double, {"layout": (1, 3)})
    assert other_static.key_text(base) != key
    assert program.key_text((jnp.zeros(4, jnp.float32), np.float32(1))) != key  # shape
    assert program.key_text((jnp.zeros(3, jnp.int32), np.float32(1))) != key  # dtype
    assert program.key_text((jnp.zeros(3, jnp.float32), 1.0)) != key  # weak type
    assert program.key_text(([jnp.zeros(3, jnp.float32)], np.float32(1))) != key  # tree
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    assert program.key_text(base) != key
    monkeypatch.delenv("XLA_FLAGS")
    with jax.default_matmul_precision("highest"):
        assert program.key_text(base) != key
    assert program.key_text(base) == key
    previous = jax.config.jax_compilation_cache_dir
    try:  # where the cache lies is not what the program computes
        jax.config.update("jax_compilation_cache_dir", "/elsewhere")
        assert program.key_text(base) == key
    finally:
        jax.config.update("jax_compilation_cache_dir", previous)


def test_the_least_recently_used_entries_go_past_the_size_bound(monkeypatch, tmp_path):
    monkeypatch.setattr(executables, "directory", lambda: tmp_path / executables.SUBDIRECTORY)
    made = {}
    for n in (1, 2, 3, 4):
        if n == 4:  # room for two entries and a half
            monkeypatch.setattr(executables, "MAX_BYTES", int(2.5 * made[1].stat().st_size))
        before = set(entries(tmp_path))
        executables.StoredProgram("toy", double, {})(jnp.zeros(n), np.float32(1))
        (made[n],) = set(entries(tmp_path)) - before
        os.utime(made[n], (n, n))  # used in the order made
    assert entries(tmp_path) == sorted([made[3], made[4]])


def test_with_the_cache_off_nothing_is_written(tmp_path):
    code = (
        "import jax, jax.numpy as jnp\n"
        "from panopticum.run import enable_compilation_cache\n"
        "from panopticum.engine import executables\n"
        "assert enable_compilation_cache() is None and executables.directory() is None\n"
        "out = executables.StoredProgram('toy', lambda x: x + 1, {})(jnp.ones(3))\n"
        "assert out.tolist() == [2.0, 2.0, 2.0]\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, PYTHONPATH=SRC, PANOPTICUM_CACHE_DIR="off", HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list(home.rglob("*")) == []


def test_an_entry_that_does_not_load_is_compiled_again(monkeypatch, tmp_path):
    """A whole entry (its checksum right) whose executable is not one: ignored, rewritten."""
    import hashlib
    import pickle

    monkeypatch.setattr(executables, "directory", lambda: tmp_path / executables.SUBDIRECTORY)
    args, traces = (jnp.arange(3.0), np.float32(1)), []
    toy(traces)(*args)
    (entry,) = entries(tmp_path)
    stored = pickle.loads(executables._checked_payload(entry.read_bytes()))
    payload = pickle.dumps(dict(stored, executable=b"not an executable"))
    entry.write_bytes(executables.MAGIC + hashlib.sha256(payload).digest() + payload)
    np.testing.assert_array_equal(toy(traces)(*args), [1.0, 3.0, 5.0])
    assert len(traces) == 2
    assert pickle.loads(executables._checked_payload(entry.read_bytes()))["executable"] != b"not an executable"


def test_it_counts_its_programs_as_jit_does(monkeypatch, tmp_path):
    program, args = toy([]), (jnp.arange(3.0), np.float32(1))
    monkeypatch.setattr(executables, "directory", lambda: None)
    program(*args)  # the cache off: the plain jit function compiles it
    monkeypatch.setattr(executables, "directory", lambda: tmp_path / executables.SUBDIRECTORY)
    for n in (3, 3, 4):
        program(jnp.arange(float(n)), np.float32(1))
    assert program._cache_size() == 3


def test_a_read_only_cache_is_read_and_never_stops_a_run(monkeypatch, tmp_path, make_readonly):
    folder = tmp_path / executables.SUBDIRECTORY
    monkeypatch.setattr(executables, "directory", lambda: folder)
    traces = []
    toy(traces)(jnp.arange(3.0), np.float32(1))
    make_readonly(folder)
    np.testing.assert_array_equal(toy(traces)(jnp.arange(3.0), np.float32(1)), [1.0, 3.0, 5.0])
    assert len(traces) == 1  # loaded
    np.testing.assert_array_equal(toy(traces)(jnp.arange(2.0), np.float32(1)), [1.0, 3.0])
    assert len(traces) == 2 and len(entries(tmp_path)) == 1  # compiled, not stored
