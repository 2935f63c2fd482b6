"""The dated policy timeline."""

from __future__ import annotations

from panopticum.params.model._declare import D, FREE, Param, rate

TIMELINE = {
    "start_date": Param(D(2023, 1, 1), "date", D(2000, 1, 1), D(2040, 12, 31), "scenario choice", "Calendar date of day 0."),
    "biometric_rollout_start": Param(
        D(2018, 1, 1),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "biometric ID smart cards issued 2018-19 [L-M]",
        "Enrolment of adults in the biometric ID database begins.",
    ),
    "biometric_rollout_end": Param(
        D(2019, 12, 31), "date", D(2000, 1, 1), D(2040, 12, 31), "issued 2018-19 [L-M]", "Every adult enrolled from this date."
    ),
    "camera_rollout_start": Param(
        D(2015, 1, 1),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        FREE + "; Hikvision software in state media, 2019 [M]",
        "Cameras begin to be installed.",
    ),
    "camera_rollout_end": Param(
        D(2024, 12, 31), "date", D(2000, 1, 1), D(2040, 12, 31), FREE, "Camera coverage reaches its full value."
    ),
    "facial_recognition_start": Param(
        D(2019, 1, 1),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "Pyongyang airport 2019 [L-M]",
        "Facial recognition begins on camera records.",
    ),
    "facial_recognition_end": Param(
        D(2023, 12, 31),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "station gates from 2021 [L]; free",
        "Facial recognition on every camera record from this date.",
    ),
    "law_2020": Param(
        D(2020, 12, 4),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "Reactionary Ideology and Culture Rejection Act, December 2020 [H]",
        "Date the law's terms apply; its public campaign is a dated event beliefs learn from.",
    ),
    "border_closed": Param(
        D(2020, 1, 22),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "border sealed late January 2020 [H]",
        "Border closes: supply drops, detector patrols step up.",
    ),
    "border_reopened": Param(
        D(2023, 8, 26), "date", D(2000, 1, 1), D(2040, 12, 31), "reopening August 2023 [H]", "Border reopens."
    ),
    "reopening_days": rate(
        180.0,
        1.0,
        1825.0,
        "days",
        FREE + "; trade back to $2.3B in 2023 [H]",
        "Time for supply to recover fully after the reopening.",
    ),
    "informant_surge": Param(
        D(2018, 1, 1),
        "date",
        D(2000, 1, 1),
        D(2040, 12, 31),
        "informants in border cities reportedly tripled in 2018 [L]",
        "Informant recruitment in the border provinces steps up to informants.border_multiplier from this date.",
    ),
    "burn_in_days": Param(
        365,
        "days",
        0,
        3650,
        "chosen by a test of drift (docs/odd.md, Initialization)",
        "Days simulated before day 0 with the start date's levels, not reported: runs start from a settled state.",
    ),
}
