"""Inminban heads: night checks and visits to households, guest logs, nightly reports.

Each household is checked on a given day at the night-check rate (with police, about
monthly); a check finds foreign media a member holds. The head also notices a member's
trading or a call across the border on the day it happens. Soldiers in barracks have no
inminban.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CALL, MEDIA, TRADE

STREAM = 40


def records(today) -> Records:
    world, state = today.world, today.state
    lay = today.layout
    civilian = ~world.military & today.free
    checked = civilian & (today.per_group(STREAM, world.household, lay.n_households) < today.p("inminban.night_check_rate"))
    found_media = checked & world.adult & state.media_access & (today.uniform(STREAM + 1) < today.p("inminban.find_media"))
    trade = civilian & today.did(TRADE) & (today.uniform(STREAM + 2) < today.p("inminban.notice_trade"))
    call = civilian & today.did(CALL) & (today.uniform(STREAM + 3) < today.p("inminban.notice_call"))
    true = as_bits(found_media, MEDIA) | as_bits(trade, TRADE) | as_bits(call, CALL)
    # A night check with nothing found still yields a report in the log.
    first_of_household = world.household != jnp.roll(world.household, 1)
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=checked & first_of_household)
