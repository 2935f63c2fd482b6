"""The engine: a pure daily step in JAX, one code path for CPU and GPU.

Imports numpy and jax alone. The population (:mod:`panopticum.population`) becomes a
:class:`World` (:func:`build_world`); :class:`Simulation` compiles the step for that world
and runs it for a seed or an ensemble over a :class:`Schedule` of the policy timeline.
"""

from panopticum.engine.params import default_engine_params, engine_params
from panopticum.engine.simulate import Chunk, Simulation, member_keys
from panopticum.engine.state import State, init_state
from panopticum.engine.step import make_step
from panopticum.engine.timeline import Schedule, build_schedule, timeline_events
from panopticum.engine.world import Layout, World, build_world

__all__ = [
    "Chunk",
    "Layout",
    "Schedule",
    "Simulation",
    "State",
    "World",
    "build_schedule",
    "build_world",
    "default_engine_params",
    "engine_params",
    "init_state",
    "make_step",
    "member_keys",
    "timeline_events",
]
