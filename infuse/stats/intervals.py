"""Confidence intervals, funnel-plot control limits and comparisons for indicator values.

Why this module: the Data Lab publishes indicators (a percentage, a count, a rate per 100,000)
for each council and period, and marks each council better / similar / worse than the region
the way the UK public-health profiles (Fingertips) do. Those judgements are only as good as the
intervals behind them, so the engine uses the methods the profiles use and the literature
recommends, vectorised over whole arrays of councils at once:

- proportions: the Wilson score interval (Wilson 1927; recommended by Newcombe 1998,
  "Two-sided confidence intervals for the single proportion", Stat Med 17:857), which keeps its
  coverage for small counts and never leaves [0, 1];
- counts and rates: the exact Poisson interval from chi-square (gamma) quantiles (Garwood 1936,
  "Fiducial limits for the Poisson distribution", Biometrika 28:437) and Byar's approximation
  (Breslow & Day 1987, vol. II, p. 69), used by the profiles for 10 or more events with the exact
  interval below 10 (PHE, "Technical Guide: Confidence intervals", 2018);
- funnel plots (Spiegelhalter 2005, "Funnel plots for comparing institutional performance",
  Stat Med 24:1185): control limits around a benchmark as functions of the denominator, exact
  (binomial or Poisson quantiles with the interpolation of his Appendix A.1.1) or from the normal
  approximation (which for proportions is what the PHE funnel plot tool draws).

Missing inputs (NaN) give NaN outputs and a denominator of zero gives an undefined (NaN) value,
so one empty cell never breaks a page. Impossible inputs (negative counts, more successes than
trials, a confidence level outside (0, 1)) raise :class:`IntervalInputError` with a stable key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from infuse.stats._common import FloatArray, deferred_module
from infuse.stats.results import json_ready

if TYPE_CHECKING:
    from scipy import stats
else:
    # Only exact Poisson intervals and funnel limits need distributions; a comparison with a
    # benchmark (the home page's movements) does not, and scipy.stats costs 60 MB a process.
    stats = deferred_module("scipy.stats")

__all__ = [
    "ComparisonResult",
    "FunnelClassification",
    "FunnelLimits",
    "FunnelMethod",
    "IndicatorInterval",
    "IntervalInputError",
    "PoissonMethod",
    "Polarity",
    "classify_against_funnel",
    "compare_with_benchmark",
    "funnel_limits_poisson",
    "funnel_limits_proportion",
    "poisson_interval",
    "rate_interval",
    "wilson_interval",
]

Polarity = Literal["higher_is_better", "lower_is_better", "neither"]
PoissonMethod = Literal["exact", "byar", "byar_or_exact"]
FunnelMethod = Literal["exact", "normal", "interval"]

# The profiles switch from the exact interval to Byar's approximation at this many events
# (PHE Technical Guide: Byar is within 0.2% of exact from 10 events at 95%).
BYAR_MIN_EVENTS = 10

# Funnel plots conventionally show "2 sigma" (95%) and "3 sigma" (99.8%) limits.
FUNNEL_LEVELS = (0.95, 0.998)


class IntervalInputError(ValueError):
    """Input that no interval can be computed for (a user can cause it with a bad dataset).

    ``key`` is stable for translation; ``params`` carries the offending values; ``problems``
    lists every problem found (each a dict with ``key`` and ``params``).
    """

    def __init__(self, key: str, message: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.params: dict[str, Any] = dict(params or {})
        self.problems: list[dict[str, Any]] = [{"key": key, "params": self.params}]


@dataclass(frozen=True, slots=True)
class IndicatorInterval:
    """Point values with their two-sided confidence limits, one entry per area (arrays).

    ``estimate``, ``lower`` and ``upper`` are on the reported scale (a proportion in [0, 1], a
    count, or a rate per ``per`` people); ``method`` names the interval, e.g. ``"wilson"``.
    """

    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    conf_level: float
    method: str
    per: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (NaN becomes ``None``)."""
        return dict(json_ready(asdict(self)))


@dataclass(frozen=True, slots=True)
class ComparisonResult:
    """Each area's comparison with a benchmark (the public-health profiles' rule).

    ``significance`` is ``"lower"``, ``"higher"``, ``"similar"`` or ``"not_compared"`` (missing
    limits); ``judgement`` applies the polarity: ``"better"``/``"worse"`` when the indicator has
    a direction, otherwise the same words as ``significance``.
    """

    significance: tuple[str, ...]
    judgement: tuple[str, ...]
    benchmark: float
    polarity: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(json_ready(asdict(self)))


@dataclass(frozen=True, slots=True)
class FunnelLimits:
    """Control limits around ``benchmark`` at each denominator (Spiegelhalter 2005).

    For proportions ``denominator`` is the number of trials; for rates it is the population
    (person-years) and values are per ``per`` people. ``lower[level]``/``upper[level]`` hold one
    limit per denominator for each level in ``levels`` (0.95 and 0.998 by default).
    """

    denominator: FloatArray
    benchmark: float
    levels: tuple[float, ...]
    lower: dict[float, FloatArray]
    upper: dict[float, FloatArray]
    method: str
    kind: str
    per: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; limit keys are the levels as strings (``"0.95"``)."""
        data = {
            "denominator": self.denominator,
            "benchmark": self.benchmark,
            "levels": list(self.levels),
            "lower": {str(k): v for k, v in self.lower.items()},
            "upper": {str(k): v for k, v in self.upper.items()},
            "method": self.method,
            "kind": self.kind,
            "per": self.per,
        }
        return dict(json_ready(data))


@dataclass(frozen=True, slots=True)
class FunnelClassification:
    """Where each area falls on a funnel plot.

    ``zone``: ``"inside_95"``, ``"between_95_998"``, ``"outside_998"`` or ``"not_classified"``
    (missing value); ``direction``: ``"low"``, ``"high"`` or ``"none"`` (inside the 95% limits or
    missing).
    """

    zone: tuple[str, ...]
    direction: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return dict(json_ready(asdict(self)))


# ----------------------------------------------------------------------------- helpers


def _check_conf_level(conf_level: float) -> float:
    level = float(conf_level)
    if not 0.0 < level < 1.0:
        raise IntervalInputError(
            "intervals.invalid-confidence-level",
            f"The confidence level must be between 0 and 1 (exclusive), not {conf_level}.",
            {"value": conf_level},
        )
    return level


def _as_float_array(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    bad = np.flatnonzero(np.isfinite(array.ravel()) & (array.ravel() < 0))
    if bad.size:
        index = int(bad[0])
        raise IntervalInputError(
            f"intervals.negative-{name}",
            f"The {name} at position {index} is negative ({array.ravel()[index]}).",
            {"column": name, "row": index, "value": float(array.ravel()[index])},
        )
    return array


def _z(conf_level: float) -> float:
    # scipy.stats.norm.ppf is this same function (equal bit for bit); it needs no distributions.
    return float(special.ndtri(0.5 + conf_level / 2.0))


# ----------------------------------------------------------------------------- proportions


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, *, conf_level: float = 0.95
) -> IndicatorInterval:
    """Wilson score interval for proportions, vectorised.

    Parameters
    ----------
    successes : counts of the event (numerator), any shape.
    trials : counts at risk (denominator), broadcastable with ``successes``.
    conf_level : two-sided confidence level.

    Returns
    -------
    IndicatorInterval with the proportion and its limits in [0, 1]. A zero denominator gives NaN.

    Notes
    -----
    Limits solve ``(p - theta)^2 = z^2 theta (1 - theta) / n`` for ``theta`` (Wilson 1927;
    Newcombe 1998, method 3): ``(2np + z^2 -/+ z sqrt(z^2 + 4np(1-p))) / (2(n + z^2))``.
    """
    level = _check_conf_level(conf_level)
    x = _as_float_array(successes, "numerator")
    n = _as_float_array(trials, "denominator")
    x, n = np.broadcast_arrays(x, n)
    over = np.flatnonzero((x > n).ravel())
    if over.size:
        index = int(over[0])
        raise IntervalInputError(
            "intervals.numerator-exceeds-denominator",
            f"At position {index} the numerator ({x.ravel()[index]}) exceeds the denominator "
            f"({n.ravel()[index]}).",
            {"row": index, "value": float(x.ravel()[index])},
        )
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, x / n, np.nan)
        centre = 2.0 * x + z * z
        spread = z * np.sqrt(z * z + 4.0 * x * (1.0 - p))
        denom = 2.0 * (n + z * z)
        lower = np.where(n > 0, (centre - spread) / denom, np.nan)
        upper = np.where(n > 0, (centre + spread) / denom, np.nan)
    # At x = 0 (x = n) the lower (upper) limit is exactly 0 (1); rounding can leave -1e-17.
    lower = np.where(x == 0, 0.0, np.clip(lower, 0.0, 1.0))
    upper = np.where((x == n) & (n > 0), 1.0, np.clip(upper, 0.0, 1.0))
    lower = np.where(n > 0, lower, np.nan)
    upper = np.where(n > 0, upper, np.nan)
    return IndicatorInterval(
        estimate=np.asarray(p, dtype=np.float64),
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        conf_level=level,
        method="wilson",
    )


# ----------------------------------------------------------------------------- counts and rates


def _exact_poisson_limits(count: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Garwood (1936): chi-square quantiles with 2x and 2x + 2 degrees of freedom, halved."""
    alpha = 1.0 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(count > 0, stats.chi2.ppf(alpha / 2.0, 2.0 * count) / 2.0, 0.0)
        upper = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * count + 2.0) / 2.0
    lower = np.where(np.isnan(count), np.nan, lower)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def _byar_limits(count: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Byar's approximation (Breslow & Day 1987): cube-root transform of the Poisson."""
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = count * (1.0 - 1.0 / (9.0 * count) - z / (3.0 * np.sqrt(count))) ** 3
        above = count + 1.0
        upper = above * (1.0 - 1.0 / (9.0 * above) + z / (3.0 * np.sqrt(above))) ** 3
    # For very small counts the cube of a negative number gives a negative limit; a count's
    # limit cannot be below zero.
    lower = np.where(count == 0, 0.0, np.maximum(lower, 0.0))
    lower = np.where(np.isnan(count), np.nan, lower)
    return np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)


