"""The documentation's generated tables match the schema they come from."""

from pathlib import Path

from panopticum.docs.tables import GENERATORS, render
from panopticum.params.model import MODEL_SPEC
from panopticum.params.schema import SPEC_BY_PATH
from panopticum.params.spec import format_value, walk

ODD = Path(__file__).resolve().parents[1] / "docs" / "odd.md"


def test_odd_tables_match_the_schema():
    text = ODD.read_text(encoding="utf-8")
    assert render(text) == text, "docs/odd.md has drifted from the schema: run `python -m panopticum.docs`"


def test_every_parameter_and_block_appears_in_the_odd():
    text = ODD.read_text(encoding="utf-8")
    for name in GENERATORS:
        assert f"<!-- generated:{name} -->" in text
    for path, _ in walk(MODEL_SPEC):
        assert f"`{path}`" in text


def test_a_changed_default_is_caught():
    text = ODD.read_text(encoding="utf-8")
    default = format_value(SPEC_BY_PATH["informants.share"].default)
    tampered = text.replace(f"| `informants.share` | {default} |", "| `informants.share` | 0.5 |")
    assert tampered != text
    assert render(tampered) != tampered


def test_every_parameter_has_unit_range_and_source():
    for path, p in walk(MODEL_SPEC):
        assert p.unit and p.source and p.doc, path
        if not isinstance(p.default, bool):
            assert p.low is not None and p.high is not None and p.low <= p.default <= p.high, path
