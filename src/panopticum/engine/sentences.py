"""Sentences: what each offence costs, as the courts hand it out and as agents weigh it.

Illicit trading is fined or, sometimes, sent to labour training; foreign media gets labour
training, or correctional labour (5-15 years) under the December 2020 law when the content
is South Korean (``enforcement.law_share_media`` of cases);
criticism sends a share of cases to a political prison camp and the rest to correctional
labour; calls across the border get labour training. Terms are uniform on
``mean x [1 - spread, 1 + spread]``. When a case holds several offences the one with the
longest mean term decides.

The same table gives the expected severity ``J`` (years of detention, a fine counted at
``enforcement.fine_severity_years``) that enters the decision as Epstein's ``J^alpha``.
"""

from __future__ import annotations

import jax.numpy as jnp

from panopticum.engine.state import CORRECTIONAL, LABOUR_TRAINING, POLITICAL_CAMP

YEAR = 365.0


def mean_terms_by_kind(p: dict) -> tuple:
    """Mean term in days of a typical prisoner of each kind, for the stocks on day 0:
    labour training as for illicit trading, correctional labour as for foreign media under
    the law, the camps as for criticism."""
    return p["enforcement.term_trade"], p["enforcement.term_media_law"], p["enforcement.term_criticise"]


def term_bounds(mean: jnp.ndarray, p: dict) -> tuple[jnp.ndarray, jnp.ndarray]:
    spread = p["enforcement.term_spread"]
    return mean * (1.0 - spread), mean * (1.0 + spread)


def offence_terms(p: dict, law: jnp.ndarray, to_camp: jnp.ndarray, trade_detained: jnp.ndarray, south_korean: jnp.ndarray):
    """Per behaviour ``(kind, mean term in days)``: lists of B arrays (scalars or ``[n]``);
    kind 0 with term 0 is a fine. ``south_korean``: the media case involves South Korean
    content (the law's correctional terms apply once it is in force)."""
    under_law = law & south_korean
    media_kind = jnp.where(under_law, CORRECTIONAL, LABOUR_TRAINING)
    media_term = jnp.where(under_law, p["enforcement.term_media_law"], p["enforcement.term_media"])
    kinds = [
        jnp.where(trade_detained, LABOUR_TRAINING, 0),
        media_kind,
        jnp.where(to_camp, POLITICAL_CAMP, CORRECTIONAL),
        jnp.int32(LABOUR_TRAINING),
    ]
    terms = [
        jnp.where(trade_detained, p["enforcement.term_trade"], 0.0),
        media_term,
        jnp.where(to_camp, p["enforcement.term_criticise"], p["enforcement.term_criticise_correctional"]),
        p["enforcement.term_call"],
    ]
    return kinds, terms


def expected_severity(p: dict, law: jnp.ndarray) -> jnp.ndarray:
    """float32 ``[B]``: expected years of detention a punishment for each behaviour brings,
    fines counted at their weight (never below it, so ``J^alpha`` stays finite)."""
    fine = p["enforcement.fine_severity_years"]
    detain = p["enforcement.detain_trade"]
    camp = p["enforcement.camp_share_criticise"]
    korean = p["enforcement.law_share_media"] * law
    media = korean * p["enforcement.term_media_law"] + (1.0 - korean) * p["enforcement.term_media"]
    years = jnp.stack(
        [
            detain * p["enforcement.term_trade"] / YEAR + (1.0 - detain) * fine,
            media / YEAR,
            (camp * p["enforcement.term_criticise"] + (1.0 - camp) * p["enforcement.term_criticise_correctional"]) / YEAR,
            p["enforcement.term_call"] / YEAR,
        ]
    )
    return jnp.maximum(years, jnp.maximum(fine, 1e-3))