def poisson_interval(
    count: ArrayLike, *, conf_level: float = 0.95, method: PoissonMethod = "exact"
) -> IndicatorInterval:
    """Confidence interval for an observed count of events, vectorised.

    Parameters
    ----------
    count : observed numbers of events (non-negative), any shape.
    conf_level : two-sided confidence level.
    method : ``"exact"`` (Garwood 1936, chi-square quantiles), ``"byar"`` (Byar's
        approximation, Breslow & Day 1987) or ``"byar_or_exact"`` (exact below 10 events, Byar
        from 10: the rule of the UK public-health profiles, PHE Technical Guide 2018).

    Returns
    -------
    IndicatorInterval of the count (``per`` is 1).
    """
    level = _check_conf_level(conf_level)
    observed = _as_float_array(count, "count")
    if method == "exact":
        lower, upper = _exact_poisson_limits(observed, level)
    elif method == "byar":
        lower, upper = _byar_limits(observed, level)
    elif method == "byar_or_exact":
        exact_low, exact_high = _exact_poisson_limits(observed, level)
        byar_low, byar_high = _byar_limits(observed, level)
        small = observed < BYAR_MIN_EVENTS
        lower = np.where(small, exact_low, byar_low)
        upper = np.where(small, exact_high, byar_high)
    else:
        raise ValueError(f"Unknown Poisson interval method {method!r}.")
    upper = np.where(np.isnan(observed), np.nan, upper)
    return IndicatorInterval(
        estimate=observed.astype(np.float64),
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        conf_level=level,
        method=method,
    )


def rate_interval(
    count: ArrayLike,
    population: ArrayLike,
    *,
    per: float = 100_000.0,
    conf_level: float = 0.95,
    method: PoissonMethod = "byar_or_exact",
) -> IndicatorInterval:
    """Crude rate per ``per`` people with the count's interval scaled (PHE Technical Guide).

    Parameters
    ----------
    count : observed events; population : people (or person-years) at risk, broadcastable.
    per : 1,000 or 100,000 (any positive multiplier).
    conf_level, method : as for :func:`poisson_interval`.

    Returns
    -------
    IndicatorInterval with ``estimate = count / population * per`` and limits
    ``O_lower / population * per``, ``O_upper / population * per``; a zero population gives NaN.
    """
    if not per > 0:
        raise IntervalInputError(
            "intervals.invalid-multiplier",
            f"The rate multiplier must be positive, not {per}.",
            {"value": per},
        )
    counts = poisson_interval(count, conf_level=conf_level, method=method)
    people = _as_float_array(population, "population")
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(people > 0, float(per) / people, np.nan)
    return IndicatorInterval(
        estimate=np.asarray(counts.estimate * scale, dtype=np.float64),
        lower=np.asarray(counts.lower * scale, dtype=np.float64),
        upper=np.asarray(counts.upper * scale, dtype=np.float64),
        conf_level=counts.conf_level,
        method=counts.method,
        per=float(per),
    )


# ----------------------------------------------------------------------------- comparison

_JUDGEMENTS: dict[str, dict[str, str]] = {
    "higher_is_better": {"lower": "worse", "higher": "better"},
    "lower_is_better": {"lower": "better", "higher": "worse"},
    "neither": {"lower": "lower", "higher": "higher"},
}
# The name "lower is better" had before (results and callers written then still say it).
_JUDGEMENTS["higher_is_worse"] = _JUDGEMENTS["lower_is_better"]


def compare_with_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: float, *, polarity: Polarity = "neither"
) -> ComparisonResult:
    """Mark each area lower / similar / higher than a benchmark, then better / worse by polarity.

    The public-health profiles' rule (PHE Fingertips, "Comparing values with a benchmark"): an
    area is *lower* when its upper confidence limit is below the benchmark's value, *higher*
    when its lower limit is above it, and *similar* otherwise (touching counts as similar).
    The benchmark's own uncertainty is ignored, as in the profiles.

    Parameters
    ----------
    lower, upper : each area's confidence limits (same shape, 1-D); NaN gives "not_compared".
    benchmark : the comparator's value (e.g. the region's), on the same scale.
    polarity : ``"higher_is_better"``, ``"lower_is_better"`` or ``"neither"``.
    """
    if polarity not in _JUDGEMENTS:
        raise IntervalInputError(
            "intervals.unknown-polarity",
            f"Unknown polarity {polarity!r}.",
            {"value": polarity},
        )
    low = np.asarray(lower, dtype=np.float64).ravel()
    high = np.asarray(upper, dtype=np.float64).ravel()
    if low.shape != high.shape:
        raise ValueError("lower and upper limits must have the same shape")
    mark = float(benchmark)
    significance: list[str] = []
    for lo, hi in zip(low.tolist(), high.tolist(), strict=True):
        if not (np.isfinite(lo) and np.isfinite(hi) and np.isfinite(mark)):
            significance.append("not_compared")
        elif hi < mark:
            significance.append("lower")
        elif lo > mark:
            significance.append("higher")
        else:
            significance.append("similar")
    words = _JUDGEMENTS[polarity]
    judgement = tuple(words.get(s, s) for s in significance)
    return ComparisonResult(
        significance=tuple(significance),
        judgement=judgement,
        benchmark=mark,
        polarity=polarity,
    )


# ----------------------------------------------------------------------------- funnel plots


def _interpolated_quantile(
    cdf_at: FloatArray, cdf_below: FloatArray, quantile: FloatArray, p: float
) -> FloatArray:
    """Spiegelhalter (2005) Appendix A.1.1: smooth a discrete quantile.

    With ``r_p`` the smallest count whose cdf reaches ``p``, the limit count is
    ``r_p - alpha`` where ``alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1))``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        step = cdf_at - cdf_below
        alpha = np.where(step > 0, (cdf_at - p) / step, 0.0)
    return np.asarray(quantile - alpha, dtype=np.float64)


def _smoothed_quantiles(dist: Any, tail: float) -> tuple[FloatArray, FloatArray]:
    """The ``tail`` and ``1 - tail`` quantiles of a frozen discrete distribution (binomial or
    Poisson), smoothed by Spiegelhalter's (2005) interpolation (Appendix A.1.1)."""
    limits = []
    for p in (tail, 1.0 - tail):
        r = dist.ppf(p)
        limits.append(_interpolated_quantile(dist.cdf(r), dist.cdf(r - 1.0), r, p))
    return limits[0], limits[1]


def _check_levels(levels: Sequence[float]) -> tuple[float, ...]:
    return tuple(_check_conf_level(level) for level in levels)


