"""benchmarks/traffic.py counts an operation's bytes an agent from the compiled program:
checked on a loop whose traffic is known."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "traffic.py"


def load_traffic():
    spec = importlib.util.spec_from_file_location("traffic", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_counts_the_bytes_an_agent_of_a_known_loop():
    traffic = load_traffic()
    n = 4096

    def run(x, flags, days):
        # Each day reads a float32 and a byte an agent into a new float32, and the byte
        # into a new byte.
        return lax.fori_loop(0, days, lambda i, c: (c[0] * 0.5 + c[1].astype(jnp.float32), c[1] + jnp.uint8(1)), (x, flags))

    text = jax.jit(run).lower(jnp.zeros(n, jnp.float32), jnp.zeros(n, jnp.uint8), np.int32(3)).compile().as_text()
    comps = traffic.computations(text)
    body = traffic.loop_body(comps)
    ops = list(traffic.operations(comps[body], n, comps))
    # The new byte is written while the old one is still to be read, so the loop also
    # copies the old byte: read 4 + 1, 1 and 1 (the copy) bytes an agent, written 4, 1, 1.
    assert sorted(o[1] for o in ops).count("copy") == 1
    assert sum(o[2] for o in ops) == 7.0
    assert sum(o[3] for o in ops) == 6.0
    assert traffic.per_agent(f"(f32[{n}]{{0}}, u8[2,{n}]{{1,0}}, s32[])", n) == 6.0


def test_a_gather_of_a_few_elements_is_left_out_of_the_count():
    traffic = load_traffic()
    n = 4096
    picked = jnp.arange(8, dtype=jnp.int32) * 500

    def run(x, days):
        # Each day writes a float32 an agent and sums eight agents' values of it.
        def day(i, c):
            y = c[0] * 0.5 + 1.0
            return y, c[1] + y[picked].sum()

        return lax.fori_loop(0, days, day, (x, jnp.float32(0)))

    text = jax.jit(run).lower(jnp.zeros(n, jnp.float32), np.int32(3)).compile().as_text()
    comps = traffic.computations(text)
    body = traffic.loop_body(comps)
    daily, picking = traffic.daily_and_picking(list(traffic.operations(comps[body], n, comps)))
    assert len(picking) == 1 and picking[0].gathers and picking[0].written == 0
    assert picking[0] not in daily and all(not o.gathers for o in daily)
    # Counted: the new float32 written (and the loop's copy of the old one it needs).
    assert sum(o.written for o in daily) == sum(o.written for o in traffic.operations(comps[body], n, comps))


def test_the_conditionals_branches_are_found_in_lax_conds_order():
    traffic = load_traffic()
    n = 4096

    def run(x, days):
        # Every third day the values are sorted and rewritten (a true branch that writes
        # two float32 arrays an agent); on the others the false branch hands them on.
        def day(i, v):
            v = v + 1.0
            return lax.cond(i % 3 == 2, lambda u: jnp.sort(u) * 2.0, lambda u: u, v)

        return lax.fori_loop(0, days, day, x)

    text = jax.jit(run).lower(jnp.zeros(n, jnp.float32), np.int32(6)).compile().as_text()
    comps = traffic.computations(text)
    body = traffic.loop_body(comps)
    cond = next(o for o in traffic.operations(comps[body], n, comps) if o.op == "conditional")
    without, with_update = traffic.branches(comps[body], cond.name)
    written = [sum(o.written for o in traffic.operations(comps[b], n, comps)) for b in (without, with_update)]
    assert len(traffic.BRANCHES) == 2
    assert written[1] >= 8.0  # the sorted values and their double
    assert written[0] <= 4.0  # nothing, or a copy of its operand
