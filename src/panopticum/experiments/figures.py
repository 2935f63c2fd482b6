"""Figures of an experiment: index bars with intervals, mu*-sigma, outcome against factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from panopticum.report import figures as _style  # noqa: F401 (the report's matplotlib style and backend)


def sobol_bars(indices: pd.DataFrame, outcome: str) -> Figure:
    """S1 and ST of each factor, with their confidence intervals as error bars."""
    sub = indices[indices.outcome == outcome]
    factors = list(dict.fromkeys(sub.factor))
    fig = Figure(figsize=(7.5, 0.9 + 0.32 * len(factors)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(factors))
    for offset, (index, colour) in zip((-0.18, 0.18), (("S1", "#1f77b4"), ("ST", "#d62728"))):
        rows = sub[sub["index"] == index].set_index("factor").reindex(factors)
        ax.barh(y + offset, rows.value, height=0.34, xerr=rows.conf, color=colour, alpha=0.85,
                error_kw={"elinewidth": 0.8, "capsize": 2}, label={"S1": "first order S1", "ST": "total ST"}[index])
    ax.set_yticks(y, factors)
    ax.invert_yaxis()
    ax.set_xlabel("Sobol' index (bars: confidence interval)")
    ax.set_title(f"Sobol' indices: {outcome}")
    ax.legend(loc="lower right")
    return fig


def morris_bars(indices: pd.DataFrame, outcome: str) -> Figure:
    """mu* of each factor, largest first, with its bootstrap interval."""
    rows = indices[(indices.outcome == outcome) & (indices["index"] == "mu_star")].sort_values("value")
    fig = Figure(figsize=(7.5, 0.9 + 0.22 * len(rows)), layout="constrained")
    ax = fig.subplots()
    ax.barh(rows.factor, rows.value, xerr=rows.conf, color="#1f77b4", alpha=0.85, error_kw={"elinewidth": 0.8, "capsize": 2})
    ax.set_xlabel("mu* (mean absolute elementary effect; bars: confidence interval)")
    ax.set_title(f"Morris screening: {outcome}")
    return fig


def mu_sigma(indices: pd.DataFrame, outcome: str, label: int = 10) -> Figure:
    """sigma against mu* for each factor; the ``label`` largest mu* are named."""
    sub = indices[indices.outcome == outcome].pivot(index="factor", columns="index", values="value")
    fig = Figure(figsize=(6.5, 4.8), layout="constrained")
    ax = fig.subplots()
    ax.scatter(sub.mu_star, sub.sigma, s=18, color="#1f77b4")
    top = max(float(sub.mu_star.max()), float(sub.sigma.max()), 1e-12)
    ax.plot([0, top], [0, top], color="grey", lw=0.7, ls="--", label="sigma = mu*")
    for factor, row in sub.sort_values("mu_star", ascending=False).head(label).iterrows():
        ax.annotate(factor, (row.mu_star, row.sigma), fontsize=6.5, xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("mu* (importance)")
    ax.set_ylabel("sigma (non-linearity or interactions)")
    ax.set_title(f"Morris mu*-sigma: {outcome}")
    ax.legend(loc="upper left")
    return fig


def outcome_scatter(X: pd.DataFrame, Y: pd.Series, outcome: str, columns: int = 4, most: int = 16) -> Figure:
    """The outcome (mean over replicates) against each factor, one small panel per factor
    (the ``most`` factors whose values correlate most with the outcome, by rank)."""
    factors = list(X.columns)
    if len(factors) > most:
        score = {f: abs(pd.Series(X[f].to_numpy()).rank().corr(pd.Series(Y.to_numpy()).rank()) or 0.0) for f in factors}
        factors = sorted(factors, key=lambda f: -np.nan_to_num(score[f]))[:most]
    n = len(factors)
    cols = min(columns, n)
    rows = int(np.ceil(n / cols))
    fig = Figure(figsize=(2.4 * cols + 0.6, 2.1 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, factor in zip(axes, factors):
        ax.scatter(X[factor], Y, s=6, alpha=0.6, color="#1f77b4")
        ax.set_xlabel(factor, fontsize=7)
        ax.tick_params(labelsize=6.5)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"{outcome} against each factor (mean over replicates)", fontsize=9.5, fontweight="bold")
    return fig


def grid_heatmap(X: pd.DataFrame, Y: pd.Series, outcome: str) -> Figure:
    """A grid design's outcome over its first two factors (mean over the other factors' levels
    and the replicates), each cell labelled with its value."""
    first, second = X.columns[:2]
    table = pd.DataFrame({"a": X[first].to_numpy(), "b": X[second].to_numpy(), "y": Y.to_numpy()})
    grid = table.pivot_table(index="b", columns="a", values="y", aggfunc="mean").sort_index(ascending=False)
    fig = Figure(figsize=(1.2 + 0.75 * grid.shape[1], 1.2 + 0.5 * grid.shape[0]), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(grid.to_numpy(), cmap="viridis", aspect="auto")
    ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.grid(False)
    middle = np.nanmean(grid.to_numpy())
    for (i, j), v in np.ndenumerate(grid.to_numpy()):
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=6.5, color="white" if v < middle else "black")
    ax.set_xlabel(first)
    ax.set_ylabel(second)
    rest = ", ".join(X.columns[2:])
    ax.set_title(f"{outcome}" + (f" (mean over {rest})" if rest else ""))
    fig.colorbar(image, ax=ax, shrink=0.8)
    return fig
