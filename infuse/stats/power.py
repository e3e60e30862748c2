"""Power, sample size and minimum detectable effect for trial designs.

Why this module exists: a council trial is usually small and clustered, so the
question "how many wards (or councils) do we need?" has to be answered with the
clustering and the few-cluster degrees of freedom built in, not with the
individual-level normal formula that overstates power.

Every calculator solves for whichever one of effect, sample size or power is
left as ``None`` and returns a :class:`PowerResult` that records the inputs, the
design effect, the degrees of freedom and the assumptions behind the number.

References
----------
- Cohen J (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.
- Fleiss JL, Levin B, Paik MC (2003). *Statistical Methods for Rates and Proportions*, 3rd ed.
- Donner A, Klar N (2000). *Design and Analysis of Cluster Randomization Trials in Health
  Research*. Arnold.
- Eldridge SM, Ashby D, Kerry S (2006). Sample size for cluster randomized trials: effect of
  coefficient of variation of cluster size and analysis method. *Int J Epidemiol* 35:1292-1300.
- van Breukelen GJP, Candel MJJM, Berger MPF (2007). Relative efficiency of unequal versus
  equal cluster sizes in cluster randomized and multicentre trials. *Stat Med* 26:2589-2603.
- Hussey MA, Hughes JP (2007). Design and analysis of stepped wedge cluster randomized trials.
  *Contemp Clin Trials* 28:182-191.
- Woertman W, de Hoop E, Moerbeek M, et al. (2013). Stepped wedge designs could reduce the
  required sample size in cluster randomized trials. *J Clin Epidemiol* 66:752-758.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from infuse.stats.results import StatWarning, json_ready

__all__ = [
    "PowerResult",
    "SteppedWedgeSchedule",
    "cluster_design_effect",
    "power_cluster_means",
    "power_cluster_proportions",
    "power_stepped_wedge",
    "power_two_means",
    "power_two_proportions",
    "stepped_wedge_schedule",
    "stepped_wedge_variance",
]

#: Fewer clusters than this in total and the design earns a ``few_clusters`` warning.
FEW_CLUSTERS = 20


@dataclass(frozen=True, slots=True)
class PowerResult:
    """The answer of a power calculation and everything needed to reproduce it.

    Attributes
    ----------
    method : stable identifier of the calculation, e.g. ``"cluster_means_t"``.
    solved_for : which quantity was solved for (``"power"``, ``"effect"``, a size name).
    power : power at the (possibly solved) design.
    effect : effect on the outcome scale (difference in means or in proportions).
    alpha : two-sided type I error rate.
    sample_size : design sizes used; a solved size is the exact (fractional) root.
    sample_size_rounded_up : solved sizes rounded up to whole units (empty otherwise).
    std_error : standard error of the effect estimate under the design.
    df : degrees of freedom of the reference t distribution (``None`` for normal).
    design_effect : variance inflation relative to individual randomisation, if defined.
    parameters : all other inputs (variances, ICC, CV, proportions...).
    assumptions : plain statements of what the calculation assumes.
    warnings : design conditions that weaken the answer.
    """

    method: str
    solved_for: str
    power: float
    effect: float
    alpha: float
    sample_size: dict[str, float]
    std_error: float
    df: float | None = None
    design_effect: float | None = None
    sample_size_rounded_up: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        result: dict[str, Any] = json_ready(asdict(self))
        return result


# ---------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be a number strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def _check_target_power(power: float | None) -> None:
    if power is not None and not 0.0 < float(power) < 1.0:
        raise ValueError(f"power must be strictly between 0 and 1, got {power!r}")


def _positive(name: str, value: float | None, *, allow_none: bool = True) -> None:
    if value is None:
        if not allow_none:
            raise ValueError(f"{name} is required")
        return
    if not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not float(value) > 0.0 or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _exactly_one_missing(**named: object) -> str:
    missing = [name for name, value in named.items() if value is None]
    if len(missing) != 1:
        raise ValueError(
            "exactly one of " + ", ".join(named) + " must be None (the quantity to solve for); "
            f"got {len(missing)} missing: {missing}"
        )
    return missing[0]


def _t_power(ncp: float, df: float, alpha: float) -> float:
    """Power of a two-sided level-``alpha`` t test to reject in the direction of the effect.

    The statistic is noncentral t(df, ncp) with ``ncp >= 0``; power is ``P(T > t_{1-a/2})``.
    Rejections in the wrong direction are not counted as detecting the effect (they are
    below 1e-6 at any useful power); this is the convention of R's ``power.t.test`` and of
    ``clusterPower``, so published examples are reproduced digit for digit.
    """
    if math.isinf(df):
        return float(stats.norm.sf(float(stats.norm.isf(alpha / 2)) - ncp))
    tcrit = float(stats.t.isf(alpha / 2, df))
    value = float(stats.nct.sf(tcrit, df, ncp))
    if math.isnan(value):  # scipy's nct can fail far in the tail, where power is ~1
        value = float(stats.norm.sf(tcrit - ncp))
    return value


def _solve_increasing(
    func: Callable[[float], float], target: float, low: float, high: float, *, limit: float = 1e9
) -> float:
    """Root of ``func(x) = target`` for ``func`` increasing in ``x``; widens ``high`` if needed."""
    while func(high) < target:
        if high >= limit:
            raise ValueError("the target power cannot be reached within the search range")
        high = min(high * 4.0, limit)
    if func(low) >= target:
        return low
    return float(optimize.brentq(lambda x: func(x) - target, low, high, xtol=1e-10, rtol=1e-12))


def _few_clusters_warning(
    total_clusters: float, reference: Literal["t", "normal"] = "t"
) -> tuple[StatWarning, ...]:
    if total_clusters < FEW_CLUSTERS:
        basis = (
            "the t reference distribution and the ICC guess"
            if reference == "t"
            else "a normal approximation that ignores estimating the variance components; "
            "check the planned analysis by simulation"
        )
        return (
            StatWarning(
                "few_clusters",
                f"{total_clusters:g} clusters in total (fewer than {FEW_CLUSTERS}): power rests "
                f"on {basis}; plan randomisation inference for the analysis.",
            ),
        )
    return ()


# ---------------------------------------------------------------------------
# individually randomised trials
# ---------------------------------------------------------------------------


def power_two_means(
    *,
    effect: float | None = None,
    sd: float = 1.0,
    n_control: float | None = None,
    power: float | None = None,
    ratio: float = 1.0,
    alpha: float = 0.05,
) -> PowerResult:
    """Power, sample size or minimum detectable effect: two arms, continuous outcome.

    Exactly one of ``effect``, ``n_control`` and ``power`` is ``None`` and is solved for.

    Parameters
    ----------
    effect : difference in means (treatment minus control) on the outcome scale.
    sd : common within-arm standard deviation.
    n_control : number of units in the control arm; the treatment arm has ``ratio * n_control``.
    power : target power (when solving for ``effect`` or ``n_control``).
    ratio : allocation ratio n_treatment / n_control.
    alpha : two-sided type I error rate.

    Returns
    -------
    PowerResult with ``sample_size = {"n_control", "n_treatment"}`` and ``df = n_c + n_t - 2``.

    Notes
    -----
    The pooled-variance two-sample t statistic follows a noncentral t distribution with
    ``df = n_c + n_t - 2`` and noncentrality ``delta / (sd * sqrt(1/n_c + 1/n_t))``; power is
    the two-sided rejection probability in the direction of the effect (Cohen 1988, ch. 2).
    Using the t rather than the normal matters exactly where council trials live: small samples.
    """
    alpha = _check_alpha(alpha)
    _check_target_power(power)
    _positive("sd", sd, allow_none=False)
    _positive("ratio", ratio, allow_none=False)
    _positive("n_control", n_control)
    target = _exactly_one_missing(effect=effect, n_control=n_control, power=power)

    def power_at(delta: float, n_c: float) -> float:
        n_t = ratio * n_c
        se = sd * math.sqrt(1.0 / n_c + 1.0 / n_t)
        return _t_power(abs(delta) / se, n_c + n_t - 2.0, alpha)

    rounded: dict[str, int] = {}
    if target == "power":
        assert effect is not None and n_control is not None
        delta, n_c = float(effect), float(n_control)
    elif target == "effect":
        assert n_control is not None and power is not None
        n_c = float(n_control)
        delta = _solve_increasing(lambda d: power_at(d, n_c), power, 1e-12, 10.0 * sd)
    else:
        assert effect is not None and power is not None
        delta = float(effect)
        if delta == 0:
            raise ValueError("effect must be non-zero to solve for a sample size")
        n_c = _solve_increasing(lambda n: power_at(delta, n), power, 1.0 + 1.0 / ratio, 100.0)
        rounded = {"n_control": math.ceil(n_c - 1e-9), "n_treatment": math.ceil(ratio * n_c - 1e-9)}
    n_t = ratio * n_c
    if n_c + n_t - 2.0 <= 0:
        raise ValueError("the two arms need more than two units in total")
    return PowerResult(
        method="two_means_t",
        solved_for=target,
        power=power_at(delta, n_c),
        effect=delta,
        alpha=alpha,
        sample_size={"n_control": n_c, "n_treatment": n_t},
        sample_size_rounded_up=rounded,
        std_error=sd * math.sqrt(1.0 / n_c + 1.0 / n_t),
        df=n_c + n_t - 2.0,
        parameters={"sd": sd, "ratio": ratio},
        assumptions=(
            "Outcome is approximately normal with equal variance in both arms.",
            "Analysis is the pooled-variance two-sample t test, two-sided.",
        ),
    )


def power_two_proportions(
    *,
    p_control: float,
    p_treatment: float | None = None,
    n_control: float | None = None,
    power: float | None = None,
    ratio: float = 1.0,
    alpha: float = 0.05,
    direction: Literal["increase", "decrease"] = "increase",
) -> PowerResult:
    """Power, sample size or minimum detectable proportion for a two-arm binary outcome.

    Exactly one of ``p_treatment``, ``n_control`` and ``power`` is ``None``.

    Parameters
    ----------
    p_control, p_treatment : outcome proportions in each arm.
    n_control : units in the control arm; the treatment arm has ``ratio * n_control``.
    power : target power when solving for something else.
    ratio : allocation ratio n_treatment / n_control.
    alpha : two-sided type I error rate.
    direction : when solving for ``p_treatment``, whether it lies above or below ``p_control``.

    Notes
    -----
    Normal approximation to the two-proportion z test with the pooled variance under the null
    and the unpooled variance under the alternative (Fleiss, Levin & Paik 2003, eq. 4.14;
    the formula of R's ``power.prop.test`` for equal arms):

    ``power = Phi((|p_t - p_c| - z_{1-a/2} sqrt(pbar qbar (1/n_c + 1/n_t))) / sqrt(p_c q_c/n_c +
    p_t q_t/n_t))`` with ``pbar`` the size-weighted mean proportion (rejections in the wrong
    direction are not counted, as in ``power.prop.test``).
    """
    alpha = _check_alpha(alpha)
    _check_target_power(power)
    _positive("ratio", ratio, allow_none=False)
    _positive("n_control", n_control)
    for name, p in (("p_control", p_control), ("p_treatment", p_treatment)):
        if p is not None and not 0.0 < float(p) < 1.0:
            raise ValueError(f"{name} must be strictly between 0 and 1, got {p!r}")
    target = _exactly_one_missing(p_treatment=p_treatment, n_control=n_control, power=power)
    z = float(stats.norm.isf(alpha / 2))
    p_c = float(p_control)

    def power_at(p_t: float, n_c: float) -> float:
        n_t = ratio * n_c
        diff = abs(p_t - p_c)
        pbar = (n_c * p_c + n_t * p_t) / (n_c + n_t)
        se0 = math.sqrt(pbar * (1 - pbar) * (1 / n_c + 1 / n_t))
        se1 = math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
        return float(stats.norm.cdf((diff - z * se0) / se1))

    rounded: dict[str, int] = {}
    if target == "power":
        assert p_treatment is not None and n_control is not None
        p_t, n_c = float(p_treatment), float(n_control)
    elif target == "p_treatment":
        assert n_control is not None and power is not None
        n_c = float(n_control)
        if direction == "increase":
            p_t = p_c + _solve_increasing(
                lambda d: power_at(p_c + d, n_c), power, 1e-12, (1 - p_c) - 1e-12, limit=1 - p_c
            )
        elif direction == "decrease":
            p_t = p_c - _solve_increasing(
                lambda d: power_at(p_c - d, n_c), power, 1e-12, p_c - 1e-12, limit=p_c
            )
        else:
            raise ValueError("direction must be 'increase' or 'decrease'")
    else:
        assert p_treatment is not None and power is not None
        p_t = float(p_treatment)
        if p_t == p_c:
            raise ValueError("p_treatment must differ from p_control to solve for a sample size")
        n_c = _solve_increasing(lambda n: power_at(p_t, n), power, 1.0, 100.0)
        rounded = {"n_control": math.ceil(n_c - 1e-9), "n_treatment": math.ceil(ratio * n_c - 1e-9)}
    n_t = ratio * n_c
    warnings: tuple[StatWarning, ...] = ()
    if min(n_c * min(p_c, 1 - p_c), n_t * min(p_t, 1 - p_t)) < 5:
        warnings = (
            StatWarning(
                "normal_approximation_doubtful",
                "fewer than 5 expected events or non-events in an arm: the normal approximation "
                "behind this power may be poor; check by simulation.",
            ),
        )
    return PowerResult(
        method="two_proportions_z",
        solved_for=target,
        power=power_at(p_t, n_c),
        effect=p_t - p_c,
        alpha=alpha,
        sample_size={"n_control": n_c, "n_treatment": n_t},
        sample_size_rounded_up=rounded,
        std_error=math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t),
        parameters={"p_control": p_c, "p_treatment": p_t, "ratio": ratio},
        assumptions=(
            "Analysis is the two-proportion z test (pooled variance under the null), two-sided.",
            "Normal approximation to the binomial.",
        ),
        warnings=warnings,
    )


# ---------------------------------------------------------------------------
# parallel cluster-randomised trials
# ---------------------------------------------------------------------------


def cluster_design_effect(
    cluster_size: float,
    icc: float,
    cv: float = 0.0,
    method: Literal["eldridge", "taylor"] = "eldridge",
) -> float:
    """Variance inflation of a cluster-randomised trial relative to individual randomisation.

    Parameters
    ----------
    cluster_size : mean number of individuals per cluster, ``m``.
    icc : intracluster correlation ``rho``.
    cv : coefficient of variation of the cluster sizes (0 for equal sizes).
    method : ``"eldridge"`` or ``"taylor"`` (see Notes).

    Returns
    -------
    The design effect (>= 1 for ``rho >= 0``).

    Notes
    -----
    ``"eldridge"``: ``DE = 1 + ((cv^2 + 1) m - 1) rho`` (Eldridge, Ashby & Kerry 2006, eq. 4),
    exact for a cluster-size-weighted analysis and conservative for the efficient one.

    ``"taylor"``: ``DE = (1 + (m - 1) rho) / (1 - cv^2 L (1 - L))`` with
    ``L = m rho / (1 + (m - 1) rho)``, the second-order Taylor approximation of the relative
    efficiency of unequal versus equal cluster sizes for the mixed-model (efficient) analysis
    (van Breukelen, Candel & Berger 2007); this is ``clusterPower::cpa.normal``'s default.
    With ``cv = 0`` both reduce to the familiar ``1 + (m - 1) rho``.
    """
    _positive("cluster_size", cluster_size, allow_none=False)
    if not 0.0 <= icc < 1.0:
        raise ValueError(f"icc must be in [0, 1), got {icc!r}")
    if cv < 0:
        raise ValueError(f"cv must be non-negative, got {cv!r}")
    m = float(cluster_size)
    if method == "eldridge":
        return 1.0 + ((cv**2 + 1.0) * m - 1.0) * icc
    if method == "taylor":
        deff = 1.0 + (m - 1.0) * icc
        lam = m * icc / deff
        return deff / (1.0 - cv**2 * lam * (1.0 - lam))
    raise ValueError("method must be 'eldridge' or 'taylor'")


def _variance_components(
    icc: float | None,
    total_variance: float | None,
    between_cluster_variance: float | None,
    within_cluster_variance: float | None,
) -> tuple[float, float]:
    """Resolve (icc, total variance) from any two of the four variance descriptions."""
    given = {
        "icc": icc,
        "total_variance": total_variance,
        "between_cluster_variance": between_cluster_variance,
        "within_cluster_variance": within_cluster_variance,
    }
    supplied = [k for k, v in given.items() if v is not None]
    if len(supplied) != 2:
        raise ValueError(
            "give exactly two of icc, total_variance, between_cluster_variance and "
            f"within_cluster_variance; got {supplied}"
        )
    if icc is not None and not 0.0 <= icc < 1.0:
        raise ValueError(f"icc must be in [0, 1), got {icc!r}")
    for name in ("total_variance", "between_cluster_variance", "within_cluster_variance"):
        value = given[name]
        if value is not None and value < 0:
            raise ValueError(f"{name} must be non-negative")
    if icc is not None and total_variance is not None:
        return icc, total_variance
    if icc is not None and between_cluster_variance is not None:
        if icc == 0:
            raise ValueError("icc = 0 with a between-cluster variance does not fix the total")
        return icc, between_cluster_variance / icc
    if icc is not None and within_cluster_variance is not None:
        return icc, within_cluster_variance / (1.0 - icc)
    if total_variance is not None and between_cluster_variance is not None:
        return between_cluster_variance / total_variance, total_variance
    if total_variance is not None and within_cluster_variance is not None:
        return 1.0 - within_cluster_variance / total_variance, total_variance
    assert between_cluster_variance is not None and within_cluster_variance is not None
    total = between_cluster_variance + within_cluster_variance
    return between_cluster_variance / total, total


def power_cluster_means(
    *,
    effect: float | None = None,
    n_clusters_per_arm: float | None = None,
    cluster_size: float | None = None,
    power: float | None = None,
    icc: float | None = None,
    total_variance: float | None = None,
    between_cluster_variance: float | None = None,
    within_cluster_variance: float | None = None,
    cv: float = 0.0,
    unequal_size_method: Literal["eldridge", "taylor"] = "eldridge",
    alpha: float = 0.05,
) -> PowerResult:
    """Power, clusters, cluster size or minimum detectable effect for a parallel cluster trial.

    Exactly one of ``effect``, ``n_clusters_per_arm``, ``cluster_size`` and ``power`` is ``None``.
    Variances: give exactly two of ``icc``, ``total_variance``, ``between_cluster_variance`` and
    ``within_cluster_variance``.

    Parameters
    ----------
    effect : difference in means.
    n_clusters_per_arm : clusters in each arm, ``k``.
    cluster_size : mean individuals per cluster, ``m``.
    power : target power when solving for something else.
    cv : coefficient of variation of cluster sizes.
    unequal_size_method : design-effect formula for unequal sizes (:func:`cluster_design_effect`).
    alpha : two-sided type I error rate.

    Notes
    -----
    The test is a t test with ``df = 2 (k - 1)`` (the cluster-level degrees of freedom) and
    noncentrality ``ncp = |d| / sqrt(2 sigma^2 DE / (k m))`` where ``sigma^2`` is the total
    variance and ``DE`` the design effect (Donner & Klar 2000, ch. 5). This is the formula of
    ``clusterPower::cpa.normal``; its documented example (16 clusters per arm, 10 per cluster,
    ``d = 1``, ICC 0.1, total variance 5) gives power 0.8018.
    """
    alpha = _check_alpha(alpha)
    _check_target_power(power)
    _positive("n_clusters_per_arm", n_clusters_per_arm)
    _positive("cluster_size", cluster_size)
    rho, var_total = _variance_components(
        icc, total_variance, between_cluster_variance, within_cluster_variance
    )
    if var_total <= 0:
        raise ValueError("the total variance must be positive")
    target = _exactly_one_missing(
        effect=effect, n_clusters_per_arm=n_clusters_per_arm, cluster_size=cluster_size, power=power
    )

    def se_at(k: float, m: float) -> float:
        deff = cluster_design_effect(m, rho, cv, unequal_size_method)
        return math.sqrt(2.0 * var_total * deff / (k * m))

    def power_at(d: float, k: float, m: float) -> float:
        return _t_power(abs(d) / se_at(k, m), 2.0 * (k - 1.0), alpha)

    rounded: dict[str, int] = {}
    if target == "power":
        assert effect is not None and n_clusters_per_arm is not None and cluster_size is not None
        d, k, m = float(effect), float(n_clusters_per_arm), float(cluster_size)
    elif target == "effect":
        assert n_clusters_per_arm is not None and cluster_size is not None and power is not None
        k, m = float(n_clusters_per_arm), float(cluster_size)
        d = _solve_increasing(
            lambda x: power_at(x, k, m), power, 1e-12, 10.0 * math.sqrt(var_total)
        )
    elif target == "n_clusters_per_arm":
        assert effect is not None and cluster_size is not None and power is not None
        d, m = float(effect), float(cluster_size)
        k = _solve_increasing(lambda x: power_at(d, x, m), power, 1.5, 50.0)
        rounded = {"n_clusters_per_arm": math.ceil(k - 1e-9)}
    else:
        assert effect is not None and n_clusters_per_arm is not None and power is not None
        d, k = float(effect), float(n_clusters_per_arm)
        # Power plateaus as m grows (the ICC caps it), so check reachability first.
        ceiling = power_at(d, k, 1e9)
        if ceiling < power:
            raise ValueError(
                f"with {k:g} clusters per arm the power cannot exceed {ceiling:.4f} "
                "however large the clusters; add clusters instead"
            )
        m = _solve_increasing(lambda x: power_at(d, k, x), power, 1.0, 100.0)
        rounded = {"cluster_size": math.ceil(m - 1e-9)}
    if k <= 1:
        raise ValueError("n_clusters_per_arm must exceed 1 (the t test needs df > 0)")
    deff = cluster_design_effect(m, rho, cv, unequal_size_method)
    return PowerResult(
        method="cluster_means_t",
        solved_for=target,
        power=power_at(d, k, m),
        effect=d,
        alpha=alpha,
        sample_size={"n_clusters_per_arm": k, "cluster_size": m},
        sample_size_rounded_up=rounded,
        std_error=se_at(k, m),
        df=2.0 * (k - 1.0),
        design_effect=deff,
        parameters={
            "icc": rho,
            "total_variance": var_total,
            "cv": cv,
            "unequal_size_method": unequal_size_method,
        },
        assumptions=(
            "Two arms with equal numbers of clusters; exchangeable correlation within clusters.",
            "Analysis is a cluster-level t test (or equivalent mixed model) with 2(k - 1) df.",
            "The ICC and total variance are known in advance.",
        ),
        warnings=_few_clusters_warning(2 * k),
    )


def power_cluster_proportions(
    *,
    p_control: float,
    p_treatment: float | None = None,
    n_clusters_per_arm: float | None = None,
    cluster_size: float | None = None,
    power: float | None = None,
    icc: float,
    cv: float = 0.0,
    alpha: float = 0.05,
    direction: Literal["increase", "decrease"] = "increase",
    reference: Literal["t", "normal"] = "t",
) -> PowerResult:
    """Power, clusters, cluster size or detectable proportion for a parallel cluster trial.

    Exactly one of ``p_treatment``, ``n_clusters_per_arm``, ``cluster_size`` and ``power`` is
    ``None``.

    Notes
    -----
    Donner & Klar (2000): the variance of the difference in proportions is
    ``(p_c q_c + p_t q_t) DE / (k m)`` with ``DE = 1 + ((cv^2 + 1) m - 1) rho`` (Eldridge et al.
    2006), referred to a noncentral t with ``2 (k - 1)`` df (``reference="t"``, the default: few
    clusters, few degrees of freedom) or to the normal (``reference="normal"``). This is the
    formula of ``clusterPower::cpa.binary`` (unpooled), whose documented examples (normal
    reference) need more than 37 clusters per arm for 80% power with 10 per cluster, p 0.1 vs
    0.2 and ICC 0.1, and detect p 0.198922 with 38 clusters per arm.
    """
    alpha = _check_alpha(alpha)
    _check_target_power(power)
    _positive("n_clusters_per_arm", n_clusters_per_arm)
    _positive("cluster_size", cluster_size)
    if not 0.0 <= icc < 1.0:
        raise ValueError(f"icc must be in [0, 1), got {icc!r}")
    for name, p in (("p_control", p_control), ("p_treatment", p_treatment)):
        if p is not None and not 0.0 < float(p) < 1.0:
            raise ValueError(f"{name} must be strictly between 0 and 1, got {p!r}")
    target = _exactly_one_missing(
        p_treatment=p_treatment,
        n_clusters_per_arm=n_clusters_per_arm,
        cluster_size=cluster_size,
        power=power,
    )
    p_c = float(p_control)

    def se_at(p_t: float, k: float, m: float) -> float:
        deff = cluster_design_effect(m, icc, cv, "eldridge")
        return math.sqrt((p_c * (1 - p_c) + p_t * (1 - p_t)) * deff / (k * m))

    if reference not in ("t", "normal"):
        raise ValueError("reference must be 't' or 'normal'")

    def df_at(k: float) -> float:
        return 2.0 * (k - 1.0) if reference == "t" else math.inf

    def power_at(p_t: float, k: float, m: float) -> float:
        return _t_power(abs(p_t - p_c) / se_at(p_t, k, m), df_at(k), alpha)

    rounded: dict[str, int] = {}
    if target == "power":
        assert p_treatment is not None and n_clusters_per_arm is not None
        assert cluster_size is not None
        p_t, k, m = float(p_treatment), float(n_clusters_per_arm), float(cluster_size)
    elif target == "p_treatment":
        assert n_clusters_per_arm is not None and cluster_size is not None and power is not None
        k, m = float(n_clusters_per_arm), float(cluster_size)
        sign = 1.0 if direction == "increase" else -1.0
        if direction not in ("increase", "decrease"):
            raise ValueError("direction must be 'increase' or 'decrease'")
        room = (1 - p_c) if sign > 0 else p_c
        delta = _solve_increasing(
            lambda x: power_at(p_c + sign * x, k, m), power, 1e-12, room - 1e-12, limit=room
        )
        p_t = p_c + sign * delta
    elif target == "n_clusters_per_arm":
        assert p_treatment is not None and cluster_size is not None and power is not None
        p_t, m = float(p_treatment), float(cluster_size)
        k = _solve_increasing(lambda x: power_at(p_t, x, m), power, 1.5, 50.0)
        rounded = {"n_clusters_per_arm": math.ceil(k - 1e-9)}
    else:
        assert p_treatment is not None and n_clusters_per_arm is not None and power is not None
        p_t, k = float(p_treatment), float(n_clusters_per_arm)
        ceiling = power_at(p_t, k, 1e9)
        if ceiling < power:
            raise ValueError(
                f"with {k:g} clusters per arm the power cannot exceed {ceiling:.4f} "
                "however large the clusters; add clusters instead"
            )
        m = _solve_increasing(lambda x: power_at(p_t, k, x), power, 1.0, 100.0)
        rounded = {"cluster_size": math.ceil(m - 1e-9)}
    if k <= 1:
        raise ValueError("n_clusters_per_arm must exceed 1 (the t test needs df > 0)")
    return PowerResult(
        method="cluster_proportions_t",
        solved_for=target,
        power=power_at(p_t, k, m),
        effect=p_t - p_c,
        alpha=alpha,
        sample_size={"n_clusters_per_arm": k, "cluster_size": m},
        sample_size_rounded_up=rounded,
        std_error=se_at(p_t, k, m),
        df=None if reference == "normal" else 2.0 * (k - 1.0),
        design_effect=cluster_design_effect(m, icc, cv, "eldridge"),
        parameters={
            "p_control": p_c,
            "p_treatment": p_t,
            "icc": icc,
            "cv": cv,
            "reference": reference,
        },
        assumptions=(
            "Two arms with equal numbers of clusters; exchangeable correlation within clusters.",
            "Difference in proportions analysed on the cluster level with 2(k - 1) df.",
            "Normal approximation to the binomial; ICC on the proportion scale.",
        ),
        warnings=_few_clusters_warning(2 * k),
    )


# ---------------------------------------------------------------------------
# stepped-wedge designs
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SteppedWedgeSchedule:
    """Which cluster (sequence) receives the intervention in which period.

    Attributes
    ----------
    matrix : clusters x periods tuple of 0/1 rows (1 = intervention), cluster order = sequence.
    step_of_cluster : the step (1-based) at which each row switches.
    switch_period : the 0-based period index at which each row is first treated.
    n_steps, n_periods, baseline_periods : the layout.
    """

    matrix: tuple[tuple[int, ...], ...]
    step_of_cluster: tuple[int, ...]
    switch_period: tuple[int, ...]
    n_steps: int
    n_periods: int
    baseline_periods: int

    @property
    def n_clusters(self) -> int:
        """Number of clusters (rows)."""
        return len(self.matrix)

    def as_array(self) -> NDArray[np.int8]:
        """The schedule as an ``(n_clusters, n_periods)`` integer array."""
        return np.asarray(self.matrix, dtype=np.int8)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        result: dict[str, Any] = json_ready(asdict(self))
        return result


def stepped_wedge_schedule(
    n_clusters: int,
    n_steps: int,
    *,
    n_periods: int | None = None,
    baseline_periods: int = 1,
    clusters_per_step: tuple[int, ...] | list[int] | None = None,
) -> SteppedWedgeSchedule:
    """The cluster x period treatment grid of a (complete) stepped-wedge design.

    Parameters
    ----------
    n_clusters : number of clusters (councils, wards...).
    n_steps : number of steps (sequences); one group of clusters switches at each step.
    n_periods : measurement periods; default ``baseline_periods + n_steps`` (the standard
        design, Hussey & Hughes 2007). Extra periods beyond that are added after the last
        step, with every cluster treated.
    baseline_periods : periods before the first switch (all clusters in control).
    clusters_per_step : how many clusters switch at each step; default as equal as possible,
        earlier steps taking any remainder.

    Returns
    -------
    SteppedWedgeSchedule whose row ``i`` switches at period ``baseline_periods + step_i - 1``.
    Which real cluster takes which row is decided by randomisation
    (:func:`infuse.stats.randomisation.randomise_stepped_wedge`).
    """
    for name, value in (("n_clusters", n_clusters), ("n_steps", n_steps)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not isinstance(baseline_periods, int | np.integer) or baseline_periods < 0:
        raise ValueError("baseline_periods must be a non-negative integer")
    standard = baseline_periods + n_steps
    periods = standard if n_periods is None else int(n_periods)
    if periods < standard:
        raise ValueError(
            f"n_periods must be at least baseline_periods + n_steps = {standard}, got {periods}"
        )
    if clusters_per_step is None:
        if n_clusters < n_steps:
            raise ValueError("need at least one cluster per step")
        base, extra = divmod(n_clusters, n_steps)
        per_step = [base + (1 if s < extra else 0) for s in range(n_steps)]
    else:
        per_step = [int(c) for c in clusters_per_step]
        if len(per_step) != n_steps or any(c < 0 for c in per_step):
            raise ValueError("clusters_per_step needs one non-negative count per step")
        if sum(per_step) != n_clusters:
            raise ValueError("clusters_per_step must add up to n_clusters")
    steps = np.repeat(np.arange(1, n_steps + 1), per_step)
    switch = baseline_periods + steps - 1
    grid = (np.arange(periods)[None, :] >= switch[:, None]).astype(int)
    return SteppedWedgeSchedule(
        matrix=tuple(tuple(int(x) for x in row) for row in grid),
        step_of_cluster=tuple(int(s) for s in steps),
        switch_period=tuple(int(s) for s in switch),
        n_steps=int(n_steps),
        n_periods=periods,
        baseline_periods=int(baseline_periods),
    )


def stepped_wedge_variance(
    schedule: SteppedWedgeSchedule | NDArray[Any] | list[list[int]],
    *,
    cluster_period_size: float,
    within_cluster_variance: float,
    between_cluster_variance: float,
) -> float:
    """Variance of the treatment effect estimate in a cross-sectional stepped-wedge trial.

    Parameters
    ----------
    schedule : cluster x period 0/1 treatment matrix (or a :class:`SteppedWedgeSchedule`).
    cluster_period_size : individuals measured per cluster per period, ``N``.
    within_cluster_variance : individual-level residual variance, ``sigma_e^2``.
    between_cluster_variance : variance of the random cluster intercepts, ``tau^2``.

    Returns
    -------
    ``Var(theta_hat)`` of the generalised least squares estimator with fixed period effects
    and a random cluster intercept, variance components known.

    Notes
    -----
    Hussey & Hughes (2007, eq. 8), with ``sigma^2 = sigma_e^2 / N`` the variance of a
    cluster-period mean, ``I`` clusters, ``T`` periods, ``U = sum_ij X_ij``,
    ``W = sum_j (sum_i X_ij)^2`` and ``V = sum_i (sum_j X_ij)^2``::

        Var = I sigma^2 (sigma^2 + T tau^2)
              / ((I U - W) sigma^2 + (U^2 + I T U - T W - I V) tau^2)
    """
    x = schedule.as_array() if isinstance(schedule, SteppedWedgeSchedule) else np.asarray(schedule)
    if x.ndim != 2 or not np.isin(x, (0, 1)).all():
        raise ValueError("schedule must be a 2-D 0/1 matrix (clusters x periods)")
    _positive("cluster_period_size", cluster_period_size, allow_none=False)
    _positive("within_cluster_variance", within_cluster_variance, allow_none=False)
    if between_cluster_variance < 0:
        raise ValueError("between_cluster_variance must be non-negative")
    x = x.astype(float)
    n_clusters, n_periods = x.shape
    sigma2 = within_cluster_variance / cluster_period_size
    tau2 = float(between_cluster_variance)
    u = x.sum()
    w = float((x.sum(axis=0) ** 2).sum())
    v = float((x.sum(axis=1) ** 2).sum())
    numerator = n_clusters * sigma2 * (sigma2 + n_periods * tau2)
    denominator = (n_clusters * u - w) * sigma2 + (
        u**2 + n_clusters * n_periods * u - n_periods * w - n_clusters * v
    ) * tau2
    if denominator <= 0:
        raise ValueError(
            "the treatment effect is not identifiable from this schedule "
            "(no within-period contrast between treated and control cluster-periods)"
        )
    return float(numerator / denominator)


def power_stepped_wedge(
    *,
    n_clusters: int | None = None,
    n_steps: int | None = None,
    cluster_period_size: float | None = None,
    effect: float | None = None,
    power: float | None = None,
    outcome: Literal["continuous", "binary"] = "continuous",
    within_cluster_variance: float | None = None,
    between_cluster_variance: float | None = None,
    icc: float | None = None,
    p_control: float | None = None,
    p_treatment: float | None = None,
    n_periods: int | None = None,
    baseline_periods: int = 1,
    schedule: SteppedWedgeSchedule | None = None,
    alpha: float = 0.05,
) -> PowerResult:
    """Power, minimum detectable effect or cluster-period size of a stepped-wedge trial.

    Give either ``schedule`` or ``n_clusters`` and ``n_steps`` (the standard layout from
    :func:`stepped_wedge_schedule`), and one of ``between_cluster_variance`` / ``icc``.
    Continuous outcome: give ``within_cluster_variance`` and leave exactly one of ``effect``,
    ``power`` and ``cluster_period_size`` as ``None``. Binary outcome: give ``p_control`` and
    leave exactly one of ``p_treatment`` (solved above ``p_control``), ``power`` and
    ``cluster_period_size`` as ``None``.

    Notes
    -----
    ``Var(theta_hat)`` from :func:`stepped_wedge_variance` (Hussey & Hughes 2007, eq. 8) and
    ``power = Phi(|theta| / se - z_{1-a/2})`` (their eq. 9), the normal reference of the paper
    and of ``swCRTdesign::swPwr`` (which also adds the wrong-direction tail, below 1e-6 here).
    For a binary outcome ``sigma_e^2 = pbar (1 - pbar)`` with ``pbar = (p_c + p_t) / 2``
    (Hussey & Hughes 2007, section 3). With an ICC, ``tau^2 = icc sigma_e^2 / (1 - icc)``.
    The normal reference ignores that the variance components are estimated from few
    clusters: with fewer than 20, check the planned analysis with
    :func:`infuse.stats.simulation.simulate_power`.
    """
    alpha = _check_alpha(alpha)
    _check_target_power(power)
    _positive("cluster_period_size", cluster_period_size)
    if schedule is None:
        if n_clusters is None or n_steps is None:
            raise ValueError("give a schedule or both n_clusters and n_steps")
        schedule = stepped_wedge_schedule(
            n_clusters, n_steps, n_periods=n_periods, baseline_periods=baseline_periods
        )
    elif not isinstance(schedule, SteppedWedgeSchedule):
        raise TypeError("schedule must be a SteppedWedgeSchedule")
    sched = schedule
    if (between_cluster_variance is None) == (icc is None):
        raise ValueError("give exactly one of between_cluster_variance and icc")
    if icc is not None and not 0.0 <= icc < 1.0:
        raise ValueError(f"icc must be in [0, 1), got {icc!r}")
    z = float(stats.norm.isf(alpha / 2))

    def power_from_se(theta: float, se: float) -> float:
        return float(stats.norm.cdf(abs(theta) / se - z))

    def tau2_for(sigma_e2: float) -> float:
        if icc is not None:
            return icc * sigma_e2 / (1.0 - icc)
        assert between_cluster_variance is not None
        return float(between_cluster_variance)

    def se_for(sigma_e2: float, size: float) -> float:
        return math.sqrt(
            stepped_wedge_variance(
                sched,
                cluster_period_size=size,
                within_cluster_variance=sigma_e2,
                between_cluster_variance=tau2_for(sigma_e2),
            )
        )

    if outcome == "continuous":
        _positive("within_cluster_variance", within_cluster_variance, allow_none=False)
        assert within_cluster_variance is not None
        target = _exactly_one_missing(
            effect=effect, power=power, cluster_period_size=cluster_period_size
        )
        sigma_e2 = float(within_cluster_variance)

        def effect_and_se(value: float, size: float) -> tuple[float, float]:
            return value, se_for(sigma_e2, size)

        if target == "effect":
            assert power is not None and cluster_period_size is not None
            size = float(cluster_period_size)
            se0 = se_for(sigma_e2, size)
            solved = _solve_increasing(lambda t: power_from_se(t, se0), power, 1e-12, 10.0 * se0)
        else:
            assert effect is not None
            solved = float(effect)
    elif outcome == "binary":
        if p_control is None or not 0.0 < p_control < 1.0:
            raise ValueError("a binary outcome needs p_control strictly between 0 and 1")
        p_c = float(p_control)
        target = _exactly_one_missing(
            p_treatment=p_treatment, power=power, cluster_period_size=cluster_period_size
        )

        def effect_and_se(value: float, size: float) -> tuple[float, float]:
            pbar = (p_c + value) / 2.0
            return value - p_c, se_for(pbar * (1.0 - pbar), size)

        if target == "p_treatment":
            assert power is not None and cluster_period_size is not None
            size = float(cluster_period_size)
            room = 1.0 - p_c
            solved = p_c + _solve_increasing(
                lambda d: power_from_se(*effect_and_se(p_c + d, size)),
                power,
                1e-12,
                room - 1e-12,
                limit=room,
            )
        else:
            assert p_treatment is not None
            if not 0.0 < p_treatment < 1.0:
                raise ValueError("p_treatment must be strictly between 0 and 1")
            solved = float(p_treatment)
    else:
        raise ValueError("outcome must be 'continuous' or 'binary'")

    rounded: dict[str, int] = {}
    if target == "cluster_period_size":
        assert power is not None
        if effect_and_se(solved, 1.0)[0] == 0:
            raise ValueError("the effect must be non-zero to solve for a cluster-period size")
        size = _solve_increasing(
            lambda n: power_from_se(*effect_and_se(solved, n)), power, 1.0, 100.0
        )
        rounded = {"cluster_period_size": math.ceil(size - 1e-9)}
    elif target == "power":
        assert cluster_period_size is not None
        size = float(cluster_period_size)
    theta, se = effect_and_se(solved, size)
    if outcome == "binary":
        pbar = (2.0 * p_c + theta) / 2.0
        sigma_e2 = pbar * (1.0 - pbar)
    tau2 = tau2_for(sigma_e2)
    parameters: dict[str, Any] = {
        "outcome": outcome,
        "n_steps": sched.n_steps,
        "n_periods": sched.n_periods,
        "schedule": [list(row) for row in sched.matrix],
        "within_cluster_variance": sigma_e2,
        "between_cluster_variance": tau2,
        "icc": tau2 / (tau2 + sigma_e2),
    }
    if outcome == "binary":
        parameters.update({"p_control": p_c, "p_treatment": p_c + theta})
    return PowerResult(
        method="stepped_wedge_hussey_hughes",
        solved_for=target,
        power=power_from_se(theta, se),
        effect=theta,
        alpha=alpha,
        sample_size={"n_clusters": float(sched.n_clusters), "cluster_period_size": size},
        sample_size_rounded_up=rounded,
        std_error=se,
        df=None,
        parameters=parameters,
        assumptions=(
            "Cross-sectional samples: different individuals in each cluster-period.",
            "Random cluster intercept, fixed period effects, no cluster-by-period variation, "
            "immediate and constant treatment effect (Hussey & Hughes 2007).",
            "Variance components known; normal reference distribution.",
        ),
        warnings=_few_clusters_warning(sched.n_clusters, reference="normal"),
    )
