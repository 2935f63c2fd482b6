"""The dashboard: a Solara page to pick a scenario, set its key parameters, run it at a demo
size with live charts, map the provinces and browse the run store, all served offline.

Modules, one job each:

- :mod:`.series`: a run's daily metrics as arrays, ready to draw (from a store run).
- :mod:`.runner`: a run in a background thread, chunk by chunk, that can be cancelled.
- :mod:`.charts`: the time-series charts as plain SVG, with the timeline's events marked.
- :mod:`.tilemap`: the schematic tile map of the eleven regions, as plain SVG.
- :mod:`.form`: the parameter form's fields, generated from the schema, and its checks.
- :mod:`.storeview`: what the run-store browser lists and opens.
- :mod:`.app`: the Solara page that puts these together.
- :mod:`.server`: serving the page offline (``panopticum dashboard``).

Everything but :mod:`.app` and :mod:`.server` imports without Solara.
"""
