"""Callaway & Sant'Anna (2021) group-time average treatment effects for staggered adoption.

Only ever compares a cohort with units that are not (yet) treated, so heterogeneous effects do
not contaminate each other as in two-way fixed effects. Inference uses the influence functions
of each ATT(g, t) (analytic) or a seeded multiplier bootstrap with Mammen weights, as the R
package ``did`` does.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from infuse.stats._common import FloatArray, usable_se, wald_estimate
from infuse.stats.quasi._panel import PARALLEL_TRENDS, check_columns, cohorts_of
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = ["CallawaySantAnnaResult", "callaway_santanna"]

# Below this many units the influence-function (normal) intervals of Callaway-Sant'Anna are
# a rough guide only.
_FEW_UNITS = 30


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
    check_columns(data, unit, time, outcome, first_treated)
    _check_options(control_group, base_period, se_method, seed, anticipation)
    y, g_unit, times, warnings = _balanced_panel(data, unit, time, outcome, first_treated)
    n = y.shape[0]
    cohorts = _treated_cohorts(g_unit, control_group)
    n_in_cohort = {float(c): int(np.sum(g_unit == c)) for c in cohorts}
    rows, psi_matrix = _group_time_effects(
        y, g_unit, times, cohorts, control_group, base_period, anticipation, warnings
    )
    agg = _aggregate(rows, psi_matrix, g_unit, cohorts, n_in_cohort)
    uniform_crit: float | None = None
    if se_method == "analytic":
        se = np.sqrt(np.sum(agg.influence**2, axis=0)) / n
    else:
        se, uniform_crit = _multiplier_bootstrap(
            agg.influence,
            n_cells=len(rows),
            n_draws=n_bootstrap,
            seed=int(seed or 0),
            conf_level=conf_level,
        )
    _add_intervals(rows, se, float(stats.norm.ppf(0.5 + conf_level / 2.0)), uniform_crit)
    warnings += _size_warnings(n_in_cohort, n)
    make = _ResultMaker(
        agg.estimates,
        se,
        conf_level,
        n,
        assumptions=(
            *PARALLEL_TRENDS,
            f"Comparison units: {control_group.replace('_', '-')} units.",
            "Treatment is irreversible (once treated, always treated).",
        ),
        warnings=tuple(warnings),
        common={
            "control_group": control_group,
            "base_period": base_period,
            "anticipation": anticipation,
            "se_method": se_method,
        },
    )
    return CallawaySantAnnaResult(
        att_gt=tuple(rows),
        **_aggregations(make, agg, len(rows)),
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


def _aggregations(make: _ResultMaker, agg: _Aggregated, offset: int) -> dict[str, Any]:
    """The aggregations as EstimateResults, read from their places among the estimates."""
    n_dynamic, n_groups = len(agg.event_values), len(agg.post_groups)
    return {
        "simple": make(offset, "att_simple", {"aggregation": "simple"}),
        "dynamic": tuple(
            make(offset + 1 + i, "att_event_time", {"aggregation": "dynamic", "event_time": e})
            for i, e in enumerate(agg.event_values)
        ),
        "dynamic_overall": make(
            offset + 1 + n_dynamic, "att_dynamic_overall", {"aggregation": "dynamic"}
        ),
        "by_group": tuple(
            make(
                offset + 2 + n_dynamic + i,
                "att_group",
                {"aggregation": "group", "group": float(g)},
            )
            for i, g in enumerate(agg.post_groups)
        ),
        "group_overall": make(
            offset + 2 + n_dynamic + n_groups, "att_group_overall", {"aggregation": "group"}
        ),
    }


def _check_options(
    control_group: str, base_period: str, se_method: str, seed: int | None, anticipation: int
) -> None:
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


def _balanced_panel(
    data: pd.DataFrame, unit: str, time: str, outcome: str, first_treated: str
) -> tuple[FloatArray, FloatArray, FloatArray, list[StatWarning]]:
    """Units x periods outcomes, each unit's cohort (0 = never treated) and the periods.

    Units with missing periods, and units treated in the first period, are dropped with a
    warning; cohorts first treated after the last period count as never treated.
    """
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
    g_unit = cohorts_of(cohort_of)
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
    return y, g_unit, times, warnings


def _treated_cohorts(g_unit: FloatArray, control_group: str) -> FloatArray:
    """The cohorts' first treated periods, with the comparison units the design needs."""
    if g_unit.shape[0] == 0:
        raise ValueError("no usable units")
    if control_group == "never_treated" and not np.any(g_unit == 0):
        raise ValueError("no never-treated units: use control_group='not_yet_treated'")
    cohorts = np.unique(g_unit[g_unit > 0])
    if cohorts.size == 0:
        raise ValueError("no treated cohort")
    return cohorts


