"""Parameters of Epstein's civil violence model (Model 1), declared once.

:data:`SPEC` holds one :class:`~panopticum.params.spec.Param` per parameter (unit, range,
default, source); :class:`EpsteinParams` is the frozen dataclass pytree the model functions
take. Fields that fix array shapes or loop bounds (grid size, densities, visions, movement
tries) are static pytree metadata; the rest (legitimacy, jail term, threshold, ``k``) are
leaves, so a batch of them can be ``vmap``-ed. A scenario is
``EpsteinParams().replace(legitimacy=0.7)`` or :func:`from_overrides`.

Defaults are NetLogo's "Rebellion" (Wilensky 2004), which follows Epstein (2002,
PNAS 99 suppl. 3, 7243-7250, doi:10.1073/pnas.092080199).

Imports numpy and jax alone (plus the standard-library parameter declarations).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import jax

from panopticum.errors import PanopticumError
from panopticum.params.spec import Param

NETLOGO = "NetLogo Rebellion (Wilensky 2004) default"
EPSTEIN = "Epstein (2002) PNAS 99:7243, Model 1"

SPEC: dict[str, Param] = {
    "width": Param(40, "cells", 3, 100_000, NETLOGO + " (max-pxcor 0..39)",
                   "Grid width; the grid is a torus."),
    "height": Param(40, "cells", 3, 100_000, NETLOGO, "Grid height; the grid is a torus."),
    "citizen_density": Param(0.70, "share of cells", 0.0, 1.0, NETLOGO,
                             "Share of cells holding a citizen at the start."),
    "cop_density": Param(0.04, "share of cells", 0.0, 1.0,
                         NETLOGO + " (Mesa's model.py: 0.074)",
                         "Share of cells holding a cop at the start."),
    "citizen_vision": Param(7, "cells (von Neumann radius)", 1, 15, EPSTEIN + "; NetLogo 7",
                            "How far a citizen sees cops and actives, and may move."),
    "cop_vision": Param(7, "cells (von Neumann radius)", 1, 15, EPSTEIN + "; NetLogo 7",
                        "How far a cop sees actives to arrest, and may move."),
    "legitimacy": Param(0.82, "-", 0.0, 1.0, NETLOGO + " (Mesa: 0.8)",
                        "L: perceived legitimacy of the regime; grievance G = H (1 - L)."),
    "max_jail_term": Param(30, "steps", 0, 100_000, NETLOGO + " (Mesa's model.py: 1000)",
                           "J_max: a jail term is uniform on the integers 0..J_max."),
    "active_threshold": Param(0.1, "-", -1.0, 1.0, EPSTEIN + "; NetLogo 0.1",
                              "T: a citizen turns active when G - R P > T."),
    "arrest_prob_constant": Param(2.3, "-", 0.0, 100.0, EPSTEIN + "; NetLogo 2.3",
                                  "k in P = 1 - exp(-k floor(C / A))."),
    "round_ratio": Param(False, "-", None, None,
                         "NetLogo uses floor; Mesa 3.3.1 uses round (half to even)",
                         "Round C / A instead of flooring it (Mesa's variant)."),
    "movement": Param(True, "-", None, None, NETLOGO, "Whether agents move each step."),
    "turn_order": Param(False, "-", None, None,
                        "free parameter: emulates Mesa's random sequential activation",
                        "Each step a random half of the cops act before the citizens "
                        "(arresting among last step's actives), the rest after."),
    "activation_batches": Param(1, "batches", 1, 64,
                                "free parameter: emulates Mesa's random sequential "
                                "activation as it grows (1: simultaneous)",
                                "Each step citizens and cops are split at random into this "
                                "many batches that act in turn (decide, arrest, move), each "
                                "seeing the earlier batches' arrests and moves."),
    "arrest_rounds": Param(2, "rounds", 1, 8,
                           "free parameter: implementation (simultaneous arrests)",
                           "Rounds of simultaneous arrests per step: a cop whose pick was "
                           "taken by another cop picks again among the actives left."),
    "move_tries": Param(4, "draws", 1, 64,
                        "free parameter: implementation (rejection sampling of a target)",
                        "Random cells in vision an agent draws, per round, looking for an "
                        "empty one; with 26% empty cells, 4 draws find one 70% of the time."),
    "move_rounds": Param(1, "rounds", 1, 8,
                         "free parameter: implementation (simultaneous moves)",
                         "Rounds of simultaneous moves per step: agents that lost a contested "
                         "cell or found none try again among the cells left empty."),
}

STATIC_FIELDS = (
    "width", "height", "citizen_density", "cop_density", "citizen_vision", "cop_vision",
    "round_ratio", "movement", "turn_order", "activation_batches", "arrest_rounds", "move_tries",
    "move_rounds",
)
DYNAMIC_FIELDS = ("legitimacy", "max_jail_term", "active_threshold", "arrest_prob_constant")


@dataclasses.dataclass(frozen=True)
class EpsteinParams:
    """Every parameter of Model 1; see :data:`SPEC` for units, ranges and sources.

    Static fields (shapes, loop bounds) are pytree metadata; dynamic ones are leaves and
    may be arrays (for ``vmap`` over legitimacy, say).
    """

    width: int = SPEC["width"].default
    height: int = SPEC["height"].default
    citizen_density: float = SPEC["citizen_density"].default
    cop_density: float = SPEC["cop_density"].default
    citizen_vision: int = SPEC["citizen_vision"].default
    cop_vision: int = SPEC["cop_vision"].default
    legitimacy: Any = SPEC["legitimacy"].default
    max_jail_term: Any = SPEC["max_jail_term"].default
    active_threshold: Any = SPEC["active_threshold"].default
    arrest_prob_constant: Any = SPEC["arrest_prob_constant"].default
    round_ratio: bool = SPEC["round_ratio"].default
    movement: bool = SPEC["movement"].default
    turn_order: bool = SPEC["turn_order"].default
    activation_batches: int = SPEC["activation_batches"].default
    arrest_rounds: int = SPEC["arrest_rounds"].default
    move_tries: int = SPEC["move_tries"].default
    move_rounds: int = SPEC["move_rounds"].default

    def replace(self, **changes: Any) -> EpsteinParams:
        return dataclasses.replace(self, **changes)

    @property
    def n_cells(self) -> int:
        return self.width * self.height

    @property
    def n_citizens(self) -> int:
        """Citizens placed at the start: round(density x cells), as NetLogo does."""
        return int(round(self.citizen_density * self.n_cells))

    @property
    def n_cops(self) -> int:
        return int(round(self.cop_density * self.n_cells))


jax.tree_util.register_dataclass(
    EpsteinParams, data_fields=list(DYNAMIC_FIELDS), meta_fields=list(STATIC_FIELDS)
)


def _coerce(name: str, raw: Any) -> Any:
    param = SPEC[name]
    kind = param.kind
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise PanopticumError(f"{name} must be true or false, got {raw!r}")
    try:
        value = kind(raw) if not isinstance(raw, str) else kind(float(raw)) if kind is float else int(raw)
    except (TypeError, ValueError):
        raise PanopticumError(
            f"{name} must be {'an integer' if kind is int else 'a number'}"
            f" in [{param.low:g}, {param.high:g}], got {raw!r}"
        ) from None
    if not (param.low <= value <= param.high):
        raise PanopticumError(
            f"{name}={raw} is outside its range [{param.low:g}, {param.high:g}] ({param.unit})"
        )
    return value


MAX_CELLS = 2**31 - 1
"""Cells of the largest grid: cells and cops' positions are indexed by int32 flat indices."""


