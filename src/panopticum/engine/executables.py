"""Compiled programs kept on disk under a key of the engine's own, so that a second process
loads the executable without tracing or lowering the step.

JAX's persistent cache (:func:`panopticum.run.enable_compilation_cache`) keys an executable
by a hash of the *lowered* program: even a hit first traces and lowers the step, most of a
hit's time. A :class:`StoredProgram` keys it instead by what the program is made from, all
known before tracing, and keeps the serialized executable
(:mod:`jax.experimental.serialize_executable`) under that key. The key's parts:

- the program's name and the static values its builder bakes into it (given by the caller:
  the layout with its region bounds, the tie-update cadence, the device count, the schedule
  axes of a batch, the donated arguments, :data:`~.program.CAPACITY`);
- the bytes of every source file of the panopticum package: a superset of the code the
  trace runs and the constants it reads (an edit outside the engine costs one needless
  compilation, never a stale program);
- the versions of Python, NumPy, jax and jaxlib; the backend's platform and its version,
  the kind of every device, the number of devices and of processes;
- ``XLA_FLAGS`` and ``LIBTPU_INIT_ARGS``, and every ``jax.config`` value but those of the
  caches and of logging (:data:`_NOT_IN_KEY`);
- the arguments: their tree structure and, for each leaf, its abstract value (shape, dtype,
  weak type) and its sharding.

An entry is ``<JAX's cache directory>/executables/<name>-<key hash>.exe``: a magic line, the
SHA-256 of the rest, then a pickle of the key's full text, the executable, its argument and
result trees and its device. It is written to a temporary file and renamed, so a reader
sees a whole entry or none. An entry that cannot be read, whose checksum or key text does
not match, or that does not load, is logged, removed and ignored: the program compiles as it
would without it. No entry is read or written while JAX's cache is off (no directory set,
as with ``PANOPTICUM_CACHE_DIR=off``): the program is then the plain ``jax.jit`` function.
The directory is kept under :data:`MAX_BYTES`, the least recently used entries removed
first (a hit refreshes an entry's time).

Only an executable compiled in the process is stored: XLA:CPU (jaxlib 0.10.2) serializes one
it loaded from JAX's cache without some of its kernels, and a run from such an entry fails
("Function ... not found"). A missing entry is therefore compiled under a name made from
its key (JAX's cache key covers the name), which JAX's cache has not seen unless that very
entry was compiled before; only then (the entry damaged or pruned since, or its writing
failed) does the program come from JAX's cache, unstored, at the cost of a hit of JAX's
cache (trace, lowering, load).

Loading an entry runs native code and unpickles Python objects, as JAX's own cache does:
the cache directory must be writable only by people you trust.

Only single-device programs are stored; a program over several devices (``devices > 1``)
is compiled through ``jax.jit`` and JAX's cache alone.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path

import jax
import numpy as np

SUBDIRECTORY = "executables"
"""The entries' folder inside JAX's compilation cache directory."""

MAX_BYTES = 2**30
"""Size the entries may take together; past it the least recently used are removed."""

MAGIC = b"panopticum-executable-1\n"

_STALE_TEMPORARY_SECONDS = 3600
"""A temporary file older than this is a write that died; pruning removes it."""

_NOT_IN_KEY = frozenset({
    "jax_compilation_cache_dir",
    "jax_enable_compilation_cache",
    "jax_compilation_cache_max_size",
    "jax_persistent_cache_min_compile_time_secs",
    "jax_persistent_cache_min_entry_size_bytes",
    "jax_raise_persistent_cache_errors",
    "jax_explain_cache_misses",
    "jax_log_compiles",
    "jax_logging_level",
    "jax_debug_log_modules",
    "jax_pprint_use_color",
})
"""``jax.config`` values that say where and whether programs are cached or logged, not
what they compute: left out of the key, so that every cache directory gets the same keys."""

KEY_EVENT = "/panopticum/compile/executable_key_duration"
LOAD_EVENT = "/panopticum/compile/executable_load_duration"
STORE_EVENT = "/panopticum/compile/executable_store_duration"
"""Durations reported to :mod:`jax.monitoring`, next to JAX's own compile events."""

_log = logging.getLogger(__name__)
_PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # the panopticum package


def directory() -> Path | None:
    """Where entries live: ``executables`` inside JAX's compilation cache, or None when
    that cache is off."""
    base = jax.config.jax_compilation_cache_dir
    if not base or not jax.config.jax_enable_compilation_cache:
        return None
    return Path(base) / SUBDIRECTORY


