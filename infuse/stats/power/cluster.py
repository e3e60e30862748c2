"""Power of parallel cluster-randomised trials, with the design effect of unequal cluster sizes.

References
----------
- Donner A, Klar N (2000). *Design and Analysis of Cluster Randomization Trials in Health
  Research*. Arnold.
- Eldridge SM, Ashby D, Kerry S (2006). Sample size for cluster randomized trials: effect of
  coefficient of variation of cluster size and analysis method. *Int J Epidemiol* 35:1292-1300.
- van Breukelen GJP, Candel MJJM, Berger MPF (2007). Relative efficiency of unequal versus
  equal cluster sizes in cluster randomized and multicentre trials. *Stat Med* 26:2589-2603.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from infuse.stats.power._solve import (
    check_alpha,
    check_icc,
    check_positive,
    check_proportions,
    check_target_power,
    exactly_one_missing,
    few_clusters_warning,
    solve_alternative_proportion,
    solve_increasing,
    t_power,
)
from infuse.stats.power.result import PowerResult

__all__ = ["cluster_design_effect", "power_cluster_means", "power_cluster_proportions"]


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
    check_positive("cluster_size", cluster_size, allow_none=False)
    check_icc(icc)
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
    if icc is not None:
        check_icc(icc)
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
    alpha = check_alpha(alpha)
    check_target_power(power)
    check_positive("n_clusters_per_arm", n_clusters_per_arm)
    check_positive("cluster_size", cluster_size)
    rho, var_total = _variance_components(
        icc, total_variance, between_cluster_variance, within_cluster_variance
    )
    if var_total <= 0:
        raise ValueError("the total variance must be positive")
    target = exactly_one_missing(
        effect=effect, n_clusters_per_arm=n_clusters_per_arm, cluster_size=cluster_size, power=power
    )

    def se_at(k: float, m: float) -> float:
        deff = cluster_design_effect(m, rho, cv, unequal_size_method)
        return math.sqrt(2.0 * var_total * deff / (k * m))

    def power_at(d: float, k: float, m: float) -> float:
        return t_power(abs(d) / se_at(k, m), 2.0 * (k - 1.0), alpha)

    d, k, m, rounded = _solve_design(
        target,
        power_at,
        effect=effect,
        clusters=n_clusters_per_arm,
        size=cluster_size,
        power=power,
        solve_effect=lambda f: solve_increasing(
            f, _given(power), 1e-12, 10.0 * math.sqrt(var_total)
        ),
    )
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
        warnings=few_clusters_warning(2 * k),
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
    alpha = check_alpha(alpha)
    check_target_power(power)
    check_positive("n_clusters_per_arm", n_clusters_per_arm)
    check_positive("cluster_size", cluster_size)
    check_icc(icc)
    check_proportions(p_control=p_control, p_treatment=p_treatment)
    target = exactly_one_missing(
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
        return t_power(abs(p_t - p_c) / se_at(p_t, k, m), df_at(k), alpha)

    p_t, k, m, rounded = _solve_design(
        target,
        power_at,
        effect=p_treatment,
        clusters=n_clusters_per_arm,
        size=cluster_size,
        power=power,
        solve_effect=lambda f: solve_alternative_proportion(f, p_c, _given(power), direction),
    )
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
        warnings=few_clusters_warning(2 * k),
    )


def _solve_design(
    target: str,
    power_at: Callable[[float, float, float], float],
    *,
    effect: float | None,
    clusters: float | None,
    size: float | None,
    power: float | None,
    solve_effect: Callable[[Callable[[float], float]], float],
) -> tuple[float, float, float, dict[str, int]]:
    """``(effect, clusters per arm, cluster size, rounded sizes)`` with the unknown solved for.

    ``power_at(effect, k, m)`` is the design's power; ``solve_effect`` finds the effect (a
    difference, or the treatment proportion) at which a function of the effect reaches the
    target power. Power plateaus as clusters grow (the ICC caps it), so a cluster size is only
    sought when the largest clusters could reach the target.
    """
    if target == "power":
        return _given(effect), _given(clusters), _given(size), {}
    if target in ("effect", "p_treatment"):
        k, m = _given(clusters), _given(size)
        return solve_effect(lambda x: power_at(x, k, m)), k, m, {}
    goal = _given(power)
    if target == "n_clusters_per_arm":
        d, m = _given(effect), _given(size)
        k = solve_increasing(lambda x: power_at(d, x, m), goal, 1.5, 50.0)
        return d, k, m, {"n_clusters_per_arm": math.ceil(k - 1e-9)}
    d, k = _given(effect), _given(clusters)
    ceiling = power_at(d, k, 1e9)
    if ceiling < goal:
        raise ValueError(
            f"with {k:g} clusters per arm the power cannot exceed {ceiling:.4f} "
            "however large the clusters; add clusters instead"
        )
    m = solve_increasing(lambda x: power_at(d, k, x), goal, 1.0, 100.0)
    return d, k, m, {"cluster_size": math.ceil(m - 1e-9)}


def _given(value: float | None) -> float:
    """A quantity the caller gave (``exactly_one_missing`` has checked which one is None)."""
    assert value is not None
    return float(value)
