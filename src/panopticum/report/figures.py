"""Figures of stored runs (matplotlib, Agg backend): time series with ensemble bands,
the policy timeline's events marked on the time axis, one colour per run.

Every function takes :class:`RunData` (a run's manifest and tidy metrics) and returns a
matplotlib ``Figure``; :func:`encode` turns one into PNG or SVG bytes for embedding.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from panopticum.engine.metrics import ALL_METRICS  # noqa: E402
from panopticum.params.model import BEHAVIOURS, CHANNELS  # noqa: E402

BAND = (5, 95)
RUN_COLOURS = plt.get_cmap("tab10").colors
BEHAVIOUR_COLOURS = dict(zip(BEHAVIOURS, ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")))
CHANNEL_COLOURS = dict(zip(CHANNELS, plt.get_cmap("Dark2").colors))

plt.rcParams.update({
    "font.size": 8.5, "axes.titlesize": 9.5, "axes.titleweight": "bold", "axes.spines.top": False,
    "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25, "legend.frameon": False,
    "legend.fontsize": 7.5, "svg.fonttype": "none",
    # Names come from users' scenario files: "$...$" in one is text, never mathtext to parse.
    "text.parse_math": False,
})


@dataclasses.dataclass
class RunData:
    """What the figures need of a run."""

    run_id: str
    manifest: dict
    metrics: pd.DataFrame  # tidy: member, day, date, region, metric, value
    events: list[tuple[datetime.date, str]]

    @property
    def label(self) -> str:
        m = self.manifest
        text = f"{m['scenario']['name']} (seed {m['seed']}"
        text += f", {m['members']} members)" if int(m["members"]) > 1 else ")"
        return text

    @property
    def members(self) -> int:
        return int(self.manifest["members"])


def load_run(store, run_id: str) -> RunData:
    """A stored run's manifest, metrics and timeline events."""
    manifest = store.manifest(run_id)
    metrics = store.metrics(run_id)
    metrics["date"] = pd.to_datetime(metrics["date"])
    return RunData(run_id, manifest, metrics, manifest_events(manifest))


def manifest_events(manifest: dict) -> list[tuple[datetime.date, str]]:
    """The policy timeline's events from a manifest's ``timeline.*`` values (no validation, so a
    run made by an older version of the model still draws)."""
    from types import SimpleNamespace

    from panopticum.engine.timeline import timeline_events

    values = {}
    for path, value in manifest["parameters"].items():
        if path.startswith("timeline."):
            try:
                value = datetime.date.fromisoformat(value) if isinstance(value, str) else value
            except ValueError:
                pass
            values[path.split(".", 1)[1]] = value
    try:
        return timeline_events(SimpleNamespace(timeline=SimpleNamespace(**values)))
    except (AttributeError, TypeError):
        return []


SMOOTH = 7  # days: daily event rates are noisy at small populations; their panels show weekly means


def series(run: RunData, metric: str, region: str = "ALL", smooth: int = 1) -> pd.DataFrame:
    """Median and 5-95% band across members by date: columns date, median, low, high.
    ``smooth > 1``: each member's trailing mean over that many days first."""
    rows = run.metrics[(run.metrics["metric"] == metric) & (run.metrics["region"] == region)]
    wide = rows.pivot_table(index="date", columns="member", values="value", aggfunc="first").sort_index()
    if smooth > 1:
        wide = wide.rolling(smooth, min_periods=1).mean()
    values = wide.to_numpy()
    lo, hi = (np.nanpercentile(values, BAND, axis=1) if values.shape[1] > 1 else (values[:, 0], values[:, 0]))
    return pd.DataFrame({"date": wide.index, "median": np.nanmedian(values, axis=1), "low": lo, "high": hi})


