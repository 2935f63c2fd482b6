"""Epstein's civil violence model (PNAS 2002, Model 1), in the engine's style.

``EpsteinParams`` (a frozen dataclass pytree; :data:`SPEC` declares units, ranges, sources),
``EpsteinState``, and pure functions ``init(key, params)``, ``step(key, state, params)``,
``simulate(key, params, steps)``. See ``docs/epstein.md``. Imports numpy and jax alone.
"""

from panopticum.epstein.model import counts, init, run, run_jit, simulate, simulate_jit, step
from panopticum.epstein.params import SPEC, EpsteinParams, from_overrides, validate
from panopticum.epstein.state import EpsteinState

__all__ = [
    "SPEC",
    "EpsteinParams",
    "EpsteinState",
    "counts",
    "from_overrides",
    "init",
    "run",
    "run_jit",
    "simulate",
    "simulate_jit",
    "step",
    "validate",
]
