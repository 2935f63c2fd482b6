"""Phone monitoring: screenshots and logs on registered phones, and file signatures.

A registered phone refuses media files without a state signature, so only the rest can
be watched on it (:attr:`Today.watched_on_phone`). Acts on a phone (viewing, written
criticism) are kept in its screenshots with the capture chance; an aware person keeps acts
off the phone. The log cannot be deleted: it builds up until the phone is checked (the
check rate), when everything in it reaches the analysts and each check adds innocuous
screenshots to their load.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CRITICISE, MEDIA

STREAM = 70


def logged_today(today) -> jnp.ndarray:
    """uint8 behaviour bits the phone's log captures today."""
    capture = today.p("phones.capture_prob") * today.evasion
    media = today.did(MEDIA) & today.watched_on_phone & (today.uniform(STREAM) < capture)
    criticism = today.did(CRITICISE) & today.criticised_by_phone & (today.uniform(STREAM + 1) < capture)
    return as_bits(media, MEDIA) | as_bits(criticism, CRITICISE)


def _checked_and_log(today) -> tuple[jnp.ndarray, jnp.ndarray]:
    checked = today.world.phone & today.free & (today.uniform(STREAM + 2) < today.p("phones.check_rate"))
    return checked, today.state.phone_log | logged_today(today)


def records(today) -> Records:
    checked, log = _checked_and_log(today)
    true = jnp.where(checked, log, jnp.uint8(0))
    return Records(true_bits=true, wrongful_bits=jnp.zeros_like(true), innocuous=checked, innocuous_each=today.p("phones.records_per_check"))


def next_log(today) -> jnp.ndarray:
    """The log after today: what was captured, less what a check handed over; empty when
    phone monitoring is off."""
    checked, log = _checked_and_log(today)
    on = today.p("phones.enabled") > 0.5
    return jnp.where(on & ~checked, log, jnp.uint8(0))
