"""Epstein's civil violence model (Model 1) as pure JAX functions.

``init(key, params) -> state``, ``step(key, state, params) -> state`` and
``simulate(key, params, steps) -> (state, counts)``; ``run`` continues a state in chunks
and gives the same trajectory as one long ``simulate``, because step ``t`` always draws
from ``fold_in(run_key, t)``.

One step, all updates simultaneous (every phase reads the state the previous phase left):

1. **Jail.** A jailed citizen with time left serves one step and does nothing else; one
   whose term is over acts in phase 2 (as in Mesa, where ``randint(0, J_max)`` terms and a
   turn spent serving give the same accounting).
2. **Citizens decide**, all at once, from the counts at the start of the step: ``C`` cops
   and ``A = 1 + actives`` in vision (von Neumann radius, torus, own cell excluded: the
   citizen counts herself once, as Epstein's paper and Mesa do), ``P = 1 - exp(-k
   floor(C/A))`` (``round`` with ``round_ratio``), active iff ``H (1 - L) - R P > T``.
3. **Cops arrest**, all at once, among the citizens active after phase 2: each cop picks one
   uniformly among the actives in its vision. Two cops picking the same citizen make one
   arrest (the other cop picks again, in the next of ``arrest_rounds`` rounds, among the
   actives left). The jail term is uniform on ``0..J_max``, drawn per arrest.
4. **Everyone free moves** (cops and citizens neither jailed nor just arrested):
   ``move_rounds`` rounds; in each, an agent draws up to ``move_tries`` cells uniformly in
   its vision diamond and claims the first empty one; a contested cell goes to the claim
   with the highest random priority (a scatter-max of random keys), losers stay put and may
   try again next round. Conditional on finding one, the target is uniform among the empty
   cells in vision, as in Mesa and NetLogo.

With ``activation_batches = K > 1`` the agents act instead in ``K`` random batches in
turn (decide, arrest, move within each), approaching Mesa's random sequential activation
(:func:`_step_batched`).

Speed: agents live in the cells (``state.py``), so vision counts are diamond stencil sums
(actives and cops packed in one int16 grid, wrap-padded once) and decisions are dense
elementwise operations; the arrest search loops over cops only, and jails by scatters over
the arrests; moves cost one scatter and four gathers per round. Per-cell random numbers
come from a counter-based integer hash (lowbias32) seeded by ``jax.random`` each step: 7x
cheaper than threefry for 16M cells. XLA:CPU fuses greedily and recomputes a fused
producer in every consumer: chains that several consumers read (row segments, the move
tries) are therefore built in ``fori_loop``/``scan`` loops, whose carries it materialises.

Imports numpy and jax alone.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from panopticum.epstein.params import EpsteinParams
from panopticum.epstein.state import ACTIVE, CITIZEN, COP, EMPTY, JAILED, QUIET, EpsteinState

__all__ = ["init", "step", "run", "simulate", "counts", "diamond_offsets", "diamond_sum"]


# ----------------------------------------------------------------------------- helpers
def _mix32(x: jax.Array) -> jax.Array:
    """lowbias32 (C. Wellons): a bijective avalanche hash on uint32."""
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x7FEB352D)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x846CA68B)
    return x ^ (x >> 16)


def _bits(seed: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """uint32 random bits of ``shape`` from a uint32 ``seed`` (counter-based hash)."""
    counter = lax.iota(jnp.uint32, int(np.prod(shape))).reshape(shape)
    return _mix32(counter * jnp.uint32(0x9E3779B9) ^ seed)


def _uniform(bits: jax.Array) -> jax.Array:
    """U[0, 1) float32 from the top 24 of 32 bits."""
    return (bits >> 8).astype(jnp.float32) * jnp.float32(2.0**-24)


def _below(bits16: jax.Array, n: jax.Array) -> jax.Array:
    """An integer uniform on ``0..n-1`` (n <= 2**15) from 16 random bits."""
    return ((bits16 & 0xFFFF).astype(jnp.int32) * n.astype(jnp.int32)) >> 16


@functools.lru_cache(maxsize=None)
def diamond_offsets(v: int) -> tuple[np.ndarray, np.ndarray]:
    """``(dy, dx)`` of the von Neumann diamond of radius ``v`` without its centre.

    Ordered ring by ring (distance 1 first), so the first ``2 r (r + 1)`` entries are the
    diamond of radius ``r <= v``.
    """
    pts = [
        (dy, dx)
        for r in range(1, v + 1)
        for dy in range(-r, r + 1)
        for dx in range(-r, r + 1)
        if abs(dy) + abs(dx) == r
    ]
    arr = np.asarray(pts, dtype=np.int32).reshape(-1, 2)
    return arr[:, 0].copy(), arr[:, 1].copy()


def _n_offsets(v: int) -> int:
    return 2 * v * (v + 1)


def _count_dtype(v: int):
    return jnp.int8 if _n_offsets(v) + 1 <= 127 else jnp.int16


def diamond_sum(grid: jax.Array, v: int) -> jax.Array:
    """Sum of ``grid`` over the von Neumann diamond of radius ``v`` (centre included), torus.

    On a wrap-padded copy, the row segment of half-width ``r`` is the one of half-width
    ``r - 1`` plus two cells; each, once built, is added at the two rows ``v - r`` above
    and below: about ``6 v`` adds per cell in all. The segments are carried through a
    loop so that XLA materialises each once: written as one expression, XLA:CPU fused the
    whole chain into the consumer and recomputed each segment's chain of adds for every
    row that reads it (about 113 adds per cell, badly vectorised).
    """
    h, w = grid.shape
    if v == 0:
        return grid
    p = jnp.pad(grid, v, mode="wrap")

    def widen(r, seg):
        left = lax.dynamic_slice_in_dim(p, v - r, w, axis=1)
        right = lax.dynamic_slice_in_dim(p, v + r, w, axis=1)
        return seg + left + right

    def body(r, carry):
        seg, out = carry
        seg = widen(r, seg)  # half-width r, added at rows +-(v - r)
        up = lax.dynamic_slice_in_dim(seg, r, h, axis=0)
        down = lax.dynamic_slice_in_dim(seg, 2 * v - r, h, axis=0)
        return seg, out + up + down

    seg = p[:, v : v + w]
    out = seg[:h] + seg[2 * v :]
    seg, out = lax.fori_loop(1, v, body, (seg, out))
    return out + widen(v, seg)[v : v + h]


def counts(state: EpsteinState) -> jax.Array:
    """``[quiet, active, jailed]`` citizens, int32 (status is 0 off the citizens)."""
    # one variadic reduction (vectorised on CPU) instead of three serial ones
    n_citizens, active, jailed = lax.reduce(
        (
            (state.kind == CITIZEN).astype(jnp.int32),
            (state.status == ACTIVE).astype(jnp.int32),
            (state.status == JAILED).astype(jnp.int32),
        ),
        (jnp.int32(0),) * 3,
        lambda a, b: tuple(x + y for x, y in zip(a, b)),
        tuple(range(state.kind.ndim)),
    )
    return jnp.stack([n_citizens - active - jailed, active, jailed])


# ----------------------------------------------------------------------------- init
def _kth_smallest(keys: jax.Array, k: int) -> jax.Array:
    """The k-th smallest (1-based) of distinct uint32 ``keys``: 32 counting passes."""

    def body(_, lohi):
        lo, hi = lohi
        mid = lo + (hi - lo) // 2
        enough = jnp.sum(keys <= mid, dtype=jnp.int32) >= k
        return jnp.where(enough, lo, mid + 1), jnp.where(enough, mid, hi)

    lo, _ = lax.fori_loop(0, 32, body, (jnp.uint32(0), jnp.uint32(0xFFFFFFFF)))
    return lo


def init(key: jax.Array, params: EpsteinParams) -> EpsteinState:
    """Place ``round(density x cells)`` citizens and cops on distinct random cells.

    Every cell gets a distinct random key (a bijective hash of its index); the ``n_cops``
    smallest keys are cops, the next ``n_citizens`` citizens: a uniform random placement
    with exact counts, found by two 32-pass threshold searches instead of a sort.
    Citizens start quiet, with hardship and risk aversion drawn U(0, 1).
    """
    h, w = params.height, params.width
    nc, nk = params.n_citizens, params.n_cops
    seeds = jax.random.bits(key, (3,), jnp.uint32)
    keys = _bits(seeds[0], (h, w))
    cop = keys <= _kth_smallest(keys, nk) if nk else jnp.zeros((h, w), bool)
    citizen = (keys <= _kth_smallest(keys, nk + nc)) & ~cop if nc else jnp.zeros((h, w), bool)
    kind = jnp.where(cop, COP, jnp.where(citizen, CITIZEN, EMPTY)).astype(jnp.int8)
    (cop_pos,) = jnp.nonzero(cop.reshape(-1), size=nk)
    hardship = jnp.where(citizen, _uniform(_bits(seeds[1], (h, w))), 0.0)
    risk = jnp.where(citizen, _uniform(_bits(seeds[2], (h, w))), 0.0)
    return EpsteinState(
        kind=kind,
        status=jnp.zeros((h, w), jnp.int8),
        jail=jnp.zeros((h, w), jnp.int32),
        hardship=hardship.astype(jnp.float32),
        risk=risk.astype(jnp.float32),
        cop_pos=cop_pos.astype(jnp.int32),
        t=jnp.zeros((), jnp.int32),
    )


# ----------------------------------------------------------------------------- step
def _kth_active(active_pad, v, py, px, kth_bits):
    """For cops at ``(py, px)``, a uniform pick among the actives in the vision diamond.

    ``active_pad`` (int8) is the active grid wrap-padded by ``v``. Horizontal segment sums
    of every half-width (as in :func:`diamond_sum`) give the actives of each of the
    ``2 v + 1`` rows of the diamond with one gather per row; the k-th active (k uniform
    below the total) is located by its row, then by a scan along that row. About
    ``4 v + 2`` gathers per cop, not ``2 v (v + 1)``.

    **Returns:** ``(n_seen, ty, tx)``: actives in vision and the padded coordinates of the
    pick (meaningless where ``n_seen == 0``).
    """
    hp, wp = active_pad.shape
    w = wp - 2 * v
    centre = active_pad[:, v : v + w]

    # segs[r]: the row segment sums of half-width r, built in a scan so that XLA
    # materialises them once (fused into the gathers, each gather recomputed its chain)
    def widen(seg, r):
        left = lax.dynamic_slice_in_dim(active_pad, v - r, w, axis=1)
        right = lax.dynamic_slice_in_dim(active_pad, v + r, w, axis=1)
        seg = seg + left + right
        return seg, seg

    _, wider = lax.scan(widen, centre, jnp.arange(1, v + 1))
    flat = wider.reshape(-1)  # segs[r, y, x] at ((r - 1) * hp + y) * w + x for r >= 1
    cy, cx = py + v, px + v
    row_cum = []
    total = jnp.zeros_like(py)
    for dy in range(-v, v + 1):
        r = v - abs(dy)
        if r:
            here = flat.at[((r - 1) * hp + cy + dy) * w + px].get(mode="promise_in_bounds")
        else:  # half-width 0: the cell itself
            here = active_pad.reshape(-1).at[(cy + dy) * wp + cx].get(mode="promise_in_bounds")
        total = total + here.astype(jnp.int32)
        row_cum.append(total)
    n_seen = row_cum[-1]
    kth = _below(kth_bits, n_seen)
    # Conditionals that always take their first branch: XLA materialises their operands,
    # so the chain of row gathers, then the pick's row, are computed once instead of
    # being fused into (and recomputed by) each of their many consumers.
    always = (jnp.sum(kth_bits[:1], dtype=jnp.uint32) | 1) != 0  # true, also with no cops

    def pick_row(row_cum, kth):
        # row r holds the k-th active: the first row whose running total exceeds k
        r = jnp.full_like(kth, 2 * v)
        before = jnp.zeros_like(kth)
        for i in range(2 * v, -1, -1):
            here = row_cum[i] > kth
            r = jnp.where(here, i, r)
            before = jnp.where(here, row_cum[i - 1] if i else 0, before)
        return r, kth - before  # the row and the 0-based rank of the pick within it

    r, want = lax.cond(always, pick_row, lambda rc, k: (k, k), row_cum, kth)
    dy = r - v
    half = v - jnp.abs(dy)
    row = (cy + dy) * wp

    def scan_row(row, half, want):
        seen = jnp.zeros_like(want)
        tx = cx
        for dx in range(-v, v + 1):
            a = active_pad.reshape(-1).at[row + cx + dx].get(mode="promise_in_bounds")
            a = a.astype(jnp.int32) * (abs(dx) <= half)
            tx = jnp.where((a > 0) & (seen == want), cx + dx, tx)
            seen = seen + a
        return tx

    tx = lax.cond(always, scan_row, lambda row, half, want: want, row, half, want)
    return n_seen, cy + dy, tx


def _arrests(seeds, visible, acting, cop_pos, params: EpsteinParams):
    """Simultaneous arrests by the cops with ``acting`` set, in ``arrest_rounds`` rounds.

    In each round every acting cop still without an arrest and seeing a ``visible``
    citizen picks one uniformly; a citizen picked by several cops goes to the pick with
    the highest random priority, and the other cops try again next round among those left.

    **Returns:** bool ``[height * width]``, the cells arrested, and int32
    ``[arrest_rounds * n_cops]``, the cell each cop arrested in each round (``height *
    width`` for none); no cell appears twice.
    """
    h, w = params.height, params.width
    n = h * w
    v = params.cop_vision
    py, px = cop_pos // w, cop_pos % w
    pending = acting
    cop_id = jnp.arange(cop_pos.shape[0], dtype=jnp.int32)
    seized = []
    # One scatter-max buffer for all rounds: a cell picked in a round is arrested in it,
    # so later rounds never pick it again and their keys never meet earlier ones.
    best = jnp.full(n, -1, jnp.int32)
    for r in range(params.arrest_rounds):
        bits = _bits(seeds[r], cop_pos.shape)
        left = visible & (best < 0)
        active_pad = jnp.pad(left.reshape(h, w).astype(jnp.int8), v, mode="wrap")
        n_seen, ty, tx = _kth_active(active_pad, v, py, px, bits >> 16)
        trying = pending & (n_seen > 0)
        target = jnp.where(trying, ((ty - v) % h) * w + (tx - v) % w, n)  # n: dropped
        prio = ((bits & 0xFFFF).astype(jnp.int32) << 15) | (cop_id & 0x7FFF)
        best = best.at[target].max(prio, mode="drop")
        won = trying & (best[jnp.minimum(target, n - 1)] == prio)
        pending = pending & ~won
        seized.append(jnp.where(won, target, n))
    return best >= 0, jnp.concatenate(seized)


def _jail_term(seed, n, params):
    j_max = jnp.asarray(params.max_jail_term, jnp.int32)
    u = _uniform(_bits(seed, (n,)))
    return jnp.minimum(jnp.floor(u * (j_max + 1).astype(jnp.float32)).astype(jnp.int32), j_max)


def _wrap(i, size):
    """``i mod size`` for ``-size <= i < 2 size`` (cheaper than ``%``)."""
    return jnp.where(i < 0, i + size, jnp.where(i >= size, i - size, i))


def _diamond_point(idx, v):
    """The ``idx``-th cell (``0 <= idx < v**2 + (v+1)**2``) of the radius-``v`` diamond.

    The diamond is two interleaved squares in rotated coordinates: ``(a + b - v, a - b)``
    for ``a, b`` in ``0..v`` and ``(a + b - v + 1, a - b)`` for ``a, b`` in ``0..v-1``.
    Pure arithmetic (no table gather); index ``v * (v + 1)`` of the first square is the
    centre.
    """
    big = (v + 1) * (v + 1)
    second = idx >= big
    if isinstance(v, int):  # static divisors: compiled to multiply-shift
        j2 = jnp.maximum(idx - big, 0)
        a = jnp.where(second, j2 // v, idx // (v + 1))
        b = jnp.where(second, j2 % v, idx % (v + 1))
    else:
        j = jnp.where(second, idx - big, idx)
        side = jnp.where(second, v, v + 1)
        a, b = j // side, j % side
    dy = a + b - v + second.astype(jnp.int32)
    dx = a - b
    return dy, dx


def _diamond_point_np(idx: np.ndarray, v: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_diamond_point` in numpy, for static tables."""
    big = (v + 1) * (v + 1)
    second = idx >= big
    j = np.where(second, idx - big, idx)
    side = np.where(second, v, v + 1)
    a, b = j // side, j % side
    return (a + b - v + second).astype(np.int64), (a - b).astype(np.int64)


