"""Personal ties: trusted friends and kin, as a symmetric typed CSR graph.

Friends are drawn by pairing near neighbours in a shuffled order of each group (a ring
lattice within the block of each unit or institution, thinned to the wanted degree), which
gives the triangles of real friendship networks; a few friends are drawn at random within
the region. Kin link people in other households: most nearby (within a window of the agent
order, which is sorted by unit), some in another region, more so in the border regions.
Candidates are packed into int64 keys ``(min * n + max) * 2 + kind``, sorted, deduplicated
(a pair that is both friend and kin is kept once, as a friend) and turned into CSR.
"""

from __future__ import annotations

import math

import numpy as np

from panopticum.population.core import (
    BORDER_REGIONS,
    N_REGIONS,
    Occupation,
    Region,
    TieKind,
)

FRIEND_MIN_AGE = 6
"""Children younger than this have no friend ties (they still have kin)."""

_CHUNK = 1 << 24


def _pack(a: np.ndarray, b: np.ndarray, n: int, kind: int) -> np.ndarray:
    a = a.astype(np.int64)
    b = b.astype(np.int64)
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    keep = lo != hi
    return ((lo[keep] * n + hi[keep]) << 1) | kind


def _window_pairs(order: np.ndarray, label: np.ndarray, household: np.ndarray, degree: float,
                  rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """Friend candidates between positions ``i`` and ``i + o`` (o = 1..w) of ``order`` that
    share ``label`` (the group of each position) and not a household, each kept with the
    probability that gives ``degree`` ties on average away from block ends."""
    if degree <= 0 or order.size < 2:
        return []
    w = math.ceil(degree / 2)
    p = degree / (2 * w)
    out = []
    hh = household[order]
    for o in range(1, w + 1):
        keep = (label[:-o] == label[o:]) & (hh[:-o] != hh[o:])
        if p < 1:
            keep &= rng.random(keep.size, dtype=np.float32) < p
        out.append(_pack(order[:-o][keep], order[o:][keep], n, TieKind.FRIEND))
    return out


def _region_bounds(region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = np.searchsorted(region, np.arange(N_REGIONS), side="left")
    ends = np.searchsorted(region, np.arange(N_REGIONS), side="right")
    return starts, ends


def build_ties(*, region, age, household, unit, institution, occupation, params, rng):
    """Build the tie CSR: ``(tie_indptr int64 [n+1], tie_index int32 [e], tie_kind int8 [e])``."""
    n = int(region.size)
    parts: list[np.ndarray] = []
    ok = age >= FRIEND_MIN_AGE

    # friends among neighbours of similar age: order by (unit, age, random)
    idx = np.flatnonzero(ok)
    key = (unit[idx].astype(np.int64) * 128 + age[idx]) << 12 | rng.integers(0, 1 << 12, idx.size)
    order = idx[np.argsort(key)]
    del key
    parts += _window_pairs(order, unit[order], household, params["friends_unit_degree"], rng, n)
    del order

    # friends at school, work, in the barracks or (traders) in the market of their region
    n_inst = int(institution.max()) + 1 if institution.size else 0
    group = institution.astype(np.int64)
    trader = occupation == Occupation.TRADER
    group[trader] = n_inst + region[trader].astype(np.int64)
    idx = np.flatnonzero(ok & (group >= 0))
    key = group[idx] << 20 | rng.integers(0, 1 << 20, idx.size)
    order = idx[np.argsort(key)]
    label = group[order]
    del key, group
    parts += _window_pairs(order, label, household, params["friends_institution_degree"], rng, n)
    del order, label

    # a few friends anywhere in the region
    starts, ends = _region_bounds(region)
    elig = np.flatnonzero(ok)
    e_region = region[elig]
    e_starts = np.searchsorted(e_region, np.arange(N_REGIONS), side="left")
    e_ends = np.searchsorted(e_region, np.arange(N_REGIONS), side="right")
    if params["friends_outside_degree"] > 0 and elig.size:
        stubs = rng.poisson(params["friends_outside_degree"] / 2, elig.size)
        a = np.repeat(elig, stubs)
        ra = region[a]
        span = e_ends[ra] - e_starts[ra]
        pos = e_starts[ra] + (rng.random(a.size) * span).astype(np.int64)
        b = elig[np.minimum(pos, e_ends[ra] - 1)]
        keep = household[a] != household[b]
        parts.append(_pack(a[keep], b[keep], n, TieKind.FRIEND))
        del a, b, ra, span, pos, keep
    del elig, e_region

    # kin in other households: nearby, or in another region (more from the border regions)
    if params["kin_degree"] > 0:
        stubs = rng.poisson(params["kin_degree"] / 2, n)
        a = np.repeat(np.arange(n, dtype=np.int64), stubs)
        del stubs
        ra = region[a]
        p_cross = np.full(N_REGIONS, params["kin_cross_region_share"])
        p_cross[list(BORDER_REGIONS)] = params["kin_cross_region_border_share"]
        p_cross[Region.MILITARY] = 1.0  # soldiers' families live in the provinces
        cross = rng.random(a.size, dtype=np.float32) < p_cross[ra]
        b = np.empty(a.size, np.int64)
        # nearby: within the window of the agent order, wrapped around inside the region
        # (clipping at the region's ends piled hundreds of ties onto its first and last
        # agents whenever a region held fewer agents than the window)
        loc = np.flatnonzero(~cross)
        w = int(params["kin_local_window"])
        off = rng.integers(1, w + 1, loc.size) * np.where(rng.random(loc.size) < 0.5, -1, 1)
        al = a[loc]
        lo_b = starts[ra[loc]]
        size = ends[ra[loc]] - lo_b
        b[loc] = lo_b + np.mod(al - lo_b + off, np.maximum(size, 1))
        del loc, off, al, lo_b, size
        # another region, in proportion to the civilian regions' sizes
        sizes = (ends - starts).astype(np.float64)
        sizes[Region.MILITARY] = 0
        xi = np.flatnonzero(cross)
        xr = ra[xi]
        for r in range(N_REGIONS):
            sel = xi[xr == r]
            if sel.size == 0:
                continue
            w_r = sizes.copy()
            w_r[r] = 0
            if w_r.sum() == 0:
                b[sel] = a[sel]
                continue
            dest = rng.choice(N_REGIONS, sel.size, p=w_r / w_r.sum())
            b[sel] = starts[dest] + (rng.random(sel.size) * sizes[dest]).astype(np.int64)
        del xi, xr, cross, ra
        keep = household[a] != household[b]
        parts.append(_pack(a[keep], b[keep], n, TieKind.KIN))
        del a, b, keep

    return to_csr(parts, n)


def to_csr(parts: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn packed candidate keys into a symmetric CSR without duplicates (friend wins)."""
    keys = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    parts.clear()
    keys.sort()
    pair = keys >> 1
    first = np.empty(keys.size, bool)
    if keys.size:
        first[0] = True
        np.not_equal(pair[1:], pair[:-1], out=first[1:])
    del pair
    keys = keys[first]
    del first
    e = keys.size
    directed = np.empty(2 * e, np.int64)
    directed[:e] = keys
    for s in range(0, e, _CHUNK):
        k = keys[s : s + _CHUNK]
        p = k >> 1
        lo = p // n
        hi = p - lo * n
        directed[e + s : e + s + k.size] = ((hi * n + lo) << 1) | (k & 1)
    del keys
    # Two sorted runs, the pairs as found and then swapped: sort the second, then merge
    # (a stable sort finds the runs and merges them in one pass; sorting all 2e keys took
    # 1.6 times as long).
    directed[e:].sort()
    directed.sort(kind="stable")
    tie_index = np.empty(2 * e, np.int32)
    tie_kind = np.empty(2 * e, np.int8)
    counts = np.zeros(n, np.int64)
    for s in range(0, 2 * e, _CHUNK):
        d = directed[s : s + _CHUNK]
        p = d >> 1
        row = p // n
        tie_index[s : s + d.size] = p - row * n
        tie_kind[s : s + d.size] = d & 1
        counts += np.bincount(row, minlength=n)
    del directed
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr, tie_index, tie_kind
