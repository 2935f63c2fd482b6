"""Beliefs: perceived per-act risk learned along ties, awareness of the digital channels."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, Param, rate, share

BELIEFS = {
    "initial_risk": {
        b: Param(v, "per act", 0.0, 0.5, s, f"Prior estimate of the chance of punishment per act of {b}.")
        for b, v, s in (
            ("trade", 0.002, FREE + ", range 0-0.5"),
            ("media", 0.01, "75% had witnessed a punishment for media (2019, 200 defectors [M]); free, range 0-0.5"),
            ("criticise", 0.01, FREE + ", range 0-0.5"),
            ("call", 0.02, FREE + ", range 0-0.5"),
        )
    },
    "prior_acts": rate(
        20.0,
        1.0,
        1000.0,
        "acts",
        FREE + "; the weight of a Beta prior in pseudo-acts",
        "Strength of the prior: how many observed acts it weighs as.",
    ),
    "act_visibility": share(
        0.25,
        FREE + "; what ties know of each other's acts",
        "Share of a tie's acts an agent learns of (and counts as acts not punished, unless punished).",
    ),
    "punishment_visibility": share(
        0.5,
        "75% of 2019 defectors had witnessed a punishment for foreign media (Unification Media Group [M]); free",
        "Share of a tie's punishments an agent learns of.",
    ),
    "own_punishment_weight": rate(
        5.0,
        0.0,
        100.0,
        "punishments",
        FREE + "; being punished oneself teaches strongly",
        "How many punishments seen one's own punishment counts as.",
    ),
    "campaign_weight": rate(
        0.5,
        0.0,
        20.0,
        "punishments per adult",
        FREE + "; public trials and campaigns announcing the 2020 law [M]",
        "Punishments every adult learns of from one public campaign against a behaviour (a dated timeline event).",
    ),
    "horizon_days": rate(
        365.0,
        7.0,
        3650.0,
        "days",
        FREE + "; a habit is weighed over months, not one act",
        "Period over which an agent weighs the risk of a behaviour done at its usual frequency.",
    ),
    "severity_exponent": rate(
        0.5,
        0.0,
        2.0,
        "-",
        "Epstein's J^alpha term (Epstein 2002; 0 gives Model 1); free",
        "Weight of the expected sentence in the decision: net risk = R x P x J^alpha, J in years.",
    ),
    "memory_days": rate(
        180.0,
        7.0,
        3650.0,
        "days",
        FREE,
        "Time scale over which observed acts and punishments fade from memory.",
    ),
    "initial_awareness": share(
        0.1,
        "citizens 'largely unaware' of digital surveillance (Williams and Slavney 2024 [L-M])",
        "Awareness of digital channels at the start, 0-1.",
    ),
    "awareness_gain": share(
        0.3,
        FREE,
        "Share of the remaining unawareness lost for each tie seen punished through a digital channel.",
    ),
    "evasion": share(0.8, FREE, "How fully an aware person keeps acts away from phones and cameras."),
    "cadence_days": Param(
        7,
        "days",
        1,
        365,
        FREE + "; ties meet and talk about weekly",
        "Interval between updates along personal ties (media passed on, acts and punishments seen); rates keep their units whatever it is.",
    ),
}
