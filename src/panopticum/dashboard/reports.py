"""The HTML reports the dashboard serves itself, each at its own address, so a page opens
in a browser tab of its own and nothing is fetched from anywhere else:

- ``/reports/experiments/<experiment id>``: the experiment's report (as ``panopticum
  report EXPERIMENT`` writes it), built when asked;
- ``/reports/surveys/<run id>/<study folder>``: a kept study's page (``survey.html``);
- ``/reports/runs/<run id>``: a run's report (as ``panopticum report RUN`` writes it).

Only ids the store lists are served (no path is built from what the address says), and
what cannot be built is a short page with the reason and status 404, never a traceback.
:func:`with_reports` puts these addresses in front of the Solara app.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

PREFIX = "/reports/"


def experiment_report_url(experiment_id: str) -> str:
    return f"{PREFIX}experiments/{quote(experiment_id)}"


def study_report_url(key: str) -> str:
    run_id, _, folder = key.partition("/")
    return f"{PREFIX}surveys/{quote(run_id)}/{quote(folder)}"


def run_report_url(run_id: str) -> str:
    return f"{PREFIX}runs/{quote(run_id)}"


def _not_found(message: str):
    from starlette.responses import HTMLResponse

    body = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>panopticum: no report</title>"
            f"</head><body><p class=\"pan-no-report\">{escape(message)}</p></body></html>")
    return HTMLResponse(body, status_code=404)


def _page(build):
    """The page ``build()`` returns, or the reason it cannot be built."""
    from starlette.responses import HTMLResponse

    from panopticum.errors import PanopticumError

    try:
        return HTMLResponse(build())
    except PanopticumError as exc:
        return _not_found(str(exc))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return _not_found(f"cannot build this report: {type(exc).__name__}: {exc}")


def experiment_report(experiment_id: str) -> str:
    from panopticum.dashboard.storeview import store_dir
    from panopticum.errors import PanopticumError
    from panopticum.experiments import ExperimentStore, load_results
    from panopticum.experiments.report import build_experiment_report

    store = ExperimentStore.open(store_dir())
    if experiment_id not in store.ids():
        raise PanopticumError(f"no experiment {experiment_id!r} in {store.root}")
    res = load_results(store, experiment_id)
    if res.results.empty:
        raise PanopticumError(f"experiment {experiment_id} has no finished points yet; nothing to report")
    return build_experiment_report(res)


def study_report(key: str) -> str:
    from panopticum.dashboard.storeview import open_store
    from panopticum.dashboard.surveysview import study_folder
    from panopticum.surveys.figures import survey_page
    from panopticum.surveys.results import read_results

    folder = study_folder(open_store(), key)
    if (folder / "survey.html").is_file():
        return (folder / "survey.html").read_text(encoding="utf-8")
    meta, estimates, scores = read_results(folder)
    return survey_page(meta, scores, estimates)


def run_report(run_id: str) -> str:
    from panopticum.dashboard.storeview import open_store, report_html
    from panopticum.errors import PanopticumError

    store = open_store()
    if run_id not in store.run_ids():
        raise PanopticumError(f"no run {run_id!r} in {store.root}")
    return report_html(store, run_id)


def routes():
    """The report addresses, as Starlette routes (their handlers run in a worker thread:
    building a report draws its figures)."""
    from starlette.routing import Route

    return [
        Route(PREFIX + "experiments/{experiment_id}", lambda r: _page(lambda: experiment_report(r.path_params["experiment_id"]))),
        Route(PREFIX + "surveys/{run_id}/{folder}",
              lambda r: _page(lambda: study_report(f"{r.path_params['run_id']}/{r.path_params['folder']}"))),
        Route(PREFIX + "runs/{run_id}", lambda r: _page(lambda: run_report(r.path_params["run_id"]))),
    ]


def with_reports(app):
    """An ASGI app that answers the report addresses and hands everything else to ``app``."""
    from starlette.routing import Router

    reports = Router(routes=routes())

    async def dispatch(scope, receive, send):
        if scope["type"] == "http" and scope.get("path", "").startswith(PREFIX):
            await reports(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch
