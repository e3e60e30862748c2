"""Power of a quasi-experimental design from the outcome's own history, by placebo trials.

Why: the power of a difference-in-differences, an interrupted time series or a synthetic
control depends on how the real series wander — serial correlation, councils that drift apart,
one-off shocks — which closed-form formulas assume away (Bertrand, Duflo & Mullainathan 2004;
Burlig, Preonas & Woerman 2020). So we pretend the intervention started at past dates, add a
known effect to the treated units' later values, run the analysis exactly as planned, and count
how often it finds the effect. With no effect added, the same count is the analysis's false
positive rate on this data: well above ``alpha`` means its p-values cannot be trusted here.

A placebo trial is a (start time, treated set) pair. Starts run over every past time with at
least ``min_pre_periods`` before it and ``post_periods`` from it on; the window ends with the
last post period, so later data never leaks in. Treated sets are the planned one and, to have
more trials than a short history allows, other sets of the same size drawn from all units
(for synthetic control: each unit in turn, against the units outside the planned set).

References
----------
- Bertrand M, Duflo E, Mullainathan S (2004). How much should we trust differences-in-
  differences estimates? *Quarterly Journal of Economics* 119(1):249-275.
- Burlig F, Preonas L, Woerman M (2020). Panel data and experimental design. *Journal of
  Development Economics* 144:102458.
- Abadie A (2021). Using synthetic controls. *Journal of Economic Literature* 59(2):391-425.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from infuse.stats._common import ProgressCallback, require_columns, wilson_bounds
from infuse.stats.quasi.did import twfe_did
from infuse.stats.quasi.its import interrupted_time_series
from infuse.stats.quasi.synthetic_control import synthetic_control
from infuse.stats.results import json_ready

__all__ = ["PlaceboPowerResult", "default_effects", "placebo_power"]

Method = Literal["did", "its", "synthetic_control"]


@dataclass(frozen=True)
class PlaceboPowerResult:
    """Rejection rates of the planned analysis over placebo trials on past data.

    Attributes
    ----------
    effects, power, ci_low, ci_high : for each effect added (in the outcome's units, 0 first),
        the share of placebo trials whose p-value was at most ``alpha``, with a Wilson 95%
        interval. Power at effect 0 is ``false_positive_rate``.
    minimum_detectable_effect : the smallest effect reaching ``target_power``, interpolated
        linearly between the grid's effects; None when no effect tried reaches it.
    n_placebos : trials per effect (each run at every effect, so the rates are paired).
    n_failed : trials the analysis could not run (counted as not rejecting).
    starts : the placebo start times used.
    smallest_p_value : for synthetic control, ``1 / (donors + 1)`` of the planned analysis —
        the smallest p-value its in-space placebo test can give; above ``alpha`` it can never
        reject, whatever the effect.
    """

    method: str
    alpha: float
    target_power: float
    post_periods: int
    effects: tuple[float, ...]
    power: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    n_placebos: int
    n_failed: int
    starts: tuple[float, ...]
    n_units: int
    n_treated: int
    minimum_detectable_effect: float | None
    smallest_p_value: float | None

    @property
    def false_positive_rate(self) -> float:
        return self.power[0]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = json_ready(
            {**asdict(self), "false_positive_rate": self.false_positive_rate}
        )
        return out


def default_effects(data: pd.DataFrame, *, unit: str, time: str, outcome: str) -> tuple[float, ...]:
    """A grid of effects on the scale of the series' own noise: multiples of the standard
    deviation left after removing unit and time means (what a DiD cannot explain away)."""
    panel = data[[unit, time, outcome]].dropna()
    y = panel[outcome].astype(float)
    residual = (
        y
        - y.groupby(panel[unit]).transform("mean")
        - y.groupby(panel[time]).transform("mean")
        + y.mean()
    )
    scale = float(residual.std(ddof=1)) if len(residual) > 2 else 0.0
    if not math.isfinite(scale) or scale <= 0:
        scale = float(y.std(ddof=1)) if len(y) > 1 else 1.0
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
    magnitude = 10 ** math.floor(math.log10(scale)) / 100
    return tuple(
        round(round(m * scale / magnitude) * magnitude, 10)
        for m in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)
    )


def _treated_sets(
    units: Sequence[Hashable],
    planned: Sequence[Hashable],
    method: Method,
    limit: int,
    rng: np.random.Generator,
) -> list[tuple[Hashable, ...]]:
    if method == "synthetic_control":
        first = tuple(planned[:1])
        return [first, *[(u,) for u in units if (u,) != first]]
    k = len(planned)
    first = tuple(sorted(planned, key=str))
    if math.comb(len(units), k) <= limit:
        others = [s for s in itertools.combinations(sorted(units, key=str), k) if s != first]
        return [first, *others]
    seen = {first}
    sets = [first]
    pool = list(units)
    attempts = 0
    while len(sets) < limit and attempts < limit * 20:
        attempts += 1
        chosen = tuple(sorted((pool[i] for i in rng.choice(len(pool), k, replace=False)), key=str))
        if chosen not in seen:
            seen.add(chosen)
            sets.append(chosen)
    return sets


def _interpolated_mde(
    effects: Sequence[float], power: Sequence[float], target: float
) -> float | None:
    for i, (effect, rate) in enumerate(zip(effects, power, strict=True)):
        if rate >= target:
            if i == 0:
                return float(effect)
            low_e, low_p = effects[i - 1], power[i - 1]
            if rate == low_p:
                return float(effect)
            return float(low_e + (target - low_p) * (effect - low_e) / (rate - low_p))
    return None


def placebo_power(
    data: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    method: Method,
    treated_units: Sequence[Hashable],
    post_periods: int,
    effects: Sequence[float] | None = None,
    alpha: float = 0.05,
    target_power: float = 0.8,
    min_pre_periods: int = 3,
    pre_periods: int | None = None,
    max_placebos: int = 200,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> PlaceboPowerResult:
    """Power of the planned quasi-experimental analysis, measured on past data.

    Parameters
    ----------
    data : long panel of past data, one row per unit and time (rows for the same unit and time
        are averaged). ``time`` must be numeric and equally spaced.
    method : "did" (two-way fixed effects, CR2 by unit — :func:`~infuse.stats.quasi.did.twfe_did`),
        "its" (the treated units' mean series, level change with Newey–West errors —
        :func:`~infuse.stats.quasi.its.interrupted_time_series`) or "synthetic_control" (the first
        treated unit against a weighted mix of the units outside the planned set, in-space
        placebo p-value — :func:`~infuse.stats.quasi.synthetic_control.synthetic_control`).
    treated_units : the units the intervention is planned for.
    post_periods : how many periods after the start the analysis will use.
    effects : effects to add to the treated units' post-period values, in the outcome's units;
        0 is always tried first. Default :func:`default_effects`.
    alpha, target_power : the test's level (reject when ``p <= alpha``) and the power sought.
    min_pre_periods : fewest periods before a placebo start (ITS needs 3 at least).
    pre_periods : use exactly this many periods before each start (default: all of them, as the
        real analysis will).
    max_placebos : most placebo trials per effect; drawn at random (``seed``) when there are more.
    progress : ``progress(done, total)`` after each placebo trial's effects.
    """
    post_periods, min_pre = _checked_plan(
        data, unit, time, outcome, method, alpha, target_power, post_periods, min_pre_periods
    )
    if pre_periods is not None:
        min_pre = max(min_pre, int(pre_periods))
    panel = (
        data[[unit, time, outcome]]
        .dropna()
        .astype({time: float, outcome: float})
        .groupby([unit, time], as_index=False)[outcome]
        .mean()
    )
    units = sorted(panel[unit].unique(), key=str)
    planned = _planned_units(units, treated_units, method)
    times = np.sort(panel[time].unique())
    starts = _start_indices(len(times), min_pre, post_periods)
    grid = sorted({0.0, *(abs(float(e)) for e in (effects or ()))}) if effects else None
    effect_grid = tuple(grid or default_effects(panel, unit=unit, time=time, outcome=outcome))
    rng = np.random.Generator(np.random.PCG64(seed))
    sets = _treated_sets(units, planned, method, max_placebos, rng)
    trials = _placebo_trials(sets, starts, max_placebos, rng)
    outside = [u for u in units if u not in set(planned)]
    runner = _PlaceboRunner(
        panel, times, unit, time, outcome, method, outside, post_periods, pre_periods
    )
    rejections = np.zeros(len(effect_grid), dtype=int)
    failed = 0
    for done, (index, treated) in enumerate(trials, start=1):
        rejected, failed_at_zero = runner.run(index, treated, effect_grid, alpha)
        rejections += rejected
        failed += failed_at_zero
        if progress is not None:
            progress(done, len(trials))
    n = len(trials)
    power = tuple(float(r) / n for r in rejections)
    intervals = [wilson_bounds(int(r), n) for r in rejections]
    return PlaceboPowerResult(
        method=method,
        alpha=alpha,
        target_power=target_power,
        post_periods=post_periods,
        effects=effect_grid,
        power=power,
        ci_low=tuple(low for low, _ in intervals),
        ci_high=tuple(high for _, high in intervals),
        n_placebos=n,
        n_failed=failed,
        starts=tuple(float(times[i]) for i in starts),
        n_units=len(units),
        n_treated=len(planned),
        minimum_detectable_effect=_interpolated_mde(effect_grid, power, target_power),
        smallest_p_value=1.0 / (len(outside) + 1) if method == "synthetic_control" else None,
    )


def _checked_plan(
    data: pd.DataFrame,
    unit: str,
    time: str,
    outcome: str,
    method: str,
    alpha: float,
    target_power: float,
    post_periods: int,
    min_pre_periods: int,
) -> tuple[int, int]:
    """The checked post-period count and the fewest periods needed before a placebo start."""
    if method not in ("did", "its", "synthetic_control"):
        raise ValueError(f"unknown method {method!r}")
    require_columns(data, (unit, time, outcome))
    if not 0 < alpha < 1 or not 0 < target_power < 1:
        raise ValueError("alpha and target_power must be between 0 and 1")
    if isinstance(post_periods, bool) or int(post_periods) != post_periods or post_periods < 1:
        raise ValueError("post_periods must be a positive whole number")
    return int(post_periods), max(int(min_pre_periods), 3 if method == "its" else 2)


def _planned_units(
    units: list[Hashable], treated_units: Sequence[Hashable], method: str
) -> list[Hashable]:
    """The planned treated units present in the data, with enough units outside them."""
    planned = [u for u in dict.fromkeys(treated_units) if u in set(units)]
    if not planned:
        raise ValueError("none of the treated units is in the data")
    if method != "its" and len(units) - len(planned) < (2 if method == "synthetic_control" else 1):
        raise ValueError("the data needs units outside the treated set to compare with")
    return planned


def _start_indices(n_times: int, min_pre: int, post_periods: int) -> list[int]:
    """Every period index a placebo can start at, with its pre and post periods in the data."""
    last_start = n_times - post_periods
    if last_start < min_pre:
        raise ValueError(
            f"the data has {n_times} periods; placebo trials need at least "
            f"{min_pre + post_periods} ({min_pre} before and {post_periods} from the start)"
        )
    return list(range(min_pre, last_start + 1))


def _placebo_trials(
    sets: list[tuple[Hashable, ...]],
    starts: list[int],
    max_placebos: int,
    rng: np.random.Generator,
) -> list[tuple[int, tuple[Hashable, ...]]]:
    """(start index, treated set) pairs: every pair, or the planned set at every start and a
    random draw of the other pairs when there are more than ``max_placebos``."""
    trials = [(s, t) for t in sets for s in starts]
    if len(trials) <= max_placebos:
        return trials
    planned_trials = [(s, sets[0]) for s in starts][:max_placebos]
    rest = [trial for trial in trials if trial[1] != sets[0]]
    chosen = rng.choice(len(rest), max_placebos - len(planned_trials), replace=False)
    return planned_trials + [rest[i] for i in sorted(chosen)]


@dataclass(frozen=True)
class _PlaceboRunner:
    """The past panel and the planned analysis, run on one placebo trial at a time."""

    panel: pd.DataFrame
    times: NDArray[np.float64]
    unit: str
    time: str
    outcome: str
    method: str
    outside: list[Hashable]
    post_periods: int
    pre_periods: int | None

    def run(
        self,
        index: int,
        treated: tuple[Hashable, ...],
        effects: tuple[float, ...],
        alpha: float,
    ) -> tuple[NDArray[np.int_], int]:
        """Whether the analysis rejects at each effect added to the treated units' post-period
        values, and 1 when it could not run at all (no effect added), else 0.

        The window ends with the last post period, so later data never leaks in.
        """
        times, unit, time, outcome = self.times, self.unit, self.time, self.outcome
        start = float(times[index])
        end = float(times[index + self.post_periods - 1])
        begin = float(times[index - self.pre_periods]) if self.pre_periods else -math.inf
        window = self.panel[(self.panel[time] >= begin) & (self.panel[time] <= end)]
        is_post_treated = (window[unit].isin(treated) & (window[time] >= start)).to_numpy()
        base = window[outcome].to_numpy(float)
        rejected = np.zeros(len(effects), dtype=int)
        failed = 0
        for j, effect in enumerate(effects):
            shifted = window.assign(**{outcome: base + effect * is_post_treated})
            try:
                p = self.p_value(shifted, start, treated)
            except (ValueError, np.linalg.LinAlgError, ZeroDivisionError):
                p = math.nan
            if math.isnan(p):
                failed += 1 if j == 0 else 0
            elif p <= alpha:
                rejected[j] += 1
        return rejected, failed

    def p_value(self, window: pd.DataFrame, start: float, treated: tuple[Hashable, ...]) -> float:
        """The planned analysis's p-value with the intervention placed at ``start``."""
        unit, time, outcome = self.unit, self.time, self.outcome
        if self.method == "did":
            frame = window.assign(
                __D=(window[unit].isin(treated) & (window[time] >= start)).astype(int)
            )
            return float(
                twfe_did(frame, unit=unit, time=time, outcome=outcome, treatment="__D").p_value
            )
        if self.method == "its":
            series = window[window[unit].isin(treated)].groupby(time)[outcome].mean()
            fitted = interrupted_time_series(
                series.to_numpy(float), series.index.to_numpy(float), interruption=start
            )
            return float(fitted.level_change.p_value)
        donors = [u for u in self.outside if u != treated[0]]
        fitted_sc = synthetic_control(
            window,
            unit=unit,
            time=time,
            outcome=outcome,
            treated_unit=treated[0],
            intervention_time=start,
            donors=donors,
        )
        return float(fitted_sc.p_value)
