"""keep() changes no value, whatever the type (it only changes what XLA recomputes), really
does leave a division in the compiled program, and stores an integer at its own width."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from panopticum.engine.materialise import keep


@pytest.mark.parametrize(
    "values",
    [
        np.array([True, False, True]),
        np.arange(256, dtype=np.uint8),
        np.arange(-128, 128, dtype=np.int8),
        np.array([0, 1, 65535, 40000], dtype=np.uint16),
        np.array([0, -1, 32767, -32768], dtype=np.int16),
        np.array([0, -1, 2**31 - 1, -(2**31)], dtype=np.int32),
        np.array([0, 1, 0xFFFFFFFF, 2**31 + 7], dtype=np.uint32),
        np.array([0.0, -0.0, 1.2e-38, 3.4e38, -2.5, np.inf, -np.inf], dtype=np.float32),
    ],
)
def test_keep_changes_no_value(values):
    out = np.asarray(jax.jit(keep)(jnp.asarray(values)))
    assert out.dtype == values.dtype
    np.testing.assert_array_equal(out, values)


@pytest.mark.parametrize("dtype", [jnp.bool_, jnp.uint8, jnp.uint16, jnp.int32, jnp.uint32, jnp.float32])
def test_keep_leaves_a_division_xla_will_not_duplicate(dtype):
    def chain(x):
        return keep((x * 3 + 1) * (x + 2)) if dtype != jnp.bool_ else keep((x ^ (x >> 3)) & 1 == 1)

    x = jnp.arange(8, dtype=jnp.uint8 if dtype == jnp.bool_ else dtype)
    text = jax.jit(chain).lower(x).compile().as_text()
    assert "divide" in text, "the chain is not kept: XLA removed the division"


@pytest.mark.parametrize("dtype", [jnp.bool_, jnp.int8, jnp.uint8, jnp.uint16, jnp.uint32])
def test_a_kept_integer_is_stored_at_its_own_width(dtype):
    """Two consumers read the kept chain; what they read is the division's result, of the
    value's own width (a byte kept through a float32 cost four bytes a read)."""

    def chain(x):
        y = (x ^ (x >> 3)) * x
        kept = keep(y & 1 == 1) if dtype == jnp.bool_ else keep(y)
        return kept.astype(jnp.int32).sum(), (kept.astype(jnp.int32) * 3).max()

    x = jnp.arange(1 << 12, dtype=jnp.uint8 if dtype == jnp.bool_ else dtype)
    text = jax.jit(chain).lower(x).compile().as_text()
    entry = text[text.index("ENTRY") :]
    width = "u8" if dtype == jnp.bool_ else jnp.dtype(dtype).name.replace("uint", "u").replace("int", "s")
    kept = [line for line in entry.splitlines() if "fusion(" in line and f"= {width}[4096]" in line]
    assert kept, f"no {width} fusion stored in\n{entry}"
