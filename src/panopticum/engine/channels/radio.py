"""Radio detection of smuggled Chinese phones near the border.

Detector stations and mobile teams locate a call on a smuggled phone with a small chance,
stepped up while the border is closed.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CALL

STREAM = 80


def records(today) -> Records:
    p = today.p
    chance = p("radio.detect_prob") * jnp.where(today.levels.border_closed > 0.5, p("radio.closure_multiplier"), 1.0)
    located = today.did(CALL) & today.world.border & (today.uniform(STREAM) < jnp.minimum(chance, 1.0))
    true = as_bits(located, CALL)
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=jnp.float32(0.0))
