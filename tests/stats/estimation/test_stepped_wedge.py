"""Tests for ``infuse.stats.estimation.stepped_wedge``.

Sources:
* Hussey & Hughes (2007), Contemp Clin Trials 28(2), eq. (8): closed-form variance of the
  stepped-wedge treatment effect given the variance components; and a GLS fit written here.
* Recorded output of R nlme (``lme``, REML) on the stepped-wedge data embedded below (Debian
  package r-cran-nlme); statsmodels OLS with cluster and period dummies.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from infuse.stats.estimation.stepped_wedge import stepped_wedge_effect


def _stepped_wedge_data(seed: int, G: int = 8, T: int = 5, m: int = 12):
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(G), T * m)
    period = np.tile(np.repeat(np.arange(T), m), G)
    step = (np.arange(G) % (T - 1)) + 1
    treat = (period >= step[cluster]).astype(int)
    y = (
        rng.normal(scale=0.7, size=G)[cluster]
        + 0.3 * period
        + 0.5 * treat
        + rng.normal(size=G * T * m)
    )
    return y, treat, cluster, period


def test_stepped_wedge_mixed_model_matches_hussey_hughes_closed_form() -> None:
    """With REML variance components plugged in, the treatment SE equals Hussey & Hughes
    (2007) eq. (8) and the estimate equals GLS on cluster-period means (both written here)."""
    G, T, m = 8, 5, 12
    y, treat, cluster, period = _stepped_wedge_data(13, G, T, m)
    res = stepped_wedge_effect(y, treat, cluster, period, method="mixed_model")
    tau2 = res.extra["between_cluster_variance"]
    sigma2 = res.extra["residual_variance"] / m  # variance of a cluster-period mean
    Xij = treat.reshape(G, T, m)[:, :, 0]
    U = Xij.sum()
    W = (Xij.sum(axis=0) ** 2).sum()
    V = (Xij.sum(axis=1) ** 2).sum()
    var_hh = (G * sigma2 * (sigma2 + T * tau2)) / (
        (G * U - W) * sigma2 + (U**2 + G * T * U - T * W - G * V) * tau2
    )
    assert res.std_error == pytest.approx(np.sqrt(var_hh), rel=1e-9)
    ybar = y.reshape(G, T, m).mean(axis=2)
    Vc = sigma2 * np.eye(T) + tau2 * np.ones((T, T))
    Vinv = np.linalg.inv(Vc)
    Xd = [np.column_stack([np.eye(T), Xij[i]]) for i in range(G)]
    A = sum(x.T @ Vinv @ x for x in Xd)
    b = sum(x.T @ Vinv @ ybar[i] for i, x in enumerate(Xd))
    gls = np.linalg.solve(A, b)
    assert res.estimate == pytest.approx(gls[-1], rel=1e-6)


# Six clusters switching at periods 2, 2, 3, 3, 4, 4 of four; three people per cluster-period.
_SW_Y = [
    0.29,
    1.71,
    -1.18,
    0.56,
    1.43,
    3.28,
    1.93,
    2.74,
    -0.02,
    0.9,
    3.11,
    1.51,
    -0.22,
    0.57,
    -2.36,
    -0.46,
    0.65,
    -0.8,
    0.33,
    1.0,
    0.38,
    1.07,
    1.38,
    2.67,
    4.0,
    2.03,
    1.6,
    3.61,
    3.23,
    2.97,
    2.72,
    4.27,
    4.5,
    2.14,
    4.94,
    3.85,
    -1.73,
    -2.56,
    -1.33,
    -0.75,
    -1.06,
    -1.89,
    -0.98,
    0.92,
    0.26,
    0.8,
    1.14,
    1.23,
    2.56,
    0.76,
    0.57,
    0.17,
    1.38,
    1.39,
    0.67,
    1.4,
    1.41,
    5.99,
    1.82,
    3.58,
    0.59,
    0.09,
    0.59,
    0.84,
    0.45,
    0.24,
    0.41,
    0.4,
    1.06,
    1.57,
    2.65,
    3.06,
]


def test_stepped_wedge_mixed_model_matches_r_nlme() -> None:
    """R: lme(y ~ t + factor(p), random = ~ 1 | c, method = "REML") -> theta 1.01210278595768,
    SE 0.428555997497966, variances 1.79934157044286 (cluster), 0.941318057532671 (residual).
    Tolerances reflect the two optimisers' stopping rules."""
    c = np.repeat(np.arange(1, 7), 12)
    p = np.tile(np.repeat(np.arange(1, 5), 3), 6)
    t = (p >= np.array([2, 2, 3, 3, 4, 4])[c - 1]).astype(int)
    res = stepped_wedge_effect(np.array(_SW_Y), t, c, p, method="mixed_model")
    assert res.estimate == pytest.approx(1.01210278595768, rel=1e-6)
    assert res.std_error == pytest.approx(0.428555997497966, rel=1e-6)
    assert res.extra["between_cluster_variance"] == pytest.approx(1.79934157044286, rel=1e-4)
    assert res.extra["residual_variance"] == pytest.approx(0.941318057532671, rel=1e-5)


def test_stepped_wedge_cluster_period_means_is_two_way_fixed_effects() -> None:
    G, T, m = 8, 5, 12
    y, treat, cluster, period = _stepped_wedge_data(14, G, T, m)
    res = stepped_wedge_effect(y, treat, cluster, period)
    frame = pd.DataFrame({"y": y, "t": treat, "c": cluster, "p": period})
    means = frame.groupby(["c", "p"]).mean().reset_index()
    X = pd.get_dummies(means[["c", "p"]].astype(str), drop_first=True, dtype=float)
    X.insert(0, "t", means["t"])
    ref = sm.OLS(means["y"], sm.add_constant(X)).fit()
    assert res.estimate == pytest.approx(ref.params["t"], rel=1e-10)
    assert res.n_clusters == G and res.extra["n_cluster_periods"] == G * T
