"""Markdown tables generated from the parameter declarations and the metric registry."""

from __future__ import annotations

import re
from pathlib import Path

from panopticum.engine.metrics import NATIONAL, REGIONAL
from panopticum.params.model import MODEL_SPEC
from panopticum.params.spec import Param, format_value, walk
from panopticum.population.parameters import POPULATION_SPEC

BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- end generated -->)", re.S)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _range(p: Param) -> str:
    if isinstance(p.default, bool):
        return "true/false"
    return f"{format_value(p.low)} to {format_value(p.high)}"


def param_table(rows) -> str:
    lines = ["| parameter | default | unit | range | source | meaning |", "|---|---|---|---|---|---|"]
    for path, p in rows:
        lines.append(
            f"| `{path}` | {format_value(p.default)} | {_cell(p.unit)} | {_range(p)} | {_cell(p.source)} | {_cell(p.doc)} |"
        )
    return "\n".join(lines) + "\n"


def model_parameter_tables() -> str:
    """One table per process, in the schema's order."""
    out = []
    for group in MODEL_SPEC:
        rows = [(path, p) for path, p in walk(MODEL_SPEC) if path.split(".")[0] == group]
        out.append(f"#### `{group}`\n\n" + param_table(rows))
    return "\n".join(out)


def population_parameter_table() -> str:
    return param_table(list(walk(POPULATION_SPEC)))


def metric_table() -> str:
    lines = ["| metric | scope | unit | meaning |", "|---|---|---|---|"]
    for scope, metrics in (("regional", REGIONAL), ("national", NATIONAL)):
        for m in metrics:
            lines.append(f"| `{m.name}` | {scope} | {_cell(m.unit)} | {_cell(m.description)} |")
    return "\n".join(lines) + "\n"


def survey_parameter_table() -> str:
    from panopticum.surveys.params import SURVEY_SPEC

    return param_table(list(walk(SURVEY_SPEC)))


GENERATORS = {
    "model-parameters": model_parameter_tables,
    "population-parameters": population_parameter_table,
    "metrics": metric_table,
    "survey-parameters": survey_parameter_table,
}


def render(text: str) -> str:
    """``text`` with every generated block rewritten from the current schema."""

    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in GENERATORS:
            raise KeyError(f"unknown generated block '{name}'")
        return match.group(1) + GENERATORS[name]() + match.group(4)

    return BLOCK.sub(replace, text)


def update_file(path: Path) -> bool:
    """Rewrite the generated blocks of ``path``; True if anything changed."""
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text
