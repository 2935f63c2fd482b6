"""Workplace and school administrators, and the weekly self-criticism sessions.

Criticism said at school or work can come out in a session (the slip chance per act); an
administrator logs a worker who is absent to trade. Only institutions with an
administrator watch.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CRITICISE, TRADE
from panopticum.engine.world import PLACE_NONE

STREAM = 50


def records(today) -> Records:
    world = today.world
    watched = world.has_admin & (world.place != PLACE_NONE)
    slip = watched & today.did(CRITICISE) & today.criticised_at_work & (today.uniform(STREAM + 1) < today.p("workplace.slip_prob"))
    absent = watched & world.worker & today.did(TRADE) & (today.uniform(STREAM + 2) < today.p("workplace.absence_notice"))
    true = as_bits(slip, CRITICISE) | as_bits(absent, TRADE)
    # Sessions and attendance are settled inside the institution: only findings reach the desk.
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=jnp.float32(0.0))
