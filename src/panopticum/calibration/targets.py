"""Calibration targets: published figures, each with the observable that reproduces how it was measured.

A targets file is TOML::

    [targets]
    name = "nk-2024"
    description = "..."
    start_date = 2019-01-01       # the calibration runs start here ...
    end_date = 2024-12-31         # ... and end here (every target must fall inside)

    [free]                         # optional priors: uniform over [low, high]
    "escape.rate" = [0.0, 0.001]   # inside the schema's range, else refused

    [[target]]
    name = "arrivals"
    kind = "yearly"                # share | count | yearly | survey | census
    metric = "departure_hazard"
    years = [2019, 2020]
    observed = [1047, 229]
    uncertainty = [150, 50]
    fraction = 0.5                 # yearly/count: people counted per person the metric counts
    source = "Ministry of Unification"

Kinds (see docs/calibration.md):

- ``share``: a national metric at ``date``, or its mean over ``start``..``end``;
- ``count``: a national share-of-adults (or share-of-people) metric at ``date`` (or averaged),
  turned into people;
- ``yearly``: a rate per 100,000 adults per day summed over each calendar year, turned into
  people a year and multiplied by ``fraction``;
- ``survey``: the estimate of ``question`` by ``estimator`` from a virtual survey ``design``
  on a run's snapshot at ``date``;
- ``census``: the true count of people answering yes to ``question`` in a snapshot at ``date``.

``bound = "upper"`` (or ``"lower"``) makes a target one-sided: a simulated value on the
right side of the observed one is at distance 0.
"""

from __future__ import annotations

import dataclasses
import datetime
import tomllib
from pathlib import Path
from typing import Any

from panopticum.errors import PanopticumError

KINDS = ("share", "count", "yearly", "survey", "census")
SNAPSHOT_KINDS = ("survey", "census")
BOUNDS = ("both", "upper", "lower")
BUILTIN_DIR = Path(__file__).parent / "targets"
_TARGET_KEYS = {"name", "kind", "metric", "date", "start", "end", "years", "observed", "uncertainty", "bound",
                "fraction", "design", "question", "estimator", "sample", "source", "note"}


@dataclasses.dataclass(frozen=True)
class Target:
    """One published figure and the observable that reproduces it.

    ``observed`` and ``uncertainty`` are tuples (one value for most kinds, one a year for
    ``yearly``); :meth:`labels` names each element as the calibration's summary statistics.
    """

    name: str
    kind: str
    observed: tuple[float, ...]
    uncertainty: tuple[float, ...]
    source: str
    metric: str | None = None
    date: datetime.date | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    years: tuple[int, ...] = ()
    bound: str = "both"
    fraction: float = 1.0
    design: str | None = None
    question: str | None = None
    estimator: str = "raw"
    sample: str = ""  # a sample label of the design; "" means its first sample
    note: str = ""

    @property
    def needs_snapshots(self) -> bool:
        return self.kind in SNAPSHOT_KINDS

    def labels(self) -> list[str]:
        if self.kind == "yearly":
            return [f"{self.name}[{y}]" for y in self.years]
        return [self.name]

    def window(self) -> tuple[datetime.date, datetime.date]:
        """First and last date the observable reads."""
        if self.kind == "yearly":
            return datetime.date(min(self.years), 1, 1), datetime.date(max(self.years), 12, 31)
        if self.date is not None:
            return self.date, self.date
        return self.start, self.end


@dataclasses.dataclass(frozen=True)
class TargetSet:
    name: str
    description: str
    start_date: datetime.date
    end_date: datetime.date
    targets: tuple[Target, ...]
    priors: dict[str, tuple[float, float]]
    source: str

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def builtin_targets() -> list[str]:
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))


def _read(name_or_path: str) -> tuple[dict[str, Any], str]:
    path = Path(name_or_path)
    if not path.suffix and (BUILTIN_DIR / f"{name_or_path}.toml").exists():
        path = BUILTIN_DIR / f"{name_or_path}.toml"
    if not path.exists():
        raise PanopticumError(f"no targets file or built-in targets named '{name_or_path}' (built-in: {', '.join(builtin_targets())})")
    try:
        return tomllib.loads(path.read_text()), str(path)
    except tomllib.TOMLDecodeError as exc:
        raise PanopticumError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PanopticumError(f"cannot read targets file {path}: {exc}") from None


