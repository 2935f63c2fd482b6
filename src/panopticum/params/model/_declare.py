"""Shorthands for declaring parameters (standard library only)."""

from __future__ import annotations

import datetime as _dt

from panopticum.params.spec import Param

D = _dt.date
FREE = "free parameter"


def rate(default, low, high, unit, source, doc) -> Param:
    return Param(default, unit, low, high, source, doc)


def share(default, source, doc, low=0.0, high=1.0) -> Param:
    return Param(default, "share", low, high, source, doc)


def enabled(what) -> Param:
    return Param(True, "on/off", None, None, "scenario switch", f"Whether {what} operates at all.")


__all__ = ["D", "FREE", "Param", "enabled", "rate", "share"]
