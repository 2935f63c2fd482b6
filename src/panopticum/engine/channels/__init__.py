"""The surveillance channels, one module each, in the order of :data:`CHANNELS`.

Each module has ``records(today) -> Records``: the day's records about agents, true ones
(an act or a holding that really happened) and wrongful ones (a false report, a false
match), as behaviour bits per agent, and a count of innocuous records that only load the
analysts. A switched-off channel (``<channel>.enabled = false``) produces nothing.
Technologies are represented by their coverage and error rates; nothing here identifies
anyone.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp

from panopticum.params.model import CHANNELS


@functools.partial(jax.tree_util.register_dataclass, data_fields=None, meta_fields=None)
@dataclasses.dataclass(frozen=True)
class Records:
    true_bits: jax.Array  # uint8 [n], bit b: a true record of behaviour b
    wrongful_bits: jax.Array  # uint8 [n], bit b: a wrongful record of behaviour b
    innocuous: jax.Array  # innocuous records in agent-records: a scalar, or per agent [n] (summed by analysis)
    # Records each per-agent innocuous unit stands for: per-agent counts stay integers, so
    # their daily sum is exact whatever order the compiler adds them in.
    innocuous_each: jax.Array | float = 1.0


def gated(records: Records, enabled: jax.Array) -> Records:
    """Nothing at all from a switched-off channel."""
    on = enabled > 0.5
    return Records(
        true_bits=jnp.where(on, records.true_bits, jnp.uint8(0)),
        wrongful_bits=jnp.where(on, records.wrongful_bits, jnp.uint8(0)),
        innocuous=jnp.where(on, records.innocuous, jnp.zeros_like(records.innocuous)),
        innocuous_each=records.innocuous_each,
    )


def collect(today) -> list[Records]:
    """Every channel's records for the day, in :data:`CHANNELS` order."""
    from panopticum.engine.channels import cameras, informants, inminban, inspections, phones, radio, workplace

    modules = {
        "informants": informants,
        "inminban": inminban,
        "workplace": workplace,
        "cameras": cameras,
        "phones": phones,
        "radio": radio,
        "inspections": inspections,
    }
    return [gated(modules[name].records(today), today.p(f"{name}.enabled")) for name in CHANNELS]


__all__ = ["CHANNELS", "Records", "collect", "gated"]