def _group_time_effects(
    y: FloatArray,
    g_unit: FloatArray,
    times: FloatArray,
    cohorts: FloatArray,
    control_group: str,
    base_period: str,
    anticipation: int,
    warnings: list[StatWarning],
) -> tuple[list[dict[str, Any]], FloatArray]:
    """Every estimable ATT(g, t) as a row, with the influence functions as columns; cells
    without comparison units are skipped with a warning (appended to ``warnings``)."""
    rows, psi_columns = [], []
    for g, ti, bi in _cells(times, cohorts, base_period, anticipation):
        cell = _att_gt(y, g_unit, times, g, ti, bi, control_group, anticipation)
        if cell is None:
            warnings.append(
                StatWarning(
                    "no_controls",
                    f"ATT(g={g:g}, t={times[ti]:g}) skipped: no comparison units.",
                )
            )
            continue
        rows.append(cell[0])
        psi_columns.append(cell[1])
    if not rows:
        raise ValueError("no estimable ATT(g, t)")
    return rows, np.column_stack(psi_columns)


def _cells(
    times: FloatArray, cohorts: FloatArray, base_period: str, anticipation: int
) -> Iterator[tuple[float, int, int]]:
    """``(g, t index, base period index)`` of every ATT(g, t): the base is the last period
    before anticipation of cohort g for post periods (and always under ``universal``), the
    previous period for pre periods under ``varying``."""
    for g in cohorts:
        before = np.flatnonzero(times + anticipation < g)
        if before.size == 0:
            continue
        g_base = int(before[-1])
        start = 1 if base_period == "varying" else 0
        for ti in range(start, times.size):
            if base_period == "universal" and ti == g_base:
                continue
            post = bool(times[ti] >= g)
            yield g, ti, g_base if (post or base_period == "universal") else ti - 1


def _att_gt(
    y: FloatArray,
    g_unit: FloatArray,
    times: FloatArray,
    g: float,
    ti: int,
    bi: int,
    control_group: str,
    anticipation: int,
) -> tuple[dict[str, Any], FloatArray] | None:
    """ATT(g, t) as a difference of mean changes since the base period, and its influence
    function ``N/n_g (dY - mean_g) 1[G = g] - N/n_C (dY - mean_C) 1[C]``; None without
    treated or comparison units."""
    n = y.shape[0]
    t = times[ti]
    treated = g_unit == g
    if control_group == "never_treated":
        control = g_unit == 0
    else:
        horizon = max(t, times[bi]) + anticipation
        control = (g_unit == 0) | ((g_unit > horizon) & (g_unit != g))
    n_t, n_c = int(treated.sum()), int(control.sum())
    if n_t == 0 or n_c == 0:
        return None
    dy = y[:, ti] - y[:, bi]
    mean_t, mean_c = float(dy[treated].mean()), float(dy[control].mean())
    psi = np.zeros(n)
    psi[treated] = n / n_t * (dy[treated] - mean_t)
    psi[control] = -n / n_c * (dy[control] - mean_c)
    row = {
        "group": float(g),
        "time": float(t),
        "base_time": float(times[bi]),
        "event_time": float(t - g),
        "post": bool(t >= g),
        "att": mean_t - mean_c,
        "n_treated": n_t,
        "n_control": n_c,
    }
    return row, psi


