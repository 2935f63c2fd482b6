"""Ensembles whose members have their own parameters (a calibration's posterior draws).

A stored run records the scenario's parameters once, and, for such an ensemble, each
member's own values (``member_overrides`` in its manifest: one dict of dotted paths per
member). Here each member's parameters are validated on top of the scenario's and stacked
along the member axis, as :meth:`panopticum.engine.Simulation.run` takes them: every
engine parameter ``[members]``, and every level of the day schedule ``[members, days]``
(dates such as the border's reopening can differ by member), ``day`` shared.
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import Any

import numpy as np

from panopticum.errors import PanopticumError


def check_member_overrides(member_overrides: list[dict[str, Any]], members: int) -> list[dict[str, Any]]:
    """One dict of numeric values per member, or a :class:`PanopticumError` naming the problem."""
    if len(member_overrides) != members:
        raise PanopticumError(f"{len(member_overrides)} members' parameters given for an ensemble of {members}")
    for m, overrides in enumerate(member_overrides):
        for path, value in overrides.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise PanopticumError(f"member {m}: its own value of {path} must be a number, got {value!r}")
    return [{k: float(v) for k, v in o.items()} for o in member_overrides]


def member_parameters(scenario, member_overrides: list[dict[str, Any]]) -> list:
    """Each member's validated parameters: the scenario's with that member's values."""
    from panopticum.params.schema import make_parameters

    out = []
    for m, overrides in enumerate(member_overrides):
        try:
            out.append(make_parameters(overrides, base=scenario.params))
        except PanopticumError as exc:
            raise PanopticumError(f"member {m}: {exc}") from None
    return out


def stack_schedules(schedules: list) -> Any:
    """One schedule for a batch: ``day`` shared (it decides the tie-update branch, which
    must stay a real branch), every level per member, whether or not the members' differ,
    so that every batch of a given size has one shape and compiles once."""
    from panopticum.engine.timeline import Schedule

    return Schedule(**{
        f.name: schedules[0].day if f.name == "day" else np.stack([getattr(s, f.name) for s in schedules])
        for f in dataclasses.fields(Schedule)
    })


def stack_engine_params(params: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    return {k: np.array([p[k] for p in params], dtype=np.float32) for k in params[0]}


def stacked_models(scenario, member_overrides: list[dict[str, Any]], days: int) -> tuple[dict, Any, Any]:
    """``(params, schedule, burn_in)`` of an ensemble whose member m has
    ``member_overrides[m]`` on top of ``scenario``: the engine's parameters and both
    schedules with a leading member axis."""
    from panopticum.engine import build_schedule, engine_params
    from panopticum.engine.timeline import burn_in_schedule

    members = member_parameters(scenario, member_overrides)
    for what in ("burn_in_days", "cadence_days"):
        section = "timeline" if what == "burn_in_days" else "beliefs"
        values = {getattr(getattr(p, section), what) for p in members}
        if len(values) > 1:  # the schedule's length and the compiled program's cadence are one for all
            raise PanopticumError(f"members of one run must share {section}.{what}; got {sorted(values)}")
    return (
        stack_engine_params([engine_params(p) for p in members]),
        stack_schedules([build_schedule(p, days) for p in members]),
        stack_schedules([burn_in_schedule(p) for p in members]),
    )
