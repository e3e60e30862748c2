"""Ordinary least squares with classical, HC and cluster-robust variances.

One small OLS core (QR, no pseudo-inverse: a rank-deficient design is the caller's error) with
the variance estimators listed in :func:`fit_ols`, and :func:`coefficient_result`, which turns
one coefficient or contrast of a fit into an :class:`~infuse.stats.results.EstimateResult`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats._common import check_conf_level, float_vector, wald_estimate
from infuse.stats.regression._linalg import (
    LEVERAGE_TOL,
    Covariance,
    FloatArray,
    as_design,
    coefficient_names,
    qr_fit,
)
from infuse.stats.regression.cluster_robust import CR2Parts, cluster_covariance, cr2_df
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "SE_TYPES",
    "OLSFit",
    "SEType",
    "coefficient_result",
    "fit_ols",
]

SE_TYPES: tuple[str, ...] = ("classical", "HC1", "HC2", "CR1", "CR2")
SEType = Literal["classical", "HC1", "HC2", "CR1", "CR2"]


@dataclass(frozen=True, init=False)
class OLSFit:
    """An OLS fit with one chosen variance estimator.

    Attributes
    ----------
    params : coefficient estimates, shape ``(p,)``.
    cov : estimated covariance matrix of ``params`` under ``se_type``, ``(p, p)``.
    std_errors : square roots of the diagonal of ``cov``.
    df : degrees of freedom of the t reference distribution for each coefficient: ``n - p``
        for classical/HC1/HC2, ``G - 1`` for CR1, Bell-McCaffrey Satterthwaite for CR2. Under
        CR2 the vector is computed on first access (then cached): with one dummy per unit it
        costs ``O(G p^2 min(G, p))``, while a single coefficient or contrast
        (:meth:`contrast_df`, :func:`coefficient_result`) costs ``O(n p + G p min(G, p))``.
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
    n: int
    n_clusters: int | None
    se_type: str
    conf_level: float
    names: tuple[str, ...]
    residual_df: int
    residual_variance: float
    warnings: tuple[StatWarning, ...] = ()
    _cr2: CR2Parts | None = field(default=None, repr=False, compare=False)
    _df: FloatArray | None = field(default=None, repr=False, compare=False)

    def __init__(
        self,
        params: FloatArray,
        cov: FloatArray,
        std_errors: FloatArray,
        df: ArrayLike | None,
        n: int,
        n_clusters: int | None,
        se_type: str,
        conf_level: float,
        names: tuple[str, ...],
        residual_df: int,
        residual_variance: float,
        warnings: tuple[StatWarning, ...] = (),
        _cr2: CR2Parts | None = None,
    ) -> None:
        """Same signature as before ``df`` became lazy; ``df=None`` needs ``_cr2``."""
        if df is None and _cr2 is None:
            raise ValueError("df is required unless CR2 parts are given to compute it")
        values = {
            "params": params,
            "cov": cov,
            "std_errors": std_errors,
            "n": n,
            "n_clusters": n_clusters,
            "se_type": se_type,
            "conf_level": conf_level,
            "names": names,
            "residual_df": residual_df,
            "residual_variance": residual_variance,
            "warnings": warnings,
            "_cr2": _cr2,
            "_df": None if df is None else np.asarray(df, dtype=np.float64),
        }
        for key, value in values.items():
            object.__setattr__(self, key, value)

    @property
    def df(self) -> FloatArray:
        """Degrees of freedom per coefficient (see the class docstring); cached when lazy."""
        if self._df is None:
            assert self._cr2 is not None
            # Idempotent, so a race between threads only repeats work.
            object.__setattr__(self, "_df", cr2_df(self._cr2, np.eye(len(self.params))))
        assert self._df is not None
        return self._df

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
        which needs only ``p x p`` (or ``n_g x n_g``) blocks per cluster and no ``G x G``
        matrix beyond one contrast's ``B M B'`` when ``G < p``. Only this contrast is computed,
        not the df of every coefficient.
        """
        c = _as_contrast(contrast, len(self.params))
        if self._cr2 is None:
            nonzero = np.flatnonzero(c)
            # Classical/HC/CR1 use one df for every coefficient; a contrast inherits it.
            return float(self.df[nonzero[0]]) if nonzero.size else float(self.df[0])
        return float(cr2_df(self._cr2, c[:, None])[0])

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


def _as_contrast(contrast: ArrayLike, p: int) -> FloatArray:
    c = np.asarray(contrast, dtype=np.float64)
    if c.ndim != 1 or c.shape[0] != p:
        raise ValueError(f"contrast must be a vector of length {p}, got shape {c.shape}")
    if not np.all(np.isfinite(c)) or not np.any(c):
        raise ValueError("contrast must be finite and not all zero")
    return c


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
    check_conf_level(conf_level)
    yv = float_vector(y, "y", squeeze=True)
    n = yv.shape[0]
    Xm, column_names = as_design(X, n)
    p = Xm.shape[1]
    se_type = _checked_se_type(se_type, cluster)
    if n <= p:
        raise ValueError(f"need more observations ({n}) than coefficients ({p})")
    coef_names = coefficient_names(names, column_names, p)
    if len(coef_names) != p:
        raise ValueError(f"{len(coef_names)} names given for {p} coefficients")
    params, resid, bread, r_inv, q = qr_fit(yv, Xm)
    sigma2 = float(resid @ resid) / (n - p)
    if cluster is not None and se_type in ("CR1", "CR2"):
        variance = cluster_covariance(se_type, Xm, resid, bread, r_inv, q, cluster)
    else:
        variance = _independent_covariance(se_type, Xm, resid, bread, q, sigma2)
    cov = (variance.cov + variance.cov.T) / 2.0
    return OLSFit(
        params=params,
        cov=cov,
        std_errors=np.sqrt(np.clip(np.diag(cov), 0.0, None)),
        df=variance.df,
        n=n,
        n_clusters=variance.n_clusters,
        se_type=se_type,
        conf_level=conf_level,
        names=coef_names,
        residual_df=n - p,
        residual_variance=sigma2,
        warnings=variance.warnings,
        _cr2=variance.cr2,
    )


def _checked_se_type(se_type: SEType | None, cluster: ArrayLike | None) -> SEType:
    """The variance estimator asked for; by default CR2 with clusters, HC2 without."""
    if se_type is None:
        se_type = "CR2" if cluster is not None else "HC2"
    if se_type not in SE_TYPES:
        raise ValueError(f"se_type must be one of {SE_TYPES}, got {se_type!r}")
    if se_type in ("CR1", "CR2") and cluster is None:
        raise ValueError(f"se_type={se_type!r} needs cluster labels")
    return se_type


def _independent_covariance(
    se_type: str,
    X: FloatArray,
    resid: FloatArray,
    bread: FloatArray,
    q: FloatArray,
    sigma2: float,
) -> Covariance:
    """Classical, HC1 or HC2 covariance, all with ``n - p`` degrees of freedom."""
    n, p = X.shape
    df = np.full(p, float(n - p))
    if se_type == "classical":
        return Covariance(sigma2 * bread, df)
    weights, warnings = _hc_weights(se_type, resid, q, n / (n - p))
    meat = (X * weights[:, None]).T @ X
    return Covariance(bread @ meat @ bread, df, warnings)


def _hc_weights(
    se_type: str, resid: FloatArray, q: FloatArray, hc1_scale: float
) -> tuple[FloatArray, tuple[StatWarning, ...]]:
    """Weights of ``X'diag(w)X``: ``e^2 n/(n-p)`` (HC1) or ``e^2/(1 - h)`` (HC2).

    Observations with leverage 1 carry no residual information; HC2 gives them weight 0 (the
    generalised inverse) and says so.
    """
    if se_type == "HC1":
        return resid**2 * hc1_scale, ()
    one_minus = 1.0 - np.einsum("ij,ij->i", q, q)
    hit = one_minus < LEVERAGE_TOL
    warnings: tuple[StatWarning, ...] = ()
    if np.any(hit):
        warnings = (
            StatWarning(
                "leverage_one",
                f"{int(hit.sum())} observation(s) have leverage 1; their HC2 weight "
                "uses the generalised inverse (they carry no residual information)",
            ),
        )
    return np.where(hit, 0.0, resid**2 / np.where(hit, 1.0, one_minus)), warnings


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
    c, label = _contrast_and_label(fit, index_or_contrast)
    estimate = float(c @ fit.params)
    se = math.sqrt(max(float(c @ fit.cov @ c), 0.0))
    df = fit.contrast_df(c)
    warns = list(fit.warnings)
    if not se > 0.0:
        warns.append(StatWarning("zero_variance", "standard error is zero: no residual variation"))
    return wald_estimate(
        estimate,
        se,
        df=df,
        conf_level=fit.conf_level,
        null_value=null_value,
        method=method,
        effect_measure=effect_measure,
        n_units=fit.n,
        n_clusters=fit.n_clusters,
        assumptions=(*_SE_ASSUMPTIONS[fit.se_type], *assumptions),
        warnings=tuple(warns),
        extra={
            "coefficient": label,
            "se_type": fit.se_type,
            "null_value": null_value,
            **(extra or {}),
        },
    )


def _contrast_and_label(
    fit: OLSFit, index_or_contrast: int | str | ArrayLike
) -> tuple[FloatArray, Any]:
    """The contrast vector ``c`` and how to name it (the coefficient's name, or ``c`` itself)."""
    if isinstance(index_or_contrast, str | int | np.integer):
        key = index_or_contrast if isinstance(index_or_contrast, str) else int(index_or_contrast)
        c = np.zeros(len(fit.params))
        c[fit.index_of(key)] = 1.0
        return c, fit.names[fit.index_of(key)]
    c = _as_contrast(index_or_contrast, len(fit.params))
    return c, c.tolist()


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