def _date(raw: Any, where: str) -> datetime.date:
    if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass
    raise PanopticumError(f"{where} must be a date YYYY-MM-DD, got {raw!r}")


def _numbers(raw: Any, where: str, n: int | None) -> tuple[float, ...]:
    values = raw if isinstance(raw, list) else [raw]
    if not values or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in values):
        raise PanopticumError(f"{where} must be a number{' or a list of numbers' if n != 1 else ''}, got {raw!r}")
    if n is not None and len(values) != n:
        raise PanopticumError(f"{where} needs {n} value{'s' if n != 1 else ''} (one per year), got {len(values)}")
    return tuple(float(v) for v in values)


def possible_range(target: Target) -> tuple[float, float]:
    """The values an observable can take: shares in [0, 1], counts of people in [0, inf)."""
    if target.kind in ("share", "survey"):
        return 0.0, 1.0
    return 0.0, float("inf")


def _check_metric(metric: Any, kind: str, where: str) -> str:
    from panopticum.engine.metrics import ALL_METRICS

    if not isinstance(metric, str) or metric not in ALL_METRICS:
        import difflib

        close = difflib.get_close_matches(str(metric), ALL_METRICS, n=2, cutoff=0.6)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `panopticum metrics` lists them"
        raise PanopticumError(f"{where}: unknown metric {metric!r}{hint}")
    unit = ALL_METRICS[metric].unit
    wanted = {"share": ("share", "0-1"), "count": ("share",), "yearly": ("per 100,000 adults per day",)}[kind]
    if not unit.startswith(wanted):
        raise PanopticumError(f"{where}: a {kind} target needs a metric in {' or '.join(wanted)}, but {metric} is in {unit}")
    return metric


def _check_design(design: Any, question: Any, where: str) -> None:
    from panopticum.surveys.designs import builtin_designs

    if not isinstance(design, str) or not (design in builtin_designs() or Path(design).suffix == ".toml" and Path(design).exists()):
        raise PanopticumError(f"{where}: unknown survey design {design!r} (built-in: {', '.join(builtin_designs())})")
    _check_question(question, where)


def _check_sample(design: str, sample: Any, where: str) -> str:
    from panopticum.surveys.designs import load_design

    labels = [s.label for s in load_design(design).samples] + (["all"] if len(load_design(design).samples) > 1 else [])
    if sample != "" and sample not in labels:
        raise PanopticumError(f"{where}: design {design} has no sample {sample!r} (samples: {', '.join(labels)})")
    return str(sample)


def _check_question(question: Any, where: str) -> None:
    from panopticum.surveys.questions import QUESTION_NAMES

    if question not in QUESTION_NAMES:
        raise PanopticumError(f"{where}: unknown survey question {question!r} (known: {', '.join(QUESTION_NAMES)})")


