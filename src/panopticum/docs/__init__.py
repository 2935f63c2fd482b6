"""Generated parts of the documentation: parameter and metric tables from the schema.

``python -m panopticum.docs`` rewrites the generated blocks of ``docs/odd.md`` in place;
``python -m panopticum.docs --check`` exits non-zero when they have drifted (CI's test
does the same check).
"""
