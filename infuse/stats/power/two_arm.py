"""Power of two-arm individually randomised trials: continuous and binary outcomes.

References
----------
- Cohen J (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.
- Fleiss JL, Levin B, Paik MC (2003). *Statistical Methods for Rates and Proportions*, 3rd ed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal

from scipy import stats

from infuse.stats.power._solve import (
    check_alpha,
    check_positive,
    check_proportions,
    check_target_power,
    exactly_one_missing,
    rounded_arms,
    solve_alternative_proportion,
    solve_increasing,
    t_power,
)
from infuse.stats.power.result import PowerResult
from infuse.stats.results import StatWarning

__all__ = ["power_two_means", "power_two_proportions"]


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
    alpha = check_alpha(alpha)
    check_target_power(power)
    check_positive("sd", sd, allow_none=False)
    check_positive("ratio", ratio, allow_none=False)
    check_positive("n_control", n_control)
    target = exactly_one_missing(effect=effect, n_control=n_control, power=power)

    def power_at(delta: float, n_c: float) -> float:
        n_t = ratio * n_c
        se = sd * math.sqrt(1.0 / n_c + 1.0 / n_t)
        return t_power(abs(delta) / se, n_c + n_t - 2.0, alpha)

    rounded: dict[str, int] = {}
    if target == "power":
        assert effect is not None and n_control is not None
        delta, n_c = float(effect), float(n_control)
    elif target == "effect":
        assert n_control is not None and power is not None
        n_c = float(n_control)
        delta = solve_increasing(lambda d: power_at(d, n_c), power, 1e-12, 10.0 * sd)
    else:
        assert effect is not None and power is not None
        delta = float(effect)
        if delta == 0:
            raise ValueError("effect must be non-zero to solve for a sample size")
        n_c = solve_increasing(lambda n: power_at(delta, n), power, 1.0 + 1.0 / ratio, 100.0)
        rounded = rounded_arms(n_c, ratio)
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
    alpha = check_alpha(alpha)
    check_target_power(power)
    check_positive("ratio", ratio, allow_none=False)
    check_positive("n_control", n_control)
    check_proportions(p_control=p_control, p_treatment=p_treatment)
    target = exactly_one_missing(p_treatment=p_treatment, n_control=n_control, power=power)
    p_c = float(p_control)
    power_at = _two_proportion_power(p_c, ratio, float(stats.norm.isf(alpha / 2)))
    rounded: dict[str, int] = {}
    if target == "power":
        assert p_treatment is not None and n_control is not None
        p_t, n_c = float(p_treatment), float(n_control)
    elif target == "p_treatment":
        assert n_control is not None and power is not None
        n_c = float(n_control)
        p_t = solve_alternative_proportion(lambda p: power_at(p, n_c), p_c, power, direction)
    else:
        assert p_treatment is not None and power is not None
        p_t = float(p_treatment)
        if p_t == p_c:
            raise ValueError("p_treatment must differ from p_control to solve for a sample size")
        n_c = solve_increasing(lambda n: power_at(p_t, n), power, 1.0, 100.0)
        rounded = rounded_arms(n_c, ratio)
    n_t = ratio * n_c
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
        warnings=_normal_approximation_warning(p_c, p_t, n_c, n_t),
    )


def _two_proportion_power(p_c: float, ratio: float, z: float) -> Callable[[float, float], float]:
    """Power of the pooled two-proportion z test as a function of ``(p_t, n_c)``."""

    def power_at(p_t: float, n_c: float) -> float:
        n_t = ratio * n_c
        diff = abs(p_t - p_c)
        pbar = (n_c * p_c + n_t * p_t) / (n_c + n_t)
        se0 = math.sqrt(pbar * (1 - pbar) * (1 / n_c + 1 / n_t))
        se1 = math.sqrt(p_c * (1 - p_c) / n_c + p_t * (1 - p_t) / n_t)
        return float(stats.norm.cdf((diff - z * se0) / se1))

    return power_at


def _normal_approximation_warning(
    p_c: float, p_t: float, n_c: float, n_t: float
) -> tuple[StatWarning, ...]:
    if min(n_c * min(p_c, 1 - p_c), n_t * min(p_t, 1 - p_t)) < 5:
        return (
            StatWarning(
                "normal_approximation_doubtful",
                "fewer than 5 expected events or non-events in an arm: the normal approximation "
                "behind this power may be poor; check by simulation.",
            ),
        )
    return ()
