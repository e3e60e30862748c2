"""The built-in simulation designs: trials drawn in whole batches from their sufficient statistics.

Individual continuous and binary, parallel cluster and stepped-wedge trials, each with the
analysis the closed forms assume; ``simulate_p_values(rng, n, analysis)`` draws ``n`` trials'
sufficient statistics (arm means and variances, cluster means, cluster-period means) at once,
so 10,000 trials take milliseconds. Run them with
:func:`infuse.stats.power.simulation.simulate_power`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
from scipy import stats

from infuse.stats._common import FloatArray
from infuse.stats.power.stepped_wedge import SteppedWedgeSchedule, stepped_wedge_schedule

__all__ = [
    "ClusterBinaryDesign",
    "ClusterContinuousDesign",
    "IndividualBinaryDesign",
    "IndividualContinuousDesign",
    "SteppedWedgeDesign",
    "stepped_wedge_fixed_effects_batch",
    "stepped_wedge_gls_batch",
]


def _check_positive_int(name: str, value: int, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_positive_number(name: str, value: float) -> None:
    if not isinstance(value, int | float | np.integer | np.floating) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")


def _check_clusters(n_clusters_per_arm: int, cluster_size: int) -> None:
    _check_positive_int("n_clusters_per_arm", n_clusters_per_arm, 2)
    _check_positive_int("cluster_size", cluster_size)


def _check_icc(icc: float) -> None:
    if not 0.0 <= icc < 1.0:
        raise ValueError("icc must be in [0, 1)")


def _t_pvalue(t: FloatArray, df: float | FloatArray) -> FloatArray:
    return np.asarray(2.0 * stats.t.sf(np.abs(t), df))


class _FieldParameters:
    """``parameters()`` of a design whose parameters are its fields (but the name)."""

    __slots__ = ()

    def parameters(self) -> dict[str, Any]:
        """The design's parameters."""
        return {k: v for k, v in asdict(cast(Any, self)).items() if k != "name"}


@dataclass(frozen=True, slots=True)
class IndividualContinuousDesign(_FieldParameters):
    """Two-arm individually randomised trial with a normal outcome.

    Analysis ``"t_test"``: pooled-variance two-sample t test. The batch path draws each
    trial's sufficient statistics exactly: arm means ``N(mu, sd^2 / n)`` and pooled variance
    ``sd^2 chi^2_{n_c + n_t - 2} / (n_c + n_t - 2)``, independent of the means.
    """

    n_control: int
    n_treatment: int
    effect: float
    sd: float = 1.0
    mean_control: float = 0.0
    name: str = "individual_continuous"

    def __post_init__(self) -> None:
        _check_positive_int("n_control", self.n_control, 2)
        _check_positive_int("n_treatment", self.n_treatment, 2)
        _check_positive_number("sd", self.sd)

    @property
    def values_per_trial(self) -> int:
        """Random values one simulated trial draws on the vectorised path (two arm means and
        a pooled variance): what a chunk's memory grows with."""
        return 3

    def generate(self, rng: np.random.Generator) -> dict[str, FloatArray]:
        """One trial: ``{"outcome", "treatment"}`` (treatment 0/1)."""
        z = np.repeat([0.0, 1.0], [self.n_control, self.n_treatment])
        y = rng.normal(self.mean_control + self.effect * z, self.sd)
        return {"outcome": y, "treatment": z}

    def simulate_p_values(self, rng: np.random.Generator, n: int, analysis: str) -> FloatArray:
        """Vectorised p-values of ``n`` trials."""
        if analysis not in ("t_test", "default"):
            raise ValueError(f"unknown analysis {analysis!r} for {self.name}; use 't_test'")
        n_c, n_t = self.n_control, self.n_treatment
        df = n_c + n_t - 2
        mean_c = rng.normal(self.mean_control, self.sd / math.sqrt(n_c), n)
        mean_t = rng.normal(self.mean_control + self.effect, self.sd / math.sqrt(n_t), n)
        pooled_var = self.sd**2 * rng.chisquare(df, n) / df
        t = (mean_t - mean_c) / np.sqrt(pooled_var * (1 / n_c + 1 / n_t))
        return _t_pvalue(t, df)


