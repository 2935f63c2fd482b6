"""Saving and loading a population: one uncompressed file, checked on the way back in.

Layout: the magic line ``PANOPTICUM-POPULATION\\n``, an 8-byte little-endian header length,
a JSON header (format, generator version, meta, scale, seed, and for each array its name,
dtype, shape, offset, byte count and CRC-32; then the CRC-32 of the header itself), then the
raw arrays, each 64-byte aligned.
The file is written to a temporary file in the same directory and moved into place at the
end, so an interrupted save leaves nothing half-written under the target name. Loading
refuses a file with another magic, format or generator version, a truncated file, or one
whose header or arrays fail their checksum, and one whose header holds values no population
has (a scale or seed of the wrong type or sign, array shapes that disagree), with a
:class:`~panopticum.errors.PanopticumError`. Format 1 files (no header checksum) are still
read, with every header value checked.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np

from panopticum.errors import PanopticumError
from panopticum.population.build import GENERATOR_VERSION
from panopticum.population.core import Population

MAGIC = b"PANOPTICUM-POPULATION\n"
FORMAT = 2
READABLE_FORMATS = (1, 2)
_ALIGN = 64
_CRC_CHUNK = 1 << 26

ARRAY_FIELDS = tuple(
    f.name for f in dataclasses.fields(Population) if f.name not in ("scale", "seed", "meta")
)


# Arrays that hold one value per agent, and those that share a length with another.
_PER_AGENT = ("region", "urban", "age", "female", "household", "unit", "institution", "occupation", "phone",
              "relatives_abroad", "songbun", "means", "risk_aversion", "unit_head", "institution_admin")
_SAME_LENGTH = (("unit_kind", "unit_region"), ("institution_kind", "institution_region"), ("tie_index", "tie_kind"))


def _header_crc(header: dict) -> int:
    """CRC-32 of the header's canonical JSON, without the checksum itself."""
    body = {k: v for k, v in header.items() if k != "header_crc32"}
    return zlib.crc32(json.dumps(body, sort_keys=True).encode())


def _crc(a: np.ndarray) -> int:
    view = memoryview(np.ascontiguousarray(a)).cast("B")
    crc = 0
    for s in range(0, len(view), _CRC_CHUNK):
        crc = zlib.crc32(view[s : s + _CRC_CHUNK], crc)
    return crc


def _pad(x: int) -> int:
    return (-x) % _ALIGN


def save_population(pop: Population, path: str | os.PathLike) -> Path:
    """Write ``pop`` to ``path`` (conventionally ``*.pop``); returns the path.

    Raises :class:`PanopticumError` if the file cannot be written; nothing is left behind.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise PanopticumError(f"cannot write population to {str(path)!r}: no such directory {str(directory)!r}")
    arrays = {name: np.ascontiguousarray(getattr(pop, name)) for name in ARRAY_FIELDS}
    entries, offset = [], 0
    for name, a in arrays.items():
        entries.append(
            {"name": name, "dtype": a.dtype.str, "shape": list(a.shape), "offset": offset,
             "nbytes": int(a.nbytes), "crc32": _crc(a)}
        )
        offset += a.nbytes + _pad(a.nbytes)
    header = {
        "format": FORMAT,
        "generator_version": GENERATOR_VERSION,
        "scale": pop.scale,
        "seed": pop.seed,
        "meta": pop.meta,
        "arrays": entries,
        "payload_bytes": offset,
    }
    header["header_crc32"] = _header_crc(header)
    blob = json.dumps(header, sort_keys=True).encode()
    prefix = len(MAGIC) + 8 + len(blob)
    blob += b" " * _pad(prefix)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC)
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for a in arrays.values():
                f.write(memoryview(a).cast("B"))
                f.write(b"\0" * _pad(a.nbytes))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise PanopticumError(f"cannot write population to {str(path)!r}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return path


def read_header(path: str | os.PathLike) -> tuple[dict, int]:
    """The JSON header of a population file and the byte offset of its payload."""
    path = Path(path)
    damaged = f"{str(path)!r} is not a readable panopticum population file"
    try:
        with open(path, "rb") as f:
            magic = f.read(len(MAGIC))
            if magic != MAGIC:
                raise PanopticumError(f"{damaged} (wrong magic: not a population file)")
            raw = f.read(8)
            if len(raw) != 8:
                raise PanopticumError(f"{damaged} (truncated header)")
            (length,) = struct.unpack("<Q", raw)
            if length > 1 << 26:
                raise PanopticumError(f"{damaged} (damaged header)")
            blob = f.read(length)
            if len(blob) != length:
                raise PanopticumError(f"{damaged} (truncated header)")
    except IsADirectoryError:
        raise PanopticumError(f"cannot read population file {str(path)!r}: it is a directory") from None
    except OSError as exc:
        raise PanopticumError(f"cannot read population file {str(path)!r}: {exc.strerror or exc}") from None
    try:
        header = json.loads(blob.decode())
        if not isinstance(header, dict):
            raise ValueError
    except (UnicodeDecodeError, ValueError):
        raise PanopticumError(f"{damaged} (damaged header)") from None
    return header, len(MAGIC) + 8 + length


def _is_whole(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _header_problem(header: dict, entries: dict[str, dict]) -> str | None:
    """What is wrong with a header's values, or None: each value must be one a population has."""
    for e in entries.values():
        if not isinstance(e.get("shape"), list) or not all(_is_whole(d) and d >= 0 for d in e["shape"]):
            return f"array {e.get('name')} has shape {e.get('shape')!r}"
        if not all(_is_whole(e.get(k)) and e[k] >= 0 for k in ("offset", "nbytes", "crc32")):
            return f"array {e.get('name')} has a damaged entry"
        try:
            np.dtype(e.get("dtype"))
        except TypeError:
            return f"array {e.get('name')} has dtype {e.get('dtype')!r}"
    n = entries["region"]["shape"]
    if len(n) != 1:
        return f"array region has shape {n}, expected one value per agent"
    expected = {name: n for name in _PER_AGENT} | {"tie_indptr": [n[0] + 1]}
    for a, b in _SAME_LENGTH:
        if len(entries[a]["shape"]) != 1:
            return f"array {a} has shape {entries[a]['shape']}, expected one dimension"
        expected[b] = entries[a]["shape"]
    for name, shape in expected.items():
        if entries[name]["shape"] != shape:
            return f"array {name} has shape {entries[name]['shape']}, expected {shape}"
    scale, seed, meta = header.get("scale"), header.get("seed"), header.get("meta")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) or scale <= 0:
        return f"scale={scale!r} must be a positive number of people per agent"
    if not _is_whole(seed) or seed < 0:
        return f"seed={seed!r} must be a non-negative whole number"
    if not isinstance(meta, dict):
        return f"meta={meta!r} must be a table"
    people = meta.get("national_population")
    if isinstance(people, (int, float)) and not isinstance(people, bool) and n[0] > 0:
        if not math.isclose(scale * n[0], people, rel_tol=1e-6):
            return f"scale={scale!r} disagrees with {n[0]:,} agents standing for {people:,} people"
    return None


def load_population(path: str | os.PathLike) -> Population:
    """Read a population written by :func:`save_population`, checking every array.

    Raises :class:`PanopticumError` for a missing, foreign, truncated, corrupted file or one
    written by another generator version.
    """
    path = Path(path)
    header, start = read_header(path)
    damaged = f"{str(path)!r} is a damaged population file"
    if header.get("format") not in READABLE_FORMATS:
        raise PanopticumError(f"{str(path)!r} has population file format {header.get('format')!r}; this panopticum reads format {FORMAT}")
    if header.get("generator_version") != GENERATOR_VERSION:
        raise PanopticumError(
            f"{str(path)!r} was built by population generator version {header.get('generator_version')!r}; "
            f"this panopticum has version {GENERATOR_VERSION}: rebuild it with `panopticum population`"
        )
    if header["format"] >= 2 and header.get("header_crc32") != _header_crc(header):
        raise PanopticumError(f"{damaged} (header checksum mismatch: the header was edited or damaged)")
    try:
        entries = {e["name"]: e for e in header["arrays"]}
        payload = int(header["payload_bytes"])
        if set(entries) != set(ARRAY_FIELDS):
            raise KeyError
    except (KeyError, TypeError, ValueError):
        raise PanopticumError(f"{damaged} (damaged header)") from None
    problem = _header_problem(header, entries)
    if problem:
        raise PanopticumError(f"{damaged} ({problem})")
    size = path.stat().st_size
    if size != start + payload:
        raise PanopticumError(f"{damaged} (truncated: {size:,} bytes, expected {start + payload:,})")
    arrays = {}
    try:
        with open(path, "rb") as f:
            for name in ARRAY_FIELDS:
                e = entries[name]
                dtype = np.dtype(e["dtype"])
                count = int(np.prod(e["shape"], dtype=np.int64))
                if count * dtype.itemsize != e["nbytes"] or e["offset"] + e["nbytes"] > payload:
                    raise PanopticumError(f"{damaged} (damaged header)")
                f.seek(start + e["offset"])
                a = np.fromfile(f, dtype=dtype, count=count)
                if a.size != count:
                    raise PanopticumError(f"{damaged} (truncated array {name})")
                if _crc(a) != e["crc32"]:
                    raise PanopticumError(f"{damaged} (checksum mismatch in array {name})")
                arrays[name] = a.reshape(e["shape"])
    except OSError as exc:
        raise PanopticumError(f"cannot read population file {str(path)!r}: {exc.strerror or exc}") from None
    except (TypeError, ValueError, KeyError):
        raise PanopticumError(f"{damaged} (damaged header)") from None
    return Population(scale=float(header["scale"]), seed=int(header["seed"]), meta=header["meta"], **arrays)
