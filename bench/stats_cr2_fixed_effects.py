"""Benchmark: CR2 with Bell-McCaffrey df on a unit panel with one dummy per unit.

The design of a two-way fixed-effects difference in differences: 100 units x 5 periods,
staggered treatment, intercept, 99 unit dummies and 4 period dummies (p = 105), clustered by
unit. The engine (``fit_ols(se_type="CR2")`` then ``coefficient_result`` for the treatment, as
``infuse.stats.quasi.did`` uses it) against a verbatim copy of the previous algorithm (below:
``p x p`` blocks per cluster formed with three-operand einsums, and the Satterthwaite df of
every coefficient computed eagerly), in one process on the same arrays. Asserts the same CR2
covariance (to 1e-10 of its largest entry), treatment SE and df (1e-10 relative), and the same
df for every coefficient whose SE is not zero to rounding (the variance of some unit dummies
is exactly zero, so their df is 0/0 noise in every implementation, including a direct n x n
one). Also times the lazily computed df vector for all 105 coefficients, CR1 on the same
design, and larger panels (engine only; the baseline grows as ``G p^4``). Never asserts times.

Run: ``.venv/bin/python bench/stats_cr2_fixed_effects.py [units] [periods]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
from numpy.typing import NDArray

from infuse.stats import SEType, coefficient_result, fit_ols

F = NDArray[np.float64]


# ----------------------------------------------------------------- previous algorithm (baseline)


def _old_group_sums(codes: NDArray[np.intp], values: F, n_groups: int) -> F:
    out = np.empty((n_groups, values.shape[1]), dtype=np.float64)
    for k in range(values.shape[1]):
        out[:, k] = np.bincount(codes, weights=values[:, k], minlength=n_groups)
    return out


def _old_group_grams(codes: NDArray[np.intp], X: F, n_groups: int) -> F:
    p = X.shape[1]
    out = np.empty((n_groups, p, p), dtype=np.float64)
    for i in range(p):
        for j in range(i, p):
            s = np.bincount(codes, weights=X[:, i] * X[:, j], minlength=n_groups)
            out[:, i, j] = s
            out[:, j, i] = s
    return out


def _old_cr2_blocks(grams: F, scores: F, r_inv: F) -> tuple[F, F, F]:
    t = np.einsum("ji,gjk,kl->gil", r_inv, grams, r_inv)
    d, v = np.linalg.eigh(t)
    d = np.clip(d, 0.0, 1.0)
    one_minus = 1.0 - d
    singular = one_minus < 1e-10
    safe = np.where(singular, 1.0, one_minus)
    inv_sqrt = np.where(singular, 0.0, 1.0 / np.sqrt(safe))
    inv = np.where(singular, 0.0, 1.0 / safe)
    small = d < 1e-14
    dd = np.where(small, 1.0, d)
    coef_a = np.where(small, 0.5, (inv_sqrt - 1.0) / dd)
    coef_a2 = np.where(small, 1.0, (inv - 1.0) / dd)
    w = np.einsum("ij,gjk->gik", r_inv, v)
    sw = np.einsum("gij,gjk->gik", grams, w)
    k_a = grams + np.einsum("gik,gk,gjk->gij", sw, coef_a, sw)
    k_a2 = grams + np.einsum("gik,gk,gjk->gij", sw, coef_a2, sw)
    wr = np.einsum("gjk,gj->gk", w, scores)
    adj = scores + np.einsum("gik,gk->gi", sw, coef_a * wr)
    return adj, k_a, k_a2


def _old_cr2_df(M: F, K: F, K2: F, contrasts: F) -> F:
    m = M @ contrasts
    b = np.einsum("gij,jk->kgi", K, m)
    d = np.einsum("ik,gij,jk->kg", m, K2, m)
    c = np.einsum("kgi,ij,kgj->kg", b, M, b)
    btb = np.einsum("kgi,kgj->kij", b, b)
    mk = np.einsum("ij,kjl->kil", M, btb)
    frob_c = np.einsum("kij,kji->k", mk, mk)
    trace = d.sum(axis=1) - c.sum(axis=1)
    frob = (d**2).sum(axis=1) - 2.0 * (d * c).sum(axis=1) + frob_c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(trace**2 / frob, dtype=np.float64)


def old_cr2(y: F, X: F, cluster: NDArray[np.intp]) -> tuple[F, F, F]:
    """The previous ``fit_ols(se_type="CR2")`` path: params, CR2 covariance, df of every coef."""
    q, r = np.linalg.qr(X, mode="reduced")
    params = np.linalg.solve(r, q.T @ y)
    resid = y - X @ params
    r_inv = np.linalg.solve(r, np.eye(r.shape[0]))
    bread = r_inv @ r_inv.T
    labels, inverse = np.unique(cluster, return_inverse=True)
    codes = np.asarray(inverse, dtype=np.intp)
    G = len(labels)
    scores = _old_group_sums(codes, X * resid[:, None], G)
    grams = _old_group_grams(codes, X, G)
    adj, K, K2 = _old_cr2_blocks(grams, scores, r_inv)
    cov = bread @ (adj.T @ adj) @ bread
    df = _old_cr2_df(bread, K, K2, np.eye(X.shape[1]))
    return params, (cov + cov.T) / 2.0, df


# ----------------------------------------------------------------- data and timing


def unit_panel(units: int, periods: int, seed: int = 20261129) -> tuple[F, F, NDArray[np.intp]]:
    rng = np.random.default_rng(seed)
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(periods), units)
    start = rng.integers(1, periods + 2, units)  # periods + 1: never treated
    treat = (period >= start[unit]).astype(float)
    X = np.column_stack(
        [
            np.ones(units * periods),
            treat,
            (unit[:, None] == np.arange(1, units)[None, :]).astype(float),
            (period[:, None] == np.arange(1, periods)[None, :]).astype(float),
        ]
    )
    y = 0.3 * treat + rng.normal(size=units)[unit] + rng.normal(size=units * periods)
    return y, X, unit


def _best_of(fn, repeats: int):
    best = float("inf")
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    units = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    periods = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    y, X, unit = unit_panel(units, periods)
    n, p = X.shape

    def engine():
        fit = fit_ols(y, X, cluster=unit, se_type="CR2")
        return fit, coefficient_result(fit, 1)

    t_new, (fit, res) = _best_of(engine, 3)
    t_all_df, all_df = _best_of(lambda: fit_ols(y, X, cluster=unit, se_type="CR2").df, 1)
    t_cr1, _ = _best_of(
        lambda: coefficient_result(fit_ols(y, X, cluster=unit, se_type="CR1"), 1), 3
    )
    t_old, (old_params, old_cov, old_df) = _best_of(lambda: old_cr2(y, X, unit), 1)

    scale = float(np.abs(old_cov).max())
    cov_diff = float(np.abs(fit.cov - old_cov).max()) / scale
    se_old = float(np.sqrt(old_cov[1, 1]))
    se_diff = abs(res.std_error - se_old) / se_old
    df_diff = abs(float(res.df) - float(old_df[1])) / float(old_df[1])
    se_all = np.sqrt(np.diag(old_cov))
    live = se_all > 1e-8 * se_all.max()
    all_df_diff = float(np.max(np.abs(all_df[live] / old_df[live] - 1.0)))
    worst = max(cov_diff, se_diff, df_diff, all_df_diff)
    assert np.allclose(fit.params, old_params, rtol=1e-10, atol=1e-12)
    assert worst < 1e-10, worst

    print(f"stats_cr2_fixed_effects: {units} units x {periods} periods, n = {n}, p = {p}, CR2")
    print(f"  treatment {res.estimate:.6f}  SE {res.std_error:.6f}  df {res.df:.4f}")
    print(
        f"  max relative difference vs previous: cov {cov_diff:.2e}, SE {se_diff:.2e}, "
        f"df {df_diff:.2e}"
    )
    print(
        f"  df of all {int(live.sum())} coefficients with non-zero SE: {all_df_diff:.2e} "
        f"(asserted < 1e-10; {int((~live).sum())} unit dummies have zero variance)"
    )
    print(f"  engine fit + treatment (best of 3)       {1e3 * t_new:9.1f} ms")
    print(
        f"  engine df vector, all {p} coefficients   {1e3 * t_all_df:9.1f} ms (lazy, fit included)"
    )
    print(f"  CR1 fit + treatment (best of 3)          {1e3 * t_cr1:9.1f} ms")
    print(f"  previous algorithm (eager df, 1 run)     {1e3 * t_old:9.1f} ms")
    print(f"  ratio previous / engine                  {t_old / t_new:9.1f}x")
    cr_types: tuple[SEType, ...] = ("CR2", "CR1")
    for big in (300, 500):
        for se_type in cr_types:
            t_big = _time_panel(big, periods, se_type)
            print(f"  {big} units, {se_type} fit + treatment (best of 2) {1e3 * t_big:9.1f} ms")


def _time_panel(units: int, periods: int, se_type: SEType) -> float:
    y, X, unit = unit_panel(units, periods)
    t, _ = _best_of(lambda: coefficient_result(fit_ols(y, X, cluster=unit, se_type=se_type), 1), 2)
    return float(t)


if __name__ == "__main__":
    main()
