"""The daily metrics: their names, units and meaning, and how each day's are computed.

Regional metrics are computed for each region and for the country ("ALL"); national ones
(the analysts' queues, the timeline's levels) for the country alone. Rates are per
100,000 adults (aged 17+) per day; shares are of adults unless stated; record counts are
in records, scaled to the 26.5 million people the agents stand for.

The freedom index is the mean, over resident adults who want at least one behaviour or are
detained, of the share of the behaviours they want that they are willing to do (0 for the
detained). An adult *wants* a behaviour when their motive alone passes its threshold and
is *willing* when motive minus net risk still does. It is 1 where nobody is deterred or
detained and falls towards 0 as risk silences people; the country's value is the regions'
average weighted by those adults.

Adults here are the adults still in the country: those who left drop out of every share
and rate from the day after they leave.

The true per-act risk of a behaviour is the number punished for it over the number of
acts of it, both as moving sums over ``TRUE_RISK_DAYS`` days (punishment lags the act by
the time records wait for analysis, so a daily ratio would be noise).
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from panopticum.engine.reduce import region_sums
from panopticum.engine.state import NOT_LEFT
from panopticum.params.model import BEHAVIOURS, CHANNELS, DETENTION_KINDS

PER = 1e5
TRUE_RISK_DAYS = 90

DOING = {
    "trade": "trade illicitly (prohibited goods, away from assigned work)",
    "media": "watch foreign media",
    "criticise": "criticise the government to a trusted tie",
    "call": "call across the border on a smuggled phone",
}


@dataclasses.dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    description: str


def _regional() -> list[Metric]:
    out = []
    for b in BEHAVIOURS:
        out.append(Metric(f"prevalence_{b}", "share of adults", f"Adults who {DOING[b]} on the day."))
    for b in BEHAVIOURS:
        out.append(Metric(f"willing_{b}", "share of adults", f"Adults willing to {DOING[b]}: motive minus net risk (risk aversion x perceived risk over the horizon x severity^alpha) passes the threshold."))
    for b in BEHAVIOURS:
        out.append(Metric(f"perceived_risk_{b}", "per act", f"Mean perceived chance among adults of being punished for each time they {DOING[b]}, at the end of the day (after the day's tie update, if any: the next day's choices are made on it)."))
    for b in BEHAVIOURS:
        out.append(Metric(f"true_risk_{b}", "per act", f"People punished for acts to {DOING[b]} over such acts, moving sums over {TRUE_RISK_DAYS} days."))
    out.append(Metric("media_access", "share of adults", "Adults holding foreign media files."))
    out.append(Metric("prevalence_trade_legal", "share of adults", "Adults who trade in the markets that day without anything illicit (legal since 2003)."))
    for c in CHANNELS:
        out.append(Metric(f"detections_{c}", "per 100,000 adults per day", f"People with a true record from {c} analysed that day."))
    out += [
        Metric("detections_all", "per 100,000 adults per day", "People with at least one true record analysed that day."),
        Metric("investigated", "per 100,000 adults per day", "People investigated after an analysed record."),
        Metric("punished", "per 100,000 adults per day", "People fined or detained."),
        Metric("bribed", "per 100,000 adults per day", "Investigations ended by a bribe."),
        Metric("fined", "per 100,000 adults per day", "People fined."),
        Metric("detained_new", "per 100,000 adults per day", "People sent to detention."),
        Metric("wrongful_punishments", "per 100,000 adults per day", "People punished on wrongful records alone (false reports, false matches)."),
        *[Metric(f"punished_{b}", "per 100,000 adults per day", f"People punished for acts to {DOING[b]}.") for b in BEHAVIOURS],
        Metric("share_detained", "share of adults", "Adults in detention, every kind."),
        *[Metric(f"share_detained_{k}", "share of adults", f"Adults held in {k.replace('_', ' ')}.") for k in DETENTION_KINDS],
        Metric("targeted_inspections", "per 100,000 adults per day", "Inspections on an open lead (an analysed record or report)."),
        Metric("targeted_inspections_digital", "per 100,000 adults per day", "Inspections on a lead that a digital channel's analysed record opened."),
        Metric("departures", "per 100,000 adults per day", "Adults who left the country that day."),
        Metric("departures_female", "per 100,000 adults per day", "Women who left the country that day."),
        Metric("departure_hazard", "per 100,000 adults per day", "Expected departures that day: the sum of everyone's chance of leaving."),
        Metric("share_in_system", "share of people", "People in the country and free who are in the surveillance system: security and police officers, inminban heads, institution administrators, serving informants (the article's '1 in 20')."),
        Metric("digital_awareness", "0-1", "Mean awareness of the digital channels among adults."),
        Metric("freedom_index", "0-1", "Mean over resident adults who want at least one behaviour (or are detained) of the share of what they want that they are willing to do; 0 for the detained."),
    ]
    return out


def _national() -> list[Metric]:
    out = []
    for c in CHANNELS:
        out.append(Metric(f"records_collected_{c}", "records per day", f"Records {c} produced that day, incriminating and innocuous."))
    for c in CHANNELS:
        out.append(Metric(f"records_analysed_{c}", "records per day", f"Records of {c} analysed that day."))
    for c in CHANNELS:
        out.append(Metric(f"backlog_{c}", "records", f"Records of {c} waiting for analysis at the end of the day."))
    out += [
        Metric("supply", "0-1", "Foreign media and goods supply relative to an open border (timeline)."),
        Metric("camera_rollout", "0-1", "Camera coverage as a share of its full value (timeline)."),
        Metric("enrolment", "share of adults", "Adults enrolled in the biometric ID database (timeline)."),
        Metric("law_in_force", "0/1", "The December 2020 law's terms apply (timeline)."),
        Metric("border_closed", "0/1", "The border is closed (timeline)."),
    ]
    return out


REGIONAL = _regional()
NATIONAL = _national()
ALL_METRICS = {m.name: m for m in REGIONAL + NATIONAL}


def compute(today, choices, analysed, outcome, new_state, layout, hazard, leaving) -> tuple[tuple[jax.Array, jax.Array], jax.Array]:
    """``((regional [n_regions + 1, len(REGIONAL)], national [len(NATIONAL)]), risk_tally)``.

    Every per-agent quantity is summed per region in one grouped reduction
    (:func:`~panopticum.engine.reduce.region_sums`), then turned into rates and shares;
    the true per-act risk's moving sums are carried in the state.
    """
    world, state = today.world, today.state
    adult = world.adult & today.here  # the adults of the day, before today's departures
    n_b, n_c = len(BEHAVIOURS), len(CHANNELS)
    # The perceived risk at the end of the day, after the day's tie update if there is one
    # (as awareness is). Read from the state before the update, the risk had to be kept
    # alive past it, and XLA copied it twice every day (docs/engine.md).
    risk = new_state.risk
    detected_true = [((analysed.detected[c] & jnp.uint8(0x0F)) != 0) & today.free & adult for c in range(n_c)]
    detected_any = detected_true[0]
    for d in detected_true[1:]:
        detected_any = detected_any | d
    wants = jax.lax.population_count(choices.wanting_bits).astype(jnp.int32)
    willing_count = jax.lax.population_count(choices.willing_bits).astype(jnp.int32)
    counted = adult & ((wants > 0) | ~today.free)
    freedom = jnp.where(wants > 0, willing_count / jnp.maximum(wants, 1), 0.0)
    from panopticum.engine.channels import inspections

    targeted = inspections.targeted(today) & (today.p("inspections.enabled") > 0.5)
    still_here = new_state.left_day == NOT_LEFT
    acts = [today.did(b) & adult for b in range(n_b)]
    punished_b = [((outcome.punished_for >> b) & 1 == 1) & adult for b in range(n_b)]

    columns = (
        [adult]
        + acts
        + [((choices.willing_bits >> b) & 1 == 1) & adult for b in range(n_b)]
        + [jnp.where(adult, risk[b], 0.0) for b in range(n_b)]
        + [new_state.media_access & adult, choices.market & ~today.did(0) & adult]
        + detected_true
        + [detected_any]
        + [x & adult for x in (outcome.investigated, outcome.punished, outcome.bribed, outcome.fined, outcome.detained_new, outcome.wrongful)]
        + punished_b
        + [(new_state.detained > 0) & adult]
        + [(new_state.detention_kind == k + 1) & adult for k in range(len(DETENTION_KINDS))]
        + [targeted & adult, targeted & (state.lead & inspections.DIGITAL_LEAD != 0) & adult]
        + [leaving & adult, leaving & world.female & adult, jnp.where(adult, hazard, 0.0)]
        + [(world.in_system_fixed | new_state.informant) & new_state.free]
        + [jnp.where(adult, new_state.awareness, 0.0)]
        + [jnp.where(counted, freedom, 0.0), counted, still_here]
    )
    totals = region_sums(columns, layout.region_bounds)  # [columns, regions + 1]
    adults = jnp.maximum(totals[0], 1.0)
    i = 1

    def take(k: int) -> jax.Array:
        nonlocal i
        out = totals[i : i + k]
        i += k
        return out

    acts_share, willing, perceived, held = take(n_b) / adults, take(n_b) / adults, take(n_b) / adults, take(2) / adults
    detections = take(n_c + 1 + 6) / adults * PER
    punished_share = take(n_b) / adults
    detained = take(1 + len(DETENTION_KINDS)) / adults
    flows = take(5) / adults * PER
    in_system, awareness, freedom_sum, counted_sum, people = take(1), take(1) / adults, take(1), take(1), take(1)

    keep = jnp.exp(-1.0 / TRUE_RISK_DAYS)
    tally = state.risk_tally * keep + jnp.stack([punished_share, acts_share])
    true_risk = tally[0] / jnp.maximum(tally[1], 1e-12)
    regional = jnp.concatenate(
        [
            acts_share,
            willing,
            perceived,
            true_risk,
            held,
            detections,
            punished_share * PER,
            detained,
            flows,
            in_system / jnp.maximum(people, 1.0),
            awareness,
            freedom_sum / jnp.maximum(counted_sum, 1.0),
        ]
    ).T

    scale = layout.scale
    lv = today.levels
    national = jnp.concatenate(
        [
            analysed.collected * scale,
            analysed.analysed * scale,
            analysed.waiting * scale,
            jnp.stack([lv.supply, lv.cameras, lv.enrolment, lv.law, lv.border_closed]),
        ]
    )
    return (regional.astype(jnp.float32), national.astype(jnp.float32)), tally
