"""The parameter form, generated from the schema: one field per parameter, and its checks.

Every parameter in :data:`~panopticum.params.schema.SPEC_BY_PATH` gets a field: a switch
for an on/off, a slider where the range is a few hundred steps that hit the default, a
text box otherwise (wide ranges such as analysis capacities, and dates). Its tooltip
gives what it does, its unit, range, default and source. The form shows the *key*
parameters first (every channel's switch and the few that move results most) and the
rest grouped by process. Values are checked by the schema itself, so a bad value gets the
same message the command line gives, shown in the page.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError
from panopticum.params.schema import SPEC_BY_PATH, describe_range, make_parameters
from panopticum.params.spec import format_value
from panopticum.population.core import MIN_AGENTS

SWITCH, SLIDER, INT_SLIDER, TEXT, DATE = "switch", "slider", "int_slider", "text", "date"
SLIDER_STEPS = 200

# The parameters shown first, beside every channel's on/off switch; any path the schema no
# longer has is skipped.
KEY_PATHS = (
    "informants.share",
    "cameras.coverage_market",
    "facial_recognition.true_match",
    "phones.check_rate",
    "analysis.capacity_human",
    "analysis.capacity_cameras",
    "enforcement.corruption",
    "enforcement.detain_trade",
    "media.closed_border_supply",
    "beliefs.sensitivity",
    "behaviour.media.motive_curiosity",
)

# Demo size: what a page can run in seconds to a minute on a laptop.
DEMO_AGENTS = (MIN_AGENTS, 50_000)
DEMO_DAYS = (7, 730)
DEFAULT_AGENTS, DEFAULT_DAYS = MIN_AGENTS, 90


@dataclasses.dataclass(frozen=True)
class Field:
    path: str
    widget: str
    label: str
    default: Any
    low: Any = None
    high: Any = None
    step: float | None = None
    tooltip: str = ""

    @property
    def group(self) -> str:
        return self.path.split(".")[0]


def _slider_step(low: float, high: float, default: float) -> float | None:
    """A round step giving about SLIDER_STEPS positions that lands on the default; else None."""
    raw = (high - low) / SLIDER_STEPS
    if raw <= 0:
        return None
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    on_grid = abs((default - low) / step - round((default - low) / step)) < 1e-6
    return step if on_grid and (high - low) / step <= 1000 else None


def tooltip(path: str) -> str:
    spec = SPEC_BY_PATH[path]
    return (f"{spec.doc} Unit: {spec.unit}. Range: {describe_range(path)}. "
            f"Default: {format_value(spec.default)}. Source: {spec.source}.")


def field_for(path: str) -> Field:
    spec = SPEC_BY_PATH[path]
    group, _, rest = path.partition(".")
    label = group.replace("_", " ") if spec.kind is bool else f"{group}: {rest.replace('.', ' ').replace('_', ' ')}"
    common = dict(path=path, label=label, default=spec.default, low=spec.low, high=spec.high, tooltip=tooltip(path))
    if spec.kind is bool:
        return Field(widget=SWITCH, **common)
    if spec.kind is datetime.date:
        return Field(widget=DATE, **common)
    if spec.kind is int and spec.high - spec.low <= 1000:
        return Field(widget=INT_SLIDER, step=1, **common)
    step = _slider_step(float(spec.low), float(spec.high), float(spec.default))
    return Field(widget=SLIDER if step else TEXT, step=step, **common)


def all_fields() -> list[Field]:
    return [field_for(p) for p in SPEC_BY_PATH]


def key_fields() -> list[Field]:
    switches = [p for p in SPEC_BY_PATH if SPEC_BY_PATH[p].kind is bool]
    return [field_for(p) for p in switches + [p for p in KEY_PATHS if p in SPEC_BY_PATH]]


def groups() -> dict[str, list[Field]]:
    """Every field by process (the schema's top-level keys), in declaration order."""
    out: dict[str, list[Field]] = {}
    for f in all_fields():
        out.setdefault(f.group, []).append(f)
    return out


def parse_text(path: str, text: str) -> Any:
    """A typed value from a text box, checked against the schema (a PanopticumError if bad)."""
    raw = text.strip()
    if not raw:
        raise PanopticumError(f"{path}: give a value in {describe_range(path)}")
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    make_parameters({path: value})  # raises with the schema's own message
    spec = SPEC_BY_PATH[path]
    if spec.kind is datetime.date and isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    return float(value) if spec.kind is float else value


def display(value: Any) -> str:
    return format_value(value) if value is not None else ""


def check_size(agents: Any, days: Any) -> tuple[int, int]:
    """Agents and days as ints within the demo caps, or a PanopticumError naming the cap."""
    out = []
    for name, value, (low, high) in (("agents", agents, DEMO_AGENTS), ("days", days, DEMO_DAYS)):
        try:
            number = int(str(value).replace(",", "").replace("_", "").strip())
        except ValueError:
            raise PanopticumError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}") from None
        if not low <= number <= high:
            raise PanopticumError(f"{name} must be from {low:,} to {high:,} in the dashboard (the demo cap), "
                                  f"got {number:,}; `panopticum run` takes more")
        out.append(number)
    return out[0], out[1]


def check_scenario(scenario: str, overrides: dict[str, Any]):
    """The scenario with the form's values applied (a PanopticumError if any is bad)."""
    from panopticum.params.scenarios import load_scenario

    return load_scenario(scenario, overrides)


def save_upload(name: str, data: bytes) -> tuple[str, str]:
    """Keep an uploaded (or pasted) scenario file and check it: ``(label, path)``.

    The file is written to a fresh temporary folder under a cleaned name, loaded as a
    scenario (so ``extends`` a built-in works), and any problem comes back as a
    PanopticumError that names the file as the user called it.
    """
    shown = Path(name).name or "scenario.toml"
    if not shown.endswith(".toml"):
        raise PanopticumError(f"{shown}: a scenario is a .toml file")
    path = Path(tempfile.mkdtemp(prefix="panopticum-upload-")) / (re.sub(r"[^A-Za-z0-9_.-]", "_", shown))
    path.write_bytes(data or b"")
    try:
        scenario = check_scenario(str(path), {})
    except PanopticumError as exc:
        raise PanopticumError(str(exc).replace(str(path), shown)) from None
    return f"{scenario.name} (from {shown})", str(path)
