"""The state of Epstein's Model 1: one agent at most per cell, held as fields on the grid.

Agents live *in* the cells: a citizen's hardship and risk aversion sit at its cell and move
with it, so every decision is a dense elementwise operation over the grid and the vision
counts are stencil sums. Cops are also listed by position (their number never changes), so
the arrest search runs over cops only. Jailed citizens keep their cell, as in Mesa.

Imports numpy and jax alone.
"""

from __future__ import annotations

import dataclasses

import jax

EMPTY, CITIZEN, COP = 0, 1, 2
"""Values of :attr:`EpsteinState.kind`."""

QUIET, ACTIVE, JAILED = 0, 1, 2
"""Values of :attr:`EpsteinState.status` (citizens only; 0 elsewhere)."""


@dataclasses.dataclass(frozen=True)
class EpsteinState:
    """Arrays of shape ``[height, width]`` unless stated.

    - ``kind``: int8, :data:`EMPTY`, :data:`CITIZEN` or :data:`COP`.
    - ``status``: int8, :data:`QUIET`, :data:`ACTIVE` or :data:`JAILED` (citizens).
    - ``jail``: int32, steps of the jail term still to serve (0 when free, and for a
      jailed citizen whose term is over but who has not acted yet, as in Mesa).
    - ``hardship``: float32, H ~ U(0, 1) (citizens; 0 elsewhere).
    - ``risk``: float32, risk aversion R ~ U(0, 1) (citizens; 0 elsewhere).
    - ``cop_pos``: int32 ``[n_cops]``, flat cell index (row * width + column) of each cop.
    - ``t``: int32 scalar, steps taken.
    """

    kind: jax.Array
    status: jax.Array
    jail: jax.Array
    hardship: jax.Array
    risk: jax.Array
    cop_pos: jax.Array
    t: jax.Array

    def replace(self, **changes) -> EpsteinState:
        return dataclasses.replace(self, **changes)


jax.tree_util.register_dataclass(
    EpsteinState,
    data_fields=["kind", "status", "jail", "hardship", "risk", "cop_pos", "t"],
    meta_fields=[],
)