class _Aggregated(NamedTuple):
    """Every estimate (ATT(g, t) first, then the aggregations) and its influence function."""

    estimates: FloatArray
    influence: FloatArray
    event_values: list[float]
    post_groups: list[float]


def _aggregate(
    rows: list[dict[str, Any]],
    psi_matrix: FloatArray,
    g_unit: FloatArray,
    cohorts: FloatArray,
    n_in_cohort: dict[float, int],
) -> _Aggregated:
    """The simple, event-time (dynamic) and cohort (group) aggregations of R did's ``aggte``,
    stacked after the ATT(g, t) in the order of the result: simple, each event time, the
    dynamic overall, each cohort, the group overall."""
    n = g_unit.shape[0]
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
    dynamic = [aggregate(event_time == e) for e in event_values]
    nonneg = [i for i, e in enumerate(event_values) if e >= 0]
    overall_att = float(np.mean([dynamic[i][0] for i in nonneg]))
    overall_if = np.mean(np.column_stack([dynamic[i][1] for i in nonneg]), axis=1)
    post_groups, grp_att, grp_if, group_att, group_if = _group_aggregation(
        att, psi_matrix, post_mask, group, g_unit, cohorts, n_in_cohort
    )
    return _Aggregated(
        estimates=np.concatenate(
            [att, [simple_att], [a for a, _ in dynamic], [overall_att], grp_att, [group_att]]
        ),
        influence=np.column_stack(
            [psi_matrix, simple_if, *(f for _, f in dynamic), overall_if, *grp_if, group_if]
        ),
        event_values=event_values,
        post_groups=post_groups,
    )


def _group_aggregation(
    att: FloatArray,
    psi_matrix: FloatArray,
    post_mask: NDArray[np.bool_],
    group: FloatArray,
    g_unit: FloatArray,
    cohorts: FloatArray,
    n_in_cohort: dict[float, int],
) -> tuple[list[float], list[float], list[FloatArray], float, FloatArray]:
    """theta(g), each cohort's mean post-treatment ATT(g, t), and their average weighted by
    cohort size (R did's "group" aggregation), with influence functions."""
    n = g_unit.shape[0]
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
    return post_groups, grp_att, grp_if, group_att, group_if


def _add_intervals(
    rows: list[dict[str, Any]], se: FloatArray, z: float, uniform_crit: float | None
) -> None:
    """Pointwise normal intervals, and simultaneous bands under the bootstrap, on each row."""
    for i, row in enumerate(rows):
        row["se"] = float(se[i])
        row["ci_low"] = row["att"] - z * row["se"]
        row["ci_high"] = row["att"] + z * row["se"]
        if uniform_crit is not None:
            row["band_low"] = row["att"] - uniform_crit * row["se"]
            row["band_high"] = row["att"] + uniform_crit * row["se"]


def _size_warnings(n_in_cohort: dict[float, int], n: int) -> list[StatWarning]:
    warnings = []
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
    return warnings


@dataclass(frozen=True)
class _ResultMaker:
    """One aggregation (by its position among the stacked estimates) as an EstimateResult with
    a normal interval; no interval when its standard error is not positive and finite."""

    estimates: FloatArray
    se: FloatArray
    conf_level: float
    n: int
    assumptions: tuple[str, ...]
    warnings: tuple[StatWarning, ...]
    common: dict[str, Any]

    def __call__(self, index: int, measure: str, extra: dict[str, Any]) -> EstimateResult:
        err = float(self.se[index])
        return wald_estimate(
            float(self.estimates[index]),
            err if usable_se(err) else math.nan,
            df=None,
            conf_level=self.conf_level,
            method="callaway_santanna",
            effect_measure=measure,
            n_units=self.n,
            n_clusters=self.n,
            assumptions=self.assumptions,
            warnings=self.warnings,
            extra={**self.common, **extra},
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
