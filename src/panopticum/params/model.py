"""Every parameter of the day-by-day model, with its unit, range, default and source.

The tree's top-level keys name the model's processes (``behaviour``, ``media``, one key per
surveillance channel, ``analysis``, ``enforcement``, ``beliefs``, ``timeline``); a
parameter's dotted path is its name everywhere. Rates "per day" are probabilities per
agent (or household, unit) per day. Counts "per 100,000 people" scale with the population
the agents stand for, so results do not depend on the number of agents.

Sources are abbreviated; docs/odd.md gives the references in full. Tags follow
research/north-korea.md: [H] official or census data, [M] think tank or survey, [L] single
insider report; "free parameter" marks a value nobody has published, with the range that
sensitivity analysis should explore.

Standard library only.
"""

from __future__ import annotations

import datetime as _dt

from panopticum.params.spec import Param

D = _dt.date
FREE = "free parameter"

BEHAVIOURS = ("trade", "media", "criticise", "call")
"""The small freedoms agents choose each day, in the engine's order."""

CHANNELS = (
    "informants",
    "inminban",
    "workplace",
    "cameras",
    "phones",
    "radio",
    "inspections",
)
"""The surveillance channels, in the engine's order (also the order of the record queues)."""


def _rate(default, low, high, unit, source, doc):
    return Param(default, unit, low, high, source, doc)


def _share(default, source, doc, low=0.0, high=1.0):
    return Param(default, "share", low, high, source, doc)


def _enabled(what):
    return Param(True, "on/off", None, None, "scenario switch", f"Whether {what} operates at all.")


