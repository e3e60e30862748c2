"""Sun & Abraham (2021) interaction-weighted event study for staggered adoption."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from infuse.stats._common import FloatArray
from infuse.stats.quasi._panel import (
    PARALLEL_TRENDS,
    check_columns,
    cohort_panel,
    fit_twfe,
)
from infuse.stats.regression.ols import OLSFit, SEType, coefficient_result
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = ["SunAbrahamResult", "sun_abraham"]


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
    check_columns(data, unit, time, outcome, first_treated)
    frame, g, t, warnings = _with_control_cohort(
        *cohort_panel(data, unit, time, outcome, first_treated, cluster), control
    )
    cohorts = sorted(set(g[g > 0].tolist()))
    if not cohorts:
        raise ValueError("no treated cohort")
    rel = t - g
    cells = sorted(
        {(c, int(e)) for c, e in zip(g[g > 0].tolist(), rel[g > 0].tolist(), strict=True)}
        - {(c, -1) for c in cohorts}
    )
    fit = fit_twfe(
        frame,
        unit=unit,
        time=time,
        outcome=outcome,
        regressors={
            f"catt_{c:g}_{e}": ((g == c) & (rel == e)).astype(np.float64) for c, e in cells
        },
        cluster=cluster,
        se_type=se_type,
        conf_level=conf_level,
    ).fit
    unit_cohort = pd.Series(g, index=frame.index).groupby(frame[unit].to_numpy()).first()
    cohort_size = {c: int((unit_cohort == c).sum()) for c in cohorts}
    assumptions = (*PARALLEL_TRENDS, f"Comparison cohort: {control.replace('_', '-')} units.")
    catt_rows: list[dict[str, Any]] = []
    results: list[EstimateResult] = []
    event_times = sorted({e for _, e in cells})
    for e in event_times:
        members = [c for c, ee in cells if ee == e]
        rows, contrast = _cohort_weights(fit, e, members, cohort_size)
        catt_rows += rows
        results.append(
            coefficient_result(
                fit,
                contrast,
                method="sun_abraham",
                effect_measure="mean_difference_in_differences",
                assumptions=assumptions,
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


def _with_control_cohort(
    frame: pd.DataFrame, g: FloatArray, t: FloatArray, control: str
) -> tuple[pd.DataFrame, FloatArray, FloatArray, list[StatWarning]]:
    """The sample without units treated in the first period; with ``last_treated`` control,
    the last cohort is recoded as never treated and periods from its adoption on are dropped."""
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
    return frame, g, t, warnings


def _cohort_weights(
    fit: OLSFit, e: int, members: list[float], cohort_size: dict[float, int]
) -> tuple[list[dict[str, Any]], FloatArray]:
    """The CATT rows of event time ``e`` and the contrast averaging them with the cohorts'
    sample shares among the cohorts observed at ``e``."""
    sizes = np.array([cohort_size[c] for c in members], dtype=np.float64)
    weights = sizes / sizes.sum()
    contrast = np.zeros(len(fit.params))
    rows = []
    for c, w in zip(members, weights, strict=True):
        idx = fit.index_of(f"catt_{c:g}_{e}")
        contrast[idx] = w
        rows.append(
            {
                "group": c,
                "event_time": e,
                "estimate": float(fit.params[idx]),
                "std_error": float(fit.std_errors[idx]),
                "weight": float(w),
            }
        )
    return rows, contrast
