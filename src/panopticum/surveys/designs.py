"""Survey designs: TOML files naming samples, their frames and sizes, and the estimators.

A design file::

    [design]
    name = "my-study"
    description = "30 escapees and 60 residents by phone"
    source = "where the design comes from"
    estimators = ["raw", "poststrat", "rds2", "nsum"]   # see estimators.ESTIMATORS
    pool = true                # also estimate from all samples together (raw, poststrat)

    [[sample]]
    label = "escapees"
    frame = "escapee"          # escapee | phone | srs
    respondents = 30
    interview_lag_days = 365   # any frames.<frame>.* parameter, for this sample only

    [parameters]               # any survey parameter, by dotted path
    "response.fear" = 0.3

The built-in designs live in ``panopticum/surveys/builtin-designs/``; a user's file is named by path.
"""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError
from panopticum.surveys.estimators import ESTIMATORS
from panopticum.surveys.frames import FRAMES
from panopticum.surveys.params import SURVEY_PARAMS, survey_parameters

SAMPLE_KEYS = {"label", "frame", "respondents"}
DESIGN_KEYS = {"name", "description", "source", "estimators", "pool"}


@dataclasses.dataclass(frozen=True)
class Sample:
    label: str
    frame: str
    respondents: int
    overrides: dict[str, Any]  # frames.<frame>.* paths


@dataclasses.dataclass(frozen=True)
class Design:
    name: str
    description: str
    source: str
    estimators: tuple[str, ...]
    pool: bool
    samples: tuple[Sample, ...]
    parameters: dict[str, Any]  # survey-parameter overrides, dotted paths

    @property
    def respondents(self) -> int:
        return sum(s.respondents for s in self.samples)


def _builtin_dir():
    return resources.files("panopticum") / "surveys" / "builtin-designs"


def builtin_designs() -> list[str]:
    return sorted(p.name[: -len(".toml")] for p in _builtin_dir().iterdir() if p.name.endswith(".toml"))


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in SURVEY_PARAMS:
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def _read(name_or_path: str) -> tuple[dict[str, Any], str]:
    path = Path(name_or_path)
    if name_or_path.endswith(".toml") or path.exists():
        if not path.is_file():
            raise PanopticumError(f"design file not found: {name_or_path}")
        text, where = path.read_text(encoding="utf-8"), str(path)
    elif name_or_path in builtin_designs():
        text, where = (_builtin_dir() / f"{name_or_path}.toml").read_text(encoding="utf-8"), name_or_path
    else:
        raise PanopticumError(f"unknown survey design '{name_or_path}'; built-in: {', '.join(builtin_designs())} "
                              "(or give a path to a .toml file)")
    try:
        return tomllib.loads(text), where
    except tomllib.TOMLDecodeError as exc:
        raise PanopticumError(f"malformed TOML in design {where}: {exc}") from None


def _sample(raw: Any, where: str, k: int) -> Sample:
    if not isinstance(raw, dict):
        raise PanopticumError(f"{where}: [[sample]] {k + 1} must be a table")
    frame = raw.get("frame")
    if frame not in FRAMES:
        raise PanopticumError(f"{where}: sample {k + 1} has frame {frame!r}; frames: {', '.join(FRAMES)}")
    n = raw.get("respondents")
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise PanopticumError(f"{where}: sample {k + 1} needs respondents = a whole number of 2 or more, got {n!r}")
    overrides = {f"frames.{frame}.{key}": v for key, v in raw.items() if key not in SAMPLE_KEYS}
    for path in overrides:
        if path not in SURVEY_PARAMS:
            raise PanopticumError(f"{where}: sample {k + 1} sets '{path.rsplit('.', 1)[1]}', "
                                  f"not a parameter of the {frame} frame")
    return Sample(str(raw.get("label", frame)), frame, n, overrides)


def load_design(name_or_path: str) -> Design:
    """A built-in design by name, or a design file by path, checked."""
    data, where = _read(name_or_path)
    meta = data.get("design", {})
    unknown = set(data) - {"design", "sample", "parameters"} or set(meta) - DESIGN_KEYS
    if unknown:
        raise PanopticumError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    raw_samples = data.get("sample", [])
    if not isinstance(raw_samples, list) or not raw_samples:
        raise PanopticumError(f"{where}: a design needs at least one [[sample]]")
    samples = tuple(_sample(s, where, k) for k, s in enumerate(raw_samples))
    labels = [s.label for s in samples]
    if len(set(labels)) != len(labels) or "all" in labels:
        raise PanopticumError(f"{where}: sample labels must be distinct and not 'all'")
    estimators = tuple(meta.get("estimators", ["raw", "poststrat"]))
    bad = [e for e in estimators if e not in ESTIMATORS]
    if bad:
        raise PanopticumError(f"{where}: unknown estimator(s) {', '.join(map(str, bad))}; known: {', '.join(ESTIMATORS)}")
    parameters = _flatten(data.get("parameters", {}))
    try:
        survey_parameters(parameters, *(s.overrides for s in samples))
    except PanopticumError as exc:
        raise PanopticumError(f"{where}: {exc}") from None
    return Design(
        name=str(meta.get("name", Path(name_or_path).stem)), description=str(meta.get("description", "")),
        source=str(meta.get("source", where)), estimators=estimators, pool=bool(meta.get("pool", False)) and len(samples) > 1,
        samples=samples, parameters=parameters,
    )
