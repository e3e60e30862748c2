"""Difference-in-differences: the 2x2 and two-way fixed effects (TWFE) regressions.

Why these methods: when councils choose (rather than are assigned) whether and when to adopt a
change, comparing how outcomes *change* in adopters and non-adopters removes fixed differences
between them. The classic 2x2 and TWFE regressions are right when everyone adopts at once. When
adoption is staggered and effects vary over time, TWFE compares late adopters with early
adopters and can even get the sign wrong (Goodman-Bacon 2021), so the engine also offers
Callaway & Sant'Anna's (2021) group-time estimator
(:mod:`infuse.stats.quasi.callaway_santanna`), which only ever compares a cohort with units that
are not (yet) treated.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from infuse.stats._common import with_warnings
from infuse.stats.quasi._panel import (
    PARALLEL_TRENDS,
    TwfeFit,
    as_binary,
    check_columns,
    fit_twfe,
    wild_bootstrap_record,
)
from infuse.stats.regression.ols import SEType, coefficient_result, fit_ols
from infuse.stats.results import EstimateResult, StatWarning

__all__ = ["did_2x2", "twfe_did"]


def did_2x2(
    outcome: ArrayLike,
    treated: ArrayLike,
    post: ArrayLike,
    *,
    cluster: ArrayLike | None = None,
    se_type: SEType | None = None,
    conf_level: float = 0.95,
    wild_bootstrap_seed: int | None = None,
) -> EstimateResult:
    """Canonical 2x2 difference-in-differences as a regression.

    Parameters
    ----------
    outcome : (n,) outcome of each observation (unit-period or individual).
    treated : (n,) 1 for the group that adopts, 0 for the comparison group.
    post : (n,) 1 for the period after adoption, 0 before.
    cluster : (n,) cluster labels (the unit of assignment: council, ward, school). Strongly
        recommended: observations of the same unit over time are correlated (Bertrand, Duflo &
        Mullainathan 2004).
    se_type : passed to :func:`infuse.stats.regression.ols.fit_ols`; default CR2 when clustered,
        HC2 otherwise.
    conf_level : confidence level.
    wild_bootstrap_seed : with ``cluster``, also run the wild cluster restricted bootstrap test
        of ``b3 = 0`` (Cameron, Gelbach & Miller 2008; Webb weights below 10 clusters) and store
        it in ``extra["wild_bootstrap"]``: the better-behaved p-value when only a handful of
        councils form the clusters.

    Returns
    -------
    EstimateResult for ``b3`` in ``y = b0 + b1 treated + b2 post + b3 treated x post + e``, which
    equals ``(mean_T,post - mean_T,pre) - (mean_C,post - mean_C,pre)``.

    References
    ----------
    Card D. & Krueger A.B. (1994) "Minimum wages and employment", AER 84(4):772-793.
    Bertrand M., Duflo E., Mullainathan S. (2004) "How much should we trust
    differences-in-differences estimates?", QJE 119(1):249-275.
    """
    y = np.asarray(outcome, dtype=np.float64)
    d = as_binary(treated, "treated", y.size)
    p = as_binary(post, "post", y.size)
    cells = {(int(a), int(b)) for a, b in zip(d, p, strict=True)}
    if len(cells) < 4:
        raise ValueError("all four treated x post cells need observations")
    x = np.column_stack([np.ones_like(y), d, p, d * p])
    fit = fit_ols(
        y,
        x,
        cluster=cluster,
        se_type=se_type,
        conf_level=conf_level,
        names=["intercept", "treated", "post", "treated_x_post"],
    )
    extra: dict[str, Any] = {}
    if wild_bootstrap_seed is not None:
        if cluster is None:
            raise ValueError("wild_bootstrap_seed needs cluster")
        extra["wild_bootstrap"] = wild_bootstrap_record(
            y,
            x,
            cluster,
            "treated_x_post",
            ["intercept", "treated", "post", "treated_x_post"],
            fit.n_clusters,
            wild_bootstrap_seed,
        )
    return coefficient_result(
        fit,
        "treated_x_post",
        method="did_2x2",
        effect_measure="mean_difference_in_differences",
        assumptions=PARALLEL_TRENDS,
        extra=extra or None,
    )


def twfe_did(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treatment: str,
    cluster: str | None = None,
    se_type: SEType | None = None,
    conf_level: float = 0.95,
    absorb_nested_fe: bool = False,
    wild_bootstrap_seed: int | None = None,
) -> EstimateResult:
    """Two-way fixed effects DiD: ``y_it = a_i + l_t + b D_it + e_it``, clustered by unit.

    Parameters
    ----------
    data : long panel.
    unit, time, outcome : column names.
    treatment : column with the 0/1 treatment indicator ``D_it``.
    cluster : clustering column (default ``unit``).
    se_type, conf_level : as in :func:`did_2x2`, except that the default is CR2 below 50 clusters
        and CR1 from 50 (where the small-sample correction is negligible and CR2 is costly with
        one dummy per unit); the choice is in ``extra["se_type"]``.
    absorb_nested_fe : with ``se_type="CR1"`` and clusters that contain whole units, count the
        unit effects as absorbed in the small-sample factor ``(n - 1)/(n - k)`` (k = treatment,
        intercept and time effects only), as Stata's ``xtreg, fe vce(cluster)`` and R fixest
        do. Off by default, which counts every dummy (statsmodels' convention, more
        conservative).
    wild_bootstrap_seed : also run the wild cluster restricted bootstrap test of ``b = 0``
        (as in :func:`did_2x2`) and store it in ``extra["wild_bootstrap"]``.

    Returns
    -------
    EstimateResult for ``b``. Unit and time effects enter as dummies so that the cluster-robust
    variance (and its small-sample corrections) is computed on the full design.

    With a single adoption date and a balanced panel ``b`` equals the 2x2 estimate. With staggered
    adoption ``b`` is a weighted average of 2x2 comparisons, some using already-treated units as
    controls, with possibly negative weights (Goodman-Bacon 2021; de Chaisemartin & D'Haultfoeuille
    2020): a ``staggered_adoption`` warning says so; prefer :func:`callaway_santanna`.
    """
    check_columns(data, unit, time, outcome, treatment)
    frame = data[[unit, time, outcome, treatment] + ([cluster] if cluster else [])].dropna()
    d = as_binary(frame[treatment], "treatment", len(frame))
    try:
        twfe = fit_twfe(
            frame,
            unit=unit,
            time=time,
            outcome=outcome,
            regressors={"treatment": d},
            cluster=cluster,
            se_type=se_type,
            conf_level=conf_level,
        )
    except ValueError as error:
        if "rank deficient" not in str(error):
            raise
        # A data condition, not a programming error: e.g. every unit switches at the same time,
        # so treatment is indistinguishable from the period effects.
        return _not_identified(
            "did_twfe",
            len(frame),
            "The treatment indicator is collinear with the unit and period effects "
            "(no untreated comparison in the treated periods).",
            conf_level,
        )
    result = coefficient_result(
        twfe.fit,
        "treatment",
        method="did_twfe",
        effect_measure="mean_difference_in_differences",
        assumptions=(*PARALLEL_TRENDS, "Treatment effects are the same for every cohort."),
        extra={"n_units": int(frame[unit].nunique()), "n_periods": int(frame[time].nunique())},
    )
    if wild_bootstrap_seed is not None:
        boot = wild_bootstrap_record(
            twfe.y,
            twfe.x,
            twfe.clusters,
            "treatment",
            twfe.names,
            twfe.fit.n_clusters,
            wild_bootstrap_seed,
        )
        result = replace(result, extra={**result.extra, "wild_bootstrap": boot})
    if absorb_nested_fe:
        result = _absorbed(result, twfe, frame, unit, cluster or unit)
    starts = frame.loc[d == 1].groupby(unit)[time].min()
    if starts.nunique() > 1:
        result = with_warnings(
            result,
            [
                StatWarning(
                    "staggered_adoption",
                    "Units adopt at different times: the TWFE coefficient can be a badly "
                    "weighted average of effects (Goodman-Bacon 2021); use callaway_santanna.",
                )
            ],
        )
    return result


def _absorbed(
    result: EstimateResult, twfe: TwfeFit, frame: pd.DataFrame, unit: str, cluster: str
) -> EstimateResult:
    """CR1 with the unit effects counted as absorbed in the small-sample factor
    ``(n - 1)/(n - k)`` (Stata ``xtreg, fe vce(cluster)``, fixest): needs nested clusters."""
    if twfe.fit.se_type != "CR1":
        raise ValueError("absorb_nested_fe applies to se_type='CR1' only")
    clusters_of_unit = frame.groupby(unit)[cluster].nunique()
    if (clusters_of_unit > 1).any():
        raise ValueError("absorb_nested_fe needs every unit inside one cluster")
    n_obs, k_full = twfe.x.shape
    k_kept = k_full - (int(frame[unit].nunique()) - 1)
    return _rescaled(result, math.sqrt((n_obs - k_full) / (n_obs - k_kept)))


def _not_identified(method: str, n: int, detail: str, conf_level: float) -> EstimateResult:
    """A result with no estimate and a ``not_identified`` warning (the data cannot answer)."""
    return EstimateResult(
        estimate=math.nan,
        std_error=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        p_value=math.nan,
        method=method,
        effect_measure="mean_difference_in_differences",
        n_units=n,
        conf_level=conf_level,
        assumptions=PARALLEL_TRENDS,
        warnings=(StatWarning("not_identified", detail),),
    )


def _rescaled(result: EstimateResult, factor: float) -> EstimateResult:
    """The same estimate with its standard error multiplied by ``factor`` (same df)."""
    data = {f: getattr(result, f) for f in result.__dataclass_fields__}
    se = result.std_error * factor
    df = result.df if result.df is not None else math.inf
    crit = float(stats.t.ppf(0.5 + result.conf_level / 2.0, df))
    data.update(
        std_error=se,
        ci_low=result.estimate - crit * se,
        ci_high=result.estimate + crit * se,
        p_value=float(2 * stats.t.sf(abs(result.estimate) / se, df)) if se > 0 else math.nan,
        extra={**result.extra, "small_sample": "unit effects absorbed (Stata xtreg fe, fixest)"},
    )
    return EstimateResult(**data)
