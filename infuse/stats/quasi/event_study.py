"""Event study: leads and lags of adoption in a two-way fixed effects regression."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from infuse.stats.quasi._panel import (
    PARALLEL_TRENDS,
    check_columns,
    cohorts_of,
    fe_se_type,
    twfe_design,
)
from infuse.stats.regression.ols import SEType, coefficient_result, fit_ols
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
    columns = [unit, time, outcome, first_treated] + ([cluster] if cluster else [])
    frame = data[columns].copy()
    frame = frame[frame[outcome].notna()]
    g = cohorts_of(frame[first_treated])
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
    x, names = twfe_design(frame, unit, time, dummies)
    fit = fit_ols(
        frame[outcome].to_numpy(dtype=np.float64),
        x,
        cluster=frame[cluster or unit].to_numpy(),
        se_type=fe_se_type(se_type, frame[cluster or unit]),
        conf_level=conf_level,
        names=names,
    )
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
