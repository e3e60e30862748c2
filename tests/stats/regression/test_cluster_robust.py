"""Tests for the CR2 variance of ``infuse.stats.regression`` against independent implementations.

Sources:
* CR2 and its Satterthwaite df: (a) the closed forms for an intercept-only model in R
  clubSandwich's test suite (``tests/testthat/test_intercept_formulas.R``, Pustejovsky), and
  (b) the textbook n x n matrix formulas of Bell & McCaffrey (2002) written out directly here.
* CR2 / CR1S recorded output of R clubSandwich 0.5.8 (Debian ``r-cran-clubsandwich``) on the
  56-row, 10-cluster data set embedded below (``coef_test``, ``vcovCR``, ``linear_contrast``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infuse.stats.regression.ols import coefficient_result, fit_ols
from tests.stats.regression._data import _clustered_data


def test_cr2_intercept_only_matches_clubsandwich_closed_form() -> None:
    """clubSandwich test_intercept_formulas.R: for ``lm(Y ~ 1)`` with clusters of size n_j,
    V_CR2 = sum n_j^2 (ybar_j - ybar)^2 / (1 - n_j/N) / N^2 and
    df = N^2 / (N^2 sum n_j^2/(N-n_j)^2 - 2N sum n_j^3/(N-n_j)^2 + (sum n_j^2/(N-n_j))^2)."""
    rng = np.random.default_rng(20190513)
    m = 14
    nj = 1 + rng.negative_binomial(2, 2 / (2 + 5), m)  # size 2, mean 5 as in the R test
    group = np.repeat(np.arange(m), nj)
    N = nj.sum()
    Y = rng.normal(scale=np.sqrt(0.2), size=m)[group] + rng.normal(scale=np.sqrt(0.8), size=N)
    y_bar = np.bincount(group, weights=Y) / nj
    fit = fit_ols(Y, np.ones((N, 1)), cluster=group, se_type="CR2")
    v_cr2 = np.sum(nj**2 * (y_bar - Y.mean()) ** 2 / (1 - nj / N)) / N**2
    df2 = N**2 / (
        N**2 * np.sum(nj**2 / (N - nj) ** 2)
        - 2 * N * np.sum(nj**3 / (N - nj) ** 2)
        + np.sum(nj**2 / (N - nj)) ** 2
    )
    assert fit.std_errors[0] == pytest.approx(np.sqrt(v_cr2), rel=1e-10)
    assert fit.df[0] == pytest.approx(df2, rel=1e-10)
    # CR1 from the same file: V_CR1 = m/(m-1) * sum n_j^2 (ybar_j - ybar)^2 / N^2, times Stata's
    # (N-1)/(N-p) which clubSandwich's "CR1" omits and our CR1 (statsmodels') includes.
    fit1 = fit_ols(Y, np.ones((N, 1)), cluster=group, se_type="CR1")
    v_cr1 = (m / (m - 1)) * np.sum(nj**2 * (y_bar - Y.mean()) ** 2) / N**2
    assert fit1.cov[0, 0] == pytest.approx(v_cr1 * (N - 1) / (N - 1), rel=1e-10)  # p = 1


def _direct_cr2(
    y: np.ndarray, X: np.ndarray, cluster: np.ndarray, contrasts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Bell & McCaffrey (2002) written out with full n x n matrices (Moore-Penrose roots)."""
    n = len(y)
    M = np.linalg.inv(X.T @ X)
    H = X @ M @ X.T
    IH = np.eye(n) - H
    e = IH @ y
    labels = np.unique(cluster)
    meat = np.zeros((X.shape[1], X.shape[1]))
    adjust = {}
    for g in labels:
        ix = np.flatnonzero(cluster == g)
        w, V = np.linalg.eigh(IH[np.ix_(ix, ix)])
        inv_root = np.where(w > 1e-10, 1 / np.sqrt(np.clip(w, 1e-300, None)), 0.0)
        A = V @ np.diag(inv_root) @ V.T
        adjust[g] = (ix, A)
        u = X[ix].T @ A @ e[ix]
        meat += np.outer(u, u)
    cov = M @ meat @ M
    dfs = []
    for c in contrasts:
        Q = np.array([IH[:, ix] @ (A @ X[ix] @ M @ c) for ix, A in adjust.values()])
        QQ = Q @ Q.T
        dfs.append(np.trace(QQ) ** 2 / np.sum(QQ**2))
    return cov, np.array(dfs)


def test_cr2_matches_direct_matrix_implementation() -> None:
    """CR2 covariance and Bell-McCaffrey df for every coefficient and a contrast."""
    y, X, cluster = _clustered_data(2, n=180, n_clusters=9)
    contrasts = np.vstack([np.eye(3), [[0.0, 1.0, -1.0]]])
    cov, dfs = _direct_cr2(y, X, cluster, contrasts)
    fit = fit_ols(y, X, cluster=cluster, se_type="CR2")
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.df, dfs[:3], rtol=1e-9)
    assert fit.contrast_df([0.0, 1.0, -1.0]) == pytest.approx(dfs[3], rel=1e-9)
    res = coefficient_result(fit, [0.0, 1.0, -1.0])
    assert res.df == pytest.approx(dfs[3], rel=1e-9)
    assert res.std_error == pytest.approx(np.sqrt(contrasts[3] @ cov @ contrasts[3]), rel=1e-10)


