"""The typed parameter schema (pydantic), built from the declarations in :mod:`.model`.

A :class:`Parameters` object is a validated, frozen, nested set of values; scenarios (TOML
files) and ``--set path=value`` overrides produce one. Every error names the parameter,
the value found and the valid range, and is raised as a
:class:`~panopticum.errors.PanopticumError`.
"""

from __future__ import annotations

import datetime
import difflib
import tomllib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from panopticum.errors import PanopticumError
from panopticum.params.model import MODEL_SPEC
from panopticum.params.spec import Param, SpecTree, walk

SPEC_BY_PATH: dict[str, Param] = dict(walk(MODEL_SPEC))


def _schema_for(tree: SpecTree, name: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Param):
            bounds = {} if value.kind is bool else {"ge": value.low, "le": value.high}
            annotation = float if value.kind is float else value.kind
            fields[key] = (
                annotation,
                Field(
                    value.default,
                    description=value.doc,
                    json_schema_extra={"unit": value.unit, "source": value.source},
                    **bounds,
                ),
            )
        else:
            sub = _schema_for(value, f"{name}_{key}")
            fields[key] = (sub, Field(default_factory=sub))
    config = ConfigDict(extra="forbid", frozen=True, strict=False)
    return create_model(name, __config__=config, **fields)


Parameters: type[BaseModel] = _schema_for(MODEL_SPEC, "Parameters")
"""The model's parameters as a pydantic model; ``Parameters()`` gives the defaults."""


def describe_range(path: str) -> str:
    spec = SPEC_BY_PATH[path]
    if spec.kind is bool:
        return "true or false"
    return f"[{spec.low}, {spec.high}] {spec.unit}".rstrip()


def _unknown(path: str) -> PanopticumError:
    close = difflib.get_close_matches(path, SPEC_BY_PATH, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `panopticum params` lists them"
    return PanopticumError(f"unknown parameter '{path}'{hint}")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in SPEC_BY_PATH:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        node = nested
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested


def _check_value(path: str, value: Any) -> Any:
    spec = SPEC_BY_PATH[path]
    kind = spec.kind
    if kind is bool:
        if not isinstance(value, bool):
            raise PanopticumError(f"{path} must be true or false, got {value!r}")
        return value
    if kind is datetime.date:
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                raise PanopticumError(f"{path} must be a date YYYY-MM-DD, got {value!r}") from None
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise PanopticumError(f"{path} must be a date YYYY-MM-DD, got {value!r}")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PanopticumError(f"{path} must be a number in {describe_range(path)}, got {value!r}")
    elif kind is int and float(value) != int(value):
        raise PanopticumError(f"{path} must be a whole number in {describe_range(path)}, got {value!r}")
    if not (spec.low <= value <= spec.high):
        raise PanopticumError(f"{path} = {value} is outside its range {describe_range(path)}")
    return int(value) if kind is int else value


def _ordered_dates() -> list[tuple[str, str, bool]]:
    """Pairs of date parameters that must come in order: ``(earlier, later, strictly)``.

    Every ``X_start`` with an ``X_end`` beside it (a rollout cannot end before it begins),
    and the border's closing before its reopening. Derived from the declarations, so a
    renamed or added rollout is checked without a list to keep up to date.
    """
    dates = {path for path, spec in SPEC_BY_PATH.items() if spec.kind is datetime.date}
    pairs = [(p, p[: -len("_start")] + "_end", False) for p in sorted(dates)
             if p.endswith("_start") and p[: -len("_start")] + "_end" in dates]
    for earlier, later in (("timeline.border_closed", "timeline.border_reopened"),):
        if earlier in dates and later in dates:
            pairs.append((earlier, later, True))
    return pairs


ORDERED_DATES = _ordered_dates()


def check_timeline(params: BaseModel) -> BaseModel:
    """Refuse a timeline whose dates are out of order (e.g. the border reopening before it closes)."""
    flat = flatten_parameters(params)
    for earlier, later, strictly in ORDERED_DATES:
        a, b = flat[earlier], flat[later]
        if b < a or (strictly and b == a):
            word = "after" if strictly else "on or after"
            raise PanopticumError(f"inconsistent timeline: {later} = {b} must be {word} {earlier} = {a}")
    return params


def make_parameters(overrides: dict[str, Any] | None = None, base: BaseModel | None = None) -> BaseModel:
    """Validate dotted-path (or nested) overrides on top of ``base`` (the defaults if None)."""
    flat = _flatten(overrides or {})
    for path, value in flat.items():
        if path not in SPEC_BY_PATH:
            raise _unknown(path)
        flat[path] = _check_value(path, value)
    merged = flatten_parameters(base) if base is not None else {}
    merged.update(flat)
    try:
        params = Parameters.model_validate(_nest(merged))
    except ValidationError as exc:  # a safety net: _check_value catches these first
        first = exc.errors()[0]
        raise PanopticumError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    return check_timeline(params)


def flatten_parameters(params: BaseModel) -> dict[str, Any]:
    """Every parameter's value by dotted path, in declaration order."""
    nested = params.model_dump()
    flat = {}
    for path, _ in walk(MODEL_SPEC):
        node: Any = nested
        for part in path.split("."):
            node = node[part]
        flat[path] = node
    return flat


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``path.to.param=value``; the value is read as TOML (numbers, true/false, dates)."""
    if "=" not in text:
        raise PanopticumError(f"--set expects path.to.param=value, got {text!r}")
    path, raw = (part.strip() for part in text.split("=", 1))
    if path not in SPEC_BY_PATH:
        raise _unknown(path)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return path, value
