"""Informants among a person's trusted ties.

An act that a tie witnesses is reported when that tie is an informant: the chance is the
share of one's ties who are informants (fixed for the run) times the tie's chance of
knowing of the act times the informant's readiness to report. Criticism is always said to
a tie, so only the share and the readiness count. Informants also file false reports
against random ties of theirs: wrongful records of criticism.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine import random as rnd
from panopticum.engine import ties
from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.state import CALL, CRITICISE, MEDIA, TRADE

STREAM = 30


def records(today) -> Records:
    state, world = today.state, today.world
    report = today.p("informants.report_prob") * state.informant_ties
    true = jnp.zeros(today.layout.n, jnp.uint8)
    for offset, (behaviour, witness) in enumerate(
        ((TRADE, "witness_trade"), (MEDIA, "witness_media"), (CALL, "witness_call"), (CRITICISE, None))
    ):
        chance = report * (today.p(f"informants.{witness}") if witness else 1.0)
        true = true | as_bits(today.did(behaviour) & (today.uniform(STREAM + offset) < chance), behaviour)
    # False reports: each informant files one, against a random tie, at the daily rate. Drawn
    # over n / 100 random candidates rather than every agent (the rate's range allows it).
    n = today.layout.n
    draws = max(16, n // 100)
    who = rnd.integers(today.words, STREAM + 4, draws, n)
    files = (
        state.informant[who]
        & today.free[who]
        & (world.degree[who] > 0)
        & (rnd.uniform(today.words, STREAM + 5, draws) < today.p("informants.false_report_rate") * n / draws)
    )
    degree = world.degree[who]
    position = jnp.minimum((rnd.uniform(today.words, STREAM + 6, draws) * degree).astype(jnp.int32), jnp.maximum(degree - 1, 0))
    target = jnp.where(files, ties.tie_at(world, who, position), n)
    accused = jnp.zeros(n, bool).at[target].set(True, mode="drop")
    return Records(true_bits=true, wrongful_bits=as_bits(accused, CRITICISE), innocuous=jnp.float32(0.0))
