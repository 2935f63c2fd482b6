"""Foreign media: supply, sharing along ties, loss."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, rate, share

MEDIA = {
    "initial_access_share": share(
        0.35,
        "free parameter; 83.3% of leavers had watched at some point (Ministry of "
        "Unification 2024 [H-M]), far fewer hold media at a given time",
        "Share of adults who hold foreign media files at the start.",
    ),
    "smuggling_rate_border": rate(
        0.002,
        0.0,
        0.05,
        "per day",
        FREE + "; media enter through the border provinces (Unification Media Group [M])",
        "Daily chance that an adult in a border province obtains media while the border is open.",
    ),
    "market_rate": rate(
        0.002,
        0.0,
        0.05,
        "per day",
        "free parameter; 22% name markets as a source (Unification Media Group [M])",
        "Daily chance that an agent trading that day obtains media while supply flows.",
    ),
    "relatives_rate": rate(
        0.003,
        0.0,
        0.05,
        "per day",
        "free parameter; 64% name relatives as a source (Unification Media Group [M])",
        "Daily chance that an agent with relatives abroad obtains media while supply flows.",
    ),
    "share_rate": rate(
        0.005,
        0.0,
        0.5,
        "per week per sharing tie",
        "free parameter; 50% name friends as a source (Unification Media Group [M])",
        "Weekly chance that a tie holding media passes it on.",
    ),
    "sharing_needs_supply": share(
        0.7,
        FREE + "; what circulates is mostly new titles (Unification Media Group [M])",
        "Share of passing-on along ties that depends on fresh supply across the border.",
    ),
    "loss_rate": rate(
        0.008,
        0.0,
        0.1,
        "per day",
        FREE + "; files deleted, drives lost or passed on",
        "Daily chance that an agent stops holding media.",
    ),
    "closed_border_supply": share(
        0.15,
        "China-North Korea trade fell from $2.8B (2019) to $318M (2021), about 0.11-0.19 of its level (north-korea.md [H])",
        "Media and goods supply while the border is closed, as a share of open-border supply.",
    ),
}