@dataclass(frozen=True, slots=True)
class IndividualBinaryDesign(_FieldParameters):
    """Two-arm individually randomised trial with a binary outcome.

    Analysis ``"z_test"``: two-proportion z test with the pooled variance under the null
    (the test behind :func:`~infuse.stats.power.two_arm.power_two_proportions`). A trial with no
    events or no non-events at all gives p = 1.
    """

    n_control: int
    n_treatment: int
    p_control: float
    p_treatment: float
    name: str = "individual_binary"

    def __post_init__(self) -> None:
        _check_positive_int("n_control", self.n_control)
        _check_positive_int("n_treatment", self.n_treatment)
        for name in ("p_control", "p_treatment"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")

    @property
    def values_per_trial(self) -> int:
        """Random values one simulated trial draws on the vectorised path (two event counts)."""
        return 2

    def generate(self, rng: np.random.Generator) -> dict[str, FloatArray]:
        """One trial: ``{"outcome", "treatment"}`` (both 0/1)."""
        z = np.repeat([0.0, 1.0], [self.n_control, self.n_treatment])
        y = (rng.random(z.size) < np.where(z == 1, self.p_treatment, self.p_control)).astype(float)
        return {"outcome": y, "treatment": z}

    def simulate_p_values(self, rng: np.random.Generator, n: int, analysis: str) -> FloatArray:
        """Vectorised p-values of ``n`` trials."""
        if analysis not in ("z_test", "default"):
            raise ValueError(f"unknown analysis {analysis!r} for {self.name}; use 'z_test'")
        n_c, n_t = self.n_control, self.n_treatment
        x_c = rng.binomial(n_c, self.p_control, n)
        x_t = rng.binomial(n_t, self.p_treatment, n)
        pooled = (x_c + x_t) / (n_c + n_t)
        se = np.sqrt(pooled * (1 - pooled) * (1 / n_c + 1 / n_t))
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(se > 0, (x_t / n_t - x_c / n_c) / se, 0.0)
        return np.asarray(2.0 * stats.norm.sf(np.abs(z)))


@dataclass(frozen=True, slots=True)
class ClusterContinuousDesign(_FieldParameters):
    """Parallel cluster-randomised trial, normal outcome, equal cluster sizes.

    Model: ``y_ik = mu + theta z_i + a_i + e_ik`` with ``a_i ~ N(0, icc * total_variance)``
    and ``e_ik ~ N(0, (1 - icc) * total_variance)``. Analysis ``"cluster_t_test"``: two-sample
    t test on cluster means with ``2 (k - 1)`` df (Donner & Klar 2000); the batch path draws the
    cluster means exactly, ``N(mu + theta z, tau^2 + sigma^2 / m)``.
    """

    n_clusters_per_arm: int
    cluster_size: int
    effect: float
    icc: float
    total_variance: float = 1.0
    name: str = "cluster_continuous"

    def __post_init__(self) -> None:
        _check_clusters(self.n_clusters_per_arm, self.cluster_size)
        _check_positive_number("total_variance", self.total_variance)
        _check_icc(self.icc)

    @property
    def values_per_trial(self) -> int:
        """Random values one simulated trial draws on the vectorised path (a mean per cluster)."""
        return 2 * self.n_clusters_per_arm

    def generate(self, rng: np.random.Generator) -> dict[str, FloatArray]:
        """One trial at individual level: ``{"outcome", "treatment", "cluster"}``."""
        k, m = self.n_clusters_per_arm, self.cluster_size
        tau2 = self.icc * self.total_variance
        sigma2 = (1.0 - self.icc) * self.total_variance
        cluster = np.repeat(np.arange(2 * k), m).astype(float)
        z_cluster = np.repeat([0.0, 1.0], k)
        a = rng.normal(0.0, math.sqrt(tau2), 2 * k)
        idx = cluster.astype(int)
        y = self.effect * z_cluster[idx] + a[idx] + rng.normal(0.0, math.sqrt(sigma2), idx.size)
        return {"outcome": y, "treatment": z_cluster[idx], "cluster": cluster}

    def simulate_p_values(self, rng: np.random.Generator, n: int, analysis: str) -> FloatArray:
        """Vectorised p-values of ``n`` trials."""
        if analysis not in ("cluster_t_test", "default"):
            raise ValueError(f"unknown analysis {analysis!r} for {self.name}")
        k, m = self.n_clusters_per_arm, self.cluster_size
        sd_mean = math.sqrt(self.total_variance * (self.icc + (1.0 - self.icc) / m))
        means = rng.normal(0.0, sd_mean, (n, 2, k))
        means[:, 1, :] += self.effect
        arm_mean = means.mean(axis=2)
        pooled = means.var(axis=2, ddof=1).mean(axis=1)
        t = (arm_mean[:, 1] - arm_mean[:, 0]) / np.sqrt(pooled * 2.0 / k)
        return _t_pvalue(t, 2 * (k - 1))


@dataclass(frozen=True, slots=True)
class ClusterBinaryDesign(_FieldParameters):
    """Parallel cluster-randomised trial, binary outcome, equal cluster sizes.

    Model: cluster risks ``p_i ~ Beta`` with mean ``p_control`` / ``p_treatment`` and
    intracluster correlation ``icc`` (beta-binomial: ``icc = 1 / (a + b + 1)``), then
    ``Binomial(m, p_i)`` events per cluster. Analysis ``"cluster_t_test"``: two-sample t test on
    cluster proportions with ``2 (k - 1)`` df, the analysis behind
    :func:`~infuse.stats.power.cluster.power_cluster_proportions` (Donner & Klar 2000). A trial
    whose cluster proportions do not vary at all gives p = 1.
    """

    n_clusters_per_arm: int
    cluster_size: int
    p_control: float
    p_treatment: float
    icc: float
    name: str = "cluster_binary"

    def __post_init__(self) -> None:
        _check_clusters(self.n_clusters_per_arm, self.cluster_size)
        for name in ("p_control", "p_treatment"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be strictly between 0 and 1")
        _check_icc(self.icc)

    def _cluster_risks(self, rng: np.random.Generator, shape: tuple[int, ...]) -> FloatArray:
        means = np.where(np.arange(2)[:, None] == 1, self.p_treatment, self.p_control)
        means = np.broadcast_to(means, (*shape[:-2], 2, shape[-1]))
        if self.icc == 0:
            return np.asarray(means, dtype=float)
        concentration = 1.0 / self.icc - 1.0  # a + b
        return rng.beta(means * concentration, (1.0 - means) * concentration)

    @property
    def values_per_trial(self) -> int:
        """Random values one simulated trial draws on the vectorised path (a risk and a count
        per cluster)."""
        return 4 * self.n_clusters_per_arm

    def generate(self, rng: np.random.Generator) -> dict[str, FloatArray]:
        """One trial at individual level: ``{"outcome", "treatment", "cluster"}``."""
        k, m = self.n_clusters_per_arm, self.cluster_size
        risks = self._cluster_risks(rng, (2, k)).ravel()
        cluster = np.repeat(np.arange(2 * k), m)
        y = (rng.random(cluster.size) < risks[cluster]).astype(float)
        return {
            "outcome": y,
            "treatment": (cluster >= k).astype(float),
            "cluster": cluster.astype(float),
        }

    def simulate_p_values(self, rng: np.random.Generator, n: int, analysis: str) -> FloatArray:
        """Vectorised p-values of ``n`` trials."""
        if analysis not in ("cluster_t_test", "default"):
            raise ValueError(f"unknown analysis {analysis!r} for {self.name}")
        k, m = self.n_clusters_per_arm, self.cluster_size
        props = rng.binomial(m, self._cluster_risks(rng, (n, 2, k))) / m
        diff = props[:, 1, :].mean(axis=1) - props[:, 0, :].mean(axis=1)
        se = np.sqrt(props.var(axis=2, ddof=1).mean(axis=1) * 2.0 / k)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(se > 0, diff / se, 0.0)
        return _t_pvalue(t, 2 * (k - 1))


def stepped_wedge_gls_batch(
    y: FloatArray, x: FloatArray, sigma2_mean: float, tau2: float
) -> tuple[FloatArray, float]:
    """GLS treatment estimates for a batch of stepped-wedge trials, variance components known.

    Parameters
    ----------
    y : ``(n_trials, I, T)`` cluster-period means.
    x : ``(I, T)`` 0/1 treatment schedule.
    sigma2_mean : variance of a cluster-period mean around its cluster's level (sigma_e^2 / N).
    tau2 : between-cluster variance.

    Returns
    -------
    (estimates, variance): the ``n_trials`` estimates and their common variance, which equals
    Hussey & Hughes' (2007) closed form.

    Notes
    -----
    With period fixed effects and a random cluster intercept the model for cluster ``i`` is
    ``y_i = Z_i beta + e_i`` with ``Cov(e_i) = V = sigma^2 I + tau^2 J``. The GLS estimator is
    linear in the data, ``theta_hat = sum_i w_i' y_i`` with ``w_i`` the treatment row of
    ``(sum_i Z_i' V^-1 Z_i)^-1 Z_i' V^-1``, so a whole batch is one ``einsum``.
    """
    n_clusters, n_periods = x.shape
    v_inv = (
        np.eye(n_periods) - tau2 / (sigma2_mean + n_periods * tau2) * np.ones((n_periods,) * 2)
    ) / sigma2_mean
    z = np.concatenate(
        [np.broadcast_to(np.eye(n_periods), (n_clusters, n_periods, n_periods)), x[:, :, None]],
        axis=2,
    )  # (I, T, T+1)
    zv = np.einsum("itp,ts->isp", z, v_inv)  # V^-1 Z_i
    info = np.einsum("itp,itq->pq", zv, z)
    cov = np.linalg.inv(info)
    weights = np.einsum("q,itq->it", cov[-1], zv)  # treatment row of (Z'V^-1Z)^-1 Z'V^-1
    return np.einsum("bit,it->b", y, weights), float(cov[-1, -1])


def stepped_wedge_fixed_effects_batch(
    y: FloatArray, x: FloatArray
) -> tuple[FloatArray, FloatArray, int]:
    """OLS with cluster and period fixed effects on cluster-period means, for a batch.

    Parameters
    ----------
    y : ``(n_trials, I, T)`` cluster-period means; ``x`` : ``(I, T)`` 0/1 schedule.

    Returns
    -------
    (estimates, standard errors, residual df) with ``df = (I - 1)(T - 1) - 1``.

    Notes
    -----
    Frisch-Waugh-Lovell on a balanced panel: two-way demeaning removes the cluster and period
    effects, ``x~ = x - xbar_i. - xbar_.j + xbar_..``, then ``theta_hat = sum x~ y / sum x~^2``
    and ``s^2`` is the residual sum of squares of the demeaned ``y`` over the df. The same
    numbers as statsmodels OLS with cluster and period dummies (checked in the tests).
    """
    n_clusters, n_periods = x.shape
    df = (n_clusters - 1) * (n_periods - 1) - 1
    if df < 1:
        raise ValueError("too few cluster-periods for cluster and period fixed effects")
    xt = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean()
    sxx = float((xt**2).sum())
    if sxx <= 0:
        raise ValueError("the schedule has no treatment contrast after fixed effects")
    yt = y - y.mean(axis=2, keepdims=True) - y.mean(axis=1, keepdims=True)
    yt += y.mean(axis=(1, 2), keepdims=True)
    theta = np.einsum("bit,it->b", yt, xt) / sxx
    resid = yt - theta[:, None, None] * xt[None, :, :]
    s2 = np.einsum("bit,bit->b", resid, resid) / df
    return theta, np.sqrt(s2 / sxx), df


@dataclass(frozen=True, slots=True)
class SteppedWedgeDesign:
    """Cross-sectional stepped-wedge trial (Hussey & Hughes 2007 model).

    Model for the mean of cluster ``i`` in period ``j`` (``N`` people each):
    ``ybar_ij = mu + beta_j + theta x_ij + a_i + ebar_ij``, ``a_i ~ N(0, tau^2)``,
    ``ebar_ij ~ N(0, sigma_e^2 / N)``. For ``outcome="binary"`` the cluster-period proportion is
    ``Binomial(N, p_ij) / N`` with ``p_ij = p_control + beta_j + theta x_ij + a_i`` clipped to
    [0, 1] (the linear-probability model of Hussey & Hughes' binary example).

    Analyses
    --------
    ``"gls"`` (default): GLS with known variance components and a z test, the analysis whose
    power the Hussey-Hughes closed form gives (:func:`stepped_wedge_gls_batch`).
    ``"fixed_effects"``: OLS on cluster-period means with cluster and period fixed effects and
    a t test with ``(I - 1)(T - 1) - 1`` df (:func:`stepped_wedge_fixed_effects_batch`).
    """

    schedule: SteppedWedgeSchedule
    cluster_period_size: int
    effect: float
    within_cluster_variance: float = 1.0
    between_cluster_variance: float = 0.0
    period_effects: tuple[float, ...] | None = None
    outcome: Literal["continuous", "binary"] = "continuous"
    p_control: float | None = None
    name: str = "stepped_wedge"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, SteppedWedgeSchedule):
            raise TypeError("schedule must be a SteppedWedgeSchedule")
        _check_positive_int("cluster_period_size", self.cluster_period_size)
        if self.between_cluster_variance < 0:
            raise ValueError("between_cluster_variance must be non-negative")
        if self.outcome == "continuous":
            _check_positive_number("within_cluster_variance", self.within_cluster_variance)
        elif self.outcome == "binary":
            if self.p_control is None or not 0.0 < self.p_control < 1.0:
                raise ValueError("a binary stepped wedge needs p_control in (0, 1)")
        else:
            raise ValueError("outcome must be 'continuous' or 'binary'")
        if self.period_effects is not None and len(self.period_effects) != self.schedule.n_periods:
            raise ValueError("period_effects needs one value per period")

    @classmethod
    def standard(
        cls, n_clusters: int, n_steps: int, *, n_periods: int | None = None, **kwargs: Any
    ) -> SteppedWedgeDesign:
        """Design on the standard schedule from :func:`stepped_wedge_schedule`."""
        return cls(
            schedule=stepped_wedge_schedule(n_clusters, n_steps, n_periods=n_periods), **kwargs
        )

    def parameters(self) -> dict[str, Any]:
        """The design's parameters (the schedule as its matrix)."""
        out = {k: v for k, v in asdict(self).items() if k not in ("name", "schedule")}
        out["schedule"] = [list(r) for r in self.schedule.matrix]
        return out

    def _sigma2_individual(self) -> float:
        if self.outcome == "binary":
            assert self.p_control is not None
            pbar = self.p_control + self.effect / 2.0
            return pbar * (1.0 - pbar)
        return float(self.within_cluster_variance)

    def _means(self, rng: np.random.Generator, n: int) -> FloatArray:
        x = self.schedule.as_array().astype(float)
        n_clusters, n_periods = x.shape
        beta = (
            np.zeros(n_periods) if self.period_effects is None else np.asarray(self.period_effects)
        )
        a = rng.normal(0.0, math.sqrt(self.between_cluster_variance), (n, n_clusters, 1))
        if self.outcome == "binary":
            assert self.p_control is not None
            p = np.clip(self.p_control + beta[None, None, :] + self.effect * x[None] + a, 0.0, 1.0)
            counts = rng.binomial(self.cluster_period_size, p)
            return np.asarray(counts / self.cluster_period_size, dtype=float)
        noise = rng.normal(
            0.0,
            math.sqrt(self.within_cluster_variance / self.cluster_period_size),
            (n, n_clusters, n_periods),
        )
        return np.asarray(beta[None, None, :] + self.effect * x[None] + a + noise)

    @property
    def values_per_trial(self) -> int:
        """Random values one simulated trial draws on the vectorised path (a mean per cluster
        and period, and an effect per cluster)."""
        n_clusters, n_periods = self.schedule.as_array().shape
        return n_clusters * (n_periods + 1)

    def generate(self, rng: np.random.Generator) -> dict[str, FloatArray]:
        """One trial as a long table of cluster-period means.

        Keys ``cluster``, ``period``, ``treated``, ``mean`` and ``n`` (people per cell).
        """
        y = self._means(rng, 1)[0]
        n_clusters, n_periods = y.shape
        cluster, period = np.meshgrid(np.arange(n_clusters), np.arange(n_periods), indexing="ij")
        return {
            "cluster": cluster.ravel().astype(float),
            "period": period.ravel().astype(float),
            "treated": self.schedule.as_array().ravel().astype(float),
            "mean": y.ravel(),
            "n": np.full(y.size, float(self.cluster_period_size)),
        }

    def simulate_p_values(self, rng: np.random.Generator, n: int, analysis: str) -> FloatArray:
        """Vectorised p-values of ``n`` trials."""
        y = self._means(rng, n)
        x = self.schedule.as_array().astype(float)
        if analysis in ("gls", "default"):
            sigma2_mean = self._sigma2_individual() / self.cluster_period_size
            theta, var = stepped_wedge_gls_batch(y, x, sigma2_mean, self.between_cluster_variance)
            return np.asarray(2.0 * stats.norm.sf(np.abs(theta) / math.sqrt(var)))
        if analysis == "fixed_effects":
            theta, se, df = stepped_wedge_fixed_effects_batch(y, x)
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(se > 0, theta / se, 0.0)
            return _t_pvalue(t, df)
        raise ValueError(f"unknown analysis {analysis!r} for {self.name}; 'gls' or 'fixed_effects'")
