"""Event study: leads and lags of adoption in a two-way fixed effects regression."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from infuse.stats._common import FloatArray
from infuse.stats.quasi._panel import (
    PARALLEL_TRENDS,
    check_columns,
    cohort_panel,
    fit_twfe,
)
from infuse.stats.regression.ols import OLSFit, SEType, coefficient_result
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = ["EventStudyResult", "event_study"]


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
    check_columns(data, unit, time, outcome, first_treated)
    if leads < 1 or lags < 0:
        raise ValueError("leads must be >= 1 and lags >= 0")
    if not -leads <= reference_period <= lags:
        raise ValueError("reference_period must lie inside the window")
    frame, g, t = cohort_panel(data, unit, time, outcome, first_treated, cluster)
    frame, event = _event_time(frame, t - g, g > 0, leads, lags, bin_endpoints)
    omitted, warnings = _normalised_event_times(g, leads, reference_period)
    event_times = [k for k in range(-leads, lags + 1) if k not in omitted]
    present = [k for k in event_times if (event == k).any()]
    if len(present) < len(event_times):
        missing = sorted(set(event_times) - set(present))
        warnings.append(
            StatWarning("empty_event_times", f"no observations at event times {missing}")
        )
    fit = fit_twfe(
        frame,
        unit=unit,
        time=time,
        outcome=outcome,
        regressors={f"event_{k}": (event == k).astype(np.float64) for k in present},
        cluster=cluster,
        se_type=se_type,
        conf_level=conf_level,
    ).fit
    results = tuple(
        coefficient_result(
            fit,
            f"event_{k}",
            method="event_study_twfe",
            effect_measure="mean_difference_in_differences",
            assumptions=PARALLEL_TRENDS,
            extra={"event_time": k, "reference_period": reference_period},
        )
        for k in present
    )
    f_stat, f_p = _pretrend_test(fit, present, results, reference_period)
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


def _event_time(
    frame: pd.DataFrame,
    since: FloatArray,
    treated: NDArray[np.bool_],
    leads: int,
    lags: int,
    bin_endpoints: bool,
) -> tuple[pd.DataFrame, FloatArray]:
    """Each row's event time ``t - G`` (NaN for never-treated units) inside the window: the
    ends absorb every earlier or later event time (binned), or rows outside it are dropped."""
    event = np.where(treated, since, np.nan)
    if bin_endpoints:
        return frame, np.where(np.isfinite(event), np.clip(event, -leads, lags), np.nan)
    outside = np.isfinite(event) & ((event < -leads) | (event > lags))
    return frame[~outside], event[~outside]


def _normalised_event_times(
    g: FloatArray, leads: int, reference_period: int
) -> tuple[set[int], list[StatWarning]]:
    """The event times normalised to zero: the reference period, and a second one when every
    unit is eventually treated, since event time is then collinear with unit and period
    effects (``t - G_i``; Borusyak, Jaravel & Spiess 2024)."""
    omitted = {reference_period}
    if np.any(g == 0):
        return omitted, []
    omitted.add(-leads if reference_period != -leads else -leads + 1)
    return omitted, [
        StatWarning(
            "no_never_treated",
            f"Every unit is eventually treated: event times {sorted(omitted)} are both "
            "normalised to zero.",
        )
    ]


def _pretrend_test(
    fit: OLSFit,
    present: list[int],
    results: tuple[EstimateResult, ...],
    reference_period: int,
) -> tuple[float, float]:
    """Joint Wald test that every lead is zero: F with (q, smallest lead df), or chi-square
    when the df are infinite; NaN without leads."""
    lead_idx = [fit.index_of(f"event_{k}") for k in present if k < reference_period]
    if not lead_idx:
        return math.nan, math.nan
    b = fit.params[lead_idx]
    v = fit.cov[np.ix_(lead_idx, lead_idx)]
    q = len(lead_idx)
    df = float(min(r.df or math.inf for r in results if r.extra["event_time"] < reference_period))
    f_stat = float(b @ np.linalg.pinv(v) @ b) / q
    if math.isfinite(df):
        return f_stat, float(stats.f.sf(f_stat, q, df))
    return f_stat, float(stats.chi2.sf(f_stat * q, q))
