"""The daily metrics: their names, units and meaning, and how each day's are computed.

Regional metrics are computed for each region and for the country ("ALL"); national ones
(the analysts' queues, the timeline's levels) for the country alone. Rates are per
100,000 adults (aged 17+) per day; shares are of adults unless stated; record counts are
in records, scaled to the 26.5 million people the agents stand for.

The freedom index is the mean, over adults who want at least one behaviour or are
detained, of the share of the behaviours they want that they are willing to do (0 for the
detained). An adult *wants* a behaviour when their motive alone passes its threshold and
is *willing* when motive minus risk aversion times perceived risk still does. It is 1
where nobody is deterred or detained and falls towards 0 as risk silences people; the
country's value is the regions' average weighted by those adults.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp

from panopticum.engine.world import region_totals
from panopticum.params.model import BEHAVIOURS, CHANNELS

PER = 1e5

DOING = {
    "trade": "trade in the market",
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
        out.append(Metric(f"willing_{b}", "share of adults", f"Adults willing to {DOING[b]}: motive minus risk aversion times perceived risk passes the threshold."))
    for b in BEHAVIOURS:
        out.append(Metric(f"perceived_risk_{b}", "probability", f"Mean perceived risk among adults of being punished if they {DOING[b]}."))
    out.append(Metric("media_access", "share of adults", "Adults holding foreign media files."))
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
        Metric("share_detained", "share of adults", "Adults in detention."),
        Metric("share_in_system", "share of people", "People in the surveillance system: security and police officers, inminban heads, institution administrators, informants (the article's '1 in 20')."),
        Metric("digital_awareness", "0-1", "Mean awareness of the digital channels among adults."),
        Metric("freedom_index", "0-1", "Mean over adults who want at least one behaviour (or are detained) of the share of what they want that they are willing to do; 0 for the detained."),
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


def compute(today, choices, analysed, outcome, new_state, layout) -> tuple[jax.Array, jax.Array]:
    """``(regional [n_regions + 1, len(REGIONAL)], national [len(NATIONAL)])`` float32."""
    world = today.world
    adult = world.adult
    tot = lambda x: region_totals(x, world, layout)  # noqa: E731
    adults = jnp.maximum(tot(adult), 1.0)
    people = jnp.maximum(tot(jnp.ones_like(adult)), 1.0)
    rate = lambda x: tot(x & adult) / adults * PER  # noqa: E731
    share = lambda x: tot(x & adult) / adults  # noqa: E731
    mean = lambda x: tot(jnp.where(adult, x, 0.0)) / adults  # noqa: E731
    cols = []
    for b in range(len(BEHAVIOURS)):
        cols.append(share(today.did(b)))
    for b in range(len(BEHAVIOURS)):
        cols.append(share(choices.willing[b]))
    risk = 1.0 - jnp.exp(-today.params["beliefs.sensitivity"] * new_state.evidence)
    for b in range(len(BEHAVIOURS)):
        cols.append(mean(risk[b]))
    cols.append(share(new_state.media_access))
    detected_true = (analysed.detected & jnp.uint8(0x0F)) != 0
    for c in range(len(CHANNELS)):
        cols.append(rate(detected_true[c] & today.free))
    cols.append(rate(jnp.any(detected_true, axis=0) & today.free))
    for x in (outcome.investigated, outcome.punished, outcome.bribed, outcome.fined, outcome.detained_new, outcome.wrongful):
        cols.append(rate(x))
    detained_share = share(new_state.detained > 0)
    cols.append(detained_share)
    cols.append(tot(world.in_system_fixed | new_state.informant) / people)
    cols.append(mean(new_state.awareness))
    wants = choices.wanting.sum(axis=0)
    willing_count = choices.willing.sum(axis=0)
    locked = adult & ~today.free
    counted = adult & ((wants > 0) | locked)
    freedom = jnp.where(wants > 0, willing_count / jnp.maximum(wants, 1), 0.0)
    cols.append(tot(jnp.where(counted, freedom, 0.0)) / jnp.maximum(tot(counted), 1.0))
    regional = jnp.stack(cols, axis=1)

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
    return regional.astype(jnp.float32), national.astype(jnp.float32)
