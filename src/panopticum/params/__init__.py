"""Parameters: one declared specification per parameter (unit, range, default, source).

:mod:`panopticum.params.spec` holds the declarations and imports nothing beyond the
standard library, so the population and the engine can read defaults without pydantic.
"""
