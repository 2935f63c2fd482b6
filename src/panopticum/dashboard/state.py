"""The page's state, one set per browser tab.

Solara keeps a module-level ``solara.reactive`` value per connection (each tab has its
own virtual kernel), so two tabs never share a form, a run or a selected day. Nothing here
is shared across tabs except the run store on disk.
"""

from __future__ import annotations

import solara

from panopticum.dashboard.form import DEFAULT_AGENTS, DEFAULT_DAYS

scenario_ref = solara.reactive("baseline-2023")  # a built-in name or an uploaded file's path
uploads = solara.reactive({})  # label shown -> path of an uploaded scenario file
overrides = solara.reactive({})  # parameter path -> value the form changed
field_errors = solara.reactive({})  # parameter path -> message for a bad value
texts = solara.reactive({})  # parameter path -> what was typed in its text box
agents_text = solara.reactive(str(DEFAULT_AGENTS))
days_text = solara.reactive(str(DEFAULT_DAYS))
seed_text = solara.reactive("0")
message = solara.reactive("")  # the page's one error line (bad size, bad upload, failed run)
group = solara.reactive("behaviour")  # which process's parameters the full form shows
view = solara.reactive("Charts")  # which view the right-hand side shows

live = solara.reactive(None)  # the LiveRun of this tab, if any
progress = solara.reactive(None)  # its latest Progress
shown = solara.reactive(None)  # the RunSeries on the charts and map
day = solara.reactive(0)  # the selected day (cursor on the charts, date of the map)
smooth_days = solara.reactive(1)
extra_metric = solara.reactive("freedom_index")
map_metric = solara.reactive("prevalence_media")
compare_id = solara.reactive(None)
compare_metric = solara.reactive("prevalence_media")
report_id = solara.reactive(None)
report = solara.reactive("")  # the HTML of the opened report

experiment_id = solara.reactive(None)  # the experiment selected in the Experiments view
experiment_outcome = solara.reactive(None)  # the outcome its chart and indices show
experiment_parameter = solara.reactive(None)  # the parameter on its chart's x axis
study_key = solara.reactive(None)  # the study selected in the Surveys view (RUN/FOLDER)
study_sample = solara.reactive(None)  # the sample its chart shows
study_intervals = solara.reactive("spread")  # which intervals its chart draws
