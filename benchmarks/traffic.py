"""Bytes an agent-day: what the compiled day reads and writes of the agent arrays.

At country scale a day is bound by memory traffic more than by arithmetic: the agent arrays
no longer fit in the caches, and every operation of the compiled day that reads or writes
an ``[n]`` array streams it from memory. This script compiles the chunk program for a
population of the given size, finds the body of its day loop and, for each of the body's operations, adds up the bytes
an agent of its per-agent operands and results: a lower bound on the traffic when arrays
are streamed, and the figure the changes of docs/engine.md ("Kept values at their own
width") were chosen by. A gather reads only the rows it picks, so its operand counts in
full here and it is marked.

    python benchmarks/traffic.py                    # 1M agents, the 30 largest operations
    python benchmarks/traffic.py --agents 2000000 --top 60 --readers

``--readers`` lists the arrays read by most operations (an array read by many is worth
keeping narrow). The weekly tie update runs as a conditional inside the day; its two
branches are counted apart: the update's own operations (mostly gathers), and what the
branch without the update copies on the other days.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from typing import NamedTuple

import jax
import numpy as np

from panopticum.engine import build_schedule, build_world, engine_params, program
from panopticum.engine import simulate
from panopticum.params.scenarios import load_scenario
from panopticum.population import build_population, load_population

BYTES = {"pred": 1, "s8": 1, "u8": 1, "s16": 2, "u16": 2, "f16": 2, "bf16": 2, "s32": 4, "u32": 4, "f32": 4, "s64": 8, "u64": 8, "f64": 8}
SKIPPED = ("parameter", "constant", "get-tuple-element", "tuple", "bitcast")
LINE = re.compile(r"\s*(?:ROOT )?%([\w.\-]+) = (.*?) ([a-z][\w-]*)\((.*)$")


class Operation(NamedTuple):
    name: str
    op: str
    read: float  # bytes an agent of its per-agent operands
    written: float  # bytes an agent of its per-agent results
    operands: list[str]  # its per-agent operands
    gathers: bool  # it gathers: reads only the elements it picks
    result: str  # its result's type


def compiled_text(n: int, population: str | None) -> tuple[str, int]:
    """The engine's own chunk program (the one ``Simulation`` runs) for the baseline
    scenario and ``n`` agents (or the population file's), compiled, as text; and ``n``."""
    pop = load_population(population) if population else build_population(n, 0)
    world, layout = build_world(pop)
    scenario = load_scenario("baseline-2023")
    world_s = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(np.shape(a), a.dtype), world)
    n = pop.n
    del world, pop
    run, init = simulate._compiled(layout, scenario.params.beliefs.cadence_days)
    params = simulate._as_device(engine_params(scenario.params))
    schedule = simulate._padded_days(build_schedule(scenario.params, program.CAPACITY), 0, program.CAPACITY, program.CAPACITY)
    keys = simulate.member_keys(0, 1)
    shapes = init.lower(keys, world_s, params, simulate._day_row(schedule, 0)).out_info
    state_s = jax.tree_util.tree_map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), shapes)
    return run.lower(keys, state_s, world_s, params, schedule, np.int32(program.CAPACITY)).compile().as_text(), n


def computations(text: str) -> dict[str, list[str]]:
    out, name = {}, None
    for line in text.splitlines():
        head = re.match(r"(?:ENTRY )?%([\w.\-]+) \(", line)
        if head and not line.startswith(" "):
            name = head.group(1)
            out[name] = []
        elif name and line.startswith("  "):
            out[name].append(line)
    return out


def per_agent(shape: str, n: int) -> float:
    total = 0
    for dtype, dims in re.findall(r"\b(pred|[suf]\d+|bf16)\[([\d,]*)\]", shape):
        sizes = [int(d) for d in dims.split(",") if d]
        if n in sizes:
            total += int(np.prod(sizes)) * BYTES[dtype]
    return total / n