def _move_round(seeds, kind, status, jail, hardship, risk, movers, cop_pos, params):
    h, w = params.height, params.width
    n = h * w
    vc, vk = params.citizen_vision, params.cop_vision
    vm = max(vc, vk)
    wp = w + 2 * vm

    y = lax.broadcasted_iota(jnp.int32, (h, w), 0)
    x = lax.broadcasted_iota(jnp.int32, (h, w), 1)
    base = (y + vm) * wp + (x + vm)
    empty_pad = jnp.pad(kind == EMPTY, vm, mode="wrap").reshape(-1)
    if vc == vk:
        radius = vc
        n_cells = vc * vc + (vc + 1) * (vc + 1)
    else:
        radius = jnp.where(kind == COP, vk, vc)
        n_cells = radius * radius + (radius + 1) * (radius + 1)

    # the centre is never empty (the mover is there), so drawing it is just a failed try;
    # a try's offset is packed as (dy + 15) << 5 | (dx + 15), -1 for none found
    # The tries run in a loop (not unrolled) so that ``code`` is materialised: unrolled,
    # XLA:CPU fused the whole chain of tries (hashes, divisions, selects, ~300 ops per
    # cell) into each of its four consumers below, recomputing it four times.
    if vc == vk:
        # a table of the diamond's cells, packed as (flat offset << 10) | code, in the
        # order of _diamond_point: a lookup instead of signed divisions and selects
        pts = np.arange(n_cells)
        dys, dxs = _diamond_point_np(pts, radius)
        table = jnp.asarray(((dys * wp + dxs) << 10) | ((dys + 15) << 5) | (dxs + 15), jnp.int32)

    def one_try(r, code):
        k = _below(r, jnp.asarray(n_cells))
        if vc == vk:
            entry = table.at[k].get(mode="promise_in_bounds")
            off, this = entry >> 10, entry & 1023
        else:
            dy, dx = _diamond_point(k, radius)
            off, this = dy * wp + dx, ((dy + 15) << 5) | (dx + 15)
        ok = (code < 0) & empty_pad.at[base + off].get(mode="promise_in_bounds")
        return jnp.where(ok, this, code)

    def two_tries(i, code):  # tries 2 i and 2 i + 1 share one 32-bit hash
        r = _bits(seeds[1 + i], (h, w))
        return one_try(r >> 16, one_try(r, code))

    code = lax.fori_loop(0, params.move_tries // 2, two_tries, jnp.full((h, w), -1, jnp.int32))
    if params.move_tries % 2:
        code = one_try(_bits(seeds[1 + params.move_tries // 2], (h, w)), code)

    claim = movers & (code >= 0)
    stay = (15 << 5) | 15  # offset (0, 0): keeps target in bounds where nothing was found
    cdy = (jnp.where(code >= 0, code, stay) >> 5) - 15
    cdx = (jnp.where(code >= 0, code, stay) & 31) - 15
    target = _wrap(y + cdy, h) * w + _wrap(x + cdx, w)
    # the claim key carries the offset back to the target cell
    prio = (_bits(seeds[0], (h, w)) >> 11).astype(jnp.int32)  # 21 bits
    key = (prio << 10) | code
    best = (
        jnp.full(n, -1, jnp.int32)
        .at[jnp.where(claim, target, n).reshape(-1)]
        .max(key.reshape(-1), mode="drop")
    )
    won = claim & (best.at[target].get(mode="promise_in_bounds") == key)
    best = best.reshape(h, w)
    incoming = best >= 0
    in_dy = ((best >> 5) & 31) - 15
    in_dx = (best & 31) - 15
    src = _wrap(y - in_dy, h) * w + _wrap(x - in_dx, w)
    idx = jnp.where(incoming, src, y * w + x).reshape(-1)

    def carry(a, vacant, idx, won):
        moved = a.reshape(-1).at[idx].get(mode="promise_in_bounds").reshape(h, w)
        return jnp.where(won, vacant, moved)

    # kind, status and jail travel packed in one int32 (jail < 2**27): one gather, not three
    tag = kind.astype(jnp.int32) | (status.astype(jnp.int32) << 2) | (jail << 4)

    def gathers(idx, won, tag, hardship, risk):
        return carry(tag, 0, idx, won), carry(hardship, 0.0, idx, won), carry(risk, 0.0, idx, won)

    # A conditional that always takes its first branch: XLA materialises a conditional's
    # operands, so ``idx`` (about 25 operations per cell) is computed once, not fused into
    # each of the three gathers.
    always = (seeds[0] | 1) != 0
    tag, hardship, risk = lax.cond(
        always, gathers, lambda idx, won, *f: f, idx, won, tag, hardship, risk
    )
    kind = (tag & 3).astype(jnp.int8)  # vacated cells: EMPTY, status 0, jail 0
    status = ((tag >> 2) & 3).astype(jnp.int8)
    jail = tag >> 4
    movers = movers & ~won & ~incoming
    cop_won = won.reshape(-1)[cop_pos]
    cop_pos = jnp.where(cop_won, target.reshape(-1)[cop_pos], cop_pos)
    return kind, status, jail, hardship, risk, movers, cop_pos


def _decide(state_hr, kind, status, params):
    """Each citizen's rebel rule from the current grid (dense; the caller masks)."""
    hardship, risk = state_hr
    v = params.citizen_vision
    # one diamond sum of both counts packed in int16 (actives low byte, cops high byte:
    # each at most 2 v (v + 1) + 1 = 113 < 256 at v = 7), then split
    is_active = status == ACTIVE
    if _n_offsets(v) + 1 < 256:
        packed = is_active.astype(jnp.int16) | ((kind == COP).astype(jnp.int16) << 8)
        both = diamond_sum(packed, v)
        others = ((both & 0xFF) - is_active.astype(jnp.int16)).astype(jnp.float32)
        cops = (both >> 8).astype(jnp.float32)
    else:
        dt = _count_dtype(v)
        active0 = is_active.astype(dt)
        others = (diamond_sum(active0, v) - active0).astype(jnp.float32)
        cops = diamond_sum((kind == COP).astype(dt), v).astype(jnp.float32)
    ratio = cops / (1.0 + others)
    ratio = jnp.round(ratio) if params.round_ratio else jnp.floor(ratio)
    p_arrest = 1.0 - jnp.exp(-jnp.asarray(params.arrest_prob_constant, jnp.float32) * ratio)
    grievance = hardship * (1.0 - jnp.asarray(params.legitimacy, jnp.float32))
    return grievance - risk * p_arrest > jnp.asarray(params.active_threshold, jnp.float32)


def _step_batched(key: jax.Array, state: EpsteinState, params: EpsteinParams) -> EpsteinState:
    """One step in ``K = activation_batches`` batches, approaching sequential activation.

    Every citizen and cop draws a batch uniformly in ``0..K-1`` each step; the batches act
    in turn, each seeing what the earlier ones did: the batch's free citizens decide from
    the current grid, then the batch's cops arrest among the current actives (simultaneous,
    ``arrest_rounds`` rounds), then the batch's agents move (``move_rounds`` rounds). A
    citizen arrested before its own batch acts serves the first step of its term at once
    (with a term of 0 it acts in its batch), as in Mesa, where it serves on its turn.
    A citizen's batch is a hash of its hardship and risk bits (they travel with it when it
    moves) and the step's seed; a cop's is drawn per cop.
    """
    h, w = params.height, params.width
    n = h * w
    k_batches = params.activation_batches
    ar = params.arrest_rounds
    per_round = 1 + (params.move_tries + 1) // 2
    n_seeds = 2 * ar + 2 + params.move_rounds * per_round
    head = jax.random.bits(key, (2,), jnp.uint32)
    kind, status, jail = state.kind, state.status, state.jail
    hardship, risk, cop_pos = state.hardship, state.risk, state.cop_pos
    n_cops = cop_pos.shape[0]

    # 1. jail: serving citizens do nothing this step
    serving = (status == JAILED) & (jail > 0)
    jail = jnp.where(serving, jail - 1, jail)
    free = (kind == CITIZEN) & ~serving
    cop_batch = _below(_bits(head[0], (n_cops,)) >> 16, jnp.asarray(k_batches))

    def citizen_batch(hardship, risk):
        hb = lax.bitcast_convert_type(hardship, jnp.uint32)
        rb = lax.bitcast_convert_type(risk, jnp.uint32)
        return _below(_mix32(_mix32(hb ^ head[1]) ^ rb) >> 16, jnp.asarray(k_batches))

    def body(b, carry):
        kind, status, jail, hardship, risk, cop_pos, free = carry
        seeds = jax.random.bits(jax.random.fold_in(key, b), (n_seeds,), jnp.uint32)
        batch = citizen_batch(hardship, risk)
        # decide
        rebel = _decide((hardship, risk), kind, status, params)
        deciding = free & (batch == b)
        status = jnp.where(deciding, jnp.where(rebel, ACTIVE, QUIET).astype(jnp.int8), status)
        # arrests by this batch's cops among the current actives
        seized, _ = _arrests(
            seeds[:ar], (status == ACTIVE).reshape(-1), cop_batch == b, cop_pos, params
        )
        seized = seized.reshape(h, w)
        term = _jail_term(seeds[2 * ar], n, params).reshape(h, w)
        later = batch > b  # not yet acted this step: serves its first step at once
        term = jnp.where(later, term - 1, term)
        seized_jail = seized & (term >= 0)
        status = jnp.where(seized, jnp.where(seized_jail, JAILED, QUIET), status).astype(jnp.int8)
        jail = jnp.where(seized_jail, term, jail)
        free = free & ~seized_jail
        # moves of this batch's agents
        if params.movement:
            cop_grid = (
                jnp.zeros(n, bool).at[cop_pos].set(cop_batch == b).reshape(h, w)
            )
            movers = cop_grid | ((kind == CITIZEN) & (status != JAILED) & (batch == b) & free)
            for r in range(params.move_rounds):
                was_empty = kind == EMPTY
                kind, status, jail, hardship, risk, movers, cop_pos = _move_round(
                    seeds[2 * ar + 2 + r * per_round : 2 * ar + 2 + (r + 1) * per_round],
                    kind, status, jail, hardship, risk, movers, cop_pos, params,
                )
                # only free citizens move, only into cells empty at the round's start
                free = (kind == CITIZEN) & jnp.where(was_empty, True, free)
        return kind, status, jail, hardship, risk, cop_pos, free

    kind, status, jail, hardship, risk, cop_pos, _ = lax.fori_loop(
        0, k_batches, body, (kind, status, jail, hardship, risk, cop_pos, free)
    )
    return EpsteinState(kind, status, jail, hardship, risk, cop_pos, state.t + 1)


def step(key: jax.Array, state: EpsteinState, params: EpsteinParams) -> EpsteinState:
    """One simultaneous step (jail, early arrests, decide, late arrests, move).

    See the module docstring for the phases and their conflict resolution. With
    ``activation_batches > 1``, :func:`_step_batched` instead.
    """
    if params.activation_batches > 1:
        return _step_batched(key, state, params)
    h, w = params.height, params.width
    n = h * w
    ar = params.arrest_rounds
    n_arrest = 2 * ar + 3
    n_seeds = n_arrest + params.move_rounds * (1 + (params.move_tries + 1) // 2)
    seeds = jax.random.bits(key, (n_seeds,), jnp.uint32)
    kind, status, jail = state.kind, state.status, state.jail
    citizen = kind == CITIZEN

    # 1. jail
    serving = (status == JAILED) & (jail > 0)
    jail = jnp.where(serving, jail - 1, jail)
    free = citizen & ~serving
    n_cops = state.cop_pos.shape[0]

    # 2. early cops (turn before the citizens') arrest among last step's actives
    if params.turn_order:
        early = (_bits(seeds[2 * ar], (n_cops,)) >> 31) == 1
        seized = _arrests(
            seeds[:ar], (status == ACTIVE).reshape(-1), early, state.cop_pos, params
        )[0].reshape(h, w)
        # the citizen's turn comes after its arrest: it serves a step at once, or, with a
        # term of 0, is free to act
        term = _jail_term(seeds[2 * ar + 1], n, params).reshape(h, w) - 1
        seized_jail = seized & (term >= 0)
        status = jnp.where(seized, jnp.where(seized_jail, JAILED, QUIET), status).astype(jnp.int8)
        jail = jnp.where(seized_jail, term, jail)
        free = free & ~seized_jail
    else:
        early = jnp.zeros((n_cops,), bool)

    # 3. citizens decide from the counts after the early arrests
    rebel = _decide((state.hardship, state.risk), kind, status, params)
    status = jnp.where(free, jnp.where(rebel, ACTIVE, QUIET).astype(jnp.int8), status)

    # 4. late cops arrest among the new actives
    # (written by scatters over the arrests, not dense passes: the results are then
    # materialised, where XLA:CPU had fused the dense update and its per-cell hash into
    # every gather of the moves below)
    _, seized = _arrests(
        seeds[ar : 2 * ar], (status == ACTIVE).reshape(-1), ~early, state.cop_pos, params
    )
    term = _jail_term(seeds[2 * ar + 2], seized.shape[0], params)
    status = status.reshape(-1).at[seized].set(jnp.int8(JAILED), mode="drop").reshape(h, w)
    jail = jail.reshape(-1).at[seized].set(term, mode="drop").reshape(h, w)

    # 5. moves
    hardship, risk, cop_pos = state.hardship, state.risk, state.cop_pos
    if params.movement:
        movers = (kind == COP) | ((kind == CITIZEN) & (status != JAILED))
        per_round = 1 + (params.move_tries + 1) // 2
        for r in range(params.move_rounds):
            kind, status, jail, hardship, risk, movers, cop_pos = _move_round(
                seeds[n_arrest + r * per_round : n_arrest + (r + 1) * per_round],
                kind, status, jail, hardship, risk, movers, cop_pos, params,
            )
    return EpsteinState(kind, status, jail, hardship, risk, cop_pos, state.t + 1)


# ----------------------------------------------------------------------------- time
def run(
    run_key: jax.Array, state: EpsteinState, params: EpsteinParams, steps: int
) -> tuple[EpsteinState, jax.Array]:
    """Advance ``steps`` steps; step ``t`` uses ``fold_in(run_key, t)``.

    **Returns:** the final state and ``int32[steps, 3]`` counts (quiet, active, jailed)
    after each step.
    """

    def body(s, _):
        s = step(jax.random.fold_in(run_key, s.t), s, params)
        return s, counts(s)

    return lax.scan(body, state, None, length=steps)


def simulate(
    key: jax.Array, params: EpsteinParams, steps: int
) -> tuple[EpsteinState, jax.Array]:
    """Initialise from ``key`` and run ``steps`` steps.

    **Returns:** the final state and ``int32[steps + 1, 3]`` counts (quiet, active, jailed),
    row 0 the initial state. ``jax.vmap`` over keys (and dynamic params) runs a batch.
    """
    init_key, run_key = jax.random.split(key)
    state = init(init_key, params)
    first = counts(state)
    state, series = run(run_key, state, params, steps)
    return state, jnp.concatenate([first[None], series])


simulate_jit = jax.jit(simulate, static_argnames=("steps",))
run_jit = jax.jit(run, static_argnames=("steps",))
