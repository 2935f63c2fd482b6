"""How a parameter is declared: the single source of truth for its unit, range and source.

Every model parameter is a :class:`Param` in a nested mapping (a *spec tree*); its dotted
path (``"inspections.random_rate"``) is its name everywhere: in scenario TOML files, in
``--set path=value``, in the manifest, in the docs' tables and in the dashboard.

Standard library only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
import datetime
from typing import Any, Union

Value = Union[float, int, bool, datetime.date]


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter's declaration.

    **Arguments:**

    - ``default``: the value used unless a scenario or ``--set`` overrides it; its Python
      type (float, int, bool or ``datetime.date``) is the parameter's type.
    - ``unit``: e.g. ``"per day"``, ``"share"``, ``"days"``; ``"-"`` for a pure number.
    - ``low``, ``high``: the valid closed range (ignored for bools).
    - ``source``: where the default comes from, or ``"free parameter: ..."`` with the
      reason for the range where nothing is published.
    - ``doc``: one sentence on what it does.
    """

    default: Value
    unit: str
    low: float | datetime.date | None
    high: float | datetime.date | None
    source: str
    doc: str

    def __post_init__(self) -> None:
        if isinstance(self.default, bool):
            return
        if self.low is None or self.high is None:
            raise ValueError(f"a numeric parameter needs a range: {self.doc!r}")
        if not (self.low <= self.default <= self.high):
            raise ValueError(
                f"default {self.default} outside [{self.low}, {self.high}]: {self.doc!r}"
            )

    @property
    def kind(self) -> type:
        return type(self.default)


SpecTree = Mapping[str, Union["SpecTree", Param]]


def format_value(value: Value) -> str:
    """A parameter value as people write it in TOML and tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def walk(tree: SpecTree, prefix: str = "") -> Iterator[tuple[str, Param]]:
    """Yield ``(dotted_path, Param)`` for every parameter in a spec tree, in order."""
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Param):
            yield path, value
        else:
            yield from walk(value, prefix=f"{path}.")


def defaults(tree: SpecTree) -> dict[str, Any]:
    """The nested dict of default values."""
    return {
        key: value.default if isinstance(value, Param) else defaults(value)
        for key, value in tree.items()
    }
