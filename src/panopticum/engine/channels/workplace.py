"""Workplace and school administrators, political officers in the military, and the weekly
self-criticism sessions.

Criticism said at school or work can come out in a session (the slip chance per act); an
administrator logs a worker who is absent to trade. Only institutions with an
administrator watch. In a military unit the political officer watches more closely (the
military multiplier) and also catches foreign media watched in the barracks.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CRITICISE, MEDIA, TRADE
from panopticum.engine.world import PLACE_MILITARY, PLACE_NONE

STREAM = 50


def records(today) -> Records:
    world, p = today.world, today.p
    watched = world.has_admin & (world.place != PLACE_NONE)
    barracks = world.place == PLACE_MILITARY
    slip = p("workplace.slip_prob") * jnp.where(barracks, p("workplace.military_multiplier"), 1.0)
    said_there = today.criticised_at_work | barracks
    criticism = watched & today.did(CRITICISE) & said_there & (today.uniform(STREAM + 1) < slip)
    absent = watched & world.worker & today.did(TRADE) & (today.uniform(STREAM + 2) < p("workplace.absence_notice"))
    media = watched & barracks & today.did(MEDIA) & (today.uniform(STREAM + 3) < slip)
    true = as_bits(criticism, CRITICISE) | as_bits(absent, TRADE) | as_bits(media, MEDIA)
    # Sessions and attendance are settled inside the institution: only findings reach the desk.
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=jnp.float32(0.0))