def test_cr2_with_cluster_fixed_effects_uses_generalised_inverse() -> None:
    """With cluster dummies I - H_gg is singular; the Moore-Penrose root (as clubSandwich)."""
    rng = np.random.default_rng(3)
    G, per = 8, 6
    cluster = np.repeat(np.arange(G), per)
    treat = rng.integers(0, 2, G * per).astype(float)
    dummies = (cluster[:, None] == np.arange(G)[None, :]).astype(float)
    X = np.column_stack([treat, dummies])
    y = 0.5 * treat + rng.normal(size=G)[cluster] + rng.normal(size=G * per)
    cov, dfs = _direct_cr2(y, X, cluster, np.eye(X.shape[1])[:1])
    fit = fit_ols(y, X, cluster=cluster, se_type="CR2")
    assert fit.cov[0, 0] == pytest.approx(cov[0, 0], rel=1e-9)
    assert fit.df[0] == pytest.approx(dfs[0], rel=1e-8)


def _unit_panel(seed: int, units: int, periods: int) -> tuple[np.ndarray, ...]:
    """Staggered-adoption panel: intercept, treatment, unit and period dummies (first dropped)."""
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


def test_cr2_unit_fixed_effects_panel_matches_direct_implementation() -> None:
    """100 units x 5 periods with 99 unit and 4 period dummies (p = 105, clusters of 5 rows,
    the n_g x n_g route): treatment SE and Bell-McCaffrey df equal the n x n formulas."""
    y, X, unit = _unit_panel(20261129, 100, 5)
    cov, dfs = _direct_cr2(y, X, unit, np.eye(X.shape[1])[1:2])
    fit = fit_ols(y, X, cluster=unit, se_type="CR2")
    assert fit.std_errors[1] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)
    assert fit.contrast_df(np.eye(X.shape[1])[1]) == pytest.approx(dfs[0], rel=1e-10)
    res = coefficient_result(fit, 1)
    assert res.std_error == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-10)
    assert res.df == pytest.approx(dfs[0], rel=1e-10)
    assert fit.df[1] == pytest.approx(dfs[0], rel=1e-10)  # the lazily computed vector agrees
    np.testing.assert_allclose(fit.cov, cov, rtol=0, atol=1e-10 * np.abs(cov).max())


def test_cr2_mixed_cluster_sizes_match_direct_implementation() -> None:
    """Clusters both smaller and larger than p take different routes; results still agree."""
    rng = np.random.default_rng(8)
    sizes = np.array([1, 2, 2, 3, 4, 4, 9, 12, 15, 30])
    cluster = np.repeat(np.arange(len(sizes)), sizes)
    n = len(cluster)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3)), cluster % 2])
    y = X @ np.array([1.0, 0.5, -0.2, 0.1, 0.4]) + rng.normal(size=len(sizes))[cluster]
    y = y + rng.normal(size=n)
    contrasts = np.vstack([np.eye(5), [[0.0, 1.0, -1.0, 0.0, 0.5]]])
    cov, dfs = _direct_cr2(y, X, cluster, contrasts)
    fit = fit_ols(y, X, cluster=cluster, se_type="CR2")
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(fit.df, dfs[:5], rtol=1e-9)
    assert fit.contrast_df(contrasts[5]) == pytest.approx(dfs[5], rel=1e-9)


def test_hc2_is_cr2_with_singleton_clusters() -> None:
    """HC2 equals CR2 when every observation is its own cluster (Bell & McCaffrey 2002)."""
    y, X, _ = _clustered_data(4, n=60)
    hc2 = fit_ols(y, X, se_type="HC2")
    cr2 = fit_ols(y, X, cluster=np.arange(len(y)), se_type="CR2")
    np.testing.assert_allclose(hc2.cov, cr2.cov, rtol=1e-10)


