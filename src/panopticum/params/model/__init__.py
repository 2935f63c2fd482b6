"""Every parameter of the day-by-day model, with its unit, range, default and source.

The tree's top-level keys name the model's processes, and each has its declaration module
here, mirroring the engine: :mod:`.behaviour` (choices), :mod:`.media`, :mod:`.channels`
(one key per surveillance channel), :mod:`.enforcement` (analysis, enforcement,
detention), :mod:`.beliefs`, :mod:`.escape` and :mod:`.timeline`. A parameter's dotted
path is its name everywhere.

Units say what a rate is per: "per day" is a probability per agent (or household, unit)
per day, and the engine applies it once a day whatever the cadence of tie updates; "per
week" rates are converted to the days between updates. Counts "per 100,000 people" scale
with the population the agents stand for, so results do not depend on the number of
agents.

Sources are abbreviated; docs/odd.md gives the references in full. Tags follow
research/north-korea.md: [H] official or census data, [M] think tank or survey, [L] single
insider report; "free parameter" marks a value nobody has published, with the range that
sensitivity analysis should explore.

Standard library only.
"""

from __future__ import annotations

from panopticum.params.model.behaviour import BEHAVIOUR
from panopticum.params.model.beliefs import BELIEFS
from panopticum.params.model.channels import CHANNEL_SPECS
from panopticum.params.model.enforcement import ANALYSIS, DETENTION, ENFORCEMENT
from panopticum.params.model.escape import ESCAPE
from panopticum.params.model.media import MEDIA
from panopticum.params.model.timeline import TIMELINE

BEHAVIOURS = ("trade", "media", "criticise", "call")
"""The small freedoms agents choose each day, in the engine's order (``trade`` is illicit
trading; legal trading in the official markets carries no risk and is not a choice here)."""

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

DETENTION_KINDS = ("labour_training", "correctional", "political_camp")
"""Kinds of detention, each its own stock (``State.detention_kind`` is 1 + the index)."""

MODEL_SPEC = {
    "behaviour": BEHAVIOUR,
    "media": MEDIA,
    **CHANNEL_SPECS,
    "analysis": ANALYSIS,
    "enforcement": ENFORCEMENT,
    "detention": DETENTION,
    "beliefs": BELIEFS,
    "escape": ESCAPE,
    "timeline": TIMELINE,
}

__all__ = ["BEHAVIOURS", "CHANNELS", "DETENTION_KINDS", "MODEL_SPEC"]
