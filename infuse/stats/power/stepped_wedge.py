"""Stepped-wedge designs: the schedule, the variance of the effect and its power.

References
----------
- Hussey MA, Hughes JP (2007). Design and analysis of stepped wedge cluster randomized trials.
  *Contemp Clin Trials* 28:182-191.
- Woertman W, de Hoop E, Moerbeek M, et al. (2013). Stepped wedge designs could reduce the
  required sample size in cluster randomized trials. *J Clin Epidemiol* 66:752-758.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from infuse.stats.power._solve import (
    check_alpha,
    check_icc,
    check_positive,
    check_target_power,
    exactly_one_missing,
    few_clusters_warning,
    solve_alternative_proportion,
    solve_increasing,
)
from infuse.stats.power.result import PowerResult
from infuse.stats.results import json_ready

__all__ = [
    "SteppedWedgeSchedule",
    "power_stepped_wedge",
    "stepped_wedge_schedule",
    "stepped_wedge_variance",
]


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
    (:func:`infuse.stats.randomisation.clusters.randomise_stepped_wedge`).
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
    check_positive("cluster_period_size", cluster_period_size, allow_none=False)
    check_positive("within_cluster_variance", within_cluster_variance, allow_none=False)
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
    :func:`infuse.stats.power.simulation.simulate_power`.
    """
    alpha = check_alpha(alpha)
    check_target_power(power)
    check_positive("cluster_period_size", cluster_period_size)
    sched = _resolved_schedule(schedule, n_clusters, n_steps, n_periods, baseline_periods)
    variance = _EffectVariance.checked(sched, icc, between_cluster_variance)
    z = float(stats.norm.isf(alpha / 2))

    def power_from_se(theta: float, se: float) -> float:
        return float(stats.norm.cdf(abs(theta) / se - z))

    if outcome == "continuous":
        model = _continuous(variance, within_cluster_variance, effect, power, cluster_period_size)
    elif outcome == "binary":
        model = _binary(variance, p_control, p_treatment, power, cluster_period_size)
    else:
        raise ValueError("outcome must be 'continuous' or 'binary'")
    solved = model.solve(power_from_se)
    rounded: dict[str, int] = {}
    if model.target == "cluster_period_size":
        size = _solve_cluster_period_size(model, solved, power_from_se)
        rounded = {"cluster_period_size": math.ceil(size - 1e-9)}
    else:
        assert cluster_period_size is not None
        size = float(cluster_period_size)
    theta, se = model.effect_and_se(solved, size)
    sigma_e2 = model.sigma_e2(theta)
    tau2 = variance.tau2(sigma_e2)
    return PowerResult(
        method="stepped_wedge_hussey_hughes",
        solved_for=model.target,
        power=power_from_se(theta, se),
        effect=theta,
        alpha=alpha,
        sample_size={"n_clusters": float(sched.n_clusters), "cluster_period_size": size},
        sample_size_rounded_up=rounded,
        std_error=se,
        df=None,
        parameters={
            "outcome": outcome,
            "n_steps": sched.n_steps,
            "n_periods": sched.n_periods,
            "schedule": [list(row) for row in sched.matrix],
            "within_cluster_variance": sigma_e2,
            "between_cluster_variance": tau2,
            "icc": tau2 / (tau2 + sigma_e2),
            **model.parameters(theta),
        },
        assumptions=(
            "Cross-sectional samples: different individuals in each cluster-period.",
            "Random cluster intercept, fixed period effects, no cluster-by-period variation, "
            "immediate and constant treatment effect (Hussey & Hughes 2007).",
            "Variance components known; normal reference distribution.",
        ),
        warnings=few_clusters_warning(sched.n_clusters, reference="normal"),
    )


def _resolved_schedule(
    schedule: SteppedWedgeSchedule | None,
    n_clusters: int | None,
    n_steps: int | None,
    n_periods: int | None,
    baseline_periods: int,
) -> SteppedWedgeSchedule:
    """The schedule given, or the standard one for ``n_clusters`` and ``n_steps``."""
    if schedule is None:
        if n_clusters is None or n_steps is None:
            raise ValueError("give a schedule or both n_clusters and n_steps")
        return stepped_wedge_schedule(
            n_clusters, n_steps, n_periods=n_periods, baseline_periods=baseline_periods
        )
    if not isinstance(schedule, SteppedWedgeSchedule):
        raise TypeError("schedule must be a SteppedWedgeSchedule")
    return schedule