def summed(run: RunData, metrics: list[str], region: str = "ALL") -> pd.DataFrame:
    """Like :func:`series` for the sum of several metrics (summed per member first)."""
    rows = run.metrics[run.metrics["metric"].isin(metrics) & (run.metrics["region"] == region)]
    total = rows.groupby(["date", "member"])["value"].sum().unstack("member").sort_index()
    values = total.to_numpy()
    lo, hi = (np.nanpercentile(values, BAND, axis=1) if values.shape[1] > 1 else (values[:, 0], values[:, 0]))
    return pd.DataFrame({"date": total.index, "median": np.nanmedian(values, axis=1), "low": lo, "high": hi})


def plot_series(ax, s: pd.DataFrame, colour, label: str | None, scale: float = 1.0, **kw) -> None:
    ax.plot(s["date"], s["median"] * scale, color=colour, lw=1.4, label=label, **kw)
    if not np.allclose(s["low"], s["high"]):
        ax.fill_between(s["date"], s["low"] * scale, s["high"] * scale, color=colour, alpha=0.18, lw=0)


def mark_events(ax, runs: list[RunData], labels: bool = True) -> None:
    """Vertical lines at the timeline's events within the plotted dates, labelled at the top."""
    lo = min(r.metrics["date"].min() for r in runs)
    hi = max(r.metrics["date"].max() for r in runs)
    by_date: dict[datetime.date, list[str]] = defaultdict(list)
    for r in runs:
        for date, text in r.events:
            if lo <= pd.Timestamp(date) <= hi and text not in by_date[date]:
                by_date[date].append(text)
    for date, texts in sorted(by_date.items()):
        ax.axvline(pd.Timestamp(date), color="0.35", lw=0.8, ls=":", zorder=0)
        if labels:
            ax.text(pd.Timestamp(date), 0.98, " " + "; ".join(texts), transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="right", fontsize=6.5, color="0.3")


def date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def unit_label(metric: str, percent: bool = False) -> str:
    unit = ALL_METRICS[metric].unit
    return unit.replace("share of", "% of") if percent else unit


def _finish(fig: Figure, title: str, note: str | None = None) -> Figure:
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    if note:
        fig.supxlabel(note, fontsize=7, color="0.35", x=0.01, ha="left")
    return fig


def _band_note(runs: list[RunData]) -> str | None:
    if any(r.members > 1 for r in runs):
        return "Lines: median over ensemble members; shaded: 5-95% band. Dotted lines: policy timeline events."
    return "Dotted lines: policy timeline events."


# --- a single run ------------------------------------------------------------------------------

def national_figure(run: RunData) -> Figure:
    """Six panels of national figures over time for one run."""
    fig, axes = plt.subplots(2, 3, figsize=(12, 6.4), layout="constrained")
    ax = axes[0, 0]
    for b in BEHAVIOURS:
        plot_series(ax, series(run, f"prevalence_{b}"), BEHAVIOUR_COLOURS[b], b, scale=100)
    ax.set(title="Prevalence of each behaviour", ylabel="% of adults on the day")
    ax.legend(loc="upper right")
    ax = axes[0, 1]
    for c in CHANNELS:
        plot_series(ax, series(run, f"detections_{c}", smooth=SMOOTH), CHANNEL_COLOURS[c], c)
    ax.set(title=f"Detections by channel ({SMOOTH}-day means)", ylabel=unit_label("detections_all"))
    ax.legend(loc="upper right", ncol=2)
    ax = axes[0, 2]
    for metric, colour, label in (("punished", "black", "punished"), ("fined", "#1f77b4", "fined"),
                                  ("detained_new", "#d62728", "sent to detention"),
                                  ("bribed", "#bcbd22", "let off for a bribe"),
                                  ("wrongful_punishments", "#9467bd", "punished wrongfully")):
        plot_series(ax, series(run, metric, smooth=SMOOTH), colour, label)
    ax.set(title=f"Punishments ({SMOOTH}-day means)", ylabel=unit_label("punished"))
    ax.legend(loc="upper right")
    _records_panel(axes[1, 0], [run], single=True)
    ax = axes[1, 1]
    plot_series(ax, series(run, "share_detained"), "#d62728", "detained", scale=100)
    plot_series(ax, series(run, "share_in_system"), "#7f7f7f", "in the surveillance system (% of people)", scale=100)
    plot_series(ax, series(run, "media_access"), "#d95f02", "holding foreign media", scale=100)
    ax.set(title="Detained, in the system, holding media", ylabel="% of adults")
    ax.legend(loc="best")
    ax = axes[1, 2]
    plot_series(ax, series(run, "freedom_index"), "#2ca02c", "freedom index")
    ax.set(title="Freedom index", ylabel="0-1 (1: nobody deterred or detained)", ylim=(0, 1.02))
    for ax in axes.flat:
        mark_events(ax, [run])
        date_axis(ax)
    return _finish(fig, f"National figures: {run.label}", _band_note([run]))