MODEL_SPEC = {
    "behaviour": {
        "trade": {
            "motive_base": _share(
                0.4,
                "free parameter, range 0-0.6; informal activity is at least 70% of household "
                "income (Kim Byung-yeon refugee surveys [M])",
                "Motive to trade in the market that every adult has, before hardship.",
                high=0.6,
            ),
            "motive_hardship": _share(
                0.55,
                "free parameter, range 0-1; 48% of 2016-19 leavers worked in the private "
                "sector (Ministry of Unification [M])",
                "Extra motive to trade per unit of household hardship (1 - means).",
            ),
            "motive_trader": _share(
                0.35,
                "free parameter, range 0-0.6; dependants who trade live on it (Kim Byung-yeon [M])",
                "Extra motive for agents registered as dependants who trade in the markets.",
                high=0.6,
            ),
            "threshold": _share(0.2, FREE + ", range 0-0.8", "Epstein's threshold T for trading.", high=0.8),
            "frequency": _rate(
                0.7, 0.05, 1.0, "per day",
                "markets open daily; most traders work most days (Lankov 2023 [M])",
                "Chance that a willing agent trades on a given day.",
            ),
        },
        "media": {
            "motive_curiosity": _share(
                0.8,
                "free parameter, range 0.2-1; 83.3% of 2016-20 leavers had watched foreign "
                "video (Ministry of Unification 2024 [H-M])",
                "Weight of personal curiosity (uniform 0-1 per agent) in the motive to watch.",
                low=0.2,
            ),
            "threshold": _share(0.1, FREE + ", range 0-0.8", "Epstein's threshold T for watching.", high=0.8),
            "frequency": _rate(
                0.12, 0.01, 1.0, "per day",
                "28% of a 2022 sample watched weekly, 46% monthly (Unification Media Group [M])",
                "Chance that a willing agent with media watches on a given day.",
            ),
            "on_phone_share": _share(
                0.3, FREE + "; phones carry media files (Williams 2019 [M])",
                "Share of viewing done on a registered phone (when the agent has one).",
            ),
            "at_institution_share": _share(
                0.05, FREE + ", range 0-0.3", "Share of viewing done at school or work.", high=0.3,
            ),
        },
        "criticise": {
            "grievance_hardship": _share(
                0.6,
                "free parameter, range 0-1; Epstein's grievance G = H(1 - L) (PNAS 2002)",
                "Weight of hardship in grievance.",
            ),
            "legitimacy_core": _share(0.85, FREE + "; Epstein's L by songbun class", "Perceived legitimacy among the core class."),
            "legitimacy_wavering": _share(0.7, FREE, "Perceived legitimacy among the wavering class."),
            "legitimacy_hostile": _share(0.5, FREE, "Perceived legitimacy among the hostile class."),
            "media_grievance": _share(
                0.3,
                "free parameter, range 0-1; 56.3% of 2016-20 leavers viewed the succession "
                "negatively (Ministry of Unification 2024 [H-M])",
                "Grievance added by habitual foreign-media watching (exposure 0-1).",
            ),
            "threshold": _share(0.1, FREE + ", range 0-0.8", "Epstein's threshold T for criticising.", high=0.8),
            "frequency": _rate(0.05, 0.005, 1.0, "per day", FREE, "Chance that a willing agent criticises to a trusted tie on a given day."),
            "at_institution_share": _share(0.3, FREE, "Share of criticism said at school or work rather than at home."),
            "by_phone_share": _share(0.1, FREE, "Share of criticism written or said on a registered phone."),
        },
        "call": {
            "motive_base": _share(
                0.5, FREE + "; remittance and family calls across the border (Daily NK [L])",
                "Motive to call relatives abroad on a smuggled phone.",
            ),
            "motive_hardship": _share(0.3, FREE, "Extra motive per unit of hardship (remittances)."),
            "threshold": _share(0.2, FREE + ", range 0-0.8", "Epstein's threshold T for calling.", high=0.8),
            "frequency": _rate(0.04, 0.005, 1.0, "per day", FREE, "Chance that a willing agent with a smuggled phone calls on a given day."),
            "smuggled_phone_share_border": _share(
                0.08,
                "free parameter, range 0-0.3; no count of users is published (north-korea.md)",
                "Share of adults in border provinces with relatives abroad who hold a Chinese phone.",
                high=0.3,
            ),
        },
        "exposure_memory_days": _rate(60.0, 1.0, 730.0, "days", FREE, "Time scale over which media exposure fades."),
    },
    "media": {
        "initial_access_share": _share(
            0.35,
            "free parameter; 83.3% of leavers had watched at some point (Ministry of "
            "Unification 2024 [H-M]), far fewer hold media at a given time",
            "Share of adults who hold foreign media files at the start.",
        ),
        "smuggling_rate_border": _rate(
            0.002, 0.0, 0.05, "per day",
            FREE + "; media enter through the border provinces (Unification Media Group [M])",
            "Daily chance that an adult in a border province obtains media while the border is open.",
        ),
        "market_rate": _rate(
            0.002, 0.0, 0.05, "per day",
            "free parameter; 22% name markets as a source (Unification Media Group [M])",
            "Daily chance that an agent trading that day obtains media while supply flows.",
        ),
        "relatives_rate": _rate(
            0.003, 0.0, 0.05, "per day",
            "free parameter; 64% name relatives as a source (Unification Media Group [M])",
            "Daily chance that an agent with relatives abroad obtains media while supply flows.",
        ),
        "share_rate": _rate(
            0.01, 0.0, 0.5, "per week per sharing tie",
            "free parameter; 50% name friends as a source (Unification Media Group [M])",
            "Weekly chance that a tie holding media passes it on.",
        ),
        "sharing_needs_supply": _share(
            0.7, FREE + "; what circulates is mostly new titles (Unification Media Group [M])",
            "Share of passing-on along ties that depends on fresh supply across the border.",
        ),
        "loss_rate": _rate(
            0.006, 0.0, 0.1, "per day", FREE + "; files deleted, drives lost or passed on",
            "Daily chance that an agent stops holding media.",
        ),
        "closed_border_supply": _share(
            0.15,
            "China-North Korea trade fell from $2.8B (2019) to $318M (2021), about 0.11-0.19 "
            "of its level (north-korea.md [H])",
            "Media and goods supply while the border is closed, as a share of open-border supply.",
        ),
    },
    "informants": {
        "enabled": _enabled("the informant network"),
        "share": _share(
            0.01,
            "free parameter, range 0-0.1; 'as many as 1 in 20' are in the whole system "
            "(Williams and Slavney 2024 [L-M])",
            "Share of adults recruited as informants.", high=0.1,
        ),
        "border_multiplier": _rate(
            2.0, 1.0, 5.0, "-", "informants in border cities reportedly tripled in 2018 [L]",
            "Informant share in border provinces relative to elsewhere.",
        ),
        "report_prob": _share(0.2, FREE, "Chance that an informant reports an act they witness."),
        "witness_trade": _share(0.05, FREE, "Chance that a trusted tie knows of a day's trading."),
        "witness_media": _share(0.1, FREE, "Chance that a trusted tie knows of a day's viewing."),
        "witness_call": _share(0.05, FREE, "Chance that a trusted tie knows of a day's call."),
        "false_report_rate": _rate(
            0.0005, 0.0, 0.01, "per informant per day", FREE + "; denunciations for gain or spite",
            "Daily chance that an informant files a false report against one of their ties.",
        ),
    },
    "inminban": {
        "enabled": _enabled("inminban heads' watch over households"),
        "night_check_rate": _rate(
            1 / 30, 0.0, 0.5, "per household per day",
            "overnight checks about monthly, 1-2 police plus the head (Lankov 2023 [M])",
            "Daily chance that a household has a night check or visit.",
        ),
        "find_media": _share(0.001, FREE, "Chance that a check finds media held in the household."),
        "notice_trade": _share(0.0005, FREE, "Daily chance that the head notices a member's trading and logs it."),
        "notice_call": _share(0.005, FREE + "; guest logs, nightly reports", "Daily chance that the head notices a call across the border."),
    },
    "workplace": {
        "enabled": _enabled("workplace and school administrators and self-criticism sessions"),
        "slip_prob": _share(
            0.05, FREE + "; weekly self-criticism sessions of 1-2 hours, compliance uneven [M]",
            "Chance that criticism said at school or work comes out in a self-criticism session.",
        ),
        "absence_notice": _share(0.0005, FREE, "Chance that an administrator logs a worker absent to trade."),
    },
    "cameras": {
        "enabled": _enabled("cameras"),
        "coverage_school": _share(0.5, FREE + "; cameras in schools (Williams and Slavney 2024 [L-M])", "Share of school classes and universities with cameras, at full rollout."),
        "coverage_workplace": _share(0.3, FREE + "; cameras in workplaces and factories [L-M]", "Share of workplaces with cameras, at full rollout."),
        "coverage_market": _share(0.3, FREE, "Share of market trading in view of a camera, at full rollout."),
        "coverage_station": _share(0.4, FREE + "; station gates in South Hamgyong from 2021 [L]", "Share of station passages in view of a camera, at full rollout."),
        "coverage_border": _share(0.4, FREE + "; CCTV growing on the Chinese border [L-M]", "Share of border-area calls in view of a camera, at full rollout."),
        "pyongyang_multiplier": _rate(2.0, 0.0, 5.0, "-", FREE + "; CCTV at Pyongyang's road entrances [L-M]", "Coverage in Pyongyang relative to elsewhere (capped at 1)."),
        "rural_multiplier": _rate(0.3, 0.0, 1.0, "-", FREE + "; poor electricity and connectivity [L-M]", "Coverage in the countryside relative to towns."),
        "trade_travel_share": _share(0.2, FREE, "Share of trading days that involve travel through a station."),
        "recorded_act_prob": _share(0.2, FREE, "Chance that an act in a covered place is on a stored recording."),
        "manual_identification": _share(0.1, FREE, "Chance that an analyst identifies a recorded person without facial recognition."),
        "records_per_person_day": _rate(
            0.05, 0.0, 10.0, "records per covered person per day", FREE,
            "Innocuous footage records produced per person in a covered place each day.",
        ),
    },
    "facial_recognition": {
        "enabled": _enabled("facial recognition on camera records"),
        "true_match": _share(0.8, FREE + "; deployed from 2019 (Williams and Slavney 2024 [L-M])", "Chance that a recorded, enrolled person is identified."),
        "false_match": _share(
            0.002, FREE + ", range 0-0.05", "Chance that a footage record run through facial recognition is matched to a wrong enrolled person.", high=0.05,
        ),
    },
    "phones": {
        "enabled": _enabled("phone monitoring"),
        "capture_prob": _share(
            0.6,
            "Red Flag screenshots at random intervals, every 5 minutes on a phone examined in "
            "2025 (Williams 2019; Lumen 2022 [M])",
            "Chance that an act on a phone is in its stored screenshots or logs.",
        ),
        "check_rate": _rate(
            0.01, 0.0, 1.0, "per phone per day",
            FREE + "; Trace Viewer shows the screenshots when a phone is examined [M]",
            "Daily chance that a phone's stored screenshots reach an analyst.",
        ),
        "signature_block": _share(
            0.7, "files without a state signature cannot be opened (Williams 2019 [M])",
            "Share of foreign media files that a registered phone refuses to open.",
        ),
        "records_per_check": _rate(
            50.0, 0.0, 1000.0, "records per check", FREE + "; a screenshot every 5 minutes [M]",
            "Innocuous records collected with each phone check.",
        ),
    },
    "radio": {
        "enabled": _enabled("radio detection of smuggled phones"),
        "detect_prob": _share(
            0.02,
            FREE + "; detector stations and three-agent mobile teams patrolling 4-5 times a day [L]",
            "Chance that a call on a smuggled phone is located.",
        ),
        "closure_multiplier": _rate(3.0, 1.0, 10.0, "-", FREE + "; detector patrols stepped up in the closure [L]", "Detection chance while the border is closed relative to open."),
    },
    "inspections": {
        "enabled": _enabled("random and targeted inspections and task-force raids"),
        "random_rate": _rate(
            1 / 730 / 365, 0.0, 0.1, "per household per day", FREE + "; random inspections of homes and persons [L-M]",
            "Daily chance of a random household inspection.",
        ),
        "targeted_rate": _rate(0.02, 0.0, 1.0, "per suspect per day", FREE, "Daily chance that a person with an unresolved record is inspected."),
        "raid_rate": _rate(
            1 / 1825 / 730, 0.0, 0.05, "per unit per day", FREE + "; Group 109 raids, frequency unpublished",
            "Daily chance that a task force raids a neighbourhood unit.",
        ),
        "find_media": _share(0.02, FREE, "Chance that an inspection finds media the household holds."),
        "raid_find_media": _share(0.05, FREE + "; raids bring a computer expert", "Chance that a raid finds media a household holds."),
        "find_trade": _share(0.05, FREE, "Chance that an inspection finds a trader's illicit goods."),
        "find_phone": _share(0.5, FREE, "Chance that an inspection finds a smuggled phone."),
    },
    "analysis": {
        "capacity_human": _rate(
            2000.0, 0.0, 1e6, "records per day per 100,000 people",
            "about 260,000 security and police staff (Gause, HRNK 2012 [M]) handling a few "
            "reports a day each; free",
            "Reports from informants, inminban heads and administrators analysed each day.",
        ),
        "capacity_cameras": _rate(5.0, 0.0, 1e7, "records per day per 100,000 people", FREE + "; the state may not use all it collects [L-M]", "Camera records analysed each day."),
        "capacity_phones": _rate(10.0, 0.0, 1e7, "records per day per 100,000 people", FREE, "Phone records analysed each day."),
        "capacity_radio": _rate(5.0, 0.0, 1e6, "records per day per 100,000 people", FREE, "Radio-detection records analysed each day."),
        "capacity_inspections": _rate(50.0, 0.0, 1e6, "records per day per 100,000 people", FREE, "Inspection findings processed each day."),
        "priority": _rate(20.0, 1.0, 1000.0, "-", FREE + "; triage by keywords and flags", "How much more likely an incriminating record is to be picked for analysis than an innocuous one."),
        "retention_days": _rate(30.0, 1.0, 3650.0, "days", FREE + "; unclear how much footage is stored [L-M]", "Mean time a record waits before it expires unanalysed."),
    },
    "enforcement": {
        "investigation_accuracy": _share(0.5, FREE, "Chance that an investigation clears a person wrongly reported or matched."),
        "corruption": _share(
            0.5, "Corruption Perceptions Index 2024: 15/100, 170th of 180 [H]; prevalence unpublished",
            "Chance that an official takes a bribe from a person who can pay.",
        ),
        "bribe_means_weight": _share(0.8, FREE + "; bribes of USD 200-10,000 [L]", "How much a person's means decide whether they can pay."),
        "detain_trade": _share(0.05, FREE, "Chance that an unbribed trading case ends in detention rather than a fine."),
        "term_trade": _rate(90.0, 1.0, 3650.0, "days", FREE + "; labour-training camp terms", "Detention term for illicit trading."),
        "term_media": _rate(180.0, 1.0, 3650.0, "days", FREE + "; labour-training terms before the 2020 law", "Detention term for foreign media before the December 2020 law."),
        "term_media_law": _rate(3650.0, 365.0, 5475.0, "days", "Reactionary Ideology and Culture Rejection Act 2020: 5-15 years [H]", "Detention term for foreign media under the December 2020 law."),
        "term_criticise": _rate(365.0, 1.0, 5475.0, "days", FREE, "Detention term for criticism before the 2020 law."),
        "term_criticise_law": _rate(730.0, 1.0, 5475.0, "days", "the 2020 law: up to 2 years for South Korean-style speech [H]", "Detention term for criticism under the law."),
        "term_call": _rate(365.0, 1.0, 5475.0, "days", FREE, "Detention term for calls across the border."),
    },
    "beliefs": {
        "initial_risk": {
            b: _share(v, s, f"Perceived risk of {b} at the start.")
            for b, v, s in (
                ("trade", 0.2, FREE),
                ("media", 0.4, "75% had witnessed a punishment for media (2019, 200 defectors [M]); free"),
                ("criticise", 0.5, FREE),
                ("call", 0.4, FREE),
            )
        },
        "sensitivity": _rate(
            2.3, 0.1, 50.0, "per punishment seen", "Epstein's k = 2.3 in P = 1 - exp(-k C/A) (PNAS 2002); free",
            "How fast perceived risk rises with punishments seen: risk = 1 - exp(-k x evidence).",
        ),
        "tie_weight": _rate(0.2, 0.0, 10.0, "-", FREE, "Evidence from one tie punished, relative to a public example."),
        "public_weight": _rate(
            30.0, 0.0, 1e6, "per punished per capita", FREE + "; public trials and executions as examples",
            "Evidence from the national punishment rate (share of adults punished that week).",
        ),
        "memory_days": _rate(180.0, 7.0, 3650.0, "days", FREE, "Time scale over which evidence of punishments fades."),
        "initial_awareness": _share(
            0.1, "citizens 'largely unaware' of digital surveillance (Williams and Slavney 2024 [L-M])",
            "Awareness of digital channels at the start, 0-1.",
        ),
        "awareness_gain": _share(0.3, FREE, "Awareness gained when a tie is punished through a digital channel."),
        "evasion": _share(0.8, FREE, "How fully an aware person keeps acts away from phones and cameras."),
        "cadence_days": Param(7, "days", 1, 365, FREE + "; ties meet and talk about weekly", "Interval between updates along personal ties (media passed on, punishments seen)."),
    },
    "timeline": {
        "start_date": Param(D(2023, 1, 1), "date", D(2000, 1, 1), D(2040, 12, 31), "scenario choice", "Calendar date of day 0."),
        "biometric_rollout_start": Param(D(2018, 1, 1), "date", D(2000, 1, 1), D(2040, 12, 31), "biometric ID smart cards issued 2018-19 [L-M]", "Enrolment of adults in the biometric ID database begins."),
        "biometric_rollout_end": Param(D(2019, 12, 31), "date", D(2000, 1, 1), D(2040, 12, 31), "issued 2018-19 [L-M]", "Every adult enrolled from this date."),
        "camera_rollout_start": Param(D(2015, 1, 1), "date", D(2000, 1, 1), D(2040, 12, 31), FREE + "; Hikvision software in state media, 2019 [M]", "Cameras begin to be installed."),
        "camera_rollout_end": Param(D(2024, 12, 31), "date", D(2000, 1, 1), D(2040, 12, 31), FREE, "Camera coverage reaches its full value."),
        "facial_recognition_start": Param(D(2019, 1, 1), "date", D(2000, 1, 1), D(2040, 12, 31), "Pyongyang airport 2019 [L-M]", "Facial recognition begins on camera records."),
        "facial_recognition_end": Param(D(2023, 12, 31), "date", D(2000, 1, 1), D(2040, 12, 31), "station gates from 2021 [L]; free", "Facial recognition on every camera record from this date."),
        "law_2020": Param(D(2020, 12, 4), "date", D(2000, 1, 1), D(2040, 12, 31), "Reactionary Ideology and Culture Rejection Act, December 2020 [H]", "Date the law's detention terms apply."),
        "border_closed": Param(D(2020, 1, 22), "date", D(2000, 1, 1), D(2040, 12, 31), "border sealed late January 2020 [H]", "Border closes: supply drops, detector patrols step up."),
        "border_reopened": Param(D(2023, 8, 26), "date", D(2000, 1, 1), D(2040, 12, 31), "reopening August 2023 [H]", "Border reopens."),
        "reopening_days": _rate(180.0, 1.0, 1825.0, "days", FREE + "; trade back to $2.3B in 2023 [H]", "Time for supply to recover fully after the reopening."),
    },
}