def funnel_limits_proportion(
    denominator: ArrayLike,
    benchmark: float,
    *,
    levels: Sequence[float] = FUNNEL_LEVELS,
    method: FunnelMethod = "exact",
) -> FunnelLimits:
    """Funnel-plot control limits for a proportion around ``benchmark`` (Spiegelhalter 2005).

    Parameters
    ----------
    denominator : numbers of trials at which to draw the limits (e.g. each council's
        denominator, or a grid for the curve). Exact limits need whole numbers (rounded).
    benchmark : target proportion in [0, 1] (e.g. the region's pooled proportion).
    levels : two-sided levels; 0.95 and 0.998 ("2 and 3 sigma") by default.
    method : ``"exact"``: binomial quantiles smoothed by Spiegelhalter's interpolation
        (Appendix A.1.1); ``"normal"``: ``benchmark +/- z sqrt(benchmark(1 - benchmark)/n)``,
        clipped to [0, 1] — what the PHE funnel plot tool draws for proportions. It is exactly
        the set of proportions whose Wilson interval just reaches the benchmark (the score
        test's acceptance region), so ``"interval"`` is accepted as the same method.
    """
    chosen = _check_levels(levels)
    theta = float(benchmark)
    if not 0.0 <= theta <= 1.0:
        raise IntervalInputError(
            "intervals.invalid-benchmark",
            f"A proportion's benchmark must be between 0 and 1, not {benchmark}.",
            {"value": benchmark},
        )
    n = _as_float_array(denominator, "denominator")
    lower: dict[float, FloatArray] = {}
    upper: dict[float, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for level in chosen:
            tail = (1.0 - level) / 2.0
            if method in ("normal", "interval"):
                half = _z(level) * np.sqrt(theta * (1.0 - theta) / n)
                low = np.clip(theta - half, 0.0, 1.0)
                high = np.clip(theta + half, 0.0, 1.0)
            elif method == "exact":
                trials = np.round(n)
                low_count, high_count = _smoothed_quantiles(stats.binom(trials, theta), tail)
                low = np.clip(low_count / trials, 0.0, 1.0)
                high = np.clip(high_count / trials, 0.0, 1.0)
                if theta in (0.0, 1.0):  # no variation at all: the interpolation is moot
                    low, high = np.full_like(n, theta), np.full_like(n, theta)
            else:
                raise ValueError(f"Unknown funnel method {method!r}.")
            invalid = ~(n > 0)
            lower[level] = np.where(invalid, np.nan, low).astype(np.float64)
            upper[level] = np.where(invalid, np.nan, high).astype(np.float64)
    return FunnelLimits(
        denominator=n,
        benchmark=theta,
        levels=chosen,
        lower=lower,
        upper=upper,
        method=method,
        kind="proportion",
    )


def _gamma_shape_solving(scale_point: FloatArray, target: float) -> FloatArray:
    """The shape ``a`` with ``P(a, E) = target`` for each E, by vectorised bisection.

    ``P(a, E)`` (``scipy.special.gammainc``) falls from 1 to 0 as ``a`` grows, so each root is
    bracketed by (0, E + 40 sqrt(E) + 60]; 200 halvings reach double precision.
    """
    expected = np.asarray(scale_point, dtype=np.float64)
    low = np.zeros_like(expected)
    high = expected + 40.0 * np.sqrt(np.maximum(expected, 0.0)) + 60.0
    for _ in range(200):
        middle = (low + high) / 2.0
        # gammainc(a, E) needs a > 0; at a -> 0 it tends to 1 (E > 0).
        value = special.gammainc(np.maximum(middle, 1e-300), expected)
        above = value > target
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    root = (low + high) / 2.0
    return np.asarray(np.where(expected > 0, root, np.where(np.isnan(expected), np.nan, 0.0)))


def funnel_limits_poisson(
    population: ArrayLike,
    benchmark_rate: float,
    *,
    per: float = 100_000.0,
    levels: Sequence[float] = FUNNEL_LEVELS,
    method: FunnelMethod = "exact",
) -> FunnelLimits:
    """Funnel-plot control limits for a rate (or count) around ``benchmark_rate``.

    Parameters
    ----------
    population : people (person-years) at which to draw the limits.
    benchmark_rate : target rate per ``per`` people (e.g. the region's crude rate).
    per : the rate's multiplier (1 for a rate per person; then ``population`` can be an
        expected count and the limits are for observed/expected ratios).
    levels : two-sided levels (0.95, 0.998 by default).
    method : ``"exact"``: Poisson quantiles of the expected count ``E = rate * population /
        per`` smoothed by Spiegelhalter's (2005) interpolation, divided by the population;
        ``"normal"``: ``rate +/- z sqrt(E) / population * per``, floored at 0;
        ``"interval"``: the rates whose exact (Garwood) interval just reaches the benchmark, so
        an area falls outside exactly when its exact interval excludes the benchmark — what the
        PHE funnel plot tool draws for rates.
    """
    chosen = _check_levels(levels)
    rate = float(benchmark_rate)
    if not (np.isfinite(rate) and rate >= 0.0) or not per > 0:
        raise IntervalInputError(
            "intervals.invalid-benchmark",
            f"A rate's benchmark must be a non-negative number, not {benchmark_rate}.",
            {"value": benchmark_rate},
        )
    people = _as_float_array(population, "population")
    expected = rate * people / float(per)
    lower: dict[float, FloatArray] = {}
    upper: dict[float, FloatArray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(people > 0, float(per) / people, np.nan)
        for level in chosen:
            tail = (1.0 - level) / 2.0
            if method == "normal":
                half = _z(level) * np.sqrt(expected)
                low_count = np.maximum(expected - half, 0.0)
                high_count = expected + half
            elif method == "interval":
                # Counts whose exact interval just reaches E: U(x) = E below, L(x) = E above.
                # With P(a, E) the regularised lower incomplete gamma function (the chance that
                # a Gamma(a) variable is at most E), U(x) = E <=> P(x + 1, E) = 1 - tail and
                # L(x) = E <=> P(x, E) = tail (Garwood 1936).
                low_count = np.maximum(_gamma_shape_solving(expected, 1.0 - tail) - 1.0, 0.0)
                high_count = _gamma_shape_solving(expected, tail)
            elif method == "exact":
                low_count, high_count = _smoothed_quantiles(stats.poisson(expected), tail)
                low_count = np.maximum(low_count, 0.0)
                high_count = np.maximum(high_count, 0.0)
            else:
                raise ValueError(f"Unknown funnel method {method!r}.")
            lower[level] = np.asarray(low_count * scale, dtype=np.float64)
            upper[level] = np.asarray(high_count * scale, dtype=np.float64)
    return FunnelLimits(
        denominator=people,
        benchmark=rate,
        levels=chosen,
        lower=lower,
        upper=upper,
        method=method,
        kind="rate",
        per=float(per),
    )


def classify_against_funnel(values: ArrayLike, limits: FunnelLimits) -> FunnelClassification:
    """Place each area's value inside the 95% limits, between 95% and 99.8%, or outside 99.8%.

    ``values`` must line up with ``limits.denominator`` (compute the limits at each area's own
    denominator). A value exactly on a limit counts as inside it. The inner and outer levels
    are the smallest and largest of ``limits.levels``.
    """
    observed = np.asarray(values, dtype=np.float64).ravel()
    if observed.shape != limits.denominator.ravel().shape:
        raise ValueError("values must have one entry per denominator of the limits")
    inner, outer = min(limits.levels), max(limits.levels)
    in_low, in_high = limits.lower[inner].ravel(), limits.upper[inner].ravel()
    out_low, out_high = limits.lower[outer].ravel(), limits.upper[outer].ravel()
    zones: list[str] = []
    directions: list[str] = []
    for i, value in enumerate(observed.tolist()):
        if not (np.isfinite(value) and np.isfinite(in_low[i]) and np.isfinite(in_high[i])):
            zones.append("not_classified")
            directions.append("none")
            continue
        if in_low[i] <= value <= in_high[i]:
            zones.append("inside_95")
            directions.append("none")
            continue
        directions.append("low" if value < in_low[i] else "high")
        if out_low[i] <= value <= out_high[i]:
            zones.append("between_95_998")
        else:
            zones.append("outside_998")
    return FunnelClassification(zone=tuple(zones), direction=tuple(directions))
