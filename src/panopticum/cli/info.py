"""``panopticum scenarios``, ``params`` and ``metrics``: what a model run can be told and
what it reports, generated from the schema and the metric registry."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from panopticum.cli import app
from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.errors import PanopticumError
from panopticum.params.scenarios import builtin_names, load_scenario
from panopticum.params.schema import SPEC_BY_PATH, describe_range
from panopticum.params.spec import format_value


@app.command("scenarios")
def scenarios() -> None:
    """List the built-in scenarios (TOML files; write your own and pass its path)."""
    table = Table(title="Built-in scenarios", title_justify="left")
    for col in ("name", "days", "start", "description"):
        table.add_column(col)
    for name in builtin_names():
        s = load_scenario(name)
        table.add_row(name, str(s.days), s.params.timeline.start_date.isoformat(), s.description)
    Console().print(table)


@app.command("params")
def params(
    prefix: str = typer.Argument("", help="Show only parameters whose path starts with this, e.g. 'cameras'."),
    scenario: str = typer.Option(None, "--scenario", help="Show the values a scenario sets instead of the defaults."),
) -> None:
    """List every model parameter with its unit, range, default and source."""
    values = None
    if scenario:
        from panopticum.params.schema import flatten_parameters

        values = flatten_parameters(load_scenario(scenario).params)
    rows = [(path, spec) for path, spec in SPEC_BY_PATH.items() if path.startswith(prefix)]
    if not rows:
        raise PanopticumError(f"no parameter path starts with '{prefix}'")
    table = Table(title=f"Parameters{' of ' + scenario if scenario else ''}", title_justify="left", show_lines=False)
    table.add_column("parameter", no_wrap=True)
    for col in ("value" if values else "default", "unit", "range", "source"):
        table.add_column(col, overflow="fold")
    for path, spec in rows:
        value = values[path] if values else spec.default
        table.add_row(path, format_value(value), spec.unit, describe_range(path) if spec.kind is not bool else "true/false", spec.source)
    Console().print(table)


@app.command("metrics")
def metrics() -> None:
    """Describe every daily metric a run writes."""
    table = Table(title="Daily metrics (regional: each province and ALL; national: ALL only)", title_justify="left")
    table.add_column("metric", no_wrap=True)
    for col in ("scope", "unit", "description"):
        table.add_column(col, overflow="fold")
    for m in REGIONAL:
        table.add_row(m.name, "regional", m.unit, m.description)
    for m in NATIONAL:
        table.add_row(m.name, "national", m.unit, m.description)
    Console().print(table)
