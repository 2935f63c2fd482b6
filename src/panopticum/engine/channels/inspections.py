"""Inspections: random household inspections, targeted ones, task-force raids, barracks
searches.

A household is inspected at random at the daily rate; a person with an open lead (an
analysed record or report from another channel, ``State.lead``) is inspected at the
targeted rate, which closes the lead; a task force (Group 109) raids a whole neighbourhood
unit at the raid rate and, with an expert, finds more; soldiers' kit is searched at the
barracks rate. An inspection finds media the person holds, a trader's illicit goods, a
smuggled phone. Unanalysed records never lead to an inspection: suspicion needs analysis.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CALL, MEDIA, TRADE

STREAM = 90
HUMAN_LEAD, DIGITAL_LEAD = 1, 2


def targeted(today) -> jnp.ndarray:
    """bool [n]: inspected today on an open lead (the same draw the records use)."""
    return (today.state.lead != 0) & today.free & (today.uniform(STREAM + 1) < today.p("inspections.targeted_rate"))


def raided(today) -> jnp.ndarray:
    """bool [n]: in a neighbourhood unit a task force raids today."""
    world = today.world
    return ~world.military & (today.per_group(STREAM + 2, world.unit, today.layout.n_units) < today.p("inspections.raid_rate"))


def inspected(today) -> jnp.ndarray:
    """bool [n]: who is inspected today, at random, on a lead, in a raid or in barracks
    (the draws the records use; nobody when the channel is switched off is the caller's
    gate, as for every channel)."""
    world, p, lay = today.world, today.p, today.layout
    random_hh = ~world.military & (today.per_group(STREAM, world.household, lay.n_households) < p("inspections.random_rate"))
    barracks = world.military & (today.uniform(STREAM + 6) < p("inspections.barracks_rate"))
    return today.free & (random_hh | targeted(today) | raided(today) | barracks)


def records(today) -> Records:
    world, state, p = today.world, today.state, today.p
    raided_ = raided(today)
    inspected_ = inspected(today)
    find_media = jnp.where(raided_, p("inspections.raid_find_media"), p("inspections.find_media"))
    media = inspected_ & world.adult & state.media_access & (today.uniform(STREAM + 3) < find_media)
    trade = inspected_ & today.stocked & (today.uniform(STREAM + 4) < p("inspections.find_trade"))
    phone = inspected_ & state.smuggled_phone & (today.uniform(STREAM + 5) < p("inspections.find_phone"))
    true = as_bits(media, MEDIA) | as_bits(trade, TRADE) | as_bits(phone, CALL)
    clean = inspected_ & world.adult & (true == 0)
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=clean)
