"""Where a study's results are kept: a folder of its description, estimates and scores.

``panopticum survey`` keeps each study in the run's folder, under
``survey/results/<design>-<date>/`` (so that ``panopticum report`` can show it), and also in
``--out DIR`` when asked. A folder holds ``study.json`` (design, date, replicates, seed,
truth, every survey parameter), ``estimates.parquet`` (one row per replicate, sample,
question and estimator), ``scores.csv`` (the scored table) and ``survey.html`` (the study on
one page, figures embedded). Each file is written atomically.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from panopticum.errors import PanopticumError
from panopticum.store.layout import atomic_write
from panopticum.surveys.snapshot import SURVEY_DIR

RESULTS_DIR = "results"


def results_folder(run_dir: Path, meta: dict[str, Any]) -> Path:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{meta['design']}-{meta['date']}")
    return Path(run_dir) / SURVEY_DIR / RESULTS_DIR / name


def write_results(folder: Path, meta: dict[str, Any], estimates: pd.DataFrame, scores: pd.DataFrame,
                  html: str | None = None) -> list[Path]:
    """Write a study's files into ``folder``; returns the paths written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = [folder / "study.json", folder / "estimates.parquet", folder / "scores.csv"]
        atomic_write(written[0], lambda p: p.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8"))
        atomic_write(written[1], lambda p: estimates.to_parquet(p, index=False))
        atomic_write(written[2], lambda p: scores.to_csv(p, index=False, float_format="%.6g"))
        if html is not None:
            written.append(folder / "survey.html")
            atomic_write(written[3], lambda p: p.write_text(html, encoding="utf-8"))
    except OSError as exc:
        raise PanopticumError(f"cannot write the survey results to {folder}: {exc.strerror or exc}") from None
    return written


def read_results(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """``(meta, estimates, scores)`` of a kept study."""
    try:
        meta = json.loads((folder / "study.json").read_text(encoding="utf-8"))
        return meta, pd.read_parquet(folder / "estimates.parquet"), pd.read_csv(folder / "scores.csv")
    except (OSError, ValueError) as exc:
        raise PanopticumError(f"cannot read the survey results in {folder}: {exc}") from None


def kept_results(run_dir: Path) -> list[Path]:
    """The folders of the studies kept in a run, oldest first."""
    base = Path(run_dir) / SURVEY_DIR / RESULTS_DIR
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if (p / "study.json").is_file() and (p / "scores.csv").is_file()]
    return sorted(found, key=lambda p: (p / "study.json").stat().st_mtime)
