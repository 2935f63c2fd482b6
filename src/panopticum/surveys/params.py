"""Every parameter of the virtual surveys: frames, response model and techniques.

Declared like the model's parameters (:class:`~panopticum.params.spec.Param`: unit, range,
default, source). A design file overrides them in its ``[parameters]`` table (dotted paths,
e.g. ``"response.fear" = 0.3``), a sample of a design overrides its own frame's parameters,
and ``panopticum survey --set path=value`` overrides both. Nothing here is published for North
Korea as such; where a method paper gives a figure it is cited, otherwise the value is a free
parameter with the range a sensitivity analysis should explore.

Standard library only (plus the project's error type).
"""

from __future__ import annotations

from typing import Any

from panopticum.errors import PanopticumError
from panopticum.params.spec import Param, walk

FREE = "free parameter"


def _share(default, source, doc, low=0.0, high=1.0):
    return Param(default, "share", low, high, source, doc)


SURVEY_SPEC = {
    "target": {
        "min_age": Param(
            17, "years", 14, 30, "ID cards from 17 (research/north-korea.md); surveys ask adults",
            "Youngest age a respondent (and the population the truth describes) may have.",
        ),
    },
    "frames": {
        "escapee": {
            "left_within_days": Param(
                3650, "days", 30, 36_500,
                FREE + "; the Ministry of Unification pools arrivals of 2013-22",
                "Only people who left within this many days before the survey date are in the frame.",
            ),
            "interview_lag_days": Param(
                730, "days", 0, 5475,
                FREE + "; most arrivals spend years in China before reaching the South (MoU)",
                "Days between leaving and the interview; enters recall decay only.",
            ),
            "female_odds": Param(
                1.0, "odds ratio", 0.1, 10.0,
                FREE + "; 1 = the skew comes from who leaves alone; MoU arrivals are 72% women",
                "Extra odds that a woman who left reaches the interview, relative to a man.",
            ),
            "border_odds": Param(
                1.0, "odds ratio", 0.1, 10.0,
                FREE + "; 1 = the skew comes from who leaves alone",
                "Extra odds that a leaver from a border province reaches the interview.",
            ),
        },
        "phone": {
            "seeds": Param(
                5, "people", 1, 100, FREE + "; RDS studies start from a handful of seeds (Heckathorn 1997)",
                "Seeds the brokers reach first; a dead chain is restarted from a new seed.",
            ),
            "coupons": Param(
                3, "people", 1, 10, "three coupons is the RDS convention (Heckathorn 1997)",
                "Ties each respondent is asked to pass the survey on to.",
            ),
            "seeds_border_only": Param(
                True, "on/off", None, None, "brokers work near the Chinese border (Unification Media Group)",
                "Whether seeds are drawn only among smuggled-phone holders in the border provinces.",
            ),
            "agree": _share(
                0.7, FREE + "; phone surveys of residents report few refusals among those reached",
                "Chance that a tie offered the survey agrees to answer, before fear.",
            ),
            "fear_refusal": _share(
                0.5, FREE, "Cut in agreement per unit of perceived risk of calling abroad.",
            ),
        },
        "srs": {},
    },
    "response": {
        "fear": _share(
            0.5,
            FREE + "; sensitive items are under-reported where people fear sanction "
            "(Tourangeau and Yan 2007)",
            "Chance that a resident denies a fully sensitive true 'yes' when perceived risk is 1.",
        ),
        "escapee_fear": _share(
            0.2, FREE + "; escapees are out of reach but fear for family left behind",
            "Escapees' fear as a share of residents' fear.",
        ),
        "desirability": _share(
            0.1, FREE + ", range 0-0.5; social desirability bias (Krumpal 2013)",
            "Chance of denying a fully sensitive true 'yes' whatever the perceived risk.", high=0.5,
        ),
        "recall_decay": Param(
            True, "on/off", None, None, "scenario switch", "Whether events fade from memory.",
        ),
        "recall_half_life_days": Param(
            1095.0, "days", 30.0, 36_500.0,
            FREE + "; recall of dated events decays over years (Sudman and Bradburn 1973)",
            "Days after which half of respondents no longer recall an event.",
        ),
        "sensitivity": {
            "media": _share(1.0, FREE + "; up to 15 years in prison (2020 Act art. 27)",
                            "How sensitive admitting foreign media is (0 = not at all)."),
            "trade": _share(0.3, FREE + "; markets are tolerated but unlicensed trade is punished",
                            "How sensitive admitting trading is."),
            "inspected": _share(0.3, FREE, "How sensitive admitting an inspection is."),
            "knows_punished": _share(0.5, FREE, "How sensitive admitting one knows someone punished is."),
            "knows_informant": _share(0.7, FREE, "How sensitive naming an informant among one's ties is."),
            "phone": _share(0.1, FREE, "How sensitive admitting a registered phone is."),
        },
        "nsum_visibility": _share(
            0.6, FREE + ", range 0.1-1; the visibility (transmission) factor of hidden groups "
            "(Salganik et al. 2011)",
            "Chance that a respondent knows that a tie of theirs is in the surveillance system.",
            low=0.1,
        ),
    },
    "randomized_response": {
        "p_truth": _share(0.7, "forced-response design (Boruch 1971); 0.7 is common (Blair et al. 2015)",
                          "Chance the randomiser tells the respondent to answer truthfully.", low=0.2),
        "p_forced_yes": _share(0.15, "Boruch 1971; Blair, Imai and Zhou 2015",
                               "Chance the randomiser tells the respondent to say 'yes'.", high=0.5),
        "residual_fear": _share(
            0.25, FREE + "; 0 = truthful randomisation; self-protective 'no' is documented "
            "(Edgell et al. 1982)",
            "Share of the direct question's fear and desirability that remains under randomized response.",
        ),
    },
    "list_experiment": {
        "control_items": Param(3, "items", 2, 6, "three or four control items is usual (Glynn 2013)",
                               "Non-sensitive items on the list."),
        "control_yes": _share(0.5, FREE + "; items near 0.5 avoid floor and ceiling effects (Glynn 2013)",
                              "Chance of 'yes' to each control item.", low=0.05, high=0.95),
        "residual_fear": _share(
            0.1, FREE + "; 0 = no liars (Imai 2011's assumption)",
            "Share of the direct question's fear and desirability that remains in a list experiment.",
        ),
    },
}

