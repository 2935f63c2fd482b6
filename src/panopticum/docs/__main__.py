"""Rewrite (or, with --check, verify) the generated tables in docs/*.md."""

import sys
from pathlib import Path

from panopticum.docs.tables import render

DOCS = [Path("docs/odd.md"), Path("docs/surveys.md")]

check = "--check" in sys.argv
stale = []
for path in DOCS:
    text = path.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        stale.append(str(path))
        if not check:
            path.write_text(new, encoding="utf-8")
if check and stale:
    print(f"generated tables are out of date in: {', '.join(stale)}; run `python -m panopticum.docs`", file=sys.stderr)
    sys.exit(1)
print("up to date" if not stale else f"rewrote {', '.join(stale)}")
