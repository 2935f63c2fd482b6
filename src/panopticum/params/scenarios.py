"""Scenarios: TOML files that override the parameter defaults.

A scenario file has a ``[scenario]`` table (``name``, ``description``, ``days``, and
optionally ``extends``, the name or path of a scenario it builds on) and one table per
process with the parameters it changes::

    [scenario]
    name = "my-study"
    description = "Twice the informants"
    extends = "baseline-2023"

    [informants]
    share = 0.05

The built-in scenarios live in ``panopticum/scenarios/``; a user's file is named by path.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from panopticum.errors import PanopticumError
from panopticum.params.schema import make_parameters

SCENARIO_KEYS = {"name", "description", "days", "extends"}


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A resolved scenario: its parameters and the length of run it suggests."""

    name: str
    description: str
    days: int
    params: BaseModel
    source: str  # "built-in" or the file's path


def _builtin_dir():
    return resources.files("panopticum") / "scenarios"


def builtin_names() -> list[str]:
    return sorted(p.name[: -len(".toml")] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def _read(name_or_path: str) -> tuple[dict[str, Any], str]:
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.exists():
        if not path.is_file():
            raise PanopticumError(f"scenario file not found: {name_or_path}")
        text, source = path.read_text(encoding="utf-8"), str(path)
    elif name_or_path in builtin_names():
        text, source = (_builtin_dir() / f"{name_or_path}.toml").read_text(encoding="utf-8"), "built-in"
    else:
        raise PanopticumError(
            f"unknown scenario '{name_or_path}'; built-in: {', '.join(builtin_names())} "
            "(or give a path to a .toml file)"
        )
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise PanopticumError(f"malformed TOML in {source if source != 'built-in' else name_or_path}: {exc}") from None


def load_scenario(name_or_path: str, overrides: dict[str, Any] | None = None, _seen: tuple = ()) -> Scenario:
    """Resolve a built-in scenario name or a TOML path, then apply dotted-path overrides."""
    if name_or_path in _seen:
        raise PanopticumError(f"scenario '{name_or_path}' extends itself through {' -> '.join(_seen)}")
    data, source = _read(name_or_path)
    meta = data.pop("scenario", {})
    if not isinstance(meta, dict):
        raise PanopticumError(f"{name_or_path}: [scenario] must be a table")
    unknown = set(meta) - SCENARIO_KEYS
    if unknown:
        raise PanopticumError(f"{name_or_path}: unknown key(s) in [scenario]: {', '.join(sorted(unknown))}")
    base = None
    base_days = 365
    if "extends" in meta:
        parent = load_scenario(str(meta["extends"]), _seen=_seen + (name_or_path,))
        base, base_days = parent.params, parent.days
    try:
        params = make_parameters(data, base=base)
    except PanopticumError as exc:
        raise PanopticumError(f"{name_or_path}: {exc}") from None
    if overrides:
        params = make_parameters(overrides, base=params)
    days = meta.get("days", base_days)
    if not isinstance(days, int) or days < 1:
        raise PanopticumError(f"{name_or_path}: [scenario] days must be a positive whole number, got {days!r}")
    name = meta.get("name", Path(name_or_path).stem)
    return Scenario(name=str(name), description=str(meta.get("description", "")), days=days, params=params, source=source)
