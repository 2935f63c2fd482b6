"""Epstein's Model 1: parameters, stencils, invariants, determinism and the CLI."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import pytest

from panopticum.epstein import (
    SPEC,
    EpsteinParams,
    from_overrides,
    init,
    run_jit,
    simulate_jit,
)
from panopticum.epstein.model import diamond_offsets, diamond_sum
from panopticum.epstein.state import ACTIVE, CITIZEN, COP, EMPTY, JAILED
from panopticum.errors import PanopticumError

SMALL = EpsteinParams(width=20, height=16)


def test_defaults_are_netlogo_and_declared():
    p = EpsteinParams()
    for name, spec in SPEC.items():
        assert getattr(p, name) == spec.default, name
    assert (p.width, p.height, p.citizen_vision, p.cop_vision) == (40, 40, 7, 7)
    assert (p.legitimacy, p.max_jail_term, p.arrest_prob_constant) == (0.82, 30, 2.3)
    assert (p.citizen_density, p.cop_density, p.active_threshold) == (0.7, 0.04, 0.1)
    assert p.round_ratio is False  # floor, as in NetLogo
    assert (p.n_citizens, p.n_cops) == (1120, 64)


def test_overrides_validated():
    p = from_overrides({"legitimacy": "0.7", "round_ratio": "true", "max_jail_term": "10"})
    assert (p.legitimacy, p.round_ratio, p.max_jail_term) == (0.7, True, 10)
    with pytest.raises(PanopticumError, match="valid names: .*legitimacy"):
        from_overrides({"legitimacyy": 0.5})
    with pytest.raises(PanopticumError, match=r"\[0, 1\]"):
        from_overrides({"legitimacy": 1.5})
    with pytest.raises(PanopticumError, match="integer"):
        from_overrides({"max_jail_term": "ten"})
    with pytest.raises(PanopticumError, match="at most 1"):
        from_overrides({"citizen_density": 0.9, "cop_density": 0.2})
    with pytest.raises(PanopticumError, match="at least 15 cells"):
        from_overrides({"width": 10})


@pytest.mark.parametrize("v", [1, 2, 3, 7])
def test_diamond_sum_matches_brute_force(v):
    rng = np.random.default_rng(v)
    g = (rng.random((17, 19)) < 0.4).astype(np.int8)
    dy, dx = diamond_offsets(v)
    assert len(dy) == 2 * v * (v + 1)
    assert set(zip(dy.tolist(), dx.tolist())) == {
        (a, b) for a in range(-v, v + 1) for b in range(-v, v + 1) if 0 < abs(a) + abs(b) <= v
    }
    want = g.astype(np.int32).copy()
    for a, b in zip(dy, dx):
        want += np.roll(g, (-a, -b), axis=(0, 1))
    got = np.asarray(diamond_sum(jnp.asarray(g), v))
    np.testing.assert_array_equal(got, want)


def test_init_places_exact_counts():
    p = SMALL
    s = init(jax.random.key(0), p)
    kind = np.asarray(s.kind)
    assert (kind == CITIZEN).sum() == p.n_citizens
    assert (kind == COP).sum() == p.n_cops
    assert (kind.reshape(-1)[np.asarray(s.cop_pos)] == COP).all()
    h = np.asarray(s.hardship)
    assert ((h > 0) & (h < 1))[kind == CITIZEN].all() and (h[kind != CITIZEN] == 0).all()


@pytest.mark.parametrize(
    "legitimacy, batches", [(0.6, 1), (0.82, 1), (0.6, 4), (0.82, 4)]
)
def test_invariants_over_a_run(legitimacy, batches):
    p = SMALL.replace(legitimacy=legitimacy, max_jail_term=7, activation_batches=batches)
    s0 = init(jax.random.split(jax.random.key(4))[0], p)
    s, series = simulate_jit(jax.random.key(4), p, steps=60)
    series = np.asarray(series)
    assert series.shape == (61, 3)
    assert (series.sum(axis=1) == p.n_citizens).all()
    kind, status, jail = np.asarray(s.kind), np.asarray(s.status), np.asarray(s.jail)
    assert (kind == CITIZEN).sum() == p.n_citizens and (kind == COP).sum() == p.n_cops
    cop_pos = np.asarray(s.cop_pos)
    assert len(np.unique(cop_pos)) == p.n_cops and (kind.reshape(-1)[cop_pos] == COP).all()
    assert (status[kind != CITIZEN] == 0).all() and (jail[kind != CITIZEN] == 0).all()
    assert (jail >= 0).all() and (jail <= 7).all() and (jail[status != JAILED] == 0).all()
    # moves carry each citizen's attributes with it: the multisets are unchanged
    for field in ("hardship", "risk"):
        before = np.sort(np.asarray(getattr(s0, field))[np.asarray(s0.kind) == CITIZEN])
        after = np.sort(np.asarray(getattr(s, field))[kind == CITIZEN])
        np.testing.assert_array_equal(before, after)
    assert int(s.t) == 60
    if legitimacy == 0.6:
        assert series[:, 1].max() > 0 and series[:, 2].max() > 0


def test_activation_batches_one_is_the_simultaneous_step():
    p = SMALL.replace(legitimacy=0.6)
    _, a = simulate_jit(jax.random.key(2), p, steps=20)
    _, b = simulate_jit(jax.random.key(2), p.replace(activation_batches=1), steps=20)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    s, c = simulate_jit(jax.random.key(2), p.replace(activation_batches=8), steps=20)
    assert not np.array_equal(np.asarray(a), np.asarray(c))  # another update order
    s0 = init(jax.random.split(jax.random.key(2))[0], p)
    moved = (np.asarray(s0.kind) != np.asarray(s.kind)).mean()
    assert moved > 0.1


def test_agents_move():
    p = SMALL
    s0 = init(jax.random.split(jax.random.key(1))[0], p)
    s, _ = simulate_jit(jax.random.key(1), p, steps=1)
    moved = (np.asarray(s0.kind) != np.asarray(s.kind)).mean()
    assert moved > 0.1
    p_still = p.replace(movement=False)
    s, _ = simulate_jit(jax.random.key(1), p_still, steps=5)
    np.testing.assert_array_equal(np.asarray(s0.kind), np.asarray(s.kind))


def test_high_legitimacy_stays_quiet_and_no_cops_means_grievance_rules():
    s, series = simulate_jit(jax.random.key(2), SMALL.replace(legitimacy=0.9), steps=30)
    assert np.asarray(series)[:, 1:].sum() == 0  # G <= 0.1 = T: nobody can turn active
    p = SMALL.replace(cop_density=0.0, legitimacy=0.5)
    s, series = simulate_jit(jax.random.key(2), p, steps=3)
    kind, status, h = np.asarray(s.kind), np.asarray(s.status), np.asarray(s.hardship)
    want = (h * 0.5 > 0.1)[kind == CITIZEN]
    np.testing.assert_array_equal(status[kind == CITIZEN] == ACTIVE, want)
    assert np.asarray(series)[-1, 2] == 0


def test_deterministic_and_chunking_invariant():
    p = SMALL.replace(legitimacy=0.7)
    key = jax.random.key(9)
    _, a = simulate_jit(key, p, steps=30)
    _, b = simulate_jit(key, p, steps=30)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    init_key, run_key = jax.random.split(key)
    s = init(init_key, p)
    s, c1 = run_jit(run_key, s, p, steps=10)
    s, c2 = run_jit(run_key, s, p, steps=20)
    np.testing.assert_array_equal(np.asarray(a)[1:], np.concatenate([c1, c2]))


def test_vmap_over_seeds_and_legitimacy():
    from panopticum.epstein.model import simulate

    keys = jax.random.split(jax.random.key(0), 4)
    ls = jnp.array([0.6, 0.7, 0.82, 0.9])
    f = jax.jit(jax.vmap(lambda k, L: simulate(k, SMALL.replace(legitimacy=L), 20)[1]))
    out = np.asarray(f(keys, ls))
    assert out.shape == (4, 21, 3)
    assert out[3, :, 1:].sum() == 0


def test_arrest_terms_and_empty_cells():
    p = SMALL.replace(legitimacy=0.5, max_jail_term=0, cop_density=0.2)
    s, series = simulate_jit(jax.random.key(5), p, steps=10)
    assert (np.asarray(s.jail) == 0).all()  # J_max = 0: released at their next step
    assert (np.asarray(s.kind) == EMPTY).sum() == p.n_cells - p.n_citizens - p.n_cops


def _cli(argv, capsys):
    from panopticum.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
        raise SystemExit(0)
    return exc.value.code, capsys.readouterr()


def test_cli_writes_csv_and_parquet(tmp_path, capsys):
    csv = tmp_path / "e.csv"
    code, out = _cli(["epstein", "--width", "20", "--height", "16", "--steps", "12",
                      "--seed", "3", "--set", "legitimacy=0.6", "--out", str(csv)], capsys)
    assert code == 0, out.err
    t = pd.read_csv(csv)
    assert list(t.columns) == ["step", "quiet", "active", "jailed"]
    assert len(t) == 13 and (t[["quiet", "active", "jailed"]].sum(axis=1) == 224).all()
    pq = tmp_path / "e.parquet"
    code, out = _cli(["epstein", "--width", "20", "--height", "16", "--steps", "12",
                      "--seed", "3", "--set", "legitimacy=0.6", "--out", str(pq)], capsys)
    assert code == 0, out.err
    pd.testing.assert_frame_equal(pd.read_parquet(pq), t)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "e.parquet"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--set", "nope=1"], "unknown parameter 'nope'; valid names"),
        (["--set", "legitimacy=1.2"], "outside its range [0, 1]"),
        (["--set", "legitimacy"], "expects name=value"),
        (["--out", "x.txt"], "must end in .csv or .parquet"),
    ],
)
def test_cli_errors_are_one_line(argv, message, capsys):
    code, out = _cli(["epstein", "--steps", "1", *argv], capsys)
    assert code == 2
    assert out.err.startswith("error: ") and message in out.err
    assert out.err.count("\n") == 1


def test_cop_pick_is_uniform_among_actives_in_vision():
    from panopticum.epstein.model import _kth_active

    v, h, w = 3, 12, 13
    rng = np.random.default_rng(0)
    active = rng.random((h, w)) < 0.3
    pad = jnp.pad(jnp.asarray(active, jnp.int8), v, mode="wrap")
    py = jnp.full((20000,), 1, jnp.int32)  # one cop near the edge: the diamond wraps
    px = jnp.full((20000,), 11, jnp.int32)
    bits = jnp.asarray(rng.integers(0, 2**16, 20000), jnp.uint32)
    n_seen, ty, tx = _kth_active(pad, v, py, px, bits)
    ty, tx = (np.asarray(ty) - v) % h, (np.asarray(tx) - v) % w
    in_vision = {
        ((1 + a) % h, (11 + b) % w)
        for a in range(-v, v + 1) for b in range(-v, v + 1) if abs(a) + abs(b) <= v
    }
    actives = {c for c in in_vision if active[c]}
    assert int(n_seen[0]) == len(actives) > 3
    picks = list(zip(ty.tolist(), tx.tolist()))
    assert set(picks) == actives
    freq = np.array([picks.count(c) for c in sorted(actives)]) / len(picks)
    np.testing.assert_allclose(freq, 1 / len(actives), atol=0.02)