class StoredProgram:
    """``jax.jit(fun, **jit_options)``, its executables kept on disk under a key of the
    engine's own (the module's docstring). ``static``: the values the builder of ``fun``
    baked into it, by name (their ``repr`` enters the key, as do ``jit_options``). Called
    like the jitted function with positional arguments; returns the same results, bit for
    bit."""

    def __init__(self, name: str, fun, static: dict, **jit_options):
        self.name, self._fun, self._options = name, fun, jit_options
        self._jitted = jax.jit(fun, **jit_options)
        self._static = "\n".join(f"static {k}={v!r}" for k, v in sorted({**static, **jit_options}.items()))
        self._ready: dict = {}  # argument signature -> jax.stages.Compiled

    def lower(self, *args):
        """The program lowered for ``args`` (arrays or ``jax.ShapeDtypeStruct``), as
        ``jax.jit``'s ``lower``: for inspecting what it compiles to, never stored."""
        return self._jitted.lower(*args)

    def __call__(self, *args):
        folder = directory()
        if folder is None:
            return self._jitted(*args)
        leaves, tree = jax.tree_util.tree_flatten(args)
        signature = (folder, tree, tuple(map(_signature, leaves)))
        compiled = self._ready.get(signature)
        if compiled is None:
            compiled = self._ready[signature] = self._load_or_compile(folder, args)
        return compiled(*args)

    def _cache_size(self) -> int:
        """How many programs it holds, loaded or compiled (as ``jax.jit``'s own)."""
        return len(self._ready) + self._jitted._cache_size()

    def key_text(self, args: tuple) -> str:
        """The key's full text for a call with ``args`` (its hash names the entry)."""
        leaves, tree = jax.tree_util.tree_flatten(args)
        lines = [f"program {self.name}", self._static, *source_lines(), *environment_lines(), f"arguments {tree}"]
        for x in leaves:
            aval = jax.typeof(x)
            lines.append(f"leaf {aval} shape={tuple(aval.shape)} dtype={aval.dtype} weak={aval.weak_type} "
                         f"sharding={getattr(x, 'sharding', None)!r}")
        return "\n".join(lines)

    def _load_or_compile(self, folder: Path, args: tuple):
        start = time.perf_counter()
        key = self.key_text(args)
        digest = hashlib.sha256(key.encode()).hexdigest()[:40]
        path = folder / f"{self.name}-{digest}.exe"
        jax.monitoring.record_event_duration_secs(KEY_EVENT, time.perf_counter() - start)
        start = time.perf_counter()
        compiled = _load(path, key)
        if compiled is not None:
            jax.monitoring.record_event_duration_secs(LOAD_EVENT, time.perf_counter() - start)
            return compiled
        hits = _jax_cache_hits
        compiled = jax.jit(_named(self._fun, f"{self.name}_{digest[:16]}"), **self._options).lower(*args).compile()
        if _jax_cache_hits != hits:
            # XLA:CPU (jaxlib 0.10.2) serializes an executable it loaded from JAX's cache
            # without some of its kernels: a run from such an entry fails ("Function ... not
            # found"). Only executables compiled in this process are stored.
            _log.info("not storing %s: JAX loaded it from its own cache", path.name)
            return compiled
        start = time.perf_counter()
        _store(path, key, compiled)
        jax.monitoring.record_event_duration_secs(STORE_EVENT, time.perf_counter() - start)
        return compiled


def _signature(leaf) -> tuple:
    """What tells apart the programs for a leaf in this process, cheaply (every call): an
    array's abstract value and sharding, a NumPy value's type, shape and dtype."""
    if isinstance(leaf, jax.Array):
        return (leaf.aval, leaf.sharding)
    if isinstance(leaf, (np.ndarray, np.generic)):
        return (type(leaf), leaf.shape, leaf.dtype)
    return (type(leaf), jax.typeof(leaf))


def _named(fun, name: str):
    """``fun`` under another name. JAX names the lowered module after the function and its
    cache's key covers the module, so a program compiled under the name of its key misses
    JAX's cache whenever the key changes (an edited comment in an engine module), and is
    compiled here, hence storable (see above), rather than loaded from there."""

    def program(*args):
        return fun(*args)

    program.__name__ = program.__qualname__ = name.replace("-", "_")
    return program


_jax_cache_hits = 0


def _count_jax_cache_hits(event: str, **_) -> None:
    global _jax_cache_hits
    if event == "/jax/compilation_cache/cache_hits":
        _jax_cache_hits += 1


jax.monitoring.register_event_listener(_count_jax_cache_hits)


