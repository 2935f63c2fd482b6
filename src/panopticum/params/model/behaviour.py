"""Choice: motives, thresholds and frequencies of the small freedoms."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, rate, share

BEHAVIOUR = {
    "trade": {
        "motive_base": share(
            0.4,
            "free parameter, range 0-0.6; informal activity is at least 70% of household "
            "income (Kim Byung-yeon refugee surveys [M])",
            "Motive to trade in the market that every adult has, before hardship.",
            high=0.6,
        ),
        "motive_hardship": share(
            0.55,
            "free parameter, range 0-1; 48% of 2016-19 leavers worked in the private sector (Ministry of Unification [M])",
            "Extra motive to trade per unit of household hardship (1 - means).",
        ),
        "motive_trader": share(
            0.35,
            "free parameter, range 0-0.6; dependants who trade live on it (Kim Byung-yeon [M])",
            "Extra motive for agents registered as dependants who trade in the markets.",
            high=0.6,
        ),
        "illicit_share": share(
            0.3,
            "official markets legal since 2003; informal activity is most household income (Kim Byung-yeon [M]); free",
            "Share of trading days that involve something illicit (prohibited goods, trading away from assigned work); the rest is legal.",
        ),
        "threshold": share(0.2, FREE + ", range 0-0.8", "Epstein's threshold T for trading.", high=0.8),
        "frequency": rate(
            0.7,
            0.05,
            1.0,
            "per day",
            "markets open daily; most traders work most days (Lankov 2023 [M])",
            "Chance that a willing agent trades on a given day.",
        ),
    },
    "media": {
        "motive_curiosity": share(
            0.8,
            "free parameter, range 0.2-1; 83.3% of 2016-20 leavers had watched foreign "
            "video (Ministry of Unification 2024 [H-M])",
            "Weight of personal curiosity (uniform 0-1 per agent) in the motive to watch.",
            low=0.2,
        ),
        "threshold": share(0.1, FREE + ", range 0-0.8", "Epstein's threshold T for watching.", high=0.8),
        "frequency": rate(
            0.12,
            0.01,
            1.0,
            "per day",
            "28% of a 2022 sample watched weekly, 46% monthly (Unification Media Group [M])",
            "Chance that a willing agent with media watches on a given day.",
        ),
        "on_phone_share": share(
            0.3,
            FREE + "; phones carry media files (Williams 2019 [M])",
            "Share of viewing done on a registered phone (when the agent has one).",
        ),
        "at_institution_share": share(
            0.05,
            FREE + ", range 0-0.3",
            "Share of viewing done at school or work.",
            high=0.3,
        ),
    },
    "criticise": {
        "grievance_hardship": share(
            0.6,
            "free parameter, range 0-1; Epstein's grievance G = H(1 - L) (PNAS 2002)",
            "Weight of hardship in grievance.",
        ),
        "legitimacy_core": share(0.85, FREE + "; Epstein's L by songbun class", "Perceived legitimacy among the core class."),
        "legitimacy_wavering": share(0.7, FREE, "Perceived legitimacy among the wavering class."),
        "legitimacy_hostile": share(0.5, FREE, "Perceived legitimacy among the hostile class."),
        "media_grievance": share(
            0.3,
            "free parameter, range 0-1; 56.3% of 2016-20 leavers viewed the succession "
            "negatively (Ministry of Unification 2024 [H-M])",
            "Grievance added by habitual foreign-media watching (exposure 0-1).",
        ),
        "threshold": share(0.1, FREE + ", range 0-0.8", "Epstein's threshold T for criticising.", high=0.8),
        "frequency": rate(
            0.05, 0.005, 1.0, "per day", FREE, "Chance that a willing agent criticises to a trusted tie on a given day."
        ),
        "at_institution_share": share(0.3, FREE, "Share of criticism said at school or work rather than at home."),
        "by_phone_share": share(0.1, FREE, "Share of criticism written or said on a registered phone."),
    },
    "call": {
        "motive_base": share(
            0.5,
            FREE + "; remittance and family calls across the border (Daily NK [L])",
            "Motive to call relatives abroad on a smuggled phone.",
        ),
        "motive_hardship": share(0.3, FREE, "Extra motive per unit of hardship (remittances)."),
        "threshold": share(0.2, FREE + ", range 0-0.8", "Epstein's threshold T for calling.", high=0.8),
        "frequency": rate(
            0.04, 0.005, 1.0, "per day", FREE, "Chance that a willing agent with a smuggled phone calls on a given day."
        ),
        "smuggled_phone_share_border": share(
            0.08,
            "free parameter, range 0-0.3; no count of users is published (north-korea.md)",
            "Share of adults in border provinces with relatives abroad who hold a Chinese phone.",
            high=0.3,
        ),
    },
    "exposure_memory_days": rate(60.0, 1.0, 730.0, "days", FREE, "Time scale over which media exposure fades."),
}
