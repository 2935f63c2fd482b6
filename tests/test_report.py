"""Ensembles in the store, figures, compare and the self-contained HTML report."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from conftest import NO_BURN_IN

from panopticum.errors import PanopticumError
from panopticum.report.compare import write_compare
from panopticum.report.html import REPORT_FIGURES, build_report, write_report
from panopticum.report.summary import format_band, national_summary
from panopticum.store import RunStore, start_run

AGENTS, DAYS, CHUNK, SEED, MEMBERS = 10_000, 14, 7, 3, 3


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A store with an ensemble of 3 and the single run of the same seed: (store, ensemble, single)."""
    from panopticum.run import enable_compilation_cache

    cache = tmp_path_factory.getbasetemp().parent / "panopticum-test-xla"
    cache.mkdir(exist_ok=True)
    enable_compilation_cache(cache)
    store = RunStore.open(tmp_path_factory.mktemp("report-store"), create=True)
    kw = dict(agents=AGENTS, days=DAYS, seed=SEED, chunk_days=CHUNK, overrides=NO_BURN_IN)
    ensemble = start_run(store, "baseline-2023", members=MEMBERS, **kw)
    single = start_run(store, "human-only", **kw)
    return store, ensemble, single


def test_ensemble_is_stored_as_members(runs):
    store, ensemble, _ = runs
    frame = store.metrics(ensemble)
    assert sorted(frame["member"].unique()) == list(range(MEMBERS))
    assert store.list_runs().set_index("run_id").loc[ensemble, "members"] == MEMBERS
    trade = frame.query("region == 'ALL' and metric == 'prevalence_trade'").pivot(index="day", columns="member", values="value")
    assert not (trade[0] == trade[1]).all(), "members should differ"


def test_summary_shows_median_and_band(runs):
    store, ensemble, _ = runs
    figures, (first, last) = national_summary(store.metrics(ensemble))
    assert first == (0, 6) and last == (7, 13)
    names = [f.metric for f in figures]
    assert {"prevalence_trade", "detections_cameras", "share_detained", "share_in_system", "freedom_index"} <= set(names)
    for f in figures:
        for med, lo, hi in (f.first, f.last):
            assert lo <= med + 1e-12 and med <= hi + 1e-12
    assert re.fullmatch(r"\S+ \[\S+-\S+\]", format_band(figures[0].first, figures[0].unit, MEMBERS))


def _images(text: str) -> dict[str, bytes]:
    found = re.findall(r'<img id="([\w-]+)" alt="[^"]*" src="data:image/(?:png|svg\+xml);base64,([A-Za-z0-9+/=]+)"', text)
    return {fig_id: base64.b64decode(data) for fig_id, data in found}


def test_report_is_self_contained_and_holds_each_figure(runs, tmp_path):
    store, ensemble, _ = runs
    out = write_report(store, ensemble, tmp_path / "r" / "report.html")
    text = out.read_text()
    images = _images(text)
    assert set(REPORT_FIGURES) <= set(images)
    for data in images.values():
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    assert "http://" not in text.split("<body>")[1].split("Made by")[0] and "<script" not in text
    # the scenario and its parameters with sources; the timeline's events
    assert "baseline-2023" in text and "informants.share" in text and "source" in text
    assert "border reopened" in text and "December 2020 law" in text
    assert "Median over members" in text


def test_compare_writes_png_svg_and_html(runs, tmp_path):
    store, ensemble, single = runs
    png, page = write_compare(store, [ensemble, single], tmp_path / "cmp.png")
    assert png.read_bytes().startswith(b"\x89PNG") and page.suffix == ".html"
    assert "fig-compare" in _images(page.read_text())
    svg, _ = write_compare(store, [ensemble, single], tmp_path / "cmp.svg")
    assert b"<svg" in svg.read_bytes()[:500]
    (only,) = write_compare(store, [single], tmp_path / "only.html")
    assert _images(only.read_text())["fig-compare"].startswith(b"\x89PNG")
    with pytest.raises(PanopticumError, match=r"\.png, \.svg or \.html"):
        write_compare(store, [single], tmp_path / "cmp.pdf")


def test_report_of_an_empty_run_is_a_clear_error(runs, tmp_path):
    store, ensemble, _ = runs
    import shutil

    copy = RunStore(tmp_path / "copy")
    shutil.copytree(store.root, copy.root)
    for path in copy.chunk_files(ensemble):
        path.unlink()
    copy.update_status(ensemble, status="interrupted", days_done=0)  # killed before its first chunk
    with pytest.raises(PanopticumError, match="no days simulated"):
        build_report(copy, ensemble)
    assert pd.DataFrame(copy.metrics(ensemble)).empty
