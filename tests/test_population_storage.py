"""Population files: round trip, and refusal of foreign, damaged or other-version files."""

from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest

from panopticum.errors import PanopticumError
from panopticum.population import build_population, load_population, save_population
from panopticum.population.storage import ARRAY_FIELDS, MAGIC


@pytest.fixture(scope="module")
def pop():
    return build_population(10_000, seed=5)


@pytest.fixture()
def saved(pop, tmp_path):
    return save_population(pop, tmp_path / "country.pop")


def test_round_trip_bit_identical(pop, saved, tmp_path):
    back = load_population(saved)
    for name in ARRAY_FIELDS:
        a, b = getattr(pop, name), getattr(back, name)
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), name
    assert back.meta == json.loads(json.dumps(pop.meta))
    assert back.seed == pop.seed and back.scale == pop.scale
    assert back.meta["generator_version"] == pop.meta["generator_version"]
    assert os.listdir(tmp_path) == ["country.pop"]  # no temporary left behind


def _one_line_error(path, *words):
    with pytest.raises(PanopticumError) as info:
        load_population(path)
    msg = str(info.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg
    return msg


def test_missing_file(tmp_path):
    _one_line_error(tmp_path / "nope.pop", "nope.pop")


def test_not_a_population_file(tmp_path):
    p = tmp_path / "x.pop"
    p.write_bytes(b"hello world, not a population")
    _one_line_error(p, "not a readable", "magic")


def test_truncated_file(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) - 1000])
    _one_line_error(saved, "truncated")


def test_truncated_header(saved):
    saved.write_bytes(saved.read_bytes()[: len(MAGIC) + 20])
    _one_line_error(saved, "truncated")


def test_corrupted_payload(saved):
    data = bytearray(saved.read_bytes())
    data[-5000] ^= 0xFF
    saved.write_bytes(bytes(data))
    _one_line_error(saved, "checksum")


def test_corrupted_header(saved):
    data = bytearray(saved.read_bytes())
    data[len(MAGIC) + 8 + 3] = 0xFF
    saved.write_bytes(bytes(data))
    _one_line_error(saved, "damaged")


def _rewrite_header(path, change):
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[len(MAGIC) : len(MAGIC) + 8])
    start = len(MAGIC) + 8
    header = json.loads(data[start : start + length])
    change(header)
    blob = json.dumps(header).encode()
    assert len(blob) <= length
    blob += b" " * (length - len(blob))
    path.write_bytes(data[:start] + blob + data[start + length :])


def test_other_generator_version_refused(saved):
    _rewrite_header(saved, lambda h: h.update(generator_version=0))
    _one_line_error(saved, "generator version 0", "rebuild")


def test_save_to_missing_directory_leaves_nothing(pop, tmp_path):
    with pytest.raises(PanopticumError, match="no such directory"):
        save_population(pop, tmp_path / "missing" / "x.pop")
    assert os.listdir(tmp_path) == []


def test_failed_save_keeps_old_file_and_leaves_no_temporary(pop, saved, tmp_path, monkeypatch):
    before = saved.read_bytes()

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(PanopticumError, match="No space left"):
        save_population(pop, saved)
    assert saved.read_bytes() == before
    assert os.listdir(tmp_path) == ["country.pop"]
    assert np.array_equal(load_population(saved).age, pop.age)


def _edit_header(path, change, *, reseal: bool):
    """Edit the header; ``reseal`` recomputes its checksum, as a careful editor (or a format-1
    file, which has none) would leave it, so that each value is checked on its own."""
    from panopticum.population.storage import _header_crc

    def edit(h):
        change(h)
        if reseal:
            h["header_crc32"] = _header_crc(h)

    _rewrite_header(path, edit)


def test_edited_header_fails_its_checksum(saved):
    _edit_header(saved, lambda h: h.update(scale=-5), reseal=False)
    _one_line_error(saved, "header checksum")


@pytest.mark.parametrize("change, words", [
    (lambda h: h.update(scale=-5), ("scale=-5", "positive")),
    (lambda h: h.update(scale="abc"), ("scale='abc'",)),
    (lambda h: h.update(scale=2.0), ("scale=2.0", "disagrees")),
    (lambda h: h.update(seed=None), ("seed=None",)),
    (lambda h: next(e for e in h["arrays"] if e["name"] == "age").update(shape=[100, 100]), ("array age", "shape")),
    (lambda h: next(e for e in h["arrays"] if e["name"] == "tie_indptr").update(shape="many"), ("tie_indptr",)),
])
def test_each_header_value_is_checked(saved, change, words):
    _edit_header(saved, change, reseal=True)
    _one_line_error(saved, *words)


def test_format_1_file_without_header_checksum_is_still_checked(pop, saved):
    _edit_header(saved, lambda h: (h.update(format=1), h.pop("header_crc32")), reseal=False)
    assert load_population(saved).scale == pop.scale
    _edit_header(saved, lambda h: h.update(scale=-5), reseal=False)
    _one_line_error(saved, "scale=-5")
