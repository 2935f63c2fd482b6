"""A calibration's results: posterior summary, marginal and pair plots, a posterior
predictive check of every target, and an HTML report, all in its folder."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from panopticum.calibration.abc import load_posterior
from panopticum.calibration.observables import RESPONDENTS, observed_values
from panopticum.calibration.simulator import Simulator
from panopticum.calibration.targets import load_targets


def parameters_of(posterior: pd.DataFrame) -> list[str]:
    return [c for c in posterior.columns if c not in ("weight", "generation")]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cdf = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(np.searchsorted(cdf, q), len(cdf) - 1)])


def summary(posterior: pd.DataFrame, priors: dict[str, list[float]]) -> pd.DataFrame:
    """Each parameter's posterior median and 90% interval, and how much of the prior's width it keeps."""
    rows = []
    w = posterior["weight"].to_numpy()
    for p in parameters_of(posterior):
        v = posterior[p].to_numpy()
        low, med, high = (weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95))
        width = priors[p][1] - priors[p][0]
        rows.append({"parameter": p, "median": med, "low_90": low, "high_90": high, "prior_low": priors[p][0],
                     "prior_high": priors[p][1], "width_kept": (high - low) / (0.9 * width) if width else np.nan})
    return pd.DataFrame(rows)


def draw(posterior: pd.DataFrame, k: int, seed: int = 0) -> list[dict[str, float]]:
    """``k`` particles drawn by weight (with replacement)."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(posterior), size=k, replace=True, p=posterior["weight"].to_numpy() / posterior["weight"].sum())
    return [{p: float(posterior[p].iloc[i]) for p in parameters_of(posterior)} for i in idx]


def _simulate_draws(simulator: Simulator, particles: list[dict[str, float]], seed: int, workers: int,
                    scheduler: str | None) -> list[dict[str, float]]:
    """Each particle's observables (seed ``seed + i``): on the Dask cluster the calibration
    used (``workers`` local processes, or ``scheduler``), else one after another here."""
    if scheduler is None and workers == 0:
        return [simulator.observe(p, seed + i) for i, p in enumerate(particles)]
    from panopticum.calibration.abc import Sampler

    with Sampler(scheduler, workers) as sampler:
        client = sampler.client
        futures = client.map(simulator.observe, particles, [seed + i for i in range(len(particles))], pure=False)
        return client.gather(futures)


def predictive_check(folder: Path, draws: int = 20, seed: int = 0, workers: int = 0,
                     scheduler: str | None = None) -> pd.DataFrame:
    """Simulate ``draws`` posterior draws and compare each target's 90% interval with its
    observed value; written to ``predictive.parquet``. A survey target's interval is over
    the draws whose survey had respondents enough to estimate (``draws_estimated``)."""
    meta = json.loads((folder / "calibration.json").read_text())
    targets = load_targets(str(folder / "targets.toml"))
    fixed = {"timeline.burn_in_days": meta["burn_in_days"]} if meta.get("burn_in_days") is not None else {}
    simulator = Simulator(meta["scenario"], meta["agents"], targets.start_date, targets.days, list(targets.targets),
                          fixed=fixed)
    sims = _simulate_draws(simulator, draw(load_posterior(folder), draws, seed), seed, workers, scheduler)
    obs, unc, bound = observed_values(list(targets.targets))
    table = pd.DataFrame(sims)
    rows = []
    for label in obs:
        v = table[label].to_numpy(dtype=float)
        v = v[np.isfinite(v)]  # a survey whose frame held too few to estimate anything
        low, med, high = np.quantile(v, [0.05, 0.5, 0.95]) if v.size else (np.nan,) * 3
        inside = (low <= obs[label] <= high) or (bound[label] == "upper" and low <= obs[label]) \
            or (bound[label] == "lower" and high >= obs[label])
        n = table[label + RESPONDENTS].to_numpy(dtype=float) if label + RESPONDENTS in table else None
        rows.append({"target": label, "observed": obs[label], "uncertainty": unc[label], "bound": bound[label],
                     "sim_low_90": low, "sim_median": med, "sim_high_90": high, "consistent": bool(inside),
                     "draws_estimated": int(v.size),
                     "respondents_median": float(np.median(n)) if n is not None else np.nan})
    out = pd.DataFrame(rows)
    out.to_parquet(folder / "predictive.parquet", index=False)
    return out


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode()


def marginal_figure(posterior: pd.DataFrame, priors: dict):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    params = parameters_of(posterior)
    fig, axes = plt.subplots(1, len(params), figsize=(3.2 * len(params), 2.6), squeeze=False)
    for ax, p in zip(axes[0], params):
        ax.hist(posterior[p], weights=posterior["weight"], bins=15, range=tuple(priors[p]), color="#4a6fa5")
        ax.set_title(p, fontsize=8)
        ax.set_yticks([])
    fig.suptitle("posterior marginals (x: the prior's range)", fontsize=9)
    return fig


