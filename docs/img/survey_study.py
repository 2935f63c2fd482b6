"""The worked study of docs/surveys.md: ``stimson-2024`` drawn from stored runs, scored, drawn.

    python docs/img/survey_study.py --store STORE --run baseline-2023=RUN --run border-closure-2020=RUN \
        --date 2023-12-31 --replicates 1000

For each run, draws the design ``--replicates`` times from its snapshot on ``--date``, prints
the scored table (shares in %, bias and RMSE in points) and writes (the phone residents
alone when the run has too few leavers for the escapee sample)
``docs/img/survey-study-<scenario>.png``: for each question, the truth and each sample's
estimates (dot: mean over the replicates; bar: 5th to 95th percentile).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from panopticum.store import RunStore
from panopticum.surveys import FrameTooSmall, load_design, load_snapshot, run_study, score
from panopticum.surveys.questions import QUESTIONS

HERE = Path(__file__).parent
SHOWN = [("escapees", "raw"), ("escapees", "poststrat"), ("phone residents", "raw"), ("phone residents", "rds2"),
         ("all", "poststrat")]
COLOURS = ["#c44e52", "#dd8452", "#4c72b0", "#64b5cd", "#55a868"]


def figure(scenario: str, date: datetime.date, estimates, truth: dict, replicates: int, note: str = "") -> Figure:
    questions = [q.name for q in QUESTIONS]
    fig = Figure(figsize=(8.5, 5.8), layout="constrained")
    ax = fig.subplots()
    for j, ((sample, estimator), colour) in enumerate(zip(SHOWN, COLOURS)):
        mine = estimates[(estimates["sample"] == sample) & (estimates["estimator"] == estimator)]
        for i, q in enumerate(questions):
            values = mine.loc[mine["question"] == q, "estimate"].to_numpy() * 100
            values = values[np.isfinite(values)]
            if not values.size:
                continue
            y = i + (j - (len(SHOWN) - 1) / 2) * 0.15
            low, high = np.percentile(values, [5, 95])
            ax.plot([low, high], [y, y], color=colour, linewidth=2, alpha=0.7)
            ax.plot(values.mean(), y, "o", color=colour, markersize=4, label=f"{'pooled' if sample == 'all' else sample}, {estimator}" if i == 0 else None)
    for i, q in enumerate(questions):
        ax.plot([truth[q] * 100] * 2, [i - 0.42, i + 0.42], color="black", linewidth=1.6,
                label="the truth" if i == 0 else None)
    ax.set_yticks(range(len(questions)), [q.text for q in QUESTIONS], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of adults in the country and free")
    ax.grid(axis="x", alpha=0.3)
    fig.legend(fontsize=7.5, loc="outside lower center", ncols=3)
    ax.set_title(f"stimson-2024 on {scenario}, {date}, {replicates} surveys{note}", loc="left", fontsize=9)
    return fig


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--run", action="append", required=True, help="scenario=run id")
    ap.add_argument("--date", type=datetime.date.fromisoformat, required=True)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    store = RunStore.open(args.store)
    design = load_design("stimson-2024")
    for pair in args.run:
        scenario, run = pair.split("=", 1)
        snapshot = load_snapshot(store, run, args.date)
        left = snapshot["status"] == 2
        print(f"{scenario}: {snapshot.n:,} agents, {int(left.sum())} left the country during the run")
        note = ""
        try:
            study = run_study(snapshot, design, args.replicates, seed=args.seed)
        except FrameTooSmall as exc:  # too few leavers in the run: the residents' half alone
            print(f"{exc}; drawing the phone residents alone")
            residents = dataclasses.replace(design, samples=tuple(s for s in design.samples if s.frame != "escapee"),
                                            pool=False)
            study = run_study(snapshot, residents, args.replicates, seed=args.seed)
            note = f"\n(phone residents alone: {int(left.sum())} people left the country during the run)"
        table = score(study)
        for column in ("truth", "mean", "sd", "bias", "rmse"):
            table[column] = (table[column] * 100).round(1)
        table["coverage"] = (table["coverage"] * 100).round(0)
        table["deff"] = table["deff"].round(1)
        print(table.drop(columns=["replicates"]).to_string(index=False))
        fig = figure(scenario, args.date, study.estimates, study.truth, args.replicates, note)
        out = HERE / f"survey-study-{scenario}.png"
        fig.savefig(out, dpi=90)
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