def _target(raw: Any, index: int, start: datetime.date, end: datetime.date) -> Target:
    if not isinstance(raw, dict):
        raise PanopticumError(f"[[target]] number {index + 1} must be a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise PanopticumError(f"[[target]] number {index + 1} needs a name")
    where = f"target '{name}'"
    unknown = sorted(set(raw) - _TARGET_KEYS)
    if unknown:
        raise PanopticumError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_TARGET_KEYS))})")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise PanopticumError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    fields: dict[str, Any] = {"name": name, "kind": kind, "source": str(raw.get("source", "")), "note": str(raw.get("note", ""))}
    if kind in ("share", "count", "yearly"):
        fields["metric"] = _check_metric(raw.get("metric"), kind, where)
    if kind == "survey":
        _check_design(raw.get("design"), raw.get("question"), where)
        fields.update(design=raw["design"], question=raw["question"], estimator=str(raw.get("estimator", "raw")),
                      sample=_check_sample(raw["design"], raw.get("sample", ""), where))
    if kind == "census":
        _check_question(raw.get("question"), where)
        fields["question"] = raw["question"]
    n = 1
    if kind == "yearly":
        years = raw.get("years")
        if not isinstance(years, list) or not years or any(isinstance(y, bool) or not isinstance(y, int) for y in years):
            raise PanopticumError(f"{where}: a yearly target needs years = [list of whole years]")
        fields["years"] = tuple(years)
        n = len(years)
    elif "date" in raw:
        fields["date"] = _date(raw["date"], f"{where}: date")
    elif "start" in raw and "end" in raw:
        fields["start"], fields["end"] = _date(raw["start"], f"{where}: start"), _date(raw["end"], f"{where}: end")
        if fields["end"] < fields["start"]:
            raise PanopticumError(f"{where}: end {fields['end']} is before start {fields['start']}")
    else:
        raise PanopticumError(f"{where}: give a date, or a start and an end")
    if "observed" not in raw or "uncertainty" not in raw:
        raise PanopticumError(f"{where}: needs an observed value and its uncertainty")
    fields["observed"] = _numbers(raw["observed"], f"{where}: observed", n)
    fields["uncertainty"] = _numbers(raw["uncertainty"], f"{where}: uncertainty", n)
    if any(u <= 0 for u in fields["uncertainty"]):
        raise PanopticumError(f"{where}: uncertainty must be positive, got {raw['uncertainty']!r}")
    bound = raw.get("bound", "both")
    if bound not in BOUNDS:
        raise PanopticumError(f"{where}: bound must be one of {', '.join(BOUNDS)}, got {bound!r}")
    fields["bound"] = bound
    fraction = raw.get("fraction", 1.0)
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise PanopticumError(f"{where}: fraction must be a number in (0, 1], got {fraction!r}")
    fields["fraction"] = float(fraction)
    target = Target(**fields)
    low, high = possible_range(target)
    for value in target.observed:
        if not low <= value <= high:
            raise PanopticumError(f"{where}: observed value {value:g} is outside the possible range [{low:g}, {high:g}] of a {kind} target")
    first, last = target.window()
    if first < start or last > end:
        raise PanopticumError(f"{where}: reads {first} to {last}, outside the calibration's dates {start} to {end}")
    return target


def check_prior(path: str, low: float, high: float) -> tuple[float, float]:
    """A uniform prior on ``path``: a float parameter, ``low < high``, inside the schema's range."""
    from panopticum.params.schema import SPEC_BY_PATH, _unknown, describe_range

    if path not in SPEC_BY_PATH:
        raise _unknown(path)
    spec = SPEC_BY_PATH[path]
    if spec.kind not in (float, int):
        raise PanopticumError(f"{path} is a {spec.kind.__name__}: only numeric parameters can be calibrated")
    if not low < high:
        raise PanopticumError(f"prior of {path}: low {low:g} must be below high {high:g}")
    if low < spec.low or high > spec.high:
        raise PanopticumError(f"prior of {path} [{low:g}, {high:g}] is outside the schema's range {describe_range(path)}")
    return float(low), float(high)


def _priors(raw: Any) -> dict[str, tuple[float, float]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise PanopticumError("[free] must be a table of parameter = [low, high]")
    out = {}
    for path, bounds in raw.items():
        if (not isinstance(bounds, list) or len(bounds) != 2
                or any(isinstance(b, bool) or not isinstance(b, (int, float)) for b in bounds)):
            raise PanopticumError(f"[free] {path} must be [low, high], got {bounds!r}")
        out[path] = check_prior(path, *bounds)
    return out


def load_targets(name_or_path: str) -> TargetSet:
    """A built-in target set by name, or a targets TOML file; every error is one line."""
    raw, source = _read(name_or_path)
    head = raw.get("targets")
    if not isinstance(head, dict):
        raise PanopticumError(f"{source}: needs a [targets] table with name, start_date and end_date")
    unknown = sorted(set(raw) - {"targets", "target", "free"})
    if unknown:
        raise PanopticumError(f"{source}: unknown table [{unknown[0]}] (known: targets, free, target)")
    start = _date(head.get("start_date"), "[targets] start_date")
    end = _date(head.get("end_date"), "[targets] end_date")
    if end < start:
        raise PanopticumError(f"[targets] end_date {end} is before start_date {start}")
    items = raw.get("target")
    if not isinstance(items, list) or not items:
        raise PanopticumError(f"{source}: needs at least one [[target]]")
    targets = tuple(_target(t, i, start, end) for i, t in enumerate(items))
    names = [t.name for t in targets]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise PanopticumError(f"{source}: two targets are named '{duplicate}'")
    return TargetSet(name=str(head.get("name", Path(source).stem)), description=str(head.get("description", "")),
                     start_date=start, end_date=end, targets=targets, priors=_priors(raw.get("free")), source=source)