def pair_figure(posterior: pd.DataFrame, priors: dict):
    import matplotlib.pyplot as plt

    params = parameters_of(posterior)
    n = len(params)
    fig, axes = plt.subplots(n, n, figsize=(2.2 * n, 2.2 * n), squeeze=False)
    size = 200 * posterior["weight"] / posterior["weight"].max()
    for i, a in enumerate(params):
        for j, b in enumerate(params):
            ax = axes[i][j]
            if i == j:
                ax.hist(posterior[a], weights=posterior["weight"], bins=15, range=tuple(priors[a]), color="#4a6fa5")
            else:
                ax.scatter(posterior[b], posterior[a], s=size, alpha=0.5, color="#4a6fa5")
                ax.set_xlim(*priors[b])
                ax.set_ylim(*priors[a])
            if i == n - 1:
                ax.set_xlabel(b, fontsize=7)
            if j == 0:
                ax.set_ylabel(a, fontsize=7)
            ax.tick_params(labelsize=6)
    return fig


def predictive_figure(check: pd.DataFrame):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.45 * len(check) + 1))
    y = np.arange(len(check))
    scale = np.fmax(check["observed"].abs(), check["sim_high_90"].abs()).replace(0, 1)
    ax.hlines(y, check["sim_low_90"] / scale, check["sim_high_90"] / scale, color="#4a6fa5", lw=4, label="simulated 90%")
    ax.errorbar(check["observed"] / scale, y, xerr=check["uncertainty"] / scale, fmt="o", color="#c0392b", label="observed ± uncertainty")
    ax.set_yticks(y, check["target"], fontsize=7)
    ax.set_xlabel("relative to the larger of observed and simulated", fontsize=8)
    ax.legend(fontsize=7)
    return fig


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0)


def write_report(folder: Path, draws: int = 20, workers: int = 0, scheduler: str | None = None) -> Path:
    """Plots, the predictive check and ``report.html`` in the calibration's folder.

    The predictive check's draws run on ``workers`` local Dask processes or the cluster at
    ``scheduler`` (``workers=0``: one after another in this process)."""
    import matplotlib.pyplot as plt

    meta = json.loads((folder / "calibration.json").read_text())
    targets = load_targets(str(folder / "targets.toml"))
    posterior = load_posterior(folder)
    priors = meta["priors"]
    table = summary(posterior, priors)
    table.to_parquet(folder / "summary.parquet", index=False)
    from panopticum.calibration.scenario import median_scenario

    (folder / "scenario.toml").write_text(median_scenario(folder, f"calibrated-{meta['targets']}"))
    figs = {"marginals": marginal_figure(posterior, priors), "pairs": pair_figure(posterior, priors)}
    check = predictive_check(folder, draws, workers=workers, scheduler=scheduler) if draws > 0 else None
    if check is not None:
        figs["predictive"] = predictive_figure(check)
    images = {}
    for name, fig in figs.items():
        fig.savefig(folder / f"{name}.png", dpi=110, bbox_inches="tight")
        images[name] = _png(fig)
        plt.close(fig)
    parts = [
        f"<h1>Calibration {html.escape(meta['id'])}</h1>",
        f"<p>Targets {html.escape(meta['targets'])}, scenario {html.escape(meta['scenario'])}, {meta['agents']:,} agents "
        f"a run, {meta['generations_done']} generations of {meta['population_size']} particles, "
        f"{meta['simulations']:,} simulations, {meta['wall_seconds']:.0f} s.</p>",
        "<h2>Posterior</h2>", _table(table), f'<img src="data:image/png;base64,{images["marginals"]}">',
        f'<img src="data:image/png;base64,{images["pairs"]}">',
    ]
    if check is not None:
        parts += [f"<h2>Posterior predictive check ({draws} draws)</h2>", _table(check),
                  f'<img src="data:image/png;base64,{images["predictive"]}">']
    parts.append("<h2>Targets</h2><ul>" + "".join(
        f"<li><b>{html.escape(t.name)}</b> ({t.kind}): {html.escape(t.source)}</li>" for t in targets.targets) + "</ul>")
    page = folder / "report.html"
    page.write_text("<!doctype html><meta charset='utf-8'><title>calibration</title>"
                    "<style>body{font-family:sans-serif;max-width:60em;margin:auto}td,th{padding:0 .6em}</style>"
                    + "\n".join(parts))
    return page