@dataclass(frozen=True)
class _EffectVariance:
    """The standard error of the effect on a schedule, from the individual-level variance and
    either the ICC or the between-cluster variance (:func:`stepped_wedge_variance`)."""

    schedule: SteppedWedgeSchedule
    icc: float | None
    between_cluster_variance: float | None

    @classmethod
    def checked(
        cls, schedule: SteppedWedgeSchedule, icc: float | None, between: float | None
    ) -> _EffectVariance:
        if (between is None) == (icc is None):
            raise ValueError("give exactly one of between_cluster_variance and icc")
        if icc is not None:
            check_icc(icc)
        return cls(schedule, icc, between)

    def tau2(self, sigma_e2: float) -> float:
        """Between-cluster variance: given, or ``icc sigma_e^2 / (1 - icc)``."""
        if self.icc is not None:
            return self.icc * sigma_e2 / (1.0 - self.icc)
        assert self.between_cluster_variance is not None
        return float(self.between_cluster_variance)

    def se(self, sigma_e2: float, size: float) -> float:
        return math.sqrt(
            stepped_wedge_variance(
                self.schedule,
                cluster_period_size=size,
                within_cluster_variance=sigma_e2,
                between_cluster_variance=self.tau2(sigma_e2),
            )
        )


PowerFromSE = Callable[[float, float], float]


@dataclass(frozen=True)
class _Outcome:
    """How a stepped-wedge outcome turns the value solved for into an effect and its SE.

    ``value`` is the effect (continuous) or the treatment proportion (binary); ``solve`` finds
    it at the given cluster-period size when it is the unknown, else returns the one given.
    """

    target: str
    given: float | None
    size: float | None
    power: float | None
    effect_and_se: Callable[[float, float], tuple[float, float]]
    solve_at_size: Callable[[float, float, PowerFromSE], float]
    sigma_e2: Callable[[float], float]
    parameters: Callable[[float], dict[str, Any]]

    def solve(self, power_from_se: PowerFromSE) -> float:
        if self.target in ("effect", "p_treatment"):
            assert self.power is not None and self.size is not None
            return self.solve_at_size(float(self.size), self.power, power_from_se)
        assert self.given is not None
        return float(self.given)


def _continuous(
    variance: _EffectVariance,
    within_cluster_variance: float | None,
    effect: float | None,
    power: float | None,
    cluster_period_size: float | None,
) -> _Outcome:
    check_positive("within_cluster_variance", within_cluster_variance, allow_none=False)
    assert within_cluster_variance is not None
    target = exactly_one_missing(
        effect=effect, power=power, cluster_period_size=cluster_period_size
    )
    sigma_e2 = float(within_cluster_variance)

    def effect_and_se(value: float, size: float) -> tuple[float, float]:
        return value, variance.se(sigma_e2, size)

    def solve_at_size(size: float, goal: float, power_from_se: PowerFromSE) -> float:
        se0 = variance.se(sigma_e2, size)
        return solve_increasing(lambda t: power_from_se(t, se0), goal, 1e-12, 10.0 * se0)

    return _Outcome(
        target,
        effect,
        cluster_period_size,
        power,
        effect_and_se,
        solve_at_size,
        sigma_e2=lambda theta: sigma_e2,
        parameters=lambda theta: {},
    )


def _binary(
    variance: _EffectVariance,
    p_control: float | None,
    p_treatment: float | None,
    power: float | None,
    cluster_period_size: float | None,
) -> _Outcome:
    """Binary outcome: ``sigma_e^2 = pbar (1 - pbar)``, ``pbar = (p_c + p_t) / 2`` (Hussey &
    Hughes 2007, section 3); a treatment proportion is solved for above ``p_control``."""
    if p_control is None or not 0.0 < p_control < 1.0:
        raise ValueError("a binary outcome needs p_control strictly between 0 and 1")
    p_c = float(p_control)
    target = exactly_one_missing(
        p_treatment=p_treatment, power=power, cluster_period_size=cluster_period_size
    )
    if target != "p_treatment":
        assert p_treatment is not None
        if not 0.0 < p_treatment < 1.0:
            raise ValueError("p_treatment must be strictly between 0 and 1")

    def effect_and_se(value: float, size: float) -> tuple[float, float]:
        pbar = (p_c + value) / 2.0
        return value - p_c, variance.se(pbar * (1.0 - pbar), size)

    def solve_at_size(size: float, goal: float, power_from_se: PowerFromSE) -> float:
        return solve_alternative_proportion(
            lambda p: power_from_se(*effect_and_se(p, size)), p_c, goal, "increase"
        )

    def sigma_e2(theta: float) -> float:
        pbar = (2.0 * p_c + theta) / 2.0
        return pbar * (1.0 - pbar)

    return _Outcome(
        target,
        p_treatment,
        cluster_period_size,
        power,
        effect_and_se,
        solve_at_size,
        sigma_e2=sigma_e2,
        parameters=lambda theta: {"p_control": p_c, "p_treatment": p_c + theta},
    )


def _solve_cluster_period_size(model: _Outcome, solved: float, power_from_se: PowerFromSE) -> float:
    """The people per cluster-period at which the design reaches the target power."""
    assert model.power is not None
    if model.effect_and_se(solved, 1.0)[0] == 0:
        raise ValueError("the effect must be non-zero to solve for a cluster-period size")
    return solve_increasing(
        lambda n: power_from_se(*model.effect_and_se(solved, n)), model.power, 1.0, 100.0
    )
