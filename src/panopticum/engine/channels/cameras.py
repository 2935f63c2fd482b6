"""Cameras by kind of place and region, and facial recognition on what they record.

Coverage is set per kind of place (school, workplace, market, station, border) at full
rollout, scaled by the rollout's progress, up in Pyongyang and down in the countryside.
An act in a covered place is on a stored recording with some chance; an aware person keeps
acts out of view (evasion). A recorded person is identified by facial recognition if they
are enrolled in the biometric ID database (adults, as the rollout reaches them) at the
true-match rate, or else by an analyst at the manual rate. Facial recognition also
matches some footage records to the wrong enrolled person (the false-match rate):
wrongful records of trading, since market footage is the bulk of what cameras keep. Only rates: nobody is
identified by anything in this code.

Places: illicit trading at a market (and a station when the day involves travel); viewing and
criticism said at school or work; calls from the border provinces (border cameras).
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.channels import Records
from panopticum.engine.context import as_bits
from panopticum.engine.reduce import sums
from panopticum.engine.state import CALL, CRITICISE, MEDIA, TRADE
from panopticum.engine.world import PLACE_SCHOOL, PLACE_WORKPLACE

STREAM = 60


def local_level(today) -> jnp.ndarray:
    """Per-agent multiplier of every kind's coverage: rollout x Pyongyang x countryside."""
    world, p = today.world, today.p
    return (
        jnp.where(world.pyongyang, p("cameras.pyongyang_multiplier"), 1.0)
        * jnp.where(world.urban, 1.0, p("cameras.rural_multiplier"))
        * today.levels.cameras
    )


def coverage(today, kind: str, local: jnp.ndarray) -> jnp.ndarray:
    """Per-agent coverage of a kind of place today, in [0, 1]."""
    return jnp.minimum(today.p(f"cameras.coverage_{kind}") * local, 1.0)


def records(today) -> Records:
    world, state, p = today.world, today.state, today.p
    local = local_level(today)
    institution_cover = jnp.where(
        world.place == PLACE_SCHOOL,
        coverage(today, "school", local),
        jnp.where(world.place == PLACE_WORKPLACE, coverage(today, "workplace", local), 0.0),
    )
    travel = today.uniform(STREAM) < p("cameras.trade_travel_share")
    market = 1.0 - (1.0 - coverage(today, "market", local)) * (1.0 - jnp.where(travel, coverage(today, "station", local), 0.0))
    in_view = (
        today.did(TRADE) * market,
        today.did(MEDIA) * today.watched_at_work * institution_cover,
        today.did(CRITICISE) * today.criticised_at_work * institution_cover,
        today.did(CALL) * world.border * coverage(today, "border", local),
    )
    enrolled = world.adult & (state.enrol_rank < today.levels.enrolment)
    face = p("facial_recognition.enabled") * today.levels.face_recognition
    identify = jnp.where(
        enrolled,
        face * p("facial_recognition.true_match") + (1.0 - face) * p("cameras.manual_identification"),
        p("cameras.manual_identification"),
    )
    recorded_and_identified = p("cameras.recorded_act_prob") * today.evasion * identify
    true = jnp.zeros(today.layout.n, jnp.uint8)
    for b in range(4):
        hit = today.uniform(STREAM + 1 + b) < in_view[b] * recorded_and_identified
        true = true | as_bits(hit, b)
    # Innocuous footage: everyone present in a covered school or workplace, and everyone
    # trading in the market (legal trading is most of it).
    present = today.free & world.can_act
    footage = p("cameras.records_per_person_day") * (present * institution_cover + today.market * market)
    eligible = enrolled & today.free
    footage_total, eligible_count = sums([footage, eligible])
    # Footage is the bulk of what facial recognition runs on; its false matches become
    # wrongful records of trading against random enrolled people, each with the same chance,
    # so the day's false matches keep their expected number however large (up to one a person).
    expected_false = p("facial_recognition.false_match") * face * footage_total
    wrong = eligible & (today.uniform(STREAM + 8) < expected_false / jnp.maximum(eligible_count, 1.0))
    return Records(true_bits=true, wrongful_bits=as_bits(wrong, TRADE), innocuous=footage_total)