def _records_panel(ax, runs: list[RunData], single: bool = False) -> None:
    collected = [f"records_collected_{c}" for c in CHANNELS]
    analysed = [f"records_analysed_{c}" for c in CHANNELS]
    for i, run in enumerate(runs):
        colour = "#1f77b4" if single else RUN_COLOURS[i % len(RUN_COLOURS)]
        plot_series(ax, summed(run, collected), colour, "collected" if single else run.label, scale=1e-6)
        plot_series(ax, summed(run, analysed), "#ff7f0e" if single else colour, "analysed" if single else None,
                    scale=1e-6, ls="--")
    ax.set(title="Records collected (solid) vs analysed (dashed)", ylabel="million records per day")
    ax.set_yscale("symlog", linthresh=1e-3)
    if single:
        ax.legend(loc="center right")


def attribution_figure(run: RunData) -> Figure:
    """Which channels the detections came from: shares of all detections and over time."""
    nat = run.metrics[run.metrics["region"] == "ALL"]
    per_member = nat[nat["metric"].isin([f"detections_{c}" for c in CHANNELS])].groupby(["member", "metric"])["value"].sum()
    totals = per_member.unstack("metric").reindex(columns=[f"detections_{c}" for c in CHANNELS]).fillna(0)
    shares = totals.div(totals.sum(axis=1).replace(0, np.nan), axis=0) * 100
    # A run without detections (no surveillance at all) has no shares: its bars are empty, not NaN.
    med = shares.median().fillna(0.0)
    lo, hi = shares.quantile(BAND[0] / 100).fillna(0.0), shares.quantile(BAND[1] / 100).fillna(0.0)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained", width_ratios=(1, 1.6))
    y = np.arange(len(CHANNELS))
    left.barh(y, med.to_numpy(), color=[CHANNEL_COLOURS[c] for c in CHANNELS],
              xerr=np.vstack([med - lo, hi - med]) if run.members > 1 else None, capsize=2)
    for yi, value, top in zip(y, med.to_numpy(), hi.to_numpy()):
        left.text(np.nan_to_num(max(value, top)), yi, f"  {value:.1f}%", va="center", fontsize=7.5)
    left.set_yticks(y, CHANNELS)
    left.invert_yaxis()
    left.set(title="Share of all detections, whole run", xlabel="% of detections (by channel of the record)")
    left.set_xlim(0, max(float(hi.max()) if len(hi) else 1.0, 1.0) * 1.2)
    if float(totals.to_numpy().sum()) == 0:
        left.text(0.5, 0.5, "no detections in this run", transform=left.transAxes, ha="center", va="center",
                  color="0.35")
    left.grid(axis="y", visible=False)
    stack = [series(run, f"detections_{c}", smooth=SMOOTH)["median"].to_numpy() for c in CHANNELS]
    dates = series(run, "detections_all")["date"]
    right.stackplot(dates, stack, labels=CHANNELS, colors=[CHANNEL_COLOURS[c] for c in CHANNELS], alpha=0.85)
    right.set(title=f"Detections by channel over time (stacked medians of {SMOOTH}-day means)",
              ylabel=unit_label("detections_all"))
    right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    mark_events(right, [run])
    date_axis(right)
    return _finish(fig, "Attribution of detections to channels",
                   "A person detected by two channels on a day counts once per channel; 'detections_all' counts them once.")