SURVEY_PARAMS: dict[str, Param] = dict(walk(SURVEY_SPEC))


def _check(path: str, value: Any) -> Any:
    if path not in SURVEY_PARAMS:
        raise PanopticumError(f"unknown survey parameter '{path}'; `panopticum survey --help` points to docs/surveys.md")
    p = SURVEY_PARAMS[path]
    if p.kind is bool:
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise PanopticumError(f"survey parameter {path}={value!r} must be true or false")
        return value
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError):
        raise PanopticumError(f"survey parameter {path}={value!r} is not a number") from None
    if not (p.low <= number <= p.high):
        raise PanopticumError(f"survey parameter {path}={value!r} is outside its valid range [{p.low}, {p.high}] {p.unit}")
    if p.kind is int:
        if number != int(number):
            raise PanopticumError(f"survey parameter {path}={value!r} must be a whole number")
        return int(number)
    return number


def survey_parameters(*overrides: dict[str, Any]) -> dict[str, Any]:
    """Flat ``{path: value}`` of the defaults with each mapping of ``overrides`` applied in turn."""
    values = {path: p.default for path, p in SURVEY_PARAMS.items()}
    for layer in overrides:
        for path, value in layer.items():
            values[path] = _check(path, value)
    if values["randomized_response.p_truth"] + values["randomized_response.p_forced_yes"] > 1:
        raise PanopticumError("randomized_response.p_truth + p_forced_yes must not exceed 1")
    return values


def frame_parameters(values: dict[str, Any], frame: str) -> dict[str, Any]:
    """The parameters of one frame, without the ``frames.<frame>.`` prefix."""
    prefix = f"frames.{frame}."
    return {path[len(prefix):]: v for path, v in values.items() if path.startswith(prefix)}