def validate(params: EpsteinParams) -> EpsteinParams:
    """Check every concrete field against :data:`SPEC`; raise :class:`PanopticumError`."""
    for name in SPEC:
        value = getattr(params, name)
        if isinstance(value, (bool, int, float)):
            _coerce(name, value)
    if params.n_cells > MAX_CELLS:
        raise PanopticumError(
            f"a {params.width}x{params.height} grid has {params.n_cells:,} cells, more than the "
            f"{MAX_CELLS:,} (2**31 - 1) a cell index holds; make width x height smaller"
        )
    if params.citizen_density + params.cop_density > 1.0:
        raise PanopticumError(
            f"citizen_density + cop_density must be at most 1, got "
            f"{params.citizen_density} + {params.cop_density}"
        )
    for name in ("citizen_vision", "cop_vision"):
        v = getattr(params, name)
        if 2 * v + 1 > min(params.width, params.height):
            raise PanopticumError(
                f"{name}={v} needs a grid of at least {2 * v + 1} cells a side, "
                f"got {params.width}x{params.height}"
            )
    return params


def from_overrides(overrides: Mapping[str, Any], base: EpsteinParams | None = None) -> EpsteinParams:
    """Apply ``name -> value`` overrides (strings allowed), validated against :data:`SPEC`.

    An unknown name or an out-of-range value raises :class:`PanopticumError` naming the
    valid names or range.
    """
    base = base or EpsteinParams()
    changes = {}
    for name, raw in overrides.items():
        if name not in SPEC:
            raise PanopticumError(
                f"unknown parameter {name!r}; valid names: {', '.join(SPEC)}"
            )
        changes[name] = _coerce(name, raw)
    return validate(base.replace(**changes))