def regions_figure(run: RunData, metric: str, percent: bool = False) -> Figure:
    """Small multiples: one panel per region (same y scale), the country's line in grey on each."""
    from panopticum.run import REGION_LABELS

    regions = [r for r in REGION_LABELS if r != "ALL"]
    cols = 4
    rows = int(np.ceil(len(regions) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(12, 1.9 * rows + 0.6), sharex=True, sharey=True, layout="constrained")
    scale = 100 if percent else 1
    smooth = SMOOTH if metric.startswith(("detections", "punished")) else 1
    country = series(run, metric, "ALL", smooth=smooth)
    for ax, region in zip(axes.flat, regions):
        ax.plot(country["date"], country["median"] * scale, color="0.6", lw=1, label="country")
        plot_series(ax, series(run, metric, region, smooth=smooth), "#1f77b4", region)
        ax.set_title(region, fontsize=8.5)
        mark_events(ax, [run], labels=False)
        date_axis(ax)
    for ax in list(axes.flat)[len(regions):]:
        ax.set_visible(False)
    name = metric.replace("_", " ")
    return _finish(fig, f"{name.capitalize()} by region ({unit_label(metric, percent)}); grey: the country",
                   _band_note([run]))


# --- several runs side by side -------------------------------------------------------------------

def compare_figure(runs: list[RunData]) -> Figure:
    """Runs side by side, one colour each: behaviours, detections, punishments, records, freedom."""
    fig, axes = plt.subplots(3, 3, figsize=(13, 9.5), layout="constrained")
    panels = [(f"prevalence_{b}", f"Prevalence: {b}", True) for b in BEHAVIOURS]
    panels += [("punished", f"Punished ({SMOOTH}-day means)", False), ("freedom_index", "Freedom index", False)]
    for ax, (metric, title, percent) in zip(axes.flat, panels):
        smooth = SMOOTH if metric == "punished" else 1
        for i, run in enumerate(runs):
            plot_series(ax, series(run, metric, smooth=smooth), RUN_COLOURS[i % len(RUN_COLOURS)], run.label,
                        scale=100 if percent else 1)
        ax.set(title=title, ylabel=unit_label(metric, percent))
        if metric == "freedom_index":
            ax.set_ylim(0, 1.02)
    _records_panel(axes.flat[6], runs)
    _channels_panel(axes.flat[7], runs)
    for ax in list(axes.flat)[:7]:  # the six time panels and the records panel
        mark_events(ax, runs, labels=ax is axes.flat[0])
        date_axis(ax)
    legend_ax = axes.flat[8]
    legend_ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    legend_ax.legend(handles, [f"{r.run_id}\n{lab}" for r, lab in zip(runs, labels)], loc="center", fontsize=8,
                     title="runs", title_fontsize=9)
    return _finish(fig, "Scenarios side by side", _band_note(runs))


def _channels_panel(ax, runs: list[RunData]) -> None:
    width = 0.8 / len(runs)
    y = np.arange(len(CHANNELS))
    for i, run in enumerate(runs):
        nat = run.metrics[run.metrics["region"] == "ALL"]
        per = nat[nat["metric"].str.startswith("detections_") & (nat["metric"] != "detections_all")]
        means = per.groupby(["member", "metric"])["value"].mean().unstack("metric")
        means = means.reindex(columns=[f"detections_{c}" for c in CHANNELS]).fillna(0)
        med = means.median().to_numpy()
        err = None
        if run.members > 1:
            err = np.vstack([med - means.quantile(0.05).to_numpy(), means.quantile(0.95).to_numpy() - med])
        ax.barh(y + i * width - 0.4 + width / 2, med, height=width, color=RUN_COLOURS[i % len(RUN_COLOURS)],
                xerr=err, capsize=1.5)
    ax.set_yticks(y, CHANNELS)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set(title="Detections by channel, mean over the run", xlabel=unit_label("detections_all"))


def encode(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi)
    plt.close(fig)
    return buf.getvalue()