def _load(path: Path, key: str):
    """The executable stored at ``path`` for ``key``, or None (absent or unusable)."""
    from jax.experimental.serialize_executable import deserialize_and_load

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log.warning("cannot read the stored program %s (%s); compiling it", path, exc.strerror or exc)
        return None
    try:
        entry = pickle.loads(_checked_payload(data))
        if entry["key"] != key:
            raise ValueError("its key differs")
        devices = {d.id: d for d in jax.devices()}
        compiled = deserialize_and_load(entry["executable"], entry["in_tree"], entry["out_tree"],
                                        execution_devices=[devices[i] for i in entry["device_ids"]])
    except Exception as exc:  # a damaged entry must never stop a run: compile instead
        _log.warning("ignoring the stored program %s (%s: %s); compiling it", path, type(exc).__name__, exc)
        try:
            path.unlink()  # warned once; a fresh compilation writes it again
        except OSError:
            pass
        return None
    try:
        os.utime(path)  # recently used: pruned last
    except OSError:
        pass
    return compiled


def _checked_payload(data: bytes) -> bytes:
    head = len(MAGIC) + 32
    if not data.startswith(MAGIC) or len(data) < head:
        raise ValueError("not an entry of this format")
    payload = data[head:]
    if hashlib.sha256(payload).digest() != data[len(MAGIC):head]:
        raise ValueError("its checksum does not match")
    return payload


def _store(path: Path, key: str, compiled) -> None:
    """Write ``compiled`` at ``path`` (atomically); on any failure write nothing."""
    from jax.experimental.serialize_executable import serialize

    try:
        device_ids = sorted({d.id for s in jax.tree_util.tree_leaves(compiled.input_shardings) for d in s.device_set})
        if len(device_ids) != 1:
            return  # see the module's docstring: single-device programs only
        executable, in_tree, out_tree = serialize(compiled)
        payload = pickle.dumps({"key": key, "executable": executable, "in_tree": in_tree, "out_tree": out_tree,
                                "device_ids": device_ids}, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # not serializable: run without storing
        _log.debug("not storing %s: %s", path.name, exc)
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".exe")
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + hashlib.sha256(payload).digest())
            out.write(payload)
        os.replace(tmp, path)
        tmp = None
        _prune(path.parent, keep=path)
    except OSError as exc:  # a full or read-only disk: the run goes on, unstored
        _log.debug("cannot store %s: %s", path, exc)
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _prune(folder: Path, keep: Path) -> None:
    """Remove the least recently used entries past :data:`MAX_BYTES` (never ``keep``), and
    temporary files left by writes that died."""
    entries, now = [], time.time()
    for item in folder.iterdir():
        try:
            stat = item.stat()
            if item.name.startswith(".tmp-"):
                if now - stat.st_mtime > _STALE_TEMPORARY_SECONDS:
                    item.unlink(missing_ok=True)
            elif item.suffix == ".exe":
                entries.append((stat.st_mtime, stat.st_size, item))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    for _, size, item in sorted(entries, key=lambda e: e[0]):
        if total <= MAX_BYTES:
            break
        if item != keep:
            item.unlink(missing_ok=True)
            total -= size


def environment_lines() -> list[str]:
    """The key's parts from outside panopticum: versions, devices, flags, JAX's settings."""
    import jaxlib

    devices = jax.devices()
    client = devices[0].client
    lines = [
        f"python {sys.version_info[:3]}", f"numpy {np.__version__}", f"jax {jax.__version__}", f"jaxlib {jaxlib.__version__}",
        f"backend {client.platform} {client.platform_version}",
        f"devices {len(devices)} {[d.device_kind for d in devices]} processes {jax.process_count()}",
        f"XLA_FLAGS {os.environ.get('XLA_FLAGS', '')!r}", f"LIBTPU_INIT_ARGS {os.environ.get('LIBTPU_INIT_ARGS', '')!r}",
    ]
    lines += [f"config {name}={value!r}" for name, value in sorted(jax.config.values.items()) if name not in _NOT_IN_KEY]
    return lines


@functools.cache
def source_lines() -> tuple[str, ...]:
    """One line per source file the engine's programs are built from: its path in the
    package and the SHA-256 of its bytes (computed once per process)."""
    return tuple(f"source {name} {digest}" for name, digest in sorted(engine_sources().items()))


def engine_sources() -> dict[str, str]:
    """``{path in the package: sha256}`` of every source file of the panopticum package."""
    return {
        path.relative_to(_PACKAGE_ROOT).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(_PACKAGE_ROOT.rglob("*.py"))
    }
