"""The dashboard: a Solara page to pick a scenario, set its key parameters, run it at a demo
size with live charts, map the provinces and browse the run store, its experiments and its
survey studies, all served offline.

Modules, one job each:

- :mod:`.series`: a run's daily metrics as arrays, ready to draw (from a store run).
- :mod:`.runner`: a run in a background thread, chunk by chunk, that can be cancelled.
- :mod:`.charts`: the time-series charts as plain SVG, with the timeline's events marked.
- :mod:`.tilemap`: the schematic tile map of the eleven regions, as plain SVG.
- :mod:`.form`: the parameter form's fields, generated from the schema, and its checks.
- :mod:`.storeview`: what the run-store browser lists and opens.
- :mod:`.experimentsview`, :mod:`.surveysview`: what the experiment and survey browsers
  list and show; :mod:`.plots`: their charts (a scatter, estimates with intervals) as SVG.
- :mod:`.reports`: the HTML reports (runs, experiments, studies) at addresses of their own.
- :mod:`.browse`: the Experiments and Surveys views of the page.
- :mod:`.app`: the Solara page that puts these together.
- :mod:`.server`: serving the page offline (``panopticum dashboard``).

Everything but :mod:`.app`, :mod:`.browse` and :mod:`.server` imports without Solara
(:mod:`.reports` needs Starlette only to serve).
"""
