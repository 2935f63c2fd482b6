"""Docking with Mesa's own Epstein example (Axtell et al. 1996): distributions, not runs.

Both implementations run Model 1 with the same parameters (NetLogo's defaults, with
Mesa's ``round`` of C/A, three move rounds and four activation batches: :data:`DOCKING`).
Each run is summarised by its time-averaged active and jailed shares (after a burn-in of
20 steps) and its number of bursts (see :mod:`panopticum.epstein.docking`). The slow test
compares the distributions over 30 seeds per implementation at three legitimacy values
with the two-sample Kolmogorov-Smirnov test; the quick one is a smoke version of it (few
Mesa seeds, one legitimacy, a looser KS).
"""

from __future__ import annotations

import numpy as np
import pytest

from panopticum.epstein import EpsteinParams
from panopticum.epstein.docking import (
    ks_2samp,
    run_mesa_batch,
    run_ours_batch,
    summarise,
)

pytest.importorskip("mesa")

DOCKING = dict(round_ratio=True, move_rounds=3, activation_batches=4)
"""Our settings for docking: Mesa's round of C/A, three rounds of moves so that about as
many agents move each step as in Mesa's sequential update, and four activation batches,
so that later citizens see a step's earlier arrests and moves, as in Mesa's sequential
random activation (see docs/epstein.md)."""

KS_THRESHOLD = 0.01
"""A KS p-value below this rejects 'same distribution' (per measure and legitimacy)."""
QUICK_KS_THRESHOLD = 0.001
"""The quick test's looser KS threshold (6 Mesa seeds, our counts exact)."""
MEDIAN_TOLERANCE = {"active": 0.3, "jailed": 0.25}
"""Largest relative gap between the two medians."""


def _docking(
    legitimacy: float, mesa_seeds: int, our_seeds: int, steps: int, random_counts: bool
) -> dict:
    params = EpsteinParams(legitimacy=legitimacy, **DOCKING)
    mesa = summarise(*run_mesa_batch(params, range(1000, 1000 + mesa_seeds), steps))
    ours = summarise(*run_ours_batch(params, range(our_seeds), steps, random_counts))
    return {"mesa": mesa, "ours": ours,
            "ks": {k: ks_2samp(ours[k], mesa[k]) for k in ("active", "jailed", "bursts")}}


def _relative_gap(a: np.ndarray, b: np.ndarray) -> float:
    ma, mb = float(np.median(a)), float(np.median(b))
    return abs(ma - mb) / max(abs(mb), 1e-9)


def test_docking_quick():
    """One legitimacy (0.7), 6 Mesa seeds x 100 steps, exact counts for ours (one compile):
    medians close, a loose KS on both shares, bursts in both."""
    d = _docking(0.7, mesa_seeds=6, our_seeds=24, steps=100, random_counts=False)
    print(f"quick: KS p {d['ks']}")
    for measure, tol in MEDIAN_TOLERANCE.items():
        gap = _relative_gap(d["ours"][measure], d["mesa"][measure])
        assert gap <= tol, (measure, gap, d)
        assert d["ks"][measure] > QUICK_KS_THRESHOLD, (measure, d["ks"])
    assert np.median(d["mesa"]["bursts"]) >= 1 and np.median(d["ours"]["bursts"]) >= 1


@pytest.mark.slow
@pytest.mark.parametrize("legitimacy", [0.7, 0.82, 0.9])
def test_docking_distributions(legitimacy):
    """30 seeds each, 200 steps: KS on the time-averaged jailed and active shares.

    Our cop and citizen counts are drawn per seed as Mesa's are (``random_counts``): with
    exact counts our distributions are narrower than Mesa's and the KS test on the active
    share tells them apart even where the medians agree.
    """
    d = _docking(legitimacy, mesa_seeds=30, our_seeds=30, steps=200, random_counts=True)
    print(f"L={legitimacy}: KS p {d['ks']}, medians "
          f"ours {[float(np.median(d['ours'][k])) for k in ('active', 'jailed', 'bursts')]} "
          f"mesa {[float(np.median(d['mesa'][k])) for k in ('active', 'jailed', 'bursts')]}")
    for measure, tol in MEDIAN_TOLERANCE.items():
        assert _relative_gap(d["ours"][measure], d["mesa"][measure]) <= tol or (
            np.median(d["mesa"][measure]) == 0 and np.median(d["ours"][measure]) == 0
        ), (measure, d)
    assert d["ks"]["jailed"] > KS_THRESHOLD, d["ks"]
    assert d["ks"]["active"] > KS_THRESHOLD, d["ks"]
    if legitimacy < 0.9:
        # punctuated equilibrium: bursts in most runs of both
        assert np.median(d["mesa"]["bursts"]) >= 1 and np.median(d["ours"]["bursts"]) >= 1
    else:
        # G = H (1 - L) <= 0.1 = T: nobody can turn active, in either
        assert d["mesa"]["bursts"].sum() == 0 and d["ours"]["bursts"].sum() == 0
        assert d["mesa"]["active"].max() == 0 and d["ours"]["active"].max() == 0
