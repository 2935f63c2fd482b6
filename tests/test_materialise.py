"""keep() and keep_bytes() change no value, whatever the type (they only change what XLA
recomputes), and keep() really does leave a division in the compiled program."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine.materialise import keep, keep_bytes


@pytest.mark.parametrize(
    "values",
    [
        np.array([True, False, True]),
        np.arange(256, dtype=np.uint8),
        np.arange(-128, 128, dtype=np.int8),
        np.array([0, 1, 65535, 40000], dtype=np.uint16),
        np.array([0, -1, 2**31 - 1, -(2**31)], dtype=np.int32),
        np.array([0, 1, 0xFFFFFFFF, 2**31 + 7], dtype=np.uint32),
        np.array([0.0, -0.0, 1.2e-38, 3.4e38, -2.5, np.inf, -np.inf], dtype=np.float32),
    ],
)
def test_keep_changes_no_value(values):
    out = np.asarray(jax.jit(keep)(jnp.asarray(values)))
    assert out.dtype == values.dtype
    np.testing.assert_array_equal(out, values)


def test_keep_bytes_changes_no_byte():
    rng = np.random.default_rng(0)
    arrays = [rng.integers(0, 256, 1000, dtype=np.uint8) for _ in range(7)]
    arrays[0][:256] = np.arange(256)
    out = jax.jit(keep_bytes)([jnp.asarray(a) for a in arrays])
    assert len(out) == 7
    for got, want in zip(out, arrays):
        assert got.dtype == jnp.uint8
        np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("dtype", [jnp.uint8, jnp.int32, jnp.uint32, jnp.float32])
def test_keep_leaves_a_division_xla_will_not_duplicate(dtype):
    def chain(x):
        return keep((x * 3 + 1) * (x + 2))

    text = jax.jit(chain).lower(jnp.arange(8, dtype=dtype)).compile().as_text()
    assert "divide" in text, "the chain is not kept: XLA removed the division"
