"""Factors: the ``[[vary]]`` tables of an experiment file, checked against the schema.

A factor is one dimension of a design: one parameter over a range (the schema's by
default), a date over a range of dates, a switch (grid designs only), or a group of
parameters scaled together by one multiple of their base values. Every check names the
parameter and the valid range in one line.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import fnmatch
from typing import Any

from panopticum.engine.params import STATIC
from panopticum.errors import PanopticumError
from panopticum.params.schema import SPEC_BY_PATH, describe_range

DISTRIBUTIONS = ("uniform", "normal", "triangular", "lognormal")
FREE_SOURCE = "free parameter"
UNVARIABLE = {
    "timeline.start_date": "it moves the calendar that outcomes are measured on",
    "timeline.burn_in_days": "it sets the length of every member's burn-in, which one batch shares",
}
VARY_KEYS = {"path", "name", "paths", "range", "factor", "values", "levels", "distribution", "mean", "sd", "mode"}


@dataclasses.dataclass(frozen=True)
class Factor:
    """One dimension of a design.

    ``kind`` says how a design value becomes parameter values: ``value`` (the value itself,
    rounded for whole-number parameters), ``factor`` (every path set to its base value
    times the design value), ``date`` (days since ``low``'s date; ``low`` and ``high`` are
    ordinal days) or ``switch`` (0 or 1, grid designs only). ``low`` and ``high`` bound the
    design value; ``distribution`` with ``mean``/``sd``/``mode`` shapes sampled designs.
    """

    name: str
    paths: tuple[str, ...]
    kind: str
    low: float
    high: float
    values: tuple[float, ...] | None = None
    levels: int | None = None
    distribution: str = "uniform"
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    integer: bool = False



def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise PanopticumError(f"unknown key(s) in {where}: {', '.join(sorted(unknown))}")



def free_parameters() -> list[str]:
    """Every numeric parameter the schema marks free, that a sweep can vary (no dates, no
    compile-time constants)."""
    return [
        p for p, s in SPEC_BY_PATH.items()
        if s.source.startswith(FREE_SOURCE) and s.kind in (float, int) and p not in STATIC and p not in UNVARIABLE
    ]


def _unknown(path: str) -> PanopticumError:
    close = difflib.get_close_matches(path, SPEC_BY_PATH, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `panopticum params` lists them"
    return PanopticumError(f"unknown parameter '{path}'{hint}")


def _check_variable(path: str) -> None:
    if path not in SPEC_BY_PATH:
        raise _unknown(path)
    if path in STATIC:
        raise PanopticumError(f"{path} cannot be varied in a sweep: it is compiled into the program; run one experiment per value")
    if path in UNVARIABLE:
        raise PanopticumError(f"{path} cannot be varied in a sweep: {UNVARIABLE[path]}")


def _pair(value: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise PanopticumError(f"{what} must be a pair [low, high], got {value!r}")
    return value[0], value[1]


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PanopticumError(f"{what} must be a number, got {value!r}")
    return float(value)


def _date(value: Any, what: str) -> datetime.date:
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise PanopticumError(f"{what} must be a date YYYY-MM-DD, got {value!r}")
    return value


def parse_factor(table: Any, design: str, base: dict[str, Any]) -> Factor:
    if not isinstance(table, dict):
        raise PanopticumError("each [[vary]] must be a table")
    where = f"[[vary]] {table.get('path') or table.get('name', '')}".rstrip()
    _check_keys(table, VARY_KEYS, where)
    if ("path" in table) == ("paths" in table):
        raise PanopticumError(f"{where}: give either path (one parameter) or name and paths (scaled together)")
    values = table.get("values")
    levels = table.get("levels")
    if levels is not None and (isinstance(levels, bool) or not isinstance(levels, int) or levels < 2):
        raise PanopticumError(f"{where}: levels must be a whole number of at least 2, got {levels!r}")
    if values is not None and (not isinstance(values, list) or not values):
        raise PanopticumError(f"{where}: values must be a non-empty list")
    dist = _distribution(table, design, where)
    if "paths" in table:
        return _group(table, design, base, where, dist)
    path = str(table["path"])
    _check_variable(path)
    spec = SPEC_BY_PATH[path]
    if "factor" in table:
        raise PanopticumError(f"{where}: factor applies to name and paths; give range for one parameter")
    if spec.kind is bool:
        if design != "grid":
            raise PanopticumError(f"{path} is a switch: switches can be varied only in a grid design")
        return Factor(path, (path,), "switch", 0.0, 1.0, values=(0.0, 1.0))
    if spec.kind is datetime.date:
        lo, hi = (_date(v, f"{where} range") for v in _pair(table.get("range", [spec.low, spec.high]), f"{where} range"))
        _within(path, lo, hi)
        grid = tuple(float(_date(v, f"{where} values").toordinal()) for v in values) if values else None
        return Factor(path, (path,), "date", float(lo.toordinal()), float(hi.toordinal()), values=grid,
                      levels=table.get("levels"), integer=True, **dist)
    lo, hi = (_number(v, f"{where} range") for v in _pair(table.get("range", [spec.low, spec.high]), f"{where} range"))
    _within(path, lo, hi)
    grid = tuple(_number(v, f"{where} values") for v in values) if values is not None else None
    if grid:
        for v in grid:
            _within(path, v, v)
    return Factor(path, (path,), "value", lo, hi, values=grid, levels=table.get("levels"), integer=spec.kind is int, **dist)


def _group(table: dict, design: str, base: dict[str, Any], where: str, dist: dict) -> Factor:
    if "name" not in table:
        raise PanopticumError(f"{where}: a group of paths needs a name")
    patterns = table["paths"] if isinstance(table["paths"], list) else [table["paths"]]
    paths: list[str] = []
    for pattern in patterns:
        found = [p for p in SPEC_BY_PATH if fnmatch.fnmatchcase(p, str(pattern))]
        if not found:
            raise _unknown(str(pattern))
        paths += [p for p in found if p not in paths]
    for p in paths:
        _check_variable(p)
        if SPEC_BY_PATH[p].kind not in (float, int):
            raise PanopticumError(f"{where}: {p} is not a number; only numbers can be scaled by a factor")
    if "factor" not in table:
        raise PanopticumError(f"{where}: a group of paths needs factor = [low, high] (multiples of the base values)")
    lo, hi = (_number(v, f"{where} factor") for v in _pair(table["factor"], f"{where} factor"))
    if lo > hi or lo < 0:
        raise PanopticumError(f"{where}: factor must be 0 <= low <= high, got [{lo}, {hi}]")
    for p in paths:
        _within(p, base[p] * lo, base[p] * hi, note=f" (factor {hi:g} x base {base[p]:g})")
    values = tuple(_number(v, f"{where} values") for v in table["values"]) if "values" in table else None
    return Factor(str(table["name"]), tuple(paths), "factor", lo, hi, values=values, levels=table.get("levels"), **dist)


def _within(path: str, lo: Any, hi: Any, note: str = "") -> None:
    spec = SPEC_BY_PATH[path]
    if lo > hi:
        raise PanopticumError(f"{path}: range low {lo} is above high {hi}")
    if lo < spec.low or hi > spec.high:
        shown = f"[{lo}, {hi}]" if lo != hi else f"{lo}"
        raise PanopticumError(f"{path}: {shown}{note} is outside the schema's range {describe_range(path)}")


def _distribution(table: dict, design: str, where: str) -> dict[str, Any]:
    dist = table.get("distribution", "uniform")
    if dist not in DISTRIBUTIONS:
        raise PanopticumError(f"{where}: unknown distribution '{dist}'; choose one of {', '.join(DISTRIBUTIONS)}")
    if dist == "uniform":
        return {}
    if design in ("grid", "morris"):
        raise PanopticumError(f"{where}: a {dist} distribution needs a latin or saltelli design ({design} steps evenly)")
    need = {"normal": ("mean", "sd"), "lognormal": ("mean", "sd"), "triangular": ("mode",)}[dist]
    missing = [k for k in need if k not in table]
    if missing:
        raise PanopticumError(f"{where}: a {dist} distribution needs {' and '.join(missing)}")
    out: dict[str, Any] = {"distribution": dist}
    for k in need:
        out[k] = _number(table[k], f"{where} {k}")
    if out.get("sd", 1.0) <= 0:
        raise PanopticumError(f"{where}: sd must be positive")
    return out
