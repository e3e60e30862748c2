"""Tests for ``infuse.stats.estimation`` against published numbers and independent code.

Sources:
* NSW / Dehejia-Wahba experimental sample (PyPI ``causaldata``, ``nsw_mixtape``): difference in
  mean 1978 earnings 1794.34, classical SE 632.85 (Cunningham 2021, *Causal Inference: The
  Mixtape*, ch. 5; Dehejia & Wahba 1999).
* scipy.stats.ttest_ind (Welch and Student), statsmodels Table2x2 (Katz RR, Woolf OR),
  statsmodels confint_proportions_2indep (Wald RD), statsmodels OLS with HC1/HC2/nonrobust
  on explicitly built designs (Lin 2013, CUPED, interaction F test), statsmodels multipletests
  (Holm, Benjamini-Hochberg), scipy.stats.chisquare (SRM).
* Recorded output of R estimatr 1.0.0 (``lm_lin``, ``difference_in_means``) on the NSW sample
  and of R nlme (``lme``, REML) on the stepped-wedge data embedded below (Debian packages
  r-cran-estimatr, r-cran-nlme).
* Hussey & Hughes (2007), Contemp Clin Trials 28(2), eq. (8): closed-form variance of the
  stepped-wedge treatment effect given the variance components; and a GLS fit written here.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from infuse.stats.estimation import (
    ArmSummary,
    adjust_p_values,
    binary_effect,
    binary_effect_from_counts,
    cluster_randomised_effect,
    cuped_effect,
    cuped_from_summary,
    difference_in_means,
    difference_in_means_from_summary,
    lin_adjusted_effect,
    sample_ratio_mismatch,
    stepped_wedge_effect,
    subgroup_heterogeneity,
)
from infuse.stats.regression.ols import fit_ols


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    causaldata = pytest.importorskip("causaldata")
    return causaldata.nsw_mixtape.load_pandas().data


def test_nsw_published_difference_in_means(nsw: pd.DataFrame) -> None:
    """Published: 1794.34 (SE 632.85) for re78, treated minus control, classical SE."""
    res = difference_in_means(nsw["re78"].to_numpy(), nsw["treat"].to_numpy(), variance="classical")
    assert res.estimate == pytest.approx(1794.34, abs=0.005)
    assert res.std_error == pytest.approx(632.85, abs=0.005)
    assert res.n_units == 445 and res.df == 443


def test_lin_and_welch_match_r_estimatr_on_nsw(nsw: pd.DataFrame) -> None:
    """R: lm_lin(re78 ~ treat, covariates = ~ age + educ + re74 + re75, se_type = "HC2") and
    difference_in_means(re78 ~ treat) (estimatr 1.0.0), on the same doubles."""
    d = nsw.drop(columns=["data_id"]).astype("float64")
    lin = lin_adjusted_effect(
        d["re78"].to_numpy(), d["treat"].to_numpy(), d[["age", "educ", "re74", "re75"]]
    )
    assert lin.estimate == pytest.approx(1613.35491961842, rel=1e-12)
    assert lin.std_error == pytest.approx(654.038704512791, rel=1e-12)
    assert lin.p_value == pytest.approx(0.0140186482743, rel=1e-9)
    assert (lin.ci_low, lin.ci_high) == pytest.approx(
        (327.886040069536, 2898.8237991673), rel=1e-11
    )
    assert lin.df == 435
    welch = difference_in_means(d["re78"].to_numpy(), d["treat"].to_numpy())
    assert welch.std_error == pytest.approx(670.996544467332, rel=1e-12)
    assert welch.df == pytest.approx(307.132494496707, rel=1e-11)
    assert welch.p_value == pytest.approx(0.00789297830550186, rel=1e-9)
    assert (welch.ci_low, welch.ci_high) == pytest.approx(
        (474.010451187834, 3114.67431251237), rel=1e-11
    )


def test_welch_and_classical_match_scipy(nsw: pd.DataFrame) -> None:
    y = nsw["re78"].to_numpy(dtype=float)
    z = nsw["treat"].to_numpy()
    for variance, equal_var in (("welch", False), ("classical", True)):
        res = difference_in_means(y, z, variance=variance)
        ref = stats.ttest_ind(y[z == 1], y[z == 0], equal_var=equal_var)
        ci = ref.confidence_interval(0.95)
        assert res.estimate / res.std_error == pytest.approx(ref.statistic, rel=1e-12)
        assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
        assert res.df == pytest.approx(ref.df, rel=1e-12)
        assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    # Welch's variance is the HC2 variance of OLS y ~ 1 + T (statsmodels).
    ols = sm.OLS(y, sm.add_constant(z.astype(float))).fit(cov_type="HC2")
    assert difference_in_means(y, z).std_error == pytest.approx(ols.bse[1], rel=1e-10)


@pytest.mark.parametrize("counts", [(15, 40, 8, 42), (3, 120, 11, 118), (30, 30, 12, 25)])
def test_binary_measures_match_statsmodels(counts: tuple[int, int, int, int]) -> None:
    a, n1, c, n0 = counts
    table = Table2x2(np.array([[a, n1 - a], [c, n0 - c]]))
    if min(a, n1 - a, c, n0 - c) > 0:
        rr = binary_effect_from_counts(a, n1, c, n0, measure="risk_ratio")
        assert rr.estimate == pytest.approx(table.riskratio, rel=1e-12)
        assert rr.std_error == pytest.approx(table.log_riskratio_se, rel=1e-12)
        assert (rr.ci_low, rr.ci_high) == pytest.approx(table.riskratio_confint(), rel=1e-10)
        assert rr.p_value == pytest.approx(table.log_riskratio_pvalue(), rel=1e-10)
        orr = binary_effect_from_counts(a, n1, c, n0, measure="odds_ratio")
        assert orr.estimate == pytest.approx(table.oddsratio, rel=1e-12)
        assert orr.std_error == pytest.approx(table.log_oddsratio_se, rel=1e-12)
        assert (orr.ci_low, orr.ci_high) == pytest.approx(table.oddsratio_confint(), rel=1e-10)
        assert orr.p_value == pytest.approx(table.log_oddsratio_pvalue(), rel=1e-10)
    else:
        # Zero cell: Haldane-Anscombe, 0.5 added to every cell (statsmodels' shift_zeros
        # shifts only the zero cells, so the published formula is written out instead).
        aa, bb, cc, dd = a + 0.5, n1 - a + 0.5, c + 0.5, n0 - c + 0.5
        orr = binary_effect_from_counts(a, n1, c, n0, measure="odds_ratio")
        assert orr.estimate == pytest.approx(aa * dd / (bb * cc), rel=1e-12)
        se = np.sqrt(1 / aa + 1 / bb + 1 / cc + 1 / dd)
        assert orr.std_error == pytest.approx(se, rel=1e-12)
        assert [w.code for w in orr.warnings] == ["zero_cell"]
    rd = binary_effect_from_counts(a, n1, c, n0, measure="risk_difference")
    low, high = confint_proportions_2indep(a, n1, c, n0, method="wald", compare="diff")
    assert rd.estimate == pytest.approx(a / n1 - c / n0, rel=1e-12)
    if rd.std_error > 0:
        assert (rd.ci_low, rd.ci_high) == pytest.approx((low, high), rel=1e-10)
    y = np.r_[np.ones(a), np.zeros(n1 - a), np.ones(c), np.zeros(n0 - c)]
    z = np.r_[np.ones(n1), np.zeros(n0)]
    assert binary_effect(y, z, measure="risk_difference").estimate == rd.estimate


def _lin_reference(y, z, X, cov_type="HC2", **kw):
    Xc = X - X.mean(axis=0)
    design = np.column_stack([np.ones(len(y)), z, Xc, z[:, None] * Xc])
    return sm.OLS(y, design).fit(cov_type=cov_type, use_t=True, **kw)


def test_lin_matches_statsmodels_interacted_hc2() -> None:
    rng = np.random.default_rng(10)
    n = 300
    X = rng.normal(size=(n, 2)) * [1.0, 3.0]
    z = rng.permutation(np.r_[np.ones(120), np.zeros(180)])
    y = 1 + 0.5 * z + X @ [0.8, -0.2] + 0.4 * z * X[:, 0] + rng.normal(size=n) * (1 + X[:, 0] ** 2)
    res = lin_adjusted_effect(y, z, X)
    ref = _lin_reference(y, z, X)
    assert res.estimate == pytest.approx(ref.params[1], rel=1e-10)
    assert res.std_error == pytest.approx(ref.bse[1], rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ref.conf_int()[1]), rel=1e-9)
    # A constant covariate is dropped with a warning rather than breaking the fit.
    res2 = lin_adjusted_effect(y, z, np.column_stack([X, np.ones(n)]))
    assert res2.estimate == pytest.approx(res.estimate, rel=1e-12)
    assert [w.code for w in res2.warnings] == ["constant_covariate"]


@pytest.mark.parametrize(
    ("se_type", "cov_type"), [("HC2", "HC2"), ("HC1", "HC1"), ("classical", "nonrobust")]
)
def test_cuped_equals_ols_with_pre_period_covariate(se_type: str, cov_type: str) -> None:
    """CUPED with the pooled within-arm theta is OLS y ~ 1 + T + x (statsmodels)."""
    rng = np.random.default_rng(11)
    n = 5_000
    pre = rng.gamma(2.0, 3.0, n)
    z = rng.integers(0, 2, n)
    y = 2 + 0.3 * z + 0.9 * pre + rng.normal(size=n) * (1 + 0.2 * pre)
    res = cuped_effect(y, z, pre, se_type=se_type)  # type: ignore[arg-type]
    ref = sm.OLS(y, np.column_stack([np.ones(n), z, pre])).fit(cov_type=cov_type, use_t=True)
    assert res.estimate == pytest.approx(ref.params[1], rel=1e-10)
    assert res.std_error == pytest.approx(ref.bse[1], rel=1e-10)
    assert res.p_value == pytest.approx(ref.pvalues[1], rel=1e-8)
    assert res.extra["theta"] == pytest.approx(ref.params[2], rel=1e-10)
    assert res.extra["variance_reduction"] > 0.5


def test_cluster_randomised_few_clusters_reports_randomisation_inference() -> None:
    """Ten councils: CR2 estimate as statsmodels OLS; the exact randomisation p-value agrees
    with brute-force enumeration of the 252 cluster assignments written here."""
    rng = np.random.default_rng(12)
    sizes = rng.integers(30, 80, 10)
    cluster = np.repeat(np.arange(10), sizes)
    zc = np.array([1, 1, 0, 1, 0, 0, 1, 0, 1, 0])
    z = zc[cluster]
    y = rng.normal(size=10)[cluster] + rng.normal(size=cluster.size) + 0.6 * z
    res = cluster_randomised_effect(y, z, cluster, seed=1)
    ols = sm.OLS(y, sm.add_constant(z.astype(float))).fit()
    assert res.estimate == pytest.approx(ols.params[1], rel=1e-10)
    assert res.n_clusters == 10
    codes = [w.code for w in res.warnings]
    assert codes == ["few_clusters"]
    assert "randomisation inference reported" in res.warnings[0].detail
    observed = abs(res.estimate)
    count = 0
    for treated in itertools.combinations(range(10), 5):
        mask = np.isin(cluster, treated)
        count += abs(y[mask].mean() - y[~mask].mean()) >= observed - 1e-12
    assert res.extra["randomisation_exact"] is True
    assert res.extra["randomisation_p_value"] == pytest.approx(count / 252, abs=1e-12)
    assert 0.0 <= res.extra["wild_bootstrap_p_value"] <= 1.0
    assert res.extra["randomisation_ci_low"] < res.estimate < res.extra["randomisation_ci_high"]
    assert res.df is not None and res.df < 9


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


def test_subgroup_interaction_test_matches_statsmodels_wald() -> None:
    rng = np.random.default_rng(15)
    n = 900
    council = rng.choice(["W06000018", "W06000019", "W06000020", "W06000021"], n)
    z = rng.integers(0, 2, n)
    effect = (
        pd.Series(council)
        .map({"W06000018": 0.0, "W06000019": 0.2, "W06000020": 0.5, "W06000021": 0.1})
        .to_numpy()
    )
    y = 1 + effect * z + rng.normal(size=n) * (1 + z)
    res = subgroup_heterogeneity(y, z, council)
    labels = sorted(set(council))
    onehot = (council[:, None] == np.array(labels)[None, :]).astype(float)
    design = np.column_stack([onehot, onehot * z[:, None]])
    ref = sm.OLS(y, design).fit(cov_type="HC2", use_t=True)
    R = np.zeros((3, 8))
    for i in range(3):
        R[i, 4 + i], R[i, 5 + i] = 1.0, -1.0
    wald = ref.f_test(R)
    assert res.statistic == pytest.approx(float(np.squeeze(wald.fvalue)), rel=1e-10)
    assert res.p_value == pytest.approx(float(wald.pvalue), rel=1e-8)
    assert (res.df_num, res.df_denom) == (3, n - 8)
    for j, lab in enumerate(labels):
        assert res.subgroup_effects[lab].estimate == pytest.approx(ref.params[4 + j], rel=1e-10)
        assert res.subgroup_effects[lab].std_error == pytest.approx(ref.bse[4 + j], rel=1e-10)
    assert set(res.to_dict()["subgroup_effects"]) == set(labels)


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "fdr_bh")])
def test_multiplicity_matches_statsmodels(ours: str, theirs: str) -> None:
    rng = np.random.default_rng(16)
    p = np.r_[rng.uniform(size=15) ** 3, 0.01, 0.01, 1.0]
    expected = multipletests(p, method=theirs)[1]
    np.testing.assert_allclose(adjust_p_values(p, ours), expected, rtol=1e-12)  # type: ignore[arg-type]


def test_sample_ratio_mismatch_matches_scipy_chisquare() -> None:
    res = sample_ratio_mismatch([50_210, 49_012, 25_301], [2, 2, 1])
    ref = stats.chisquare([50_210, 49_012, 25_301], f_exp=np.array([2, 2, 1]) / 5 * 124_523)
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert res.mismatch and [w.code for w in res.warnings] == ["sample_ratio_mismatch"]
    ok = sample_ratio_mismatch([5000, 5050], [1, 1])
    assert not ok.mismatch and ok.to_dict()["df"] == 1


def test_argument_errors_raise() -> None:
    with pytest.raises(ValueError, match="both arms"):
        difference_in_means([1.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="0 \\(control\\)"):
        difference_in_means([1.0, 2.0, 3.0], [0, 1, 2])
    with pytest.raises(ValueError, match="binary"):
        binary_effect([0.0, 0.5, 1.0], [0, 1, 1])
    res = difference_in_means([1.0, 1.0, 2.0, 2.0], [0, 0, 1, 1])
    assert [w.code for w in res.warnings] == ["zero_variance"]
    single = difference_in_means([1.0, 2.0, 3.0, 5.0], [1, 0, 0, 0])
    assert [w.code for w in single.warnings] == ["too_few_units"]
    assert single.estimate == pytest.approx(-2.3333333333333335)
    lone = cuped_effect([1.0, 2.0, 3.0, 4.0, 5.0], [1, 0, 0, 0, 0], [0.1, 0.5, 0.2, 0.9, 0.3])
    assert [w.code for w in lone.warnings] == ["too_few_units"] and np.isnan(lone.std_error)
    assert res.to_dict()["p_value"] is None


# ----------------------------------------------------------------------------- properties

_samples = st.integers(min_value=0, max_value=2**31 - 1)


@settings(max_examples=30, deadline=None)
@given(seed=_samples, shift=st.floats(-1e3, 1e3, allow_nan=False))
def test_shift_invariance(seed: int, shift: float) -> None:
    """Adding a constant to the outcome leaves every effect estimate and SE unchanged."""
    rng = np.random.default_rng(seed)
    n = 40
    z = rng.permutation(np.r_[np.ones(17), np.zeros(n - 17)])
    x = rng.normal(size=n)
    y = rng.normal(size=n) + x
    for fn in (
        lambda yy: difference_in_means(yy, z),
        lambda yy: lin_adjusted_effect(yy, z, x),
        lambda yy: cuped_effect(yy, z, x),
    ):
        a, b = fn(y), fn(y + shift)
        assert b.estimate == pytest.approx(a.estimate, rel=1e-7, abs=1e-8)
        assert b.std_error == pytest.approx(a.std_error, rel=1e-7, abs=1e-8)


@settings(max_examples=30, deadline=None)
@given(seed=_samples)
def test_relabelling_arms_flips_sign(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    z = rng.permutation(np.r_[np.ones(15), np.zeros(n - 15)])
    x = rng.normal(size=n)
    y = rng.normal(size=n) + x + 0.3 * z
    for fn in (
        lambda zz: difference_in_means(y, zz),
        lambda zz: lin_adjusted_effect(y, zz, x),
        lambda zz: cuped_effect(y, zz, x),
    ):
        a, b = fn(z), fn(1 - z)
        assert b.estimate == pytest.approx(-a.estimate, rel=1e-9, abs=1e-12)
        assert b.std_error == pytest.approx(a.std_error, rel=1e-9)
    rr = binary_effect_from_counts(12, 40, 20, 41, measure="risk_ratio")
    rr_flip = binary_effect_from_counts(20, 41, 12, 40, measure="risk_ratio")
    assert rr_flip.estimate == pytest.approx(1 / rr.estimate, rel=1e-12)


# ----------------------------------------------------------------------------- coverage


_REPS = 10_000
_TAU = 0.4


def _assert_coverage(hits: dict[str, list[bool]]) -> None:
    for name, h in hits.items():
        cov = float(np.mean(h))
        print(f"coverage {name}: {cov:.4f}")
        assert 0.94 <= cov <= 0.96, (name, cov)


@pytest.mark.slow
def test_interval_coverage_of_unit_level_estimators() -> None:
    """95% intervals of difference in means, Lin and CUPED cover the true effect 94-96% of
    the time: 10,000 replicates each (Monte-Carlo SE 0.22 points, so the band is about +-4.6
    SE). Data for all replicates come from one vectorised draw (complete randomisation of
    50 of 120, unequal variances); each estimator is then applied replicate by replicate."""
    rng = np.random.default_rng(2024)
    n = 120
    x = rng.normal(size=(_REPS, n))
    z = np.argsort(rng.random((_REPS, n)), axis=1) < 50
    noise = rng.normal(size=(_REPS, n)) * np.where(z, 1.5, 1.0)
    y = 1.0 + _TAU * z + 0.8 * x + noise
    hits: dict[str, list[bool]] = {"dim": [], "lin": [], "cuped": []}
    for r in range(_REPS):
        for name, res in (
            ("dim", difference_in_means(y[r], z[r])),
            ("lin", lin_adjusted_effect(y[r], z[r], x[r])),
            ("cuped", cuped_effect(y[r], z[r], x[r])),
        ):
            hits[name].append(res.ci_low <= _TAU <= res.ci_high)
    _assert_coverage(hits)


@pytest.mark.slow
def test_interval_coverage_of_cr2() -> None:
    """CR2 with Bell-McCaffrey df, 10,000 reps each: 24 clusters of 15 and 10 clusters of 20,
    half treated, ICC 0.2."""
    rng = np.random.default_rng(2025)
    G, m = 24, 15
    cluster = np.repeat(np.arange(G), m)
    zc = np.argsort(rng.random((_REPS, G)), axis=1) < G // 2
    yc = (
        _TAU * zc[:, cluster]
        + 0.5 * rng.normal(size=(_REPS, G))[:, cluster]
        + rng.normal(size=(_REPS, G * m))
    )
    hits: dict[str, list[bool]] = {"cr2": []}
    for r in range(_REPS):
        res = cluster_randomised_effect(yc[r], zc[r, cluster].astype(int), cluster)
        hits["cr2"].append(res.ci_low <= _TAU <= res.ci_high)
    # The platform's headline case: 10 councils, 5 treated, 20 people each (CR2 through
    # fit_ols directly, to leave out the randomisation test and bootstrap in each replicate).
    G, m = 10, 20
    cluster = np.repeat(np.arange(G), m)
    zc = np.argsort(rng.random((_REPS, G)), axis=1) < G // 2
    yc = (
        _TAU * zc[:, cluster]
        + 0.5 * rng.normal(size=(_REPS, G))[:, cluster]
        + rng.normal(size=(_REPS, G * m))
    )
    hits["cr2_10_councils"] = []
    for r in range(_REPS):
        X = np.column_stack([np.ones(G * m), zc[r, cluster]])
        fit = fit_ols(yc[r], X, cluster=cluster, se_type="CR2")
        low, high = fit.conf_int()
        hits["cr2_10_councils"].append(low[1] <= _TAU <= high[1])
    _assert_coverage(hits)


def test_summary_versions_match_statsmodels() -> None:
    """From per-arm moments only: Welch equals scipy; CUPED equals statsmodels OLS
    y ~ 1 + T + x with the classical variance."""
    rng = np.random.default_rng(21)
    n = 3_000
    z = rng.integers(0, 2, n).astype(bool)
    x = rng.normal(10, 2, n)
    y = 5 + 0.4 * z + 0.7 * x + rng.normal(size=n)

    def summary(mask: np.ndarray) -> ArmSummary:
        return ArmSummary(
            n=int(mask.sum()),
            mean=float(y[mask].mean()),
            variance=float(y[mask].var(ddof=1)),
            mean_pre=float(x[mask].mean()),
            variance_pre=float(x[mask].var(ddof=1)),
            covariance=float(np.cov(y[mask], x[mask])[0, 1]),
        )

    welch = difference_in_means_from_summary(summary(z), summary(~z))
    ref = stats.ttest_ind(y[z], y[~z], equal_var=False)
    assert welch.estimate / welch.std_error == pytest.approx(ref.statistic, rel=1e-10)
    assert welch.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    cup = cuped_from_summary(summary(z), summary(~z))
    ols = sm.OLS(y, np.column_stack([np.ones(n), z, x])).fit()
    assert cup.estimate == pytest.approx(ols.params[1], rel=1e-10)
    assert cup.std_error == pytest.approx(ols.bse[1], rel=1e-9)
    assert cup.p_value == pytest.approx(ols.pvalues[1], rel=1e-7)
    assert summary(z).to_dict()["n"] == int(z.sum())
