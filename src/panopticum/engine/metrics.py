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

from panopticum.engine.reduce import region_sums
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
    """``(regional [n_regions + 1, len(REGIONAL)], national [len(NATIONAL)])`` float32.

    Every per-agent quantity is summed per region in one grouped reduction
    (:func:`~panopticum.engine.reduce.region_sums`), then turned into rates and shares.
    """
    world = today.world
    adult = world.adult
    n_b, n_c = len(BEHAVIOURS), len(CHANNELS)
    risk = 1.0 - jnp.exp(-today.params["beliefs.sensitivity"] * new_state.evidence)
    detected_true = [((analysed.detected[c] & jnp.uint8(0x0F)) != 0) & today.free & adult for c in range(n_c)]
    detected_any = detected_true[0]
    for d in detected_true[1:]:
        detected_any = detected_any | d
    wants = choices.wanting.sum(axis=0)
    willing_count = choices.willing.sum(axis=0)
    counted = adult & ((wants > 0) | ~today.free)
    freedom = jnp.where(wants > 0, willing_count / jnp.maximum(wants, 1), 0.0)

    columns = (
        [adult]
        + [today.did(b) & adult for b in range(n_b)]
        + [choices.willing[b] & adult for b in range(n_b)]
        + [jnp.where(adult, risk[b], 0.0) for b in range(n_b)]
        + [new_state.media_access & adult]
        + detected_true
        + [detected_any]
        + [x & adult for x in (outcome.investigated, outcome.punished, outcome.bribed, outcome.fined, outcome.detained_new, outcome.wrongful)]
        + [(new_state.detained > 0) & adult]
        + [world.in_system_fixed | new_state.informant]
        + [jnp.where(adult, new_state.awareness, 0.0)]
        + [jnp.where(counted, freedom, 0.0), counted]
    )
    totals = region_sums(columns, layout.region_bounds)  # [columns, regions + 1]
    adults = jnp.maximum(totals[0], 1.0)
    people = jnp.asarray([e - s for s, e in layout.region_bounds] + [layout.n], jnp.float32)
    i = 1
    cols = []
    for _ in range(3 * n_b + 1):  # prevalence, willing, perceived risk, media access
        cols.append(totals[i] / adults)
        i += 1
    for _ in range(n_c + 1 + 6):  # detections by channel and in all, enforcement outcomes
        cols.append(totals[i] / adults * PER)
        i += 1
    cols.append(totals[i] / adults)  # share detained
    cols.append(totals[i + 1] / jnp.maximum(people, 1.0))  # share in the system
    cols.append(totals[i + 2] / adults)  # digital awareness
    cols.append(totals[i + 3] / jnp.maximum(totals[i + 4], 1.0))  # freedom index
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
