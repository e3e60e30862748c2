"""Synthetic control: a weighted average of untreated units that tracks the treated unit.

Why this method: when one council adopts a policy and the others do not, no single council is a
good comparison, but a convex combination of them may reproduce the treated council's history
before the change. The gap after the change estimates the effect. Inference is by placebo:
pretending, in turn, that each donor was treated (in-space) or that the change happened earlier
(in-time), and asking how unusual the real gap is.

Specification (Abadie, Diamond & Hainmueller 2010)::

    W* = argmin_W (X1 - X0 W)' V (X1 - X0 W)   subject to  W >= 0, sum(W) = 1

``X1``/``X0`` hold the treated unit's and the donors' fitting variables. Two specifications:

* ``predictors=None`` (default): the fitting variables are the pre-period outcomes themselves,
  unscaled, with ``V = I`` (the "outcome-lags" synthetic control used by Abadie 2021 and by
  Arkhangelsky et al. 2021 as their SC benchmark).
* ``predictors=[...]``: each predictor averaged over ``predictor_period`` plus optional outcome
  values at ``outcome_lags`` times; each row is divided by its standard deviation across all
  units (as R's Synth and pysyncon do) and weighted by a diagonal ``V`` that is either equal,
  user supplied, or chosen to minimise the pre-period outcome MSPE (ADH's nested optimisation,
  run deterministically by Nelder-Mead from equal weights).

The inner quadratic programme is solved exactly with Lawson-Hanson non-negative least squares
on the system augmented by a heavily weighted row ``M (1'W - 1)``: an active-set method with no
random start, so the same data always give the same weights.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize

from infuse.stats._common import require_columns
from infuse.stats.results import EstimateResult, StatWarning, json_ready

__all__ = [
    "SyntheticControlResult",
    "simplex_weights",
    "synthetic_control",
]

# Weight of the sum-to-one row in the augmented NNLS; the system is rescaled to unit norm first,
# so this keeps |sum(W) - 1| below ~1e-11 without harming the conditioning of the active set.
_SUM_ROW_WEIGHT = 1e4
# ADH (2010, section 3.3) discard placebos whose pre-period MSPE is more than a few times the
# treated unit's; we report the p-value with a 5x threshold alongside the full one.
_POOR_FIT_MSPE_MULTIPLE = 5.0


@dataclass(frozen=True, slots=True)
class SyntheticControlResult:
    """A synthetic-control fit, its gaps and its placebo inference.

    Attributes
    ----------
    effect : mean post-period gap (treated minus synthetic). ``p_value`` is the in-space placebo
        permutation p-value (NaN when placebos were not run); no standard error or CI is claimed.
    weights : donor weights (sum to one), by donor label; donors with weight below 1e-10 omitted.
    predictor_weights : the diagonal of V by predictor name (empty for the outcome-lags spec).
    times, treated_outcome, synthetic_outcome, gaps : series in time order.
    pre_rmspe, post_rmspe, rmspe_ratio : root mean squared prediction error before and after the
        intervention, and their ratio (ADH's test statistic).
    placebos : one row per unit (treated first) with its pre/post RMSPE and ratio.
    rank : rank of the treated unit's ratio among all units (1 = largest).
    p_value : rank / number of units (ADH 2010); ties count against the treated unit.
    in_time_placebo : result of refitting with a fake intervention date, or None.
    specification : everything needed to rerun the fit (donors, periods, predictors, V).
    """

    effect: EstimateResult
    weights: dict[str, float]
    predictor_weights: dict[str, float]
    times: tuple[float, ...]
    treated_outcome: tuple[float, ...]
    synthetic_outcome: tuple[float, ...]
    gaps: tuple[float, ...]
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    placebos: tuple[dict[str, Any], ...]
    rank: int | None
    p_value: float
    in_time_placebo: dict[str, Any] | None
    specification: dict[str, Any]
    warnings: tuple[StatWarning, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN and infinities become ``None``)."""
        out: dict[str, Any] = json_ready(asdict(self))
        return out


def simplex_weights(
    target: NDArray[np.float64],
    donors: NDArray[np.float64],
    row_weights: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Weights on the probability simplex that best reproduce ``target`` from ``donors``.

    Parameters
    ----------
    target : (m,) fitting variables of the treated unit.
    donors : (m, J) the same variables for each donor (one column per donor).
    row_weights : (m,) diagonal of V (non-negative); None means V = I.

    Returns
    -------
    (J,) weights ``W >= 0`` with ``sum(W) = 1`` minimising ``(x1 - X0 W)' V (x1 - X0 W)``.

    Solved as non-negative least squares (Lawson & Hanson 1974, "Solving Least Squares
    Problems", ch. 23) on ``[sqrt(V) X0; M 1'] W ~ [sqrt(V) x1; M]``, then renormalised. NNLS is
    an exact, deterministic active-set method, unlike a randomly started general optimiser.
    """
    x1 = np.asarray(target, dtype=np.float64)
    x0 = np.asarray(donors, dtype=np.float64)
    if x0.ndim != 2 or x1.ndim != 1 or x0.shape[0] != x1.shape[0]:
        raise ValueError("donors must be (m, J) and target (m,) with the same m")
    if x0.shape[1] == 0:
        raise ValueError("at least one donor is needed")
    if row_weights is not None:
        root = np.sqrt(np.clip(np.asarray(row_weights, dtype=np.float64), 0.0, None))
        x0, x1 = x0 * root[:, None], x1 * root
    scale = float(np.linalg.norm(x1)) or float(np.linalg.norm(x0)) or 1.0
    a = np.vstack([x0 / scale, np.full((1, x0.shape[1]), _SUM_ROW_WEIGHT)])
    b = np.append(x1 / scale, _SUM_ROW_WEIGHT)
    w, _ = optimize.nnls(a, b, maxiter=50 * a.shape[1])
    total = float(w.sum())
    if total <= 0:
        return np.full(x0.shape[1], 1.0 / x0.shape[1])
    result: NDArray[np.float64] = w / total
    return result


def _rmspe(gaps: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(gaps**2))) if gaps.size else math.nan


def synthetic_control(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: Hashable,
    intervention_time: float,
    donors: Sequence[Hashable] | None = None,
    pre_period: Sequence[float] | None = None,
    predictors: Sequence[str] | None = None,
    predictor_period: Sequence[float] | None = None,
    outcome_lags: Sequence[float] = (),
    v_matrix: Literal["equal", "optimised"] | Sequence[float] | NDArray[np.float64] = "equal",
    placebo_in_space: bool = True,
    placebo_time: float | None = None,
) -> SyntheticControlResult:
    """Synthetic control estimate with in-space and in-time placebo inference.

    Parameters
    ----------
    data : long panel with one row per unit and time.
    unit, time, outcome : column names.
    treated_unit : label of the treated unit.
    intervention_time : first time under the intervention (times before it are "pre").
    donors : labels of the donor pool; default every other unit with a complete outcome series.
    pre_period : times whose outcomes the weights are fitted on (outcome-lags spec) and over
        which pre-RMSPE is measured; default every pre-intervention time.
    predictors : covariate columns; when given, the fit uses their means over
        ``predictor_period`` (default ``pre_period``) and the outcome at ``outcome_lags``.
    v_matrix : "equal", "optimised" (ADH nested minimisation of pre-period outcome MSPE), or
        one non-negative weight per predictor row (predictors first, then outcome lags).
        Ignored for the outcome-lags specification, where V = I.
    placebo_in_space : refit with each donor as the treated unit (others as its donors) and rank
        the post/pre RMSPE ratios.
    placebo_time : a fake intervention time before ``intervention_time``: the model is refitted
        on data before it and the "effect" up to the real intervention is reported.

    Returns
    -------
    SyntheticControlResult. The effect is the mean post-period gap; its p-value is
    ``rank / (J + 1)`` where rank is the position of the treated unit's RMSPE ratio.

    References
    ----------
    Abadie A., Diamond A., Hainmueller J. (2010) "Synthetic control methods for comparative case
    studies: estimating the effect of California's tobacco control program", JASA 105:493-505.
    Abadie A. (2021) "Using synthetic controls: feasibility, data requirements, and
    methodological aspects", Journal of Economic Literature 59(2):391-425.
    """
    _check_panel(data, unit, time, outcome, predictors)
    spec = _Spec(unit, time, outcome, predictors, predictor_period, outcome_lags, v_matrix)
    wide, units, y = _outcome_matrix(data, unit, time, outcome, treated_unit, donors)
    donor_labels = units[1:]
    times = wide.columns.to_numpy(dtype=np.float64)
    fit_times, fit_mask, post_mask = _periods(times, intervention_time, pre_period)
    warnings: list[StatWarning] = []
    if len(donor_labels) < 2:
        warnings.append(StatWarning("few_donors", f"only {len(donor_labels)} donor(s)"))
    if len(donor_labels) == 0:
        raise ValueError("no donor has a complete outcome series")
    x_all, row_names, v_diag, v_rule = spec.fitting_variables(
        data, wide, y, units, fit_times, fit_mask
    )
    fits = _UnitFits(x_all, y, v_diag, fit_mask, post_mask)
    w, synthetic, gaps, pre_rmspe, post_rmspe, ratio = fits.fit(0)
    warnings += _range_warning(y[:, fit_mask])
    placebos = _Placebos.of(str(treated_unit), pre_rmspe, post_rmspe, ratio)
    if placebo_in_space and len(donor_labels) >= 2:
        placebos = placebos.in_space(fits, units)
        warnings += placebos.coarseness_warning()
    in_time: dict[str, Any] | None = None
    if placebo_time is not None:
        before = data[data[unit].isin(units) & (data[time] < intervention_time)]
        in_time = _in_time_placebo(
            before, spec, treated_unit, donor_labels, placebo_time, intervention_time, fit_times
        )
    return SyntheticControlResult(
        effect=_effect(float(np.mean(gaps[post_mask])), placebos, len(units), warnings),
        weights={str(units[i + 1]): float(wi) for i, wi in enumerate(w) if wi > 1e-10},
        predictor_weights=(
            {} if v_diag is None else dict(zip(row_names, v_diag.tolist(), strict=True))
        ),
        times=tuple(times.tolist()),
        treated_outcome=tuple(y[0].tolist()),
        synthetic_outcome=tuple(synthetic.tolist()),
        gaps=tuple(gaps.tolist()),
        pre_rmspe=pre_rmspe,
        post_rmspe=post_rmspe,
        rmspe_ratio=ratio,
        placebos=tuple(placebos.rows),
        rank=placebos.rank,
        p_value=placebos.p_value,
        in_time_placebo=in_time,
        specification=spec.record(treated_unit, intervention_time, donor_labels, fit_times, v_rule),
        warnings=tuple(warnings),
    )


VMatrix = Literal["equal", "optimised"] | Sequence[float] | NDArray[np.float64]


@dataclass(frozen=True)
class _Spec:
    """The columns and the fitting choices of one analysis (kept for the in-time placebo)."""

    unit: str
    time: str
    outcome: str
    predictors: Sequence[str] | None
    predictor_period: Sequence[float] | None
    outcome_lags: Sequence[float]
    v_matrix: VMatrix

    def fitting_variables(
        self,
        data: pd.DataFrame,
        wide: pd.DataFrame,
        y: NDArray[np.float64],
        units: list[Hashable],
        fit_times: NDArray[np.float64],
        fit_mask: NDArray[np.bool_],
    ) -> tuple[NDArray[np.float64], list[str], NDArray[np.float64] | None, str]:
        """Fitting variables (rows) of every unit (columns), their names, the diagonal of V
        and how V was chosen: the unscaled pre-period outcomes with V = I, or the scaled
        predictors with V equal, given or chosen (:func:`_choose_v`)."""
        if not self.predictors:
            x_all = y[:, fit_mask].T  # rows = pre-period times, columns = units
            return x_all, [], None, "identity on unscaled pre-period outcomes"
        pred_times = (
            fit_times if self.predictor_period is None else np.asarray(self.predictor_period)
        )
        x_all, row_names = _predictor_rows(data, wide, units, self, pred_times)
        v_diag = _choose_v(x_all, y[:, fit_mask], self.v_matrix, len(row_names))
        v_rule = self.v_matrix if isinstance(self.v_matrix, str) else "user supplied"
        return x_all, row_names, v_diag, v_rule

    def record(
        self,
        treated_unit: Hashable,
        intervention_time: float,
        donors: list[Hashable],
        fit_times: NDArray[np.float64],
        v_rule: str,
    ) -> dict[str, Any]:
        """Everything needed to rerun the fit."""
        predictors = self.predictors
        return {
            "method": "outcome_lags" if not predictors else "predictors",
            "treated_unit": str(treated_unit),
            "intervention_time": float(intervention_time),
            "donors": [str(d) for d in donors],
            "pre_period": fit_times.tolist(),
            "predictors": list(predictors or ()),
            "predictor_period": (
                [] if not predictors else np.asarray(self.predictor_period or fit_times).tolist()
            ),
            "outcome_lags": [float(v) for v in self.outcome_lags] if predictors else [],
            "v_matrix": v_rule,
            "solver": "Lawson-Hanson NNLS with an augmented sum-to-one row (deterministic)",
        }


def _check_panel(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    predictors: Sequence[str] | None,
) -> None:
    require_columns(data, (unit, time, outcome, *(predictors or ())))
    if not pd.api.types.is_numeric_dtype(data[time]):
        raise TypeError("time must be numeric (a year or a period number)")
    if data.duplicated([unit, time]).any():
        raise ValueError("the panel must have one row per unit and time")


def _outcome_matrix(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    treated_unit: Hashable,
    donors: Sequence[Hashable] | None,
) -> tuple[pd.DataFrame, list[Hashable], NDArray[np.float64]]:
    """The wide outcome table, the units (treated first, then the donors) and their outcomes
    (units x times). Default donors: every other unit with a complete outcome series."""
    wide = data.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    if treated_unit not in wide.index:
        raise ValueError(f"treated unit {treated_unit!r} is not in the data")
    if donors is None:
        complete = wide.notna().all(axis=1)
        donor_labels = [u for u in wide.index if u != treated_unit and bool(complete[u])]
    else:
        donor_labels = [d for d in donors if d != treated_unit]
        missing = [d for d in donor_labels if d not in wide.index]
        if missing:
            raise ValueError(f"donors not in the data: {missing}")
    units = [treated_unit, *donor_labels]
    y = wide.loc[units].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(y)):
        raise ValueError(
            "the outcome must be observed at every time for the treated unit and donors"
        )
    return wide, units, y


def _periods(
    times: NDArray[np.float64], intervention_time: float, pre_period: Sequence[float] | None
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_]]:
    """The fitting times, and masks of the times fitted on and of the post-period."""
    is_pre = times < intervention_time
    fit_times = times[is_pre] if pre_period is None else np.asarray(pre_period, dtype=np.float64)
    if fit_times.size == 0 or np.any(fit_times >= intervention_time):
        raise ValueError("pre_period must be non-empty and before the intervention")
    fit_mask = np.isin(times, fit_times)
    if int(fit_mask.sum()) != fit_times.size:
        raise ValueError("every pre_period time must be in the data")
    post_mask = ~is_pre
    if not post_mask.any():
        raise ValueError("there is no time at or after the intervention")
    return fit_times, fit_mask, post_mask


def _predictor_rows(
    data: pd.DataFrame,
    wide: pd.DataFrame,
    units: list[Hashable],
    spec: _Spec,
    pred_times: Any,
) -> tuple[NDArray[np.float64], list[str]]:
    """Predictor means over ``pred_times`` and outcomes at ``outcome_lags`` (rows) for each
    unit (columns), each row divided by its standard deviation across units (R's Synth)."""
    unit, time, outcome = spec.unit, spec.time, spec.outcome
    predictors, outcome_lags = spec.predictors or (), spec.outcome_lags
    rows, row_names = [], []
    subset = data[data[time].isin(pred_times) & data[unit].isin(units)]
    means = subset.groupby(unit)[list(predictors)].mean().reindex(units)
    for name in predictors:
        rows.append(means[name].to_numpy(dtype=np.float64))
        row_names.append(name)
    for lag in outcome_lags:
        if lag not in wide.columns:
            raise ValueError(f"outcome lag {lag!r} is not a time in the data")
        rows.append(wide.loc[units, lag].to_numpy(dtype=np.float64))
        row_names.append(f"{outcome}({lag})")
    x_all = np.vstack(rows)
    if not np.all(np.isfinite(x_all)):
        raise ValueError("predictors are missing for some unit over predictor_period")
    sd = x_all.std(axis=1, ddof=1)
    sd[sd == 0] = 1.0
    return x_all / sd[:, None], row_names


@dataclass(frozen=True)
class _UnitFits:
    """Synthetic controls of any unit from the others: weights, gaps and RMSPEs."""

    x_all: NDArray[np.float64]  # fitting variables, rows = variables, columns = units
    y: NDArray[np.float64]  # outcomes, units x times
    v_diag: NDArray[np.float64] | None
    fit_mask: NDArray[np.bool_]
    post_mask: NDArray[np.bool_]

    def fit(
        self, index: int
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float, float, float]:
        """Unit ``index`` against every other unit: weights, synthetic series, gaps, pre and
        post RMSPE and their ratio (infinite when the pre-period fit is exact)."""
        pool = [i for i in range(self.y.shape[0]) if i != index]
        w = simplex_weights(self.x_all[:, index], self.x_all[:, pool], self.v_diag)
        synthetic = w @ self.y[pool]
        gaps = self.y[index] - synthetic
        pre, post = _rmspe(gaps[self.fit_mask]), _rmspe(gaps[self.post_mask])
        return w, synthetic, gaps, pre, post, post / pre if pre > 0 else math.inf


@dataclass(frozen=True)
class _Placebos:
    """In-space placebos (ADH 2010): each unit's post/pre RMSPE ratio, the treated unit's rank
    among them, the permutation p-value, and the p-value without poorly fitting placebos."""

    rows: list[dict[str, Any]]
    rank: int | None = None
    p_value: float = math.nan
    p_value_good_fit: float = math.nan

    @classmethod
    def of(cls, treated: str, pre: float, post: float, ratio: float) -> _Placebos:
        row = {"unit": treated, "pre_rmspe": pre, "post_rmspe": post, "ratio": ratio}
        return cls([{**row, "treated": True}])

    def in_space(self, fits: _UnitFits, units: list[Hashable]) -> _Placebos:
        """Refit with each donor as the treated unit (one exact NNLS per donor)."""
        rows = list(self.rows)
        for j in range(1, len(units)):
            _, _, _, pre_j, post_j, ratio_j = fits.fit(j)
            rows.append(
                {
                    "unit": str(units[j]),
                    "pre_rmspe": pre_j,
                    "post_rmspe": post_j,
                    "ratio": ratio_j,
                    "treated": False,
                }
            )
        ratios = np.array([row["ratio"] for row in rows])
        ratio = rows[0]["ratio"]
        rank = int(np.sum(ratios >= ratio))
        pre_mspe = np.array([row["pre_rmspe"] for row in rows]) ** 2
        keep = pre_mspe <= _POOR_FIT_MSPE_MULTIPLE * pre_mspe[0]
        good_fit = float(np.sum(ratios[keep] >= ratio) / keep.sum())
        return _Placebos(rows, rank, rank / ratios.size, good_fit)

    def coarseness_warning(self) -> tuple[StatWarning, ...]:
        if len(self.rows) >= 20:
            return ()
        return (
            StatWarning(
                "coarse_placebo_p_value",
                f"With {len(self.rows)} units the smallest attainable p-value is "
                f"{1 / len(self.rows):.3f}.",
            ),
        )


def _range_warning(pre_y: NDArray[np.float64]) -> tuple[StatWarning, ...]:
    """The treated unit (first row) outside the donors' range in most pre-period times."""
    outside = np.mean((pre_y[0] > pre_y[1:].max(axis=0)) | (pre_y[0] < pre_y[1:].min(axis=0)))
    if outside > 0.5:
        return (
            StatWarning(
                "treated_outside_donor_range",
                f"The treated unit lies outside the donors' range in {outside:.0%} of "
                "pre-period times; no convex combination can fit it well.",
            ),
        )
    return ()


def _effect(
    mean_gap: float, placebos: _Placebos, n_units: int, warnings: list[StatWarning]
) -> EstimateResult:
    """The mean post-period gap with its placebo p-value; no standard error or CI is claimed."""
    treated = placebos.rows[0]
    return EstimateResult(
        estimate=mean_gap,
        std_error=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        p_value=placebos.p_value,
        method="synthetic_control",
        effect_measure="mean_post_period_gap",
        n_units=n_units,
        assumptions=(
            "Without the intervention the treated unit would have followed the weighted donors.",
            "Donors were not affected by the intervention (no spill-over) nor by similar shocks.",
            "The pre-period fit is good enough for the synthetic unit to be a credible comparison.",
        ),
        warnings=tuple(warnings),
        extra={
            "inference": "in-space placebo permutation (post/pre RMSPE ratio rank)",
            "rank": placebos.rank,
            "p_value_excluding_poor_pre_fits": placebos.p_value_good_fit,
            "poor_fit_threshold_mspe_multiple": _POOR_FIT_MSPE_MULTIPLE,
            "pre_rmspe": treated["pre_rmspe"],
            "post_rmspe": treated["post_rmspe"],
        },
    )


def _choose_v(
    x_rows: NDArray[np.float64],
    pre_outcomes: NDArray[np.float64],
    v_matrix: str | Sequence[float] | NDArray[np.float64],
    n_rows: int,
) -> NDArray[np.float64]:
    """Diagonal of V: equal, user supplied, or ADH's MSPE-minimising choice."""
    if isinstance(v_matrix, str):
        if v_matrix == "equal":
            return np.full(n_rows, 1.0 / n_rows)
        if v_matrix != "optimised":
            raise ValueError("v_matrix must be 'equal', 'optimised' or a sequence of weights")

        def loss(raw: NDArray[np.float64]) -> float:
            v = np.abs(raw) / max(float(np.abs(raw).sum()), 1e-300)
            w = simplex_weights(x_rows[:, 0], x_rows[:, 1:], v)
            gap = pre_outcomes[0] - w @ pre_outcomes[1:]
            return float(np.mean(gap**2))

        start = np.full(n_rows, 1.0 / n_rows)
        found = optimize.minimize(
            loss,
            start,
            method="Nelder-Mead",
            options={"maxiter": 400 * n_rows, "xatol": 1e-8, "fatol": 1e-10},
        )
        best = found.x if found.fun <= loss(start) else start
        return np.abs(best) / float(np.abs(best).sum())
    v = np.asarray(v_matrix, dtype=np.float64)
    if v.shape != (n_rows,) or np.any(v < 0) or not np.any(v > 0):
        raise ValueError(f"v_matrix needs {n_rows} non-negative weights, not all zero")
    return v / float(v.sum())


def _in_time_placebo(
    before: pd.DataFrame,
    spec: _Spec,
    treated_unit: Hashable,
    donors: list[Hashable],
    placebo_time: float,
    intervention_time: float,
    pre_period: NDArray[np.float64],
) -> dict[str, Any]:
    """Refit as if the intervention had happened at ``placebo_time`` (Abadie, Diamond &
    Hainmueller 2015, "Comparative politics and the synthetic control method", AJPS 59(2)).

    Only data before the real intervention are passed in, and predictors, outcome lags and
    the fitting period are cut at the fake date, so nothing after it informs the weights. A
    large gap between the fake and the real date means the method invents effects.
    """
    placebo_time, intervention_time = float(placebo_time), float(intervention_time)
    if not placebo_time < intervention_time:
        raise ValueError("placebo_time must be before the intervention")
    fake_pre = [float(t) for t in pre_period if t < placebo_time]
    if not fake_pre or not (before[spec.time] >= placebo_time).any():
        raise ValueError("placebo_time leaves no fitting or no evaluation period")
    lags = [lag for lag in spec.outcome_lags if lag < placebo_time]
    pred_period = (
        None
        if spec.predictor_period is None
        else [t for t in spec.predictor_period if t < placebo_time]
    )
    if spec.predictors and (not lags and pred_period == []):
        raise ValueError("no predictor information before placebo_time")
    fit = synthetic_control(
        before,
        unit=spec.unit,
        time=spec.time,
        outcome=spec.outcome,
        treated_unit=treated_unit,
        intervention_time=placebo_time,
        donors=donors,
        pre_period=fake_pre,
        predictors=spec.predictors,
        predictor_period=pred_period,
        outcome_lags=lags,
        v_matrix=spec.v_matrix,
        placebo_in_space=False,
    )
    return {
        "placebo_time": placebo_time,
        "mean_gap": fit.effect.estimate,
        "pre_rmspe": fit.pre_rmspe,
        "post_rmspe": fit.post_rmspe,
        "ratio": fit.rmspe_ratio,
        "weights": fit.weights,
        "gaps": list(fit.gaps),
        "times": list(fit.times),
    }
