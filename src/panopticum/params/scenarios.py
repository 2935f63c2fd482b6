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

    [[survey]]                # keep survey snapshots on these dates (docs/surveys.md)
    date = 2023-12-31

A scenario without ``[[survey]]`` tables keeps those of the scenario it extends.

The built-in scenarios live in ``panopticum/scenarios/``; a user's file is named by path.
"""

from __future__ import annotations

import dataclasses
import datetime
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
    survey_dates: tuple[datetime.date, ...] = ()  # the dates a run keeps survey snapshots on


def _survey_dates(name: str, tables: Any) -> tuple[datetime.date, ...]:
    """The dates of a scenario's ``[[survey]]`` tables, each ``date = YYYY-MM-DD``."""
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise PanopticumError(f"{name}: survey dates are [[survey]] tables, each with date = YYYY-MM-DD")
    dates = []
    for table in tables:
        unknown = set(table) - {"date"}
        if unknown or "date" not in table:
            raise PanopticumError(f"{name}: a [[survey]] table holds one key, date = YYYY-MM-DD, got {sorted(table)}")
        value = table["date"]
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
            raise PanopticumError(f"{name}: [[survey]] date must be a date YYYY-MM-DD, got {value!r}")
        dates.append(value)
    return tuple(sorted(set(dates)))


def _builtin_dir():
    return resources.files("panopticum") / "scenarios"


def builtin_names() -> list[str]:
    return sorted(p.name[: -len(".toml")] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def _is_builtin_name(name: str) -> bool:
    """A bare built-in name: no directory part and no ``.toml``, so a file or folder of that
    name in the current directory (``--out baseline-2023`` makes one) never hides it."""
    return "/" not in name and "\\" not in name and not name.endswith(".toml") and name in builtin_names()


def _locate(name_or_path: str, relative_to: Path | None) -> tuple[str, Path | None]:
    """``("built-in", None)`` or ``(key, path)``: a relative path in a file is read from that
    file's own directory, not from wherever the command was started."""
    if _is_builtin_name(name_or_path):
        return f"built-in:{name_or_path}", None
    path = Path(name_or_path).expanduser()
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not (name_or_path.endswith(".toml") or path.exists()):
        raise PanopticumError(
            f"unknown scenario '{name_or_path}'; built-in: {', '.join(builtin_names())} "
            "(or give a path to a .toml file)"
        )
    return str(path.resolve()), path


def _read(name_or_path: str, path: Path | None) -> tuple[dict[str, Any], str]:
    if path is None:
        text, source = (_builtin_dir() / f"{name_or_path}.toml").read_text(encoding="utf-8"), "built-in"
    else:
        if not path.is_file():
            raise PanopticumError(f"scenario file not found: {path}")
        try:
            text, source = path.read_text(encoding="utf-8"), str(path)
        except UnicodeDecodeError as exc:
            raise PanopticumError(f"scenario file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
        except OSError as exc:
            raise PanopticumError(f"cannot read scenario file {path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise PanopticumError(f"malformed TOML in {source if source != 'built-in' else name_or_path}: {exc}") from None


def load_scenario(
    name_or_path: str, overrides: dict[str, Any] | None = None, _seen: tuple = (), _relative_to: Path | None = None
) -> Scenario:
    """Resolve a built-in scenario name or a TOML path, then apply dotted-path overrides.

    A bare built-in name always means the built-in scenario; anything else is a path. An
    ``extends`` path is read relative to the directory of the file that names it.
    """
    key, path = _locate(name_or_path, _relative_to)
    if key in _seen:
        raise PanopticumError(f"scenario '{name_or_path}' extends itself through {' -> '.join(_seen)}")
    data, source = _read(name_or_path, path)
    surveys = data.pop("survey", None)
    meta = data.pop("scenario", {})
    if not isinstance(meta, dict):
        raise PanopticumError(f"{name_or_path}: [scenario] must be a table")
    unknown = set(meta) - SCENARIO_KEYS
    if unknown:
        raise PanopticumError(f"{name_or_path}: unknown key(s) in [scenario]: {', '.join(sorted(unknown))}")
    base = None
    base_days = 365
    base_surveys: tuple[datetime.date, ...] = ()
    if "extends" in meta:
        parent = load_scenario(str(meta["extends"]), _seen=_seen + (key,),
                               _relative_to=path.parent if path is not None else None)
        base, base_days, base_surveys = parent.params, parent.days, parent.survey_dates
    survey_dates = base_surveys if surveys is None else _survey_dates(name_or_path, surveys)
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
    return Scenario(name=str(name), description=str(meta.get("description", "")), days=days, params=params, source=source,
                    survey_dates=survey_dates)
