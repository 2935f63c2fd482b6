"""Parameters as the engine sees them: a flat dict of float32 scalars by dotted path.

A dict is a pytree, so a sweep or an ensemble with varied parameters is ``vmap`` over its
leaves. Switches (``cameras.enabled``) become 0.0 or 1.0; dates stay outside the engine
(the timeline turns them into a schedule); the cadence of tie updates is static.
"""

from __future__ import annotations

import datetime

import numpy as np

from panopticum.params.model import MODEL_SPEC
from panopticum.params.spec import walk

STATIC = ("beliefs.cadence_days",)


def engine_params(params) -> dict[str, np.ndarray]:
    """Every non-date, non-static parameter as a float32 scalar."""
    from panopticum.params.schema import flatten_parameters

    flat = flatten_parameters(params)
    return {
        path: np.float32(float(value))
        for path, value in flat.items()
        if not isinstance(value, datetime.date) and path not in STATIC
    }


def default_engine_params() -> dict[str, np.ndarray]:
    """The defaults, without pydantic (for the engine's own tests and benchmarks)."""
    return {
        path: np.float32(float(p.default))
        for path, p in walk(MODEL_SPEC)
        if not isinstance(p.default, datetime.date) and path not in STATIC
    }
