"""Covariate balance between two arms: standardised mean differences and variance ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from infuse.stats.randomisation.records import Covariates, normalise_covariates
from infuse.stats.results import json_ready

__all__ = ["BalanceRow", "BalanceTable", "balance_table"]


@dataclass(frozen=True, slots=True)
class BalanceRow:
    """Balance of one covariate between two arms."""

    covariate: str
    kind: Literal["continuous", "binary"]
    mean_treatment: float
    mean_control: float
    sd_treatment: float
    sd_control: float
    smd: float
    variance_ratio: float


@dataclass(frozen=True, slots=True)
class BalanceTable:
    """Standardised mean differences and variance ratios per covariate (Austin 2009)."""

    treatment: str
    control: str
    n_treatment: int
    n_control: int
    rows: tuple[BalanceRow, ...]

    @property
    def max_abs_smd(self) -> float:
        """Largest absolute SMD over covariates (NaN if none defined)."""
        values = [abs(r.smd) for r in self.rows if math.isfinite(r.smd)]
        return max(values) if values else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        result: dict[str, Any] = json_ready(asdict(self))
        result["max_abs_smd"] = json_ready(self.max_abs_smd)
        return result


def is_binary(column: NDArray[np.float64]) -> bool:
    finite = column[np.isfinite(column)]
    return finite.size > 0 and bool(np.isin(finite, (0.0, 1.0)).all())


def covariate_matrix(covariates: dict[str, list[Any]]) -> tuple[list[str], NDArray[np.float64]]:
    names = list(covariates)
    try:
        matrix = np.array(
            [[np.nan if v is None else float(v) for v in covariates[c]] for c in names]
        )
    except (TypeError, ValueError) as exc:
        raise ValueError("balance needs numeric covariates (encode categories as 0/1)") from exc
    return names, matrix.T


def balance_table(
    covariates: Covariates,
    assignment: Sequence[str],
    *,
    treatment: str = "treatment",
    control: str = "control",
) -> BalanceTable:
    """Standardised mean differences and variance ratios of covariates between two arms.

    Parameters
    ----------
    covariates : numeric covariate columns (0/1 columns are treated as binary).
    assignment : arm label of each unit (e.g. ``AllocationResult.assignment``); units in other
        arms are ignored.
    treatment, control : the two arms compared.

    Returns
    -------
    BalanceTable with one row per covariate (missing values dropped per covariate).

    Notes
    -----
    Austin (2009): continuous ``d = (xbar_t - xbar_c) / sqrt((s_t^2 + s_c^2) / 2)``; binary
    ``d = (p_t - p_c) / sqrt((p_t (1 - p_t) + p_c (1 - p_c)) / 2)``. Variance ratio
    ``s_t^2 / s_c^2`` (sample variances, ``ddof = 1``). |d| < 0.1 is the usual mark of balance.
    """
    arms = np.asarray([str(a) for a in assignment], dtype=object)
    cov = normalise_covariates(covariates, len(arms))
    assert cov is not None
    names, x = covariate_matrix(cov)
    is_t = arms == treatment
    is_c = arms == control
    if not is_t.any() or not is_c.any():
        raise ValueError(f"both arms {treatment!r} and {control!r} need at least one unit")
    rows = []
    for j, name in enumerate(names):
        col = x[:, j]
        xt = col[is_t & np.isfinite(col)]
        xc = col[is_c & np.isfinite(col)]
        binary = is_binary(col)
        mt, mc = (float(xt.mean()), float(xc.mean())) if xt.size and xc.size else (math.nan,) * 2
        vt = float(xt.var(ddof=1)) if xt.size > 1 else math.nan
        vc = float(xc.var(ddof=1)) if xc.size > 1 else math.nan
        pooled = (mt * (1 - mt) + mc * (1 - mc)) / 2 if binary else (vt + vc) / 2
        smd = (mt - mc) / math.sqrt(pooled) if pooled > 0 else (0.0 if mt == mc else math.nan)
        rows.append(
            BalanceRow(
                covariate=name,
                kind="binary" if binary else "continuous",
                mean_treatment=mt,
                mean_control=mc,
                sd_treatment=math.sqrt(vt) if math.isfinite(vt) else math.nan,
                sd_control=math.sqrt(vc) if math.isfinite(vc) else math.nan,
                smd=smd,
                variance_ratio=vt / vc if vc > 0 else math.nan,
            )
        )
    return BalanceTable(
        treatment=treatment,
        control=control,
        n_treatment=int(is_t.sum()),
        n_control=int(is_c.sum()),
        rows=tuple(rows),
    )
