"""Escape: the daily hazard of crossing into China."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, enabled, rate

ESCAPE = {
    "enabled": enabled("escape across the border"),
    "rate": rate(
        4.5e-5,
        0.0,
        0.01,
        "per adult per year",
        "1,047 arrivals in South Korea in 2019 (Ministry of Unification [H]), about 4 per "
        "100,000 people a year, and more leave than arrive; free",
        "Yearly hazard of leaving for an adult in a border province with no other push or pull (applied per day as rate / 365).",
    ),
    "inland_multiplier": rate(
        0.15,
        0.0,
        1.0,
        "-",
        "82.1% of the Ministry of Unification's defectors came from border provinces [H-M]",
        "Hazard away from the border provinces relative to them.",
    ),
    "pyongyang_multiplier": rate(
        0.1,
        0.0,
        1.0,
        "-",
        "2.7% of the Ministry of Unification's defectors came from Pyongyang [H-M]",
        "Hazard in Pyongyang relative to other inland provinces.",
    ),
    "female_multiplier": rate(
        4.0,
        1.0,
        10.0,
        "-",
        "about 80% of arrivals are women (81.8% of the Ministry's sample [H-M])",
        "Hazard of women relative to men.",
    ),
    "trader_multiplier": rate(
        2.0,
        1.0,
        10.0,
        "-",
        FREE + "; traders know the routes and brokers",
        "Hazard of those who trade illicitly relative to others.",
    ),
    "punished_multiplier": rate(
        3.0, 1.0, 20.0, "-", FREE + "; flight after punishment", "Hazard of those ever punished relative to others."
    ),
    "relatives_multiplier": rate(
        3.0,
        1.0,
        20.0,
        "-",
        FREE + "; relatives abroad pay brokers [M]",
        "Hazard of those with relatives abroad relative to others.",
    ),
    "kin_left_multiplier": rate(
        5.0,
        1.0,
        50.0,
        "-",
        FREE + "; chain migration through kin who left",
        "Hazard of those with a tie who left relative to others.",
    ),
    "closure_multiplier": rate(
        0.06,
        0.0,
        1.0,
        "-",
        "arrivals fell from 1,047 (2019) to 63 (2021): 0.06 (Ministry of Unification [H])",
        "Hazard while the border is closed relative to before the closure.",
    ),
    "after_reopening": rate(
        0.25, 0.0, 1.0, "-",
        "arrivals were 236 in 2024 against 1,047 in 2019 (Ministry of Unification [H]); fences and buffer zones stayed",
        "Hazard once the border has reopened, relative to before the closure (reached over timeline.reopening_days).",
    ),
}