# 10 clusters of sizes 3,5,8,4,6,7,3,9,5,6; clusters 2,3,5,8,10 treated.
_R_SIZES = [3, 5, 8, 4, 6, 7, 3, 9, 5, 6]
_R_X = [
    -0.4,
    0.26,
    0.61,
    -0.97,
    0.77,
    0.26,
    0.78,
    0.27,
    1.16,
    -0.94,
    1.78,
    1.2,
    -0.6,
    0.66,
    0.44,
    -1.75,
    0.6,
    -0.59,
    -0.25,
    -0.6,
    -0.43,
    0.07,
    0.1,
    -1.56,
    -0.27,
    -1.34,
    -1.27,
    -0.35,
    0.86,
    0.63,
    -0.6,
    -0.71,
    -0.83,
    0.14,
    0.94,
    0.02,
    0.69,
    0.32,
    1.5,
    -2.01,
    -2.13,
    -0.2,
    0.64,
    -0.41,
    0.43,
    -1.17,
    -1.26,
    -0.72,
    0.84,
    0.7,
    -0.71,
    0.18,
    -0.65,
    0.02,
    -1.11,
    -0.05,
]
_R_Y = [
    0.93,
    2.02,
    0.7,
    2.44,
    4.11,
    2.12,
    0.74,
    0.07,
    1.8,
    2.07,
    3.04,
    2.76,
    0.31,
    0.83,
    1.77,
    -1.47,
    0.71,
    0.46,
    0.26,
    0.47,
    0.79,
    2.23,
    2.06,
    -1.32,
    0.32,
    -0.22,
    0.4,
    0.79,
    1.73,
    1.44,
    0.92,
    1.14,
    -0.46,
    -0.46,
    2.43,
    0.82,
    1.81,
    1.29,
    1.29,
    -1.91,
    0.47,
    2.14,
    2.65,
    1.09,
    1.82,
    0.07,
    0.49,
    0.45,
    1.56,
    2.19,
    2.06,
    -0.81,
    1.01,
    1.62,
    -1.17,
    1.2,
]


def test_cr2_matches_r_clubsandwich_recorded_output() -> None:
    """R: fit <- lm(y ~ treat + x); coef_test(fit, vcov = "CR2", cluster = cl,
    test = "Satterthwaite"); vcovCR(..., type = "CR2"); coef_test(vcov = "CR1S");
    linear_contrast(contrasts = c(0, 1, -1)); and lm(y ~ 0 + treat + x + factor(cl)) (R drops
    the aliased last dummy) with coef_test(coefs = "x")."""
    cl = np.repeat(np.arange(1, 11), _R_SIZES)
    treat = np.isin(cl, [2, 3, 5, 8, 10]).astype(float)
    x, y = np.array(_R_X), np.array(_R_Y)
    X = np.column_stack([np.ones_like(x), treat, x])
    fit = fit_ols(y, X, cluster=cl, se_type="CR2")
    np.testing.assert_allclose(
        fit.params, [0.986775297012030, 0.256052510852224, 0.840970328337984], rtol=1e-12
    )
    np.testing.assert_allclose(
        fit.std_errors, [0.1184653656172902, 0.1537261077756482, 0.0819222925103062], rtol=1e-12
    )
    np.testing.assert_allclose(
        fit.df, [3.64586573320180, 6.89832878612605, 4.51402429209487], rtol=1e-11
    )
    np.testing.assert_allclose(
        fit.p_values, [0.001682073788476404, 0.140358815310812846, 0.000267876692935336], rtol=1e-9
    )
    np.testing.assert_allclose(
        fit.cov,
        [
            [0.01403404285083823, -0.01464276889670811, -0.00016395681723871],
            [-0.01464276889670811, 0.02363171621185022, -0.00319553556940388],
            [-0.00016395681723871, -0.00319553556940388, 0.00671126201014417],
        ],
        rtol=1e-11,
    )
    contrast = coefficient_result(fit, [0.0, 1.0, -1.0])
    assert contrast.std_error == pytest.approx(0.191661288112133, rel=1e-12)
    assert contrast.df == pytest.approx(7.5067223380067, rel=1e-11)
    cr1 = fit_ols(y, X, cluster=cl, se_type="CR1")  # clubSandwich "CR1S" = Stata's factor
    np.testing.assert_allclose(
        cr1.std_errors, [0.1128508466109643, 0.1481479998397902, 0.0825866809463457], rtol=1e-12
    )
    dummies = (cl[:, None] == np.arange(1, 10)[None, :]).astype(float)
    fe = fit_ols(y, np.column_stack([treat, x, dummies]), cluster=cl, se_type="CR2")
    assert fe.params[1] == pytest.approx(0.825173720464601, rel=1e-12)
    assert fe.std_errors[1] == pytest.approx(0.0985510119024866, rel=1e-11)
    assert fe.df[1] == pytest.approx(3.96526546670254, rel=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_cr2_slope_invariant_to_outcome_shift_and_sign(seed: int, shift: float) -> None:
    """Adding a constant moves only the intercept; negating the regressor negates its slope;
    the CR2 SE and Bell-McCaffrey df of the slope are unchanged by both."""
    y, X, cluster = _clustered_data(seed % 1000, n=80, n_clusters=8)
    base = fit_ols(y, X, cluster=cluster, se_type="CR2")
    moved = fit_ols(y + shift, X, cluster=cluster, se_type="CR2")
    flipped = fit_ols(y, X * np.array([1.0, 1.0, -1.0]), cluster=cluster, se_type="CR2")
    assert moved.params[1:] == pytest.approx(base.params[1:], rel=1e-8, abs=1e-9)
    assert moved.std_errors[1:] == pytest.approx(base.std_errors[1:], rel=1e-7, abs=1e-9)
    assert flipped.params[2] == pytest.approx(-base.params[2], rel=1e-9, abs=1e-12)
    assert flipped.std_errors[2] == pytest.approx(base.std_errors[2], rel=1e-9)
    assert flipped.df[2] == pytest.approx(base.df[2], rel=1e-9)