def operations(lines: list[str], n: int, comps: dict[str, list[str]]):
    """An :class:`Operation` for each operation of a computation that reads or writes an
    agent array."""
    shapes = {}
    for line in lines:
        m = LINE.match(line)
        if m:
            shapes[m.group(1)] = m.group(2)
    for line in lines:
        m = LINE.match(line)
        if not m or m.group(3) in SKIPPED:
            continue
        name, out, op, rest = m.groups()
        operands = sorted(set(re.findall(r"%([\w.\-]+)", rest.split("), ")[0])))
        read = sum(per_agent(shapes.get(a, ""), n) for a in operands)
        written = per_agent(out, n)
        if read + written:
            called = re.search(r"calls=%([\w.\-]+)", line)
            gathers = " gather(" in line or bool(called and any(" gather(" in inner for inner in comps.get(called.group(1), [])))
            yield Operation(name, op, read, written, [a for a in operands if per_agent(shapes.get(a, ""), n)], gathers, out)


def loop_body(comps: dict[str, list[str]]) -> str:
    """The name of the body of the entry computation's (first) while loop: the day."""
    entry = next(c for c in comps if c.startswith("main"))
    return re.search(r"while\(.*body=%([\w.\-]+)", "\n".join(comps[entry])).group(1)


BRANCHES = ("on days without an update (copies the branch must make)", "on update days")
"""What each branch of the tie update's conditional is (``lax.cond``'s order: false, true)."""


def branches(lines: list[str], name: str) -> list[str]:
    """The branch computations of the conditional ``name``, in order."""
    line = next(l for l in lines if (m := LINE.match(l)) and m.group(1) == name)
    return re.findall(r"%([\w.\-]+)", re.search(r"branch_computations=\{([^}]*)\}", line).group(1))


def daily_and_picking(ops: list[Operation]) -> tuple[list[Operation], list[Operation]]:
    """The day's operations to count, and those left out as picking a few elements: a
    gather with no per-agent result (the region sums' runs, a sample of agents), whose
    operands' full size would overstate what it reads. The tie update's conditional is in
    neither."""
    picking = [o for o in ops if o.gathers and o.written == 0]
    return [o for o in ops if o.op != "conditional" and o not in picking], picking


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--agents", type=int, default=1_000_000)
    ap.add_argument("--population", help="a population file to use instead of building one of --agents")
    ap.add_argument("--top", type=int, default=30, help="operations to list, largest first")
    ap.add_argument("--readers", action="store_true", help="also list the arrays read by most operations")
    args = ap.parse_args()
    text, n = compiled_text(args.agents, args.population)
    comps = computations(text)
    body = loop_body(comps)
    ops = list(operations(comps[body], n, comps))
    daily, picking = daily_and_picking(ops)
    read, written = sum(o.read for o in daily), sum(o.written for o in daily)
    print(f"{n:,} agents, the day loop's body ({body}): {len(daily)} operations on agent arrays")
    print(f"  read {read:.0f} B and written {written:.0f} B an agent a day, {read + written:.0f} B in all")
    print(f"  not counted: {len(picking)} operations that gather a few elements ({', '.join(o.name for o in picking)})")
    for o in ops:
        if o.op == "conditional":
            print(f"  plus the tie update's conditional ({o.name}): {o.read:.0f} B in and {o.written:.0f} B out an agent;")
            for label, branch in zip(BRANCHES, branches(comps[body], o.name)):
                inner = list(operations(comps[branch], n, comps))
                print(f"    inside it, {label}: {sum(i.read + i.written for i in inner):.0f} B an agent "
                      f"({len(inner)} operations{', ' + ', '.join(i.name for i in inner) if len(inner) <= 5 else ''})")
    print(f"\n{'read':>7} {'written':>7}  operation")
    for o in sorted(daily, key=lambda o: -(o.read + o.written))[: args.top]:
        note = "  [gathers: reads only what it picks]" if o.gathers else ""
        print(f"{o.read:7.1f} {o.written:7.1f}  {o.name} ({o.op}) -> {re.sub(r'[{][0-9,]*[}]', '', o.result)[:60]}{note}")
    if args.readers:
        readers = defaultdict(list)
        for o in daily:
            for a in o.operands:
                readers[a].append(o.name)
        shapes = {m.group(1): m.group(2) for line in comps[body] if (m := LINE.match(line))}
        print(f"\n{'B':>5} {'reads':>5}  array (type)")
        for a, rs in sorted(readers.items(), key=lambda kv: -per_agent(shapes[kv[0]], n) * len(kv[1]))[: args.top]:
            print(f"{per_agent(shapes[a], n):5.1f} {len(rs):5d}  {a} ({shapes[a].split('{')[0]})")


if __name__ == "__main__":
    main()
