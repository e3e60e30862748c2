"""Difference-in-differences: 2x2, two-way fixed effects, event study and Callaway-Sant'Anna.

Why these methods: when councils choose (rather than are assigned) whether and when to adopt a
change, comparing how outcomes *change* in adopters and non-adopters removes fixed differences
between them. The classic 2x2 and two-way fixed effects (TWFE) regressions are right when
everyone adopts at once. When adoption is staggered and effects vary over time, TWFE compares
late adopters with early adopters and can even get the sign wrong (Goodman-Bacon 2021), so the
engine also offers Callaway & Sant'Anna's (2021) group-time estimator, which only ever compares
a cohort with units that are not (yet) treated.

Standard errors of the regressions come from :mod:`infuse.stats.regression` (cluster-robust, CR2
with Bell-McCaffrey degrees of freedom by default, CR1 on request), clustered by unit unless
told otherwise. Callaway-Sant'Anna uses the influence functions of each ATT(g, t) (analytic) or a
seeded multiplier bootstrap with Mammen weights, as the R package ``did`` does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from infuse.stats.regression.ols import SEType, coefficient_result, fit_ols
from infuse.stats.regression.wild_bootstrap import wild_cluster_bootstrap
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "CallawaySantAnnaResult",
    "EventStudyResult",
    "SunAbrahamResult",
    "callaway_santanna",
    "did_2x2",
    "event_study",
    "sun_abraham",
    "twfe_did",
]

FloatArray = NDArray[np.float64]

# From this many clusters, designs with unit dummies default to CR1 (see _fe_se_type).
_MANY_CLUSTERS = 50

# Below this many units the influence-function (normal) intervals of Callaway-Sant'Anna are
# a rough guide only.
_FEW_UNITS = 30

_PARALLEL_TRENDS = (
    "Parallel trends: without treatment, treated and comparison units' outcomes would have "
    "changed by the same amount on average.",
    "No anticipation: outcomes did not respond before treatment started.",
)


# ----------------------------------------------------------------------------- 2x2 and TWFE


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
    se_type : passed to :func:`infuse.stats.regression.fit_ols`; default CR2 when clustered,
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
    d = _binary(treated, "treated", y.size)
    p = _binary(post, "post", y.size)
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
        boot = wild_cluster_bootstrap(
            y,
            x,
            cluster,
            "treated_x_post",
            weights="webb" if (fit.n_clusters or 0) < 10 else "rademacher",
            seed=wild_bootstrap_seed,
            names=["intercept", "treated", "post", "treated_x_post"],
        )
        extra["wild_bootstrap"] = boot.to_dict()
    return coefficient_result(
        fit,
        "treated_x_post",
        method="did_2x2",
        effect_measure="mean_difference_in_differences",
        assumptions=_PARALLEL_TRENDS,
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
    _check_columns(data, unit, time, outcome, treatment)
    frame = data[[unit, time, outcome, treatment] + ([cluster] if cluster else [])].dropna()
    d = _binary(frame[treatment], "treatment", len(frame))
    warnings: list[StatWarning] = []
    starts = frame.loc[d == 1].groupby(unit)[time].min()
    if starts.nunique() > 1:
        warnings.append(
            StatWarning(
                "staggered_adoption",
                "Units adopt at different times: the TWFE coefficient can be a badly weighted "
                "average of effects (Goodman-Bacon 2021); use callaway_santanna.",
            )
        )
    x, names = _twfe_design(frame, unit, time, {"treatment": d})
    try:
        fit = fit_ols(
            frame[outcome].to_numpy(dtype=np.float64),
            x,
            cluster=frame[cluster or unit].to_numpy(),
            se_type=_fe_se_type(se_type, frame[cluster or unit]),
            conf_level=conf_level,
            names=names,
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
        fit,
        "treatment",
        method="did_twfe",
        effect_measure="mean_difference_in_differences",
        assumptions=(*_PARALLEL_TRENDS, "Treatment effects are the same for every cohort."),
        extra={"n_units": int(frame[unit].nunique()), "n_periods": int(frame[time].nunique())},
    )
    if wild_bootstrap_seed is not None:
        boot = wild_cluster_bootstrap(
            frame[outcome].to_numpy(dtype=np.float64),
            x,
            frame[cluster or unit].to_numpy(),
            "treatment",
            weights="webb" if (fit.n_clusters or 0) < 10 else "rademacher",
            seed=wild_bootstrap_seed,
            names=names,
        )
        result = replace(result, extra={**result.extra, "wild_bootstrap": boot.to_dict()})
    if absorb_nested_fe:
        if fit.se_type != "CR1":
            raise ValueError("absorb_nested_fe applies to se_type='CR1' only")
        clusters_of_unit = frame.groupby(unit)[cluster or unit].nunique()
        if (clusters_of_unit > 1).any():
            raise ValueError("absorb_nested_fe needs every unit inside one cluster")
        n_obs, k_full = x.shape
        k_kept = k_full - (int(frame[unit].nunique()) - 1)
        result = _rescaled(result, math.sqrt((n_obs - k_full) / (n_obs - k_kept)))
    if warnings:
        result = _with_warnings(result, warnings)
    return result


def _fe_se_type(se_type: SEType | None, clusters: pd.Series) -> SEType | None:
    """Default variance for designs with unit dummies: CR2 below 50 clusters, CR1 from 50.

    CR2's small-sample correction matters when clusters are few (councils) and is negligible
    with many, while its cost on a design carrying one dummy per unit grows quickly; from 50
    clusters CR1 with G - 1 degrees of freedom is the standard, equally honest choice.
    """
    if se_type is not None:
        return se_type
    return "CR1" if clusters.nunique() >= _MANY_CLUSTERS else None


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
        assumptions=_PARALLEL_TRENDS,
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


# ----------------------------------------------------------------------------- event study


@dataclass(frozen=True, slots=True)
class EventStudyResult:
    """Leads and lags of a TWFE event study (reference period omitted).

    Attributes
    ----------
    event_times : event times ``k = t - G`` in order (the reference period is not among them).
    coefficients : one EstimateResult per event time.
    reference_period : the omitted event time (normalised to zero).
    binned_endpoints : whether the first and last event times collect all earlier/later ones.
    pretrend_f_stat, pretrend_p_value : joint Wald test that all leads (k < reference) are zero,
        F with (q, df) where df is the smallest lead df (CR2) or G - 1 (CR1).
    """

    event_times: tuple[int, ...]
    coefficients: tuple[EstimateResult, ...]
    reference_period: int
    binned_endpoints: bool
    pretrend_f_stat: float
    pretrend_p_value: float
    n_units: int
    n_clusters: int | None
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def event_study(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    leads: int = 4,
    lags: int = 4,
    reference_period: int = -1,
    bin_endpoints: bool = True,
    cluster: str | None = None,
    se_type: SEType | None = None,
    conf_level: float = 0.95,
) -> EventStudyResult:
    """Dynamic TWFE regression with leads and lags of adoption.

    ``y_it = a_i + l_t + sum_{k != ref} b_k 1[t - G_i = k] + e_it`` for ``k`` in
    ``[-leads, lags]``. Never-treated units (``first_treated`` missing, 0 or infinite) have all
    indicators zero. With ``bin_endpoints`` the end indicators absorb every earlier (``k <=
    -leads``) or later (``k >= lags``) event time, so no observation is silently treated as
    untreated; otherwise event times outside the window are dropped from the sample.

    Parameters
    ----------
    data : long panel; ``time`` and ``first_treated`` on the same integer scale.
    unit, time, outcome, first_treated : column names (``first_treated`` = first treated period).
    leads, lags : window of event times.
    reference_period : omitted event time (default -1, the period just before adoption).
    bin_endpoints : bin the window's ends (see above).
    cluster, se_type, conf_level : as in :func:`twfe_did`.

    Returns
    -------
    EventStudyResult with one EstimateResult per event time and a joint pre-trend test.

    Notes
    -----
    With staggered adoption and heterogeneous effects these TWFE coefficients are contaminated by
    effects at other event times (Sun & Abraham 2021); use :func:`sun_abraham` or the event-time
    aggregation of :func:`callaway_santanna` instead. References: Borusyak, Jaravel & Spiess
    (2024) "Revisiting event-study designs", REStud 91(6); Roth, Sant'Anna, Bilinski & Poe (2023)
    "What's trending in difference-in-differences?", J Econometrics 235(2):2218-2244.
    """
    _check_columns(data, unit, time, outcome, first_treated)
    if leads < 1 or lags < 0:
        raise ValueError("leads must be >= 1 and lags >= 0")
    if not -leads <= reference_period <= lags:
        raise ValueError("reference_period must lie inside the window")
    columns = [unit, time, outcome, first_treated] + ([cluster] if cluster else [])
    frame = data[columns].copy()
    frame = frame[frame[outcome].notna()]
    g = _cohorts(frame[first_treated])
    t = frame[time].to_numpy(dtype=np.float64)
    event = np.where(g > 0, t - g, np.nan)
    if bin_endpoints:
        event = np.where(np.isfinite(event), np.clip(event, -leads, lags), np.nan)
    else:
        outside = np.isfinite(event) & ((event < -leads) | (event > lags))
        frame, event = frame[~outside], event[~outside]
    warnings: list[StatWarning] = []
    omitted = {reference_period}
    if not np.any(g == 0):
        # Without never-treated units, event time is collinear with unit and period effects
        # (t - G_i), so a second event time must be normalised (Borusyak, Jaravel & Spiess 2024).
        omitted.add(-leads if reference_period != -leads else -leads + 1)
        warnings.append(
            StatWarning(
                "no_never_treated",
                f"Every unit is eventually treated: event times {sorted(omitted)} are both "
                "normalised to zero.",
            )
        )
    event_times = [k for k in range(-leads, lags + 1) if k not in omitted]
    dummies = {f"event_{k}": (event == k).astype(np.float64) for k in event_times}
    present = [k for k in event_times if dummies[f"event_{k}"].any()]
    if len(present) < len(event_times):
        missing = sorted(set(event_times) - set(present))
        warnings.append(
            StatWarning("empty_event_times", f"no observations at event times {missing}")
        )
    dummies = {f"event_{k}": dummies[f"event_{k}"] for k in present}
    x, names = _twfe_design(frame, unit, time, dummies)
    fit = fit_ols(
        frame[outcome].to_numpy(dtype=np.float64),
        x,
        cluster=frame[cluster or unit].to_numpy(),
        se_type=_fe_se_type(se_type, frame[cluster or unit]),
        conf_level=conf_level,
        names=names,
    )
    results = tuple(
        coefficient_result(
            fit,
            f"event_{k}",
            method="event_study_twfe",
            effect_measure="mean_difference_in_differences",
            assumptions=_PARALLEL_TRENDS,
            extra={"event_time": k, "reference_period": reference_period},
        )
        for k in present
    )
    lead_idx = [fit.index_of(f"event_{k}") for k in present if k < reference_period]
    f_stat, f_p = math.nan, math.nan
    if lead_idx:
        b = fit.params[lead_idx]
        v = fit.cov[np.ix_(lead_idx, lead_idx)]
        q = len(lead_idx)
        df = float(
            min(r.df or math.inf for r in results if r.extra["event_time"] < reference_period)
        )
        f_stat = float(b @ np.linalg.pinv(v) @ b) / q
        f_p = (
            float(stats.f.sf(f_stat, q, df))
            if math.isfinite(df)
            else float(stats.chi2.sf(f_stat * q, q))
        )
    if len(set(g[g > 0])) > 1:
        warnings.append(
            StatWarning(
                "staggered_adoption",
                "Units adopt at different times: TWFE event-study coefficients can mix effects "
                "from other event times (Sun & Abraham 2021); compare with callaway_santanna.",
            )
        )
    return EventStudyResult(
        event_times=tuple(present),
        coefficients=results,
        reference_period=reference_period,
        binned_endpoints=bin_endpoints,
        pretrend_f_stat=f_stat,
        pretrend_p_value=f_p,
        n_units=int(frame[unit].nunique()),
        n_clusters=fit.n_clusters,
        warnings=tuple(warnings) + fit.warnings,
        extra={"se_type": fit.se_type, "leads": leads, "lags": lags},
    )


# ----------------------------------------------------------------------------- Callaway-Sant'Anna


@dataclass(frozen=True, slots=True)
class CallawaySantAnnaResult:
    """Group-time average treatment effects and their aggregations.

    Attributes
    ----------
    att_gt : one row per (cohort g, period t): att, se, ci, base period, treated and control
        counts, and whether ``t >= g`` (post).
    simple : the average of post-treatment ATT(g, t) weighted by cohort size ("simple" in R did).
    dynamic : event-time averages ATT(e), e = t - g, weighted by cohort size.
    dynamic_overall : the average of ATT(e) over e >= 0.
    by_group : theta(g), each cohort's average post-treatment ATT(g, t).
    group_overall : the cohort-size-weighted average of theta(g).
    control_group : "never_treated" or "not_yet_treated".
    se_method : "analytic" (influence function) or "bootstrap" (multiplier, Mammen weights).
    seed : bootstrap seed (None for analytic).
    uniform_critical_value : simultaneous-band critical value for ATT(g, t) (bootstrap only).
    """

    att_gt: tuple[dict[str, Any], ...]
    simple: EstimateResult
    dynamic: tuple[EstimateResult, ...]
    dynamic_overall: EstimateResult
    by_group: tuple[EstimateResult, ...]
    group_overall: EstimateResult
    control_group: str
    base_period: str
    anticipation: int
    se_method: str
    seed: int | None
    n_bootstrap: int | None
    uniform_critical_value: float | None
    n_units: int
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def callaway_santanna(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control_group: Literal["never_treated", "not_yet_treated"] = "never_treated",
    base_period: Literal["varying", "universal"] = "varying",
    anticipation: int = 0,
    se_method: Literal["analytic", "bootstrap"] = "analytic",
    n_bootstrap: int = 999,
    seed: int | None = None,
    conf_level: float = 0.95,
) -> CallawaySantAnnaResult:
    """Callaway & Sant'Anna (2021) group-time ATTs for staggered adoption (balanced panel).

    For cohort ``g`` (units first treated in period ``g``) and period ``t``, with base period
    ``b`` (``g - 1 - anticipation`` for post periods; the previous period for pre periods under
    ``base_period="varying"``)::

        ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | C]

    where ``C`` is the never-treated units, or the units not yet treated by ``max(t, b) +
    anticipation`` (and not in cohort g). This is the unconditional (no covariates) estimator, to
    which the doubly robust one reduces without covariates.

    Inference: each ATT(g, t) is a difference of means with influence function
    ``psi_i = N/n_g (dY_i - mean_g) 1[G_i = g] - N/n_C (dY_i - mean_C) 1[i in C]``, so
    ``se = sqrt(sum psi^2) / N``. Aggregations ``sum_k w_k ATT_k`` with ``w_k`` proportional to the
    cohort shares ``P(G = g_k)`` add the influence of estimating the weights (R ``did``'s ``wif``).
    ``se_method="bootstrap"`` replaces the analytic standard errors by the multiplier bootstrap
    (Mammen weights; se = IQR of the bootstrap draws / (z_0.75 - z_0.25) / sqrt(N)) and adds a
    uniform critical value for simultaneous bands over ATT(g, t).

    Parameters
    ----------
    data : long balanced panel (units with missing periods are dropped with a warning).
    unit, time, outcome : column names; ``time`` integer-valued periods.
    first_treated : first period of treatment; 0, missing or infinite for never treated. Units
        already treated in the first period are dropped; cohorts first treated after the last
        period are treated as never treated.
    control_group : "never_treated" or "not_yet_treated".
    base_period : "varying" (R did's default) or "universal" (always g - 1 - anticipation).
    anticipation : number of periods before ``g`` in which effects may already appear.
    se_method, n_bootstrap, seed : inference choice; ``seed`` is required for the bootstrap.
    conf_level : confidence level (pointwise intervals use the normal distribution).

    Returns
    -------
    CallawaySantAnnaResult.

    References
    ----------
    Callaway B. & Sant'Anna P.H.C. (2021) "Difference-in-differences with multiple time
    periods", Journal of Econometrics 225(2):200-230; R package ``did`` (``att_gt``, ``aggte``).
    """
    _check_columns(data, unit, time, outcome, first_treated)
    if control_group not in ("never_treated", "not_yet_treated"):
        raise ValueError("control_group must be 'never_treated' or 'not_yet_treated'")
    if base_period not in ("varying", "universal"):
        raise ValueError("base_period must be 'varying' or 'universal'")
    if se_method not in ("analytic", "bootstrap"):
        raise ValueError("se_method must be 'analytic' or 'bootstrap'")
    if se_method == "bootstrap" and seed is None:
        raise ValueError("a seed is required for the multiplier bootstrap")
    if anticipation < 0:
        raise ValueError("anticipation must be non-negative")
    warnings: list[StatWarning] = []

    wide = data.pivot_table(index=unit, columns=time, values=outcome, aggfunc="first")
    wide = wide.sort_index(axis=1)
    complete = wide.notna().all(axis=1)
    if not complete.all():
        warnings.append(
            StatWarning(
                "unbalanced_panel",
                f"{int((~complete).sum())} unit(s) with missing periods were dropped.",
            )
        )
        wide = wide[complete]
    cohort_of = data.groupby(unit)[first_treated].first().reindex(wide.index)
    g_unit = _cohorts(cohort_of)
    times = wide.columns.to_numpy(dtype=np.float64)
    y = wide.to_numpy(dtype=np.float64)
    g_unit = np.where(g_unit > times[-1], 0.0, g_unit)
    early = (g_unit > 0) & (g_unit <= times[0])
    if early.any():
        warnings.append(
            StatWarning(
                "treated_in_first_period",
                f"{int(early.sum())} unit(s) treated in the first period were dropped.",
            )
        )
        y, g_unit = y[~early], g_unit[~early]
    n = y.shape[0]
    if n == 0:
        raise ValueError("no usable units")
    if control_group == "never_treated" and not np.any(g_unit == 0):
        raise ValueError("no never-treated units: use control_group='not_yet_treated'")
    cohorts = np.unique(g_unit[g_unit > 0])
    if cohorts.size == 0:
        raise ValueError("no treated cohort")
    n_in_cohort = {float(c): int(np.sum(g_unit == c)) for c in cohorts}

    rows: list[dict[str, Any]] = []
    psi_columns: list[FloatArray] = []
    for g in cohorts:
        # Index of the last period before anticipation of cohort g.
        before = np.flatnonzero(times + anticipation < g)
        if before.size == 0:
            continue
        g_base = int(before[-1])
        start = 1 if base_period == "varying" else 0
        for ti in range(start, times.size):
            t = times[ti]
            if base_period == "universal" and ti == g_base:
                continue
            post = bool(t >= g)
            bi = g_base if (post or base_period == "universal") else ti - 1
            treated = g_unit == g
            if control_group == "never_treated":
                control = g_unit == 0
            else:
                horizon = max(t, times[bi]) + anticipation
                control = (g_unit == 0) | ((g_unit > horizon) & (g_unit != g))
            n_t, n_c = int(treated.sum()), int(control.sum())
            if n_t == 0 or n_c == 0:
                warnings.append(
                    StatWarning(
                        "no_controls",
                        f"ATT(g={g:g}, t={t:g}) skipped: no comparison units.",
                    )
                )
                continue
            dy = y[:, ti] - y[:, bi]
            mean_t, mean_c = float(dy[treated].mean()), float(dy[control].mean())
            psi = np.zeros(n)
            psi[treated] = n / n_t * (dy[treated] - mean_t)
            psi[control] = -n / n_c * (dy[control] - mean_c)
            psi_columns.append(psi)
            rows.append(
                {
                    "group": float(g),
                    "time": float(t),
                    "base_time": float(times[bi]),
                    "event_time": float(t - g),
                    "post": bool(post),
                    "att": mean_t - mean_c,
                    "n_treated": n_t,
                    "n_control": n_c,
                }
            )
    if not rows:
        raise ValueError("no estimable ATT(g, t)")
    psi_matrix = np.column_stack(psi_columns)
    att = np.array([r["att"] for r in rows])
    group = np.array([r["group"] for r in rows])
    event_time = np.array([r["event_time"] for r in rows])
    share = np.array([n_in_cohort[r["group"]] / n for r in rows])
    cohort_indicator = (g_unit[:, None] == group[None, :]).astype(np.float64)

    def aggregate(keep: NDArray[np.bool_]) -> tuple[float, FloatArray]:
        k = np.flatnonzero(keep)
        return _share_weighted(att[k], psi_matrix[:, k], share[k], cohort_indicator[:, k])

    post_mask = np.array([r["post"] for r in rows])
    simple_att, simple_if = aggregate(post_mask)
    event_values = sorted(set(event_time.tolist()))
    dyn_att, dyn_if = [], []
    for e in event_values:
        a, inf = aggregate(event_time == e)
        dyn_att.append(a)
        dyn_if.append(inf)
    nonneg = [i for i, e in enumerate(event_values) if e >= 0]
    overall_att = float(np.mean([dyn_att[i] for i in nonneg]))
    overall_if = np.mean(np.column_stack([dyn_if[i] for i in nonneg]), axis=1)

    # Group aggregation: theta(g) = mean of a cohort's post-treatment ATT(g, t); the overall
    # value weights cohorts by size (R did's "group" aggregation).
    post_groups = [g for g in cohorts if np.any(post_mask & (group == g))]
    grp_att, grp_if = [], []
    for g in post_groups:
        k = np.flatnonzero(post_mask & (group == g))
        grp_att.append(float(att[k].mean()))
        grp_if.append(psi_matrix[:, k].mean(axis=1))
    g_share = np.array([n_in_cohort[float(g)] / n for g in post_groups])
    g_indicator = (g_unit[:, None] == np.asarray(post_groups)[None, :]).astype(np.float64)
    group_att, group_if = _share_weighted(
        np.asarray(grp_att), np.column_stack(grp_if), g_share, g_indicator
    )

    all_if = np.column_stack([psi_matrix, simple_if, *dyn_if, overall_if, *grp_if, group_if])
    all_est = np.concatenate([att, [simple_att], dyn_att, [overall_att], grp_att, [group_att]])
    z = float(stats.norm.ppf(0.5 + conf_level / 2.0))
    uniform_crit: float | None = None
    if se_method == "analytic":
        se = np.sqrt(np.sum(all_if**2, axis=0)) / n
    else:
        se, uniform_crit = _multiplier_bootstrap(
            all_if,
            n_cells=att.size,
            n_draws=n_bootstrap,
            seed=int(seed or 0),
            conf_level=conf_level,
        )

    for i, row in enumerate(rows):
        row["se"] = float(se[i])
        row["ci_low"] = row["att"] - z * row["se"]
        row["ci_high"] = row["att"] + z * row["se"]
        if uniform_crit is not None:
            row["band_low"] = row["att"] - uniform_crit * row["se"]
            row["band_high"] = row["att"] + uniform_crit * row["se"]

    assumptions = (
        *_PARALLEL_TRENDS,
        f"Comparison units: {control_group.replace('_', '-')} units.",
        "Treatment is irreversible (once treated, always treated).",
    )
    common = {
        "control_group": control_group,
        "base_period": base_period,
        "anticipation": anticipation,
        "se_method": se_method,
    }

    def make(index: int, measure: str, extra: dict[str, Any]) -> EstimateResult:
        est, err = float(all_est[index]), float(se[index])
        ok = err > 0 and math.isfinite(err)
        return EstimateResult(
            estimate=est,
            std_error=err if ok else math.nan,
            ci_low=est - z * err if ok else math.nan,
            ci_high=est + z * err if ok else math.nan,
            p_value=float(2 * stats.norm.sf(abs(est) / err)) if ok else math.nan,
            method="callaway_santanna",
            effect_measure=measure,
            n_units=n,
            conf_level=conf_level,
            n_clusters=n,
            df=None,
            assumptions=assumptions,
            warnings=tuple(warnings),
            extra={**common, **extra},
        )

    if min(n_in_cohort.values()) < 5:
        warnings.append(
            StatWarning("small_cohort", "A cohort has fewer than 5 units; its ATT(g, t) is noisy.")
        )
    if n < _FEW_UNITS:
        warnings.append(
            StatWarning(
                "few_units",
                f"{n} units: the normal approximation behind these intervals may be poor; "
                "consider randomisation inference over adoption dates.",
            )
        )
    offset = att.size
    simple = make(offset, "att_simple", {"aggregation": "simple"})
    dynamic = tuple(
        make(offset + 1 + i, "att_event_time", {"aggregation": "dynamic", "event_time": e})
        for i, e in enumerate(event_values)
    )
    offset += 1 + len(event_values)
    overall = make(offset, "att_dynamic_overall", {"aggregation": "dynamic"})
    by_group = tuple(
        make(offset + 1 + i, "att_group", {"aggregation": "group", "group": float(g)})
        for i, g in enumerate(post_groups)
    )
    group_overall = make(
        offset + 1 + len(post_groups), "att_group_overall", {"aggregation": "group"}
    )
    return CallawaySantAnnaResult(
        att_gt=tuple(rows),
        simple=simple,
        dynamic=dynamic,
        dynamic_overall=overall,
        by_group=by_group,
        group_overall=group_overall,
        control_group=control_group,
        base_period=base_period,
        anticipation=anticipation,
        se_method=se_method,
        seed=seed if se_method == "bootstrap" else None,
        n_bootstrap=n_bootstrap if se_method == "bootstrap" else None,
        uniform_critical_value=uniform_crit,
        n_units=n,
        warnings=tuple(warnings),
        extra={"cohort_sizes": {f"{k:g}": v for k, v in n_in_cohort.items()}},
    )


def _share_weighted(
    att: FloatArray, psi: FloatArray, share: FloatArray, indicator: FloatArray
) -> tuple[float, FloatArray]:
    """Cohort-share-weighted average of effects and its influence function.

    ``theta = sum_k w_k att_k`` with ``w_k = p_k / sum p`` and ``p_k = P(G = g_k)`` estimated by
    sample shares, so the influence function has a term for the estimated weights
    (R did's ``wif``): ``(1[G = g_k] - p_k) / sum p - sum_j (1[G = g_j] - p_j) p_k / (sum p)^2``.
    """
    total = float(share.sum())
    deviations = indicator - share[None, :]
    wif = deviations / total - deviations.sum(axis=1, keepdims=True) * (share[None, :] / total**2)
    weights = share / total
    return float(att @ weights), psi @ weights + wif @ att


def _multiplier_bootstrap(
    influence: FloatArray, *, n_cells: int, n_draws: int, seed: int, conf_level: float
) -> tuple[FloatArray, float]:
    """Mammen multiplier bootstrap of influence functions (R did's ``mboot``), vectorised.

    Draws ``V`` (B x N) of Mammen's two-point weights (mean 0, variance 1), forms
    ``R = V psi / sqrt(N)``, and returns ``se = IQR(R) / (z_.75 - z_.25) / sqrt(N)`` per column and
    the ``conf_level`` quantile of ``max_k |R_k| / sigma_k`` over the first ``n_cells`` columns.
    """
    n = influence.shape[0]
    rng = np.random.default_rng(seed)
    root5 = math.sqrt(5.0)
    low, high = (1 - root5) / 2, (1 + root5) / 2
    p_low = (root5 + 1) / (2 * root5)
    draws = np.empty((n_draws, influence.shape[1]))
    chunk = max(1, 2_000_000 // max(n, 1))  # bound memory of the B x N weight matrix
    for start in range(0, n_draws, chunk):
        stop = min(n_draws, start + chunk)
        v = np.where(rng.random((stop - start, n)) < p_low, low, high)
        draws[start:stop] = v @ influence / math.sqrt(n)
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    sigma = np.where(sigma > 0, sigma, np.nan)
    t_max = np.nanmax(np.abs(draws[:, :n_cells]) / sigma[:n_cells], axis=1)
    crit = float(np.quantile(t_max, conf_level, method="inverted_cdf"))
    return sigma / math.sqrt(n), crit


# ----------------------------------------------------------------------------- Sun-Abraham


@dataclass(frozen=True, slots=True)
class SunAbrahamResult:
    """Interaction-weighted event-study estimates (Sun & Abraham 2021).

    Attributes
    ----------
    event_times : event times with an estimate (the reference period -1 is excluded).
    coefficients : IW estimate per event time: cohort-specific effects CATT(g, e) averaged with
        the cohorts' sample shares among cohorts observed at e.
    catt : one row per (cohort, event time): estimate, standard error and cohort weight.
    control : "never_treated" or "last_treated" (the last cohort serves as control and periods
        from its adoption on are dropped).
    """

    event_times: tuple[int, ...]
    coefficients: tuple[EstimateResult, ...]
    catt: tuple[dict[str, Any], ...]
    control: str
    n_units: int
    n_clusters: int | None
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def sun_abraham(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    first_treated: str,
    control: Literal["never_treated", "last_treated"] = "never_treated",
    cluster: str | None = None,
    se_type: SEType | None = None,
    conf_level: float = 0.95,
) -> SunAbrahamResult:
    """Sun & Abraham (2021) interaction-weighted event study for staggered adoption.

    Fits ``y_it = a_i + l_t + sum_g sum_{e != -1} d_{g,e} 1[G_i = g] 1[t - g = e] + e_it`` with
    every cohort-by-event-time indicator (no binning), so each ``d_{g,e}`` (CATT) compares cohort
    g with the control cohort relative to period ``g - 1`` and is not contaminated by effects at
    other event times, unlike the pooled TWFE event study. The event-time estimate is
    ``sum_g w_{g,e} d_{g,e}`` with ``w_{g,e}`` the share of cohort g among the cohorts observed
    at e. Its variance is ``w' V w`` from the cluster-robust covariance of the CATTs, treating the
    shares as fixed (as ``fixest::sunab`` does).

    Parameters
    ----------
    data : long panel; ``first_treated`` is 0/missing/infinite for never-treated units.
    unit, time, outcome, first_treated : column names.
    control : "never_treated", or "last_treated" when every unit is eventually treated.
    cluster, se_type, conf_level : as in :func:`twfe_did` (default CR2 clustered by unit).

    Returns
    -------
    SunAbrahamResult.

    Reference: Sun L. & Abraham S. (2021) "Estimating dynamic treatment effects in event studies
    with heterogeneous treatment effects", Journal of Econometrics 225(2):175-199.
    """
    _check_columns(data, unit, time, outcome, first_treated)
    columns = [unit, time, outcome, first_treated] + ([cluster] if cluster else [])
    frame = data[columns]
    frame = frame[frame[outcome].notna()].copy()
    g = _cohorts(frame[first_treated])
    t = frame[time].to_numpy(dtype=np.float64)
    warnings: list[StatWarning] = []
    early = (g > 0) & (g <= float(np.min(t)))
    if early.any():
        warnings.append(
            StatWarning("treated_in_first_period", "Units treated in the first period dropped.")
        )
        frame, g, t = frame[~early], g[~early], t[~early]
    if control == "never_treated":
        if not np.any(g == 0):
            raise ValueError("no never-treated units: use control='last_treated'")
    elif control == "last_treated":
        last = float(np.max(g))
        keep = t < last
        frame, g, t = frame[keep], g[keep], t[keep]
        g = np.where(g == last, 0.0, g)
    else:
        raise ValueError("control must be 'never_treated' or 'last_treated'")
    cohorts = sorted(set(g[g > 0].tolist()))
    if not cohorts:
        raise ValueError("no treated cohort")
    rel = t - g
    cells = sorted(
        {(c, int(e)) for c, e in zip(g[g > 0].tolist(), rel[g > 0].tolist(), strict=True)}
        - {(c, -1) for c in cohorts}
    )
    regressors = {f"catt_{c:g}_{e}": ((g == c) & (rel == e)).astype(np.float64) for c, e in cells}
    x, names = _twfe_design(frame, unit, time, regressors)
    fit = fit_ols(
        frame[outcome].to_numpy(dtype=np.float64),
        x,
        cluster=frame[cluster or unit].to_numpy(),
        se_type=_fe_se_type(se_type, frame[cluster or unit]),
        conf_level=conf_level,
        names=names,
    )
    unit_cohort = pd.Series(g, index=frame.index).groupby(frame[unit].to_numpy()).first()
    cohort_size = {c: int((unit_cohort == c).sum()) for c in cohorts}
    catt_rows: list[dict[str, Any]] = []
    results: list[EstimateResult] = []
    event_times = sorted({e for _, e in cells})
    for e in event_times:
        members = [c for c, ee in cells if ee == e]
        sizes = np.array([cohort_size[c] for c in members], dtype=np.float64)
        weights = sizes / sizes.sum()
        contrast = np.zeros(len(names))
        for c, w in zip(members, weights, strict=True):
            idx = fit.index_of(f"catt_{c:g}_{e}")
            contrast[idx] = w
            catt_rows.append(
                {
                    "group": c,
                    "event_time": e,
                    "estimate": float(fit.params[idx]),
                    "std_error": float(fit.std_errors[idx]),
                    "weight": float(w),
                }
            )
        results.append(
            coefficient_result(
                fit,
                contrast,
                method="sun_abraham",
                effect_measure="mean_difference_in_differences",
                assumptions=(
                    *_PARALLEL_TRENDS,
                    f"Comparison cohort: {control.replace('_', '-')} units.",
                ),
                extra={"event_time": e, "cohorts": [float(c) for c in members]},
            )
        )
    return SunAbrahamResult(
        event_times=tuple(event_times),
        coefficients=tuple(results),
        catt=tuple(catt_rows),
        control=control,
        n_units=int(frame[unit].nunique()),
        n_clusters=fit.n_clusters,
        warnings=tuple(warnings) + fit.warnings,
        extra={"se_type": fit.se_type, "reference_period": -1},
    )


# ----------------------------------------------------------------------------- helpers


def _binary(values: ArrayLike, name: str, n: int) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have one value per observation ({n})")
    if not np.all(np.isin(arr, (0.0, 1.0))):
        raise ValueError(f"{name} must be 0/1")
    return arr


def _check_columns(data: pd.DataFrame, *columns: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError("data must be a pandas DataFrame")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"columns not in the data: {missing}")


def _cohorts(values: Sequence[float] | pd.Series) -> FloatArray:
    """First-treated period per row with never-treated coded 0 (missing/0/inf all mean never)."""
    g = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=np.float64)
    return np.where(np.isfinite(g) & (g > 0), g, 0.0)


def _twfe_design(
    frame: pd.DataFrame, unit: str, time: str, regressors: dict[str, FloatArray]
) -> tuple[FloatArray, list[str]]:
    """Regressors, intercept, and unit and time dummies (first level of each dropped)."""
    unit_codes = pd.Categorical(frame[unit]).codes
    time_codes = pd.Categorical(frame[time]).codes
    n = len(frame)
    n_units, n_times = int(unit_codes.max()) + 1, int(time_codes.max()) + 1
    unit_d = np.zeros((n, n_units))
    unit_d[np.arange(n), unit_codes] = 1.0
    time_d = np.zeros((n, n_times))
    time_d[np.arange(n), time_codes] = 1.0
    x = np.column_stack([*regressors.values(), np.ones(n), unit_d[:, 1:], time_d[:, 1:]])
    names = [
        *regressors,
        "intercept",
        *(f"unit_{i}" for i in range(1, n_units)),
        *(f"time_{i}" for i in range(1, n_times)),
    ]
    return x, names


def _with_warnings(result: EstimateResult, extra: list[StatWarning]) -> EstimateResult:
    data = {f: getattr(result, f) for f in result.__dataclass_fields__}
    data["warnings"] = tuple(result.warnings) + tuple(extra)
    return EstimateResult(**data)
