"""Figures and the HTML section of a virtual study: estimate distributions against the truth.

:func:`estimates_figure` draws, for one sample, one panel per question: the distribution of
each estimator's estimates over the replicates (box: quartiles; whiskers: 5th to 95th
percentile) and the truth as a vertical line. :func:`survey_section` is the study as an
HTML section (facts, one scored table and one figure per sample), used by
``panopticum survey`` (``survey.html``) and by ``panopticum report`` for kept studies.
"""

from __future__ import annotations

import inspect
import math
import textwrap

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from panopticum.report.html import esc, figure_block, page
from panopticum.surveys.estimators import ESTIMATORS
from panopticum.surveys.questions import IN_SYSTEM, IN_SYSTEM_TEXT, QUESTIONS

QUESTION_TEXT = {q.name: q.text for q in QUESTIONS} | {IN_SYSTEM: IN_SYSTEM_TEXT}
ESTIMATOR_COLOURS = dict(zip(ESTIMATORS, ("#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974", "#64b5cd")))
TRUTH_COLOUR = "#222222"
# matplotlib 3.10 renamed boxplot's vert=False to orientation="horizontal"
_HORIZONTAL = ({"orientation": "horizontal"} if "orientation" in inspect.signature(Axes.boxplot).parameters
               else {"vert": False})


def estimates_figure(meta: dict, estimates: pd.DataFrame, sample: str) -> Figure:
    """One panel per question: each estimator's estimates over the replicates, and the truth."""
    own = estimates[estimates["sample"] == sample]
    questions = [q for q in QUESTION_TEXT if q in set(own["question"])]
    cols = 3
    rows = math.ceil(len(questions) / cols)
    fig = Figure(figsize=(10, 1.9 * rows + 1.0), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    used: dict[str, object] = {}
    for ax, question in zip(axes, questions):
        mine = own[own["question"] == question]
        names = [e for e in ESTIMATORS if e in set(mine["estimator"])]
        data = [mine.loc[mine["estimator"] == e, "estimate"].to_numpy() * 100 for e in names]
        box = ax.boxplot(data, **_HORIZONTAL, whis=(5, 95), showfliers=False, patch_artist=True, widths=0.65,
                         medianprops={"color": "black"})
        for patch, name in zip(box["boxes"], names):
            patch.set(facecolor=ESTIMATOR_COLOURS[name], alpha=0.8)
            used[name] = patch
        ax.set_yticks([])
        ax.invert_yaxis()
        used["truth"] = ax.axvline(meta["truth"][question] * 100, color=TRUTH_COLOUR, linestyle="--", linewidth=1.2)
        ax.set_title("\n".join(textwrap.wrap(QUESTION_TEXT[question], 42)), loc="left", fontsize=8.5)
        ax.set_xlabel("% of the population")
    for ax in axes[len(questions):]:
        ax.set_visible(False)
    keys = [k for k in ESTIMATORS if k in used] + ["truth"]
    fig.legend([used[k] for k in keys], [ESTIMATORS.get(k, "the truth") for k in keys], loc="outside lower center", ncols=len(used), fontsize=8)
    fig.suptitle(f"{meta['design']}: {sample}, {meta['replicates']} replicate surveys on {meta['date']}",
                 x=0.01, ha="left", fontsize=11, fontweight="bold")
    return fig


def _pct(x: float) -> str:
    return "" if pd.isna(x) else f"{x * 100:.1f}"


def scores_table(scores: pd.DataFrame) -> str:
    head = ("<tr><th>question</th><th>estimator</th><th>truth %</th><th>mean %</th><th>bias (points)</th>"
            "<th>RMSE (points)</th><th>95% coverage</th><th>design effect</th></tr>")
    body = "".join(
        f"<tr><td>{esc(QUESTION_TEXT.get(r.question, r.question))}</td><td>{esc(ESTIMATORS.get(r.estimator, r.estimator))}</td>"
        f"<td class=num>{_pct(r.truth)}</td><td class=num>{_pct(r.mean)}</td><td class=num>{_pct(r.bias)}</td>"
        f"<td class=num>{_pct(r.rmse)}</td><td class=num>{_pct(r.coverage)}%</td>"
        f"<td class=num>{'' if pd.isna(r.deff) else f'{r.deff:.2f}'}</td></tr>"
        for r in scores.itertuples()
    )
    return f"<table>{head}{body}</table>"


def survey_section(meta: dict, scores: pd.DataFrame, estimates: pd.DataFrame, anchor: str = "survey") -> str:
    """The study as an HTML section: what was drawn, then per sample its scores and its figure."""
    samples = ", ".join(f"{s['respondents']:,} {s['label']} ({s['frame']} frame)" for s in meta["samples"])
    parts = [
        f"<h2 id={esc(anchor)}>Virtual survey: {esc(meta['design'])} on {esc(meta['date'])}</h2>",
        f"<p>{esc(meta['description'])} ({esc(meta['design_source'])}). Samples: {esc(samples)}. "
        f"{meta['replicates']:,} replicate surveys drawn from {esc(meta['snapshot'])} (seed {meta['seed']}), "
        "each scored against the synthetic population's true history: the truth is the share among adults in "
        "the country and free on the survey date. Coverage: how often the 95% interval held the truth; "
        "design effect: the variance of the estimates over that of a simple random sample of the same size.</p>",
    ]
    for k, sample in enumerate(dict.fromkeys(scores["sample"])):
        n = int(scores.loc[scores["sample"] == sample, "respondents"].iloc[0])
        title = "all samples pooled" if sample == "all" else sample
        parts.append(f"<h3>{esc(title)} ({n:,} respondents)</h3>")
        parts.append(scores_table(scores[scores["sample"] == sample]))
        parts.append(figure_block(estimates_figure(meta, estimates, sample), f"{anchor}-fig-{k}",
                                  f"{title}: estimates over {meta['replicates']:,} replicates against the truth "
                                  "(boxes: quartiles; whiskers: 5th to 95th percentile; dashed line: the truth)."))
    return "\n".join(parts)


def survey_page(meta: dict, scores: pd.DataFrame, estimates: pd.DataFrame) -> str:
    return page(f"panopticum survey: {meta['design']} on {meta['date']}", survey_section(meta, scores, estimates))
