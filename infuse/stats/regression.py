"""Ordinary least squares with the variance estimators small, clustered trials need.

Public-service trials often randomise a handful of councils, wards or schools. The usual
cluster-robust variance (CR1) is then biased downwards and its ``G - 1`` degrees of freedom are
too generous, so tests over-reject. This module gives one small OLS core with:

* classical, HC1 and HC2 (heteroskedasticity-robust) variances;
* CR1 (Liang & Zeger 1986 with the Stata small-sample factor) and CR2, the bias-reduced
  linearisation of Bell & McCaffrey (2002), with Satterthwaite degrees of freedom for any single
  coefficient or contrast (Bell & McCaffrey 2002; Imbens & Kolesár 2016; Pustejovsky & Tipton
  2018);
* the restricted wild cluster bootstrap (WCR; Cameron, Gelbach & Miller 2008; MacKinnon & Webb
  2017) for one coefficient, vectorised over draws with the algebra of Roodman et al. (2019).

Everything is computed from per-cluster sufficient statistics (``X_g'X_g`` and ``X_g'e_g``), so
CR2 costs ``O(n p^2 + G p^3)`` rather than the ``O(sum n_g^3)`` of the textbook formula: the
projection block ``H_gg`` has rank at most ``p`` and its inverse square root is found from a
``p x p`` eigenproblem.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "SE_TYPES",
    "OLSFit",
    "SEType",
    "WildBootstrapResult",
    "coefficient_result",
    "fit_ols",
    "wild_cluster_bootstrap",
]

SE_TYPES: tuple[str, ...] = ("classical", "HC1", "HC2", "CR1", "CR2")
SEType = Literal["classical", "HC1", "HC2", "CR1", "CR2"]

FEW_CLUSTERS = 20
_RANK_TOL = 1e-10
_LEVERAGE_TOL = 1e-10

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class _CR2Parts:
    """Per-cluster matrices that let any contrast get its Bell-McCaffrey degrees of freedom."""

    bread: FloatArray  # (X'X)^{-1}, p x p
    adjusted_gram: FloatArray  # K_g = X_g' A_g X_g, G x p x p
    adjusted_gram_sq: FloatArray  # X_g' A_g^2 X_g, G x p x p


@dataclass(frozen=True)
class OLSFit:
    """An OLS fit with one chosen variance estimator.

    Attributes
    ----------
    params : coefficient estimates, shape ``(p,)``.
    cov : estimated covariance matrix of ``params`` under ``se_type``, ``(p, p)``.
    std_errors : square roots of the diagonal of ``cov``.
    df : degrees of freedom of the t reference distribution for each coefficient: ``n - p``
        for classical/HC1/HC2, ``G - 1`` for CR1, Bell-McCaffrey Satterthwaite for CR2.
    n : observations used.
    n_clusters : number of clusters (None without clustering).
    se_type : one of :data:`SE_TYPES`.
    conf_level : level used for :meth:`conf_int`.
    names : coefficient names (``x0, x1, ...`` unless given).
    residual_df : ``n - p``.
    residual_variance : ``e'e / (n - p)``.
    warnings : data conditions met while fitting (e.g. ``few_clusters``).
    """

    params: FloatArray
    cov: FloatArray
    std_errors: FloatArray
    df: FloatArray
    n: int
    n_clusters: int | None
    se_type: str
    conf_level: float
    names: tuple[str, ...]
    residual_df: int
    residual_variance: float
    warnings: tuple[StatWarning, ...] = ()
    _cr2: _CR2Parts | None = field(default=None, repr=False, compare=False)

    def index_of(self, name_or_index: str | int) -> int:
        """Position of a coefficient given by name or position."""
        if isinstance(name_or_index, str):
            if name_or_index not in self.names:
                raise ValueError(f"no coefficient named {name_or_index!r}; have {self.names}")
            return self.names.index(name_or_index)
        if isinstance(name_or_index, int | np.integer):
            idx = int(name_or_index)
            if not -len(self.params) <= idx < len(self.params):
                raise ValueError(f"coefficient index {idx} out of range for {len(self.params)}")
            return idx % len(self.params)
        raise TypeError("coefficient must be given by name (str) or position (int)")

    @property
    def t_values(self) -> FloatArray:
        """``params / std_errors``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.params / self.std_errors, dtype=np.float64)

    @property
    def p_values(self) -> FloatArray:
        """Two-sided p-values from t distributions with :attr:`df`."""
        return np.asarray(2.0 * stats.t.sf(np.abs(self.t_values), self.df), dtype=np.float64)

    def conf_int(self) -> tuple[FloatArray, FloatArray]:
        """Lower and upper t-based confidence limits at :attr:`conf_level`."""
        q = stats.t.ppf(0.5 + self.conf_level / 2.0, self.df)
        return self.params - q * self.std_errors, self.params + q * self.std_errors

    def contrast_df(self, contrast: ArrayLike) -> float:
        """Degrees of freedom for ``c'beta`` (Satterthwaite under CR2, otherwise :attr:`df`).

        Bell & McCaffrey (2002) and Pustejovsky & Tipton (2018, eq. 11): with working model
        ``Var(e) = sigma^2 I`` write ``c'V_CR2 c = sum_g (q_g' eps)^2`` with
        ``q_g = (I - H)_g' A_g X_g M c``; then ``df = (tr Q'Q)^2 / ||Q'Q||_F^2``. Here
        ``Q'Q = diag(m' X_g'A_g^2X_g m) - B M B'`` with ``B_g = m' X_g'A_gX_g`` and ``m = M c``,
        which needs only ``p x p`` blocks per cluster.
        """
        c = _as_contrast(contrast, len(self.params))
        if self._cr2 is None:
            nonzero = np.flatnonzero(c)
            # Classical/HC/CR1 use one df for every coefficient; a contrast inherits it.
            return float(self.df[nonzero[0]]) if nonzero.size else float(self.df[0])
        return float(_cr2_df(self._cr2, c[:, None])[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no per-cluster internals)."""
        low, high = self.conf_int()
        return dict(
            json_ready(
                {
                    "params": self.params,
                    "std_errors": self.std_errors,
                    "df": self.df,
                    "ci_low": low,
                    "ci_high": high,
                    "p_values": self.p_values,
                    "cov": self.cov,
                    "n": self.n,
                    "n_clusters": self.n_clusters,
                    "se_type": self.se_type,
                    "conf_level": self.conf_level,
                    "names": list(self.names),
                    "residual_df": self.residual_df,
                    "residual_variance": self.residual_variance,
                    "warnings": [{"code": w.code, "detail": w.detail} for w in self.warnings],
                }
            )
        )


# ----------------------------------------------------------------------------- helpers


def _as_float_vector(y: ArrayLike, name: str) -> FloatArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        arr = np.squeeze(arr)
        if arr.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional, got shape {np.shape(y)}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
    out = arr.astype(np.float64, copy=False)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} contains NaN or infinite values; drop or impute them first")
    return out


def _as_design(X: ArrayLike, n: int) -> tuple[FloatArray, tuple[str, ...] | None]:
    names: tuple[str, ...] | None = None
    if isinstance(X, pd.DataFrame):
        names = tuple(str(c) for c in X.columns)
    arr = np.asarray(X)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"X must be two-dimensional, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(f"X has {arr.shape[0]} rows but y has {n}")
    if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"X must be numeric, got dtype {arr.dtype}")
    out = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(out)):
        raise ValueError("X contains NaN or infinite values; drop or impute them first")
    return out, names


def _cluster_codes(cluster: ArrayLike, n: int) -> tuple[NDArray[np.intp], int]:
    arr = np.asarray(cluster)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise ValueError(f"cluster must be one-dimensional with {n} entries, got {arr.shape}")
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    if np.any(codes < 0):
        raise ValueError("cluster contains missing values")
    return codes.astype(np.intp, copy=False), len(uniques)


def _group_sums(codes: NDArray[np.intp], values: FloatArray, n_groups: int) -> FloatArray:
    """Column-wise sums of ``values`` (n x k) within groups; bincount is O(n) and lean."""
    out = np.empty((n_groups, values.shape[1]), dtype=np.float64)
    for k in range(values.shape[1]):
        out[:, k] = np.bincount(codes, weights=values[:, k], minlength=n_groups)
    return out


def _group_grams(codes: NDArray[np.intp], X: FloatArray, n_groups: int) -> FloatArray:
    """``X_g'X_g`` for every group, G x p x p, one bincount per distinct entry."""
    p = X.shape[1]
    out = np.empty((n_groups, p, p), dtype=np.float64)
    for i in range(p):
        for j in range(i, p):
            s = np.bincount(codes, weights=X[:, i] * X[:, j], minlength=n_groups)
            out[:, i, j] = s
            out[:, j, i] = s
    return out


def _as_contrast(contrast: ArrayLike, p: int) -> FloatArray:
    c = np.asarray(contrast, dtype=np.float64)
    if c.ndim != 1 or c.shape[0] != p:
        raise ValueError(f"contrast must be a vector of length {p}, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or not np.any(c):
        raise ValueError("contrast must be finite and not all zero")
    return c


def _cr2_df(parts: _CR2Parts, contrasts: FloatArray) -> FloatArray:
    """Satterthwaite df for each column ``c`` of ``contrasts`` (p x k); see OLSFit.contrast_df.

    ``Q'Q = D - B M B'`` is G x G, but only its trace and squared Frobenius norm are needed:
    ``tr = sum d_g - sum c_g`` and ``||.||^2 = sum d_g^2 - 2 sum d_g c_g + tr(M B'B M B'B)``
    with ``c_g = b_g' M b_g``, so the cost is O(G p^2) and memory O(G p), whatever G.
    """
    M = parts.bread
    m = M @ contrasts  # p x k
    b = np.einsum("gij,jk->kgi", parts.adjusted_gram, m)  # k x G x p
    d = np.einsum("ik,gij,jk->kg", m, parts.adjusted_gram_sq, m)  # k x G
    c = np.einsum("kgi,ij,kgj->kg", b, M, b)  # k x G, diagonal of B M B'
    btb = np.einsum("kgi,kgj->kij", b, b)  # k x p x p
    mk = np.einsum("ij,kjl->kil", M, btb)  # M B'B
    frob_c = np.einsum("kij,kji->k", mk, mk)  # tr((M B'B)^2) = ||B M B'||_F^2
    trace = d.sum(axis=1) - c.sum(axis=1)
    frob = (d**2).sum(axis=1) - 2.0 * (d * c).sum(axis=1) + frob_c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(trace**2 / frob, dtype=np.float64)


def _upper_solve(r: FloatArray, b: FloatArray) -> FloatArray:
    """Solve ``r x = b`` for the small upper-triangular QR factor.

    numpy's LAPACK is used rather than scipy's: scipy links a second OpenBLAS whose thread
    pool fights numpy's on small machines, making a 3 x 3 solve cost a millisecond inside
    simulation loops. Partial pivoting leaves a triangular matrix unpermuted, so this is
    back-substitution.
    """
    return np.asarray(np.linalg.solve(r, b), dtype=np.float64)


def _qr_fit(
    y: FloatArray, X: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """QR least squares: returns params, residuals, bread (X'X)^-1, R^-1, and Q."""
    q, r = np.linalg.qr(X, mode="reduced")
    col_norms = np.linalg.norm(X, axis=0)
    rel = np.abs(np.diag(r)) / np.where(col_norms > 0.0, col_norms, 1.0)
    bad = np.flatnonzero((rel <= _RANK_TOL) | (col_norms == 0.0))
    if bad.size:
        raise ValueError(
            "design matrix is rank deficient (collinear or constant columns, e.g. column "
            f"{int(bad[0])}); remove redundant columns before fitting"
        )
    params = _upper_solve(r, q.T @ y)
    resid = y - X @ params
    r_inv = _upper_solve(r, np.eye(r.shape[0]))
    bread = r_inv @ r_inv.T
    return params, resid, bread, r_inv, q


# ----------------------------------------------------------------------------- fit


def fit_ols(
    y: ArrayLike,
    X: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    se_type: SEType | None = None,
    conf_level: float = 0.95,
    names: Sequence[str] | None = None,
) -> OLSFit:
    """Fit ``y = X beta + e`` by least squares with a chosen variance estimator.

    Parameters
    ----------
    y : outcome, shape ``(n,)``.
    X : design matrix ``(n, p)`` including any intercept column (a DataFrame gives names).
    cluster : cluster labels ``(n,)``; required for CR1/CR2.
    se_type : ``"classical"``, ``"HC1"``, ``"HC2"``, ``"CR1"`` or ``"CR2"``. Default: CR2 when
        ``cluster`` is given, otherwise HC2 (the choices that stay honest in small samples).
    conf_level : confidence level for intervals derived from the fit.
    names : coefficient names; defaults to DataFrame columns or ``x0 ... x{p-1}``.

    Returns
    -------
    OLSFit

    Notes
    -----
    With ``M = (X'X)^{-1}``, residuals ``e`` and leverages ``h_i``:

    * classical ``s^2 M``, ``s^2 = e'e / (n - p)``; df ``n - p``.
    * HC1 ``n/(n-p) M X' diag(e^2) X M`` (MacKinnon & White 1985); df ``n - p``.
    * HC2 ``M X' diag(e^2 / (1 - h)) X M`` (MacKinnon & White 1985); df ``n - p``.
    * CR1 ``G/(G-1) (n-1)/(n-p) M (sum_g X_g'e_g e_g'X_g) M`` (Liang & Zeger 1986; Stata's
      factor, as statsmodels ``cov_type="cluster"``); df ``G - 1``.
    * CR2 ``M (sum_g X_g'A_g e_g e_g'A_g X_g) M`` with ``A_g = (I - H_gg)^{-1/2}`` (Moore-Penrose
      when singular), the bias-reduced linearisation of Bell, R. M. & McCaffrey, D. F. (2002)
      "Bias reduction in standard errors for linear regression with multi-stage samples",
      Survey Methodology 28(2); df by the Satterthwaite approximation of Bell & McCaffrey,
      as recommended by Imbens, G. W. & Kolesár, M. (2016) "Robust standard errors in small
      samples: some practical advice", REStat 98(4), and Pustejovsky, J. E. & Tipton, E. (2018)
      "Small-sample methods for cluster-robust variance estimation and hypothesis testing in
      fixed effects models", JBES 36(4). Matches R ``clubSandwich::vcovCR(type = "CR2")``.

    A rank-deficient design raises ``ValueError`` (the caller chose the columns).
    """
    if not 0.0 < conf_level < 1.0:
        raise ValueError("conf_level must be strictly between 0 and 1")
    yv = _as_float_vector(y, "y")
    n = yv.shape[0]
    Xm, df_names = _as_design(X, n)
    p = Xm.shape[1]
    if se_type is None:
        se_type = "CR2" if cluster is not None else "HC2"
    if se_type not in SE_TYPES:
        raise ValueError(f"se_type must be one of {SE_TYPES}, got {se_type!r}")
    if se_type in ("CR1", "CR2") and cluster is None:
        raise ValueError(f"se_type={se_type!r} needs cluster labels")
    if n <= p:
        raise ValueError(f"need more observations ({n}) than coefficients ({p})")
    coef_names = tuple(names) if names is not None else df_names or tuple(f"x{i}" for i in range(p))
    if len(coef_names) != p:
        raise ValueError(f"{len(coef_names)} names given for {p} coefficients")

    params, resid, bread, r_inv, q = _qr_fit(yv, Xm)
    rss = float(resid @ resid)
    resid_df = n - p
    sigma2 = rss / resid_df
    warns: list[StatWarning] = []
    n_clusters: int | None = None
    parts: _CR2Parts | None = None

    if se_type == "classical":
        cov = sigma2 * bread
        df = np.full(p, float(resid_df))
    elif se_type in ("HC1", "HC2"):
        if se_type == "HC1":
            w = resid**2 * (n / resid_df)
        else:
            lev = np.einsum("ij,ij->i", q, q)
            one_minus = 1.0 - lev
            hit = one_minus < _LEVERAGE_TOL
            if np.any(hit):
                warns.append(
                    StatWarning(
                        "leverage_one",
                        f"{int(hit.sum())} observation(s) have leverage 1; their HC2 weight "
                        "uses the generalised inverse (they carry no residual information)",
                    )
                )
            w = np.where(hit, 0.0, resid**2 / np.where(hit, 1.0, one_minus))
        meat = (Xm * w[:, None]).T @ Xm
        cov = bread @ meat @ bread
        df = np.full(p, float(resid_df))
    else:
        assert cluster is not None
        codes, G = _cluster_codes(cluster, n)
        n_clusters = G
        if G < 2:
            raise ValueError("cluster-robust variance needs at least two clusters")
        scores = _group_sums(codes, Xm * resid[:, None], G)  # X_g'e_g, G x p
        if se_type == "CR1":
            factor = (G / (G - 1)) * ((n - 1) / resid_df)
            cov = factor * bread @ (scores.T @ scores) @ bread
            df = np.full(p, float(G - 1))
        else:
            grams = _group_grams(codes, Xm, G)
            adj_scores, K, K2 = _cr2_blocks(grams, scores, r_inv)
            cov = bread @ (adj_scores.T @ adj_scores) @ bread
            parts = _CR2Parts(bread=bread, adjusted_gram=K, adjusted_gram_sq=K2)
            df = _cr2_df(parts, np.eye(p))
        if G < FEW_CLUSTERS:
            warns.append(
                StatWarning(
                    "few_clusters",
                    f"fewer than {FEW_CLUSTERS} clusters ({G}): "
                    + (
                        "CR1 standard errors are biased downwards; prefer CR2 or the wild "
                        "cluster bootstrap"
                        if se_type == "CR1"
                        else "small-sample correction (CR2, Bell-McCaffrey df) used; "
                        "randomisation inference is advisable"
                    ),
                )
            )
    cov = (cov + cov.T) / 2.0
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return OLSFit(
        params=params,
        cov=cov,
        std_errors=se,
        df=np.asarray(df, dtype=np.float64),
        n=n,
        n_clusters=n_clusters,
        se_type=se_type,
        conf_level=conf_level,
        names=coef_names,
        residual_df=resid_df,
        residual_variance=sigma2,
        warnings=tuple(warns),
        _cr2=parts,
    )


def _cr2_blocks(
    grams: FloatArray, scores: FloatArray, r_inv: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Adjusted scores ``X_g'A_g e_g`` and blocks ``X_g'A_gX_g``, ``X_g'A_g^2X_g``.

    ``H_gg = X_g M X_g'`` with ``M = L L'`` (``L = R^{-1}``) has the same non-zero eigenvalues
    ``d`` as ``T_g = L' S_g L`` (``S_g = X_g'X_g``); with ``T_g = V diag(d) V'`` the
    eigenvectors of ``H_gg`` are ``U = X_g L V d^{-1/2}``. For ``f`` applied to ``I - H_gg``,
    ``X_g' f(I - H_gg) X_g = S_g + S_g L V diag((f(1-d) - 1)/d) V' L' S_g``.
    """
    t = np.einsum("ji,gjk,kl->gil", r_inv, grams, r_inv)
    d, v = np.linalg.eigh(t)
    d = np.clip(d, 0.0, 1.0)
    one_minus = 1.0 - d
    singular = one_minus < _LEVERAGE_TOL
    safe = np.where(singular, 1.0, one_minus)
    inv_sqrt = np.where(singular, 0.0, 1.0 / np.sqrt(safe))  # Moore-Penrose
    inv = np.where(singular, 0.0, 1.0 / safe)
    small = d < 1e-14
    dd = np.where(small, 1.0, d)
    coef_a = np.where(small, 0.5, (inv_sqrt - 1.0) / dd)  # limit as d -> 0 is 1/2
    coef_a2 = np.where(small, 1.0, (inv - 1.0) / dd)  # limit as d -> 0 is 1
    w = np.einsum("ij,gjk->gik", r_inv, v)  # L V, G x p x p
    sw = np.einsum("gij,gjk->gik", grams, w)  # S_g L V
    k_a = grams + np.einsum("gik,gk,gjk->gij", sw, coef_a, sw)
    k_a2 = grams + np.einsum("gik,gk,gjk->gij", sw, coef_a2, sw)
    wr = np.einsum("gjk,gj->gk", w, scores)  # V'L' X_g'e_g
    adj = scores + np.einsum("gik,gk->gi", sw, coef_a * wr)
    return adj, k_a, k_a2


# ----------------------------------------------------------------------------- results


def coefficient_result(
    fit: OLSFit,
    index_or_contrast: int | str | ArrayLike,
    *,
    method: str = "ols_coefficient",
    effect_measure: str = "mean_difference",
    null_value: float = 0.0,
    assumptions: Sequence[str] = (),
    extra: dict[str, Any] | None = None,
) -> EstimateResult:
    """Turn one coefficient (or a linear contrast ``c'beta``) of a fit into an EstimateResult.

    Parameters
    ----------
    fit : the OLS fit.
    index_or_contrast : coefficient position, coefficient name, or a contrast vector ``c``.
    method, effect_measure : labels copied to the result.
    null_value : value of ``c'beta`` under the null for the p-value.
    assumptions : extra statements appended to the variance estimator's own.
    extra : extra JSON-ready details.

    Returns
    -------
    EstimateResult with a t-based interval and p-value using the fit's df (the contrast's own
    Satterthwaite df under CR2).
    """
    p = len(fit.params)
    if isinstance(index_or_contrast, str | int | np.integer):
        key = index_or_contrast if isinstance(index_or_contrast, str) else int(index_or_contrast)
        c = np.zeros(p)
        c[fit.index_of(key)] = 1.0
        label: Any = fit.names[fit.index_of(key)]
    else:
        c = _as_contrast(index_or_contrast, p)
        label = c.tolist()
    estimate = float(c @ fit.params)
    var = float(c @ fit.cov @ c)
    se = math.sqrt(max(var, 0.0))
    df = fit.contrast_df(c)
    warns = list(fit.warnings)
    if not se > 0.0:
        warns.append(StatWarning("zero_variance", "standard error is zero: no residual variation"))
        p_value = float("nan")
        low = high = float("nan")
    else:
        q = float(stats.t.ppf(0.5 + fit.conf_level / 2.0, df))
        t_stat = (estimate - null_value) / se
        p_value = float(2.0 * stats.t.sf(abs(t_stat), df))
        low, high = estimate - q * se, estimate + q * se
    details: dict[str, Any] = {
        "coefficient": label,
        "se_type": fit.se_type,
        "null_value": null_value,
    }
    if extra:
        details.update(extra)
    return EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
        method=method,
        effect_measure=effect_measure,
        n_units=fit.n,
        conf_level=fit.conf_level,
        n_clusters=fit.n_clusters,
        df=df,
        assumptions=(*_SE_ASSUMPTIONS[fit.se_type], *assumptions),
        warnings=tuple(warns),
        extra=details,
    )


_SE_ASSUMPTIONS: dict[str, tuple[str, ...]] = {
    "classical": ("errors independent with constant variance",),
    "HC1": ("errors independent; variance may differ between units (HC1)",),
    "HC2": ("errors independent; variance may differ between units (HC2)",),
    "CR1": (
        "errors independent between clusters, arbitrary correlation within (CR1)",
        "t reference with G - 1 degrees of freedom",
    ),
    "CR2": (
        "errors independent between clusters, arbitrary correlation within (CR2, Bell-McCaffrey)",
        "t reference with Satterthwaite degrees of freedom (Bell-McCaffrey)",
    ),
}


# ----------------------------------------------------------------------------- wild bootstrap


@dataclass(frozen=True)
class WildBootstrapResult:
    """Restricted wild cluster bootstrap test of one coefficient.

    Attributes
    ----------
    p_value : share of bootstrap ``|t*|`` at or above the observed ``|t|``.
    t_stat : observed CR1 t statistic for ``beta_j - null_value``.
    n_draws : bootstrap draws used (``2^G`` under full Rademacher enumeration).
    full_enumeration : whether every Rademacher sign vector was used (then exact, seed-free).
    weights : ``"rademacher"`` or ``"webb"``.
    seed : seed of the weight generator.
    n_clusters : G.
    coefficient : the coefficient tested (name).
    null_value : value imposed under the null.
    mc_std_error : Monte-Carlo standard error of ``p_value`` (0 under full enumeration).
    """

    p_value: float
    t_stat: float
    n_draws: int
    full_enumeration: bool
    weights: str
    seed: int
    n_clusters: int
    coefficient: str
    null_value: float
    mc_std_error: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dict(json_ready(self.__dict__.copy()))


_WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


def wild_cluster_bootstrap(
    y: ArrayLike,
    X: ArrayLike,
    cluster: ArrayLike,
    coefficient: int | str,
    *,
    null_value: float = 0.0,
    n_draws: int = 9999,
    weights: Literal["rademacher", "webb"] = "rademacher",
    seed: int = 0,
    names: Sequence[str] | None = None,
    chunk_size: int = 4096,
) -> WildBootstrapResult:
    """Wild cluster restricted (WCR) bootstrap p-value for ``H0: beta_j = null_value``.

    Parameters
    ----------
    y, X, cluster : outcome, design (with intercept) and cluster labels.
    coefficient : position or name of ``beta_j``.
    null_value : value imposed under the null.
    n_draws : bootstrap draws; with Rademacher weights and ``2^G <= n_draws`` every sign vector
        is enumerated instead (exact and seed-free).
    weights : ``"rademacher"`` (+-1) or ``"webb"`` (six-point, Webb 2014), better when G < 10.
    seed : seed for the weight draws (stored on the result).
    names : coefficient names (so ``coefficient`` can be a name for array input).
    chunk_size : draws processed at once (bounds memory at ``G x chunk_size``).

    Returns
    -------
    WildBootstrapResult

    Notes
    -----
    Null imposed: fit the restricted model, ``y* = X beta~ + w_g e~`` with one weight per
    cluster, refit, and compare the CR1 t statistic with the observed one (Cameron, A. C.,
    Gelbach, J. B. & Miller, D. L. 2008 "Bootstrap-based improvements for inference with
    clustered errors", REStat 90(3); MacKinnon, J. G. & Webb, M. D. 2017 "Wild bootstrap
    inference for wildly different cluster sizes", JAE 32(2)). Draws are vectorised: with
    ``a = S M e_j`` (``S`` rows ``X_g'e~_g``) the numerator is ``a'w`` and the cluster scores
    are ``w_g a_g - H_g. w`` with ``H_gh = e_j'M X_g'X_g M X_h'e~_h`` (Roodman, D., Nielsen,
    M. O., MacKinnon, J. G. & Webb, M. D. 2019 "Fast and wild: bootstrap inference in Stata
    using boottest", Stata Journal 19(1)). The CR1 small-sample factor cancels in the ratio.
    """
    if weights not in ("rademacher", "webb"):
        raise ValueError("weights must be 'rademacher' or 'webb'")
    if not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ValueError("n_draws must be a positive integer")
    yv = _as_float_vector(y, "y")
    n = yv.shape[0]
    Xm, df_names = _as_design(X, n)
    p = Xm.shape[1]
    coef_names = tuple(names) if names is not None else df_names or tuple(f"x{i}" for i in range(p))
    if isinstance(coefficient, str):
        if coefficient not in coef_names:
            raise ValueError(f"no coefficient named {coefficient!r}")
        j = coef_names.index(coefficient)
    else:
        j = int(coefficient)
        if not 0 <= j < p:
            raise ValueError(f"coefficient index {j} out of range")
    codes, G = _cluster_codes(cluster, n)
    if G < 2:
        raise ValueError("the wild cluster bootstrap needs at least two clusters")

    params, resid, bread, _, _ = _qr_fit(yv, Xm)
    m_j = bread[:, j]
    # Observed CR1 t; its small-sample factor multiplies every bootstrap variance alike, so the
    # bootstrap t below omits it and compares with t_obs / sqrt(factor).
    factor = (G / (G - 1)) * ((n - 1) / (n - p))
    obs_scores = _group_sums(codes, Xm * resid[:, None], G) @ m_j
    t_raw = (params[j] - null_value) / math.sqrt(float(obs_scores @ obs_scores))
    t_obs = t_raw / math.sqrt(factor)

    # Restricted fit: y - r x_j on the other columns.
    others = [k for k in range(p) if k != j]
    y_r = yv - null_value * Xm[:, j]
    if others:
        beta_r, resid_r, _, _, _ = _qr_fit(y_r, Xm[:, others])
        del beta_r
    else:
        resid_r = y_r
    s = _group_sums(codes, Xm * resid_r[:, None], G)  # G x p
    grams = _group_grams(codes, Xm, G)
    a = s @ m_j  # G
    # H = U S' has rank <= p (U_g = M X_g'X_g M e_j), so H w = U (S' w): O(G p) per draw and
    # no G x G matrix, whatever the number of clusters.
    u = np.einsum("i,gij,jk->gk", m_j, grams, bread)  # G x p

    rng = np.random.default_rng(seed)
    full = weights == "rademacher" and n_draws >= 2**G
    total = 2**G if full else int(n_draws)
    exceed = 0
    for start in range(0, total, chunk_size):
        b = min(chunk_size, total - start)
        if full:
            idx = np.arange(start, start + b)
            w = ((idx[None, :] >> np.arange(G)[:, None]) & 1) * 2.0 - 1.0
        elif weights == "rademacher":
            w = rng.integers(0, 2, size=(G, b)) * 2.0 - 1.0
        else:
            w = _WEBB[rng.integers(0, 6, size=(G, b))]
        numer = a @ w
        z = a[:, None] * w - u @ (s.T @ w)
        denom = np.sqrt(np.einsum("gb,gb->b", z, z))
        with np.errstate(divide="ignore", invalid="ignore"):
            t_boot = numer / denom
        # Ties count (conservative): the all-ones draw reproduces the observed sample exactly.
        exceed += int(np.count_nonzero(np.abs(t_boot) >= abs(t_raw) * (1.0 - 1e-10)))
    p_value = exceed / total
    mc_se = 0.0 if full else math.sqrt(p_value * (1.0 - p_value) / total)
    return WildBootstrapResult(
        p_value=p_value,
        t_stat=float(t_obs),
        n_draws=total,
        full_enumeration=full,
        weights=weights,
        seed=int(seed),
        n_clusters=G,
        coefficient=coef_names[j],
        null_value=float(null_value),
        mc_std_error=mc_se,
    )
