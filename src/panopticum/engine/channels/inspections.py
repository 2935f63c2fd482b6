"""Inspections: random household inspections, targeted ones, task-force raids.

A household is inspected at random at the daily rate; a person with a record waiting on
any channel (under suspicion) is inspected at the targeted rate; a task force (Group 109)
raids a whole neighbourhood unit at the raid rate and, with an expert, finds more. An
inspection finds media the person holds, a trader's illicit goods, a smuggled phone.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CALL, MEDIA, TRADE

STREAM = 90


def records(today) -> Records:
    world, state, p, lay = today.world, today.state, today.p, today.layout
    civilian = today.free & ~world.military
    random_hh = today.per_group(STREAM, world.household, lay.n_households) < p("inspections.random_rate")
    suspect = jnp.any(state.pending != 0, axis=0)
    targeted = suspect & (today.uniform(STREAM + 1) < p("inspections.targeted_rate"))
    raided = today.per_group(STREAM + 2, world.unit, lay.n_units) < p("inspections.raid_rate")
    inspected = civilian & (random_hh | targeted | raided)
    find_media = jnp.where(raided, p("inspections.raid_find_media"), p("inspections.find_media"))
    media = inspected & world.adult & state.media_access & (today.uniform(STREAM + 3) < find_media)
    trade = inspected & (world.trader | today.did(TRADE)) & (today.uniform(STREAM + 4) < p("inspections.find_trade"))
    phone = inspected & state.smuggled_phone & (today.uniform(STREAM + 5) < p("inspections.find_phone"))
    true = as_bits(media, MEDIA) | as_bits(trade, TRADE) | as_bits(phone, CALL)
    clean = inspected & world.adult & (true == 0)
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=clean)
