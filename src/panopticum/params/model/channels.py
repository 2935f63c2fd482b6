"""The surveillance channels, one key each."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, enabled, rate, share

CHANNEL_SPECS = {
    "informants": {
        "enabled": enabled("the informant network"),
        "share": share(
            0.005,
            "free parameter, range 0-0.1; 'as many as 1 in 20' are in the whole system (Williams and Slavney 2024 [L-M])",
            "Target share of adults serving as informants (outside the border provinces).",
            high=0.1,
        ),
        "border_multiplier": rate(
            3.0,
            1.0,
            5.0,
            "-",
            "informants in border cities reportedly tripled in 2018 [L]",
            "Informant share in the border provinces relative to elsewhere, from timeline.informant_surge (1 before).",
        ),
        "turnover_days": rate(
            730.0,
            90.0,
            7300.0,
            "days",
            FREE,
            "Mean time an informant serves; recruitment replaces them so the share holds at its target.",
        ),
        "recruit_punished": share(
            0.02,
            FREE + "; informants are often recruited among people caught (Daily NK [L])",
            "Chance that a person fined, bribed off or released is recruited as an informant.",
        ),
        "report_prob": share(0.1, FREE, "Chance that an informant reports an act they witness."),
        "witness_trade": share(0.05, FREE, "Chance that a trusted tie knows of a day's trading."),
        "witness_media": share(0.1, FREE, "Chance that a trusted tie knows of a day's viewing."),
        "witness_call": share(0.05, FREE, "Chance that a trusted tie knows of a day's call."),
        "false_report_rate": rate(
            0.0002,
            0.0,
            0.01,
            "per informant per day",
            FREE + "; denunciations for gain or spite",
            "Daily chance that an informant files a false report against one of their ties.",
        ),
    },
    "inminban": {
        "enabled": enabled("inminban heads' watch over households"),
        "night_check_rate": rate(
            1 / 30,
            0.0,
            0.5,
            "per household per day",
            "overnight checks about monthly, 1-2 police plus the head (Lankov 2023 [M])",
            "Daily chance that a household has a night check or visit.",
        ),
        "find_media": share(0.0003, FREE, "Chance that a check finds media held in the household."),
        "notice_trade": share(0.0005, FREE, "Daily chance that the head notices a member's trading and logs it."),
        "notice_call": share(
            0.005, FREE + "; guest logs, nightly reports", "Daily chance that the head notices a call across the border."
        ),
    },
    "workplace": {
        "enabled": enabled("workplace and school administrators and self-criticism sessions"),
        "slip_prob": share(
            0.005,
            FREE + "; weekly self-criticism sessions of 1-2 hours, compliance uneven [M]",
            "Chance that criticism said at school or work comes out in a self-criticism session.",
        ),
        "absence_notice": share(0.0005, FREE, "Chance that an administrator logs a worker absent to trade."),
        "military_multiplier": rate(
            3.0,
            1.0,
            10.0,
            "-",
            FREE + "; political officers in every military unit [M]",
            "Slip chance in a military unit (political officers) relative to a civilian institution.",
        ),
    },
    "cameras": {
        "enabled": enabled("cameras"),
        "coverage_school": share(
            0.5,
            FREE + "; cameras in schools (Williams and Slavney 2024 [L-M])",
            "Share of school classes and universities with cameras, at full rollout.",
        ),
        "coverage_workplace": share(
            0.3, FREE + "; cameras in workplaces and factories [L-M]", "Share of workplaces with cameras, at full rollout."
        ),
        "coverage_market": share(0.3, FREE, "Share of market trading in view of a camera, at full rollout."),
        "coverage_station": share(
            0.4,
            FREE + "; station gates in South Hamgyong from 2021 [L]",
            "Share of station passages in view of a camera, at full rollout.",
        ),
        "coverage_border": share(
            0.4,
            FREE + "; CCTV growing on the Chinese border [L-M]",
            "Share of border-area calls in view of a camera, at full rollout.",
        ),
        "pyongyang_multiplier": rate(
            2.0,
            0.0,
            5.0,
            "-",
            FREE + "; CCTV at Pyongyang's road entrances [L-M]",
            "Coverage in Pyongyang relative to elsewhere (capped at 1).",
        ),
        "rural_multiplier": rate(
            0.3,
            0.0,
            1.0,
            "-",
            FREE + "; poor electricity and connectivity [L-M]",
            "Coverage in the countryside relative to towns.",
        ),
        "trade_travel_share": share(0.2, FREE, "Share of trading days that involve travel through a station."),
        "recorded_act_prob": share(0.2, FREE, "Chance that an act in a covered place is on a stored recording."),
        "manual_identification": share(
            0.1, FREE, "Chance that an analyst identifies a recorded person without facial recognition."
        ),
        "records_per_person_day": rate(
            0.05,
            0.0,
            10.0,
            "records per covered person per day",
            FREE,
            "Innocuous footage records produced per person in a covered place each day.",
        ),
    },
    "facial_recognition": {
        "enabled": enabled("facial recognition on camera records"),
        "true_match": share(
            0.8,
            FREE + "; deployed from 2019 (Williams and Slavney 2024 [L-M])",
            "Chance that a recorded, enrolled person is identified.",
        ),
        "false_match": share(
            0.002,
            FREE + ", range 0-0.05",
            "Chance that a footage record run through facial recognition is matched to a wrong enrolled person.",
            high=0.05,
        ),
    },
    "phones": {
        "enabled": enabled("phone monitoring"),
        "capture_prob": share(
            0.6,
            "Red Flag screenshots at random intervals, every 5 minutes on a phone examined in "
            "2025 (Williams 2019; Lumen 2022 [M])",
            "Chance that an act on a phone is in its stored screenshots or logs.",
        ),
        "check_rate": rate(
            0.01,
            0.0,
            1.0,
            "per phone per day",
            FREE + "; Trace Viewer shows the screenshots when a phone is examined [M]",
            "Daily chance that a phone's stored screenshots reach an analyst.",
        ),
        "signature_block": share(
            0.7,
            "files without a state signature cannot be opened (Williams 2019 [M])",
            "Share of foreign media files that a registered phone refuses to open.",
        ),
        "records_per_check": rate(
            50.0,
            0.0,
            1000.0,
            "records per check",
            FREE + "; a screenshot every 5 minutes [M]",
            "Innocuous records collected with each phone check.",
        ),
    },
    "radio": {
        "enabled": enabled("radio detection of smuggled phones"),
        "detect_prob": share(
            0.02,
            FREE + "; detector stations and three-agent mobile teams patrolling 4-5 times a day [L]",
            "Chance that a call on a smuggled phone is located.",
        ),
        "closure_multiplier": rate(
            3.0,
            1.0,
            10.0,
            "-",
            FREE + "; detector patrols stepped up in the closure [L]",
            "Detection chance while the border is closed relative to open.",
        ),
    },
    "inspections": {
        "enabled": enabled("random and targeted inspections, task-force raids and barracks searches"),
        "random_rate": rate(
            1 / 730,
            1 / 3650,
            1 / 30,
            "per household per day",
            FREE + "; random inspections of homes and persons [L-M]; range from once a decade to "
            "monthly, the night checks' rate (Lankov 2023 [M])",
            "Daily chance of a random household inspection.",
        ),
        "targeted_rate": rate(
            0.1,
            0.0,
            1.0,
            "per open lead per day",
            FREE,
            "Daily chance that a person with an open lead (an analysed record or report) is inspected.",
        ),
        "raid_rate": rate(
            1 / 1825,
            0.0,
            1 / 30,
            "per unit per day",
            FREE + "; Group 109 raids, frequency unpublished; range up to monthly",
            "Daily chance that a task force raids a neighbourhood unit.",
        ),
        "barracks_rate": rate(
            1 / 90,
            0.0,
            1 / 7,
            "per soldier per day",
            FREE + "; kit and quarters inspections in military units [M]",
            "Daily chance that a soldier's kit is searched.",
        ),
        "find_media": share(0.005, FREE, "Chance that an inspection finds media the household holds."),
        "raid_find_media": share(
            0.02, FREE + "; raids bring a computer expert", "Chance that a raid finds media a household holds."
        ),
        "find_trade": share(0.02, FREE, "Chance that an inspection finds a trader's illicit goods."),
        "find_phone": share(0.5, FREE, "Chance that an inspection finds a smuggled phone."),
    },
}
