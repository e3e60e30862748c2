"""Simulation-based power for any design the engine can analyse.

Why simulate: closed forms assume large samples, known variances and one particular
analysis. A council trial with ten clusters analysed with cluster fixed effects and a t test
is none of those, so the honest power is the share of simulated trials, generated under the
design and analysed exactly as planned, in which the analysis rejects the null.

Built-in designs (individual continuous and binary, parallel cluster, stepped wedge) simulate
whole batches of trials at once from their sufficient statistics (arm means and variances,
cluster means, cluster-period means), so 10,000 trials take milliseconds. Any other design or
analysis can be plugged in as callables; it then runs trial by trial.

The platform runs this as a background task: ``progress(done, total)`` is called after every
chunk of simulations. Everything is drawn from ``numpy.random.Generator(PCG64(seed))`` and the
seed and chunk size (both part of the recipe) are stored in the result.

References
----------
- Arnold BF, Hogan DR, Colford JM, Hubbard AE (2011). Simulation methods to estimate design
  power: an overview for applied research. *BMC Med Res Methodol* 11:94.
- Baio G, Copas A, Ambler G, et al. (2015). Sample size calculation for a stepped wedge trial.
  *Trials* 16:354.
- Hussey MA, Hughes JP (2007). Design and analysis of stepped wedge cluster randomized trials.
  *Contemp Clin Trials* 28:182-191.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from infuse.stats._common import FloatArray, ProgressCallback, wilson_bounds
from infuse.stats.results import StatWarning, json_ready

__all__ = ["CustomDesign", "SimulatedPowerResult", "SimulationDesign", "simulate_power"]


@dataclass(frozen=True, slots=True)
class SimulatedPowerResult:
    """Power estimated by simulation, with its Monte-Carlo uncertainty.

    Attributes
    ----------
    power : share of simulated trials in which the analysis rejected at ``alpha``.
    mc_std_error : Monte-Carlo standard error ``sqrt(power (1 - power) / n_simulations)``.
    ci_low, ci_high : 95% Wilson interval for the true power given the simulations.
    n_simulations, n_rejections : counts behind ``power``.
    seed, chunk_size : the recipe: same seed and chunk size give the same answer.
    alpha : level of the two-sided test.
    design, analysis : names of the design and analysis simulated.
    parameters : the design's parameters.
    n_failed : simulations whose analysis gave no p-value (counted as non-rejections).
    warnings : e.g. ``analysis_failed`` when some simulations could not be analysed.
    """

    power: float
    mc_std_error: float
    ci_low: float
    ci_high: float
    n_simulations: int
    n_rejections: int
    seed: int
    chunk_size: int
    alpha: float
    design: str
    analysis: str
    parameters: dict[str, Any] = field(default_factory=dict)
    n_failed: int = 0
    warnings: tuple[StatWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        result: dict[str, Any] = json_ready(asdict(self))
        return result


@runtime_checkable
class SimulationDesign(Protocol):
    """What :func:`simulate_power` needs from a design.

    ``generate`` draws one simulated data set (any object the analysis understands).
    Built-in designs also offer ``simulate_p_values(rng, n, analysis)``, the vectorised path.
    """

    @property
    def name(self) -> str:
        """Stable name of the design, recorded in the result."""
        ...

    def generate(self, rng: np.random.Generator) -> Any:
        """Draw one simulated data set."""
        ...

    def parameters(self) -> dict[str, Any]:
        """The design's parameters (JSON-ready)."""
        ...


@dataclass(frozen=True, slots=True)
class CustomDesign:
    """Any design, given as a function that draws one simulated data set from a Generator."""

    generator: Callable[[np.random.Generator], Any]
    name: str = "custom"
    description: dict[str, Any] = field(default_factory=dict)

    def generate(self, rng: np.random.Generator) -> Any:
        """One simulated data set."""
        return self.generator(rng)

    def parameters(self) -> dict[str, Any]:
        """The description given by the caller."""
        return dict(self.description)


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------


def _p_value_of(outcome: Any) -> float:
    value = getattr(outcome, "p_value", outcome)
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def simulate_power(
    design: SimulationDesign,
    *,
    analysis: str | Callable[[Any], Any] | None = None,
    n_simulations: int = 1000,
    seed: int,
    alpha: float = 0.05,
    progress: ProgressCallback | None = None,
    chunk_size: int = 250,
) -> SimulatedPowerResult:
    """Estimate power by simulating trials and analysing each as planned.

    Parameters
    ----------
    design : a built-in design (:class:`IndividualContinuousDesign`,
        :class:`IndividualBinaryDesign`, :class:`ClusterContinuousDesign`,
        :class:`ClusterBinaryDesign`, :class:`SteppedWedgeDesign`) or any object with
        ``generate(rng)`` (e.g. :class:`CustomDesign`).
    analysis : ``None`` or a built-in analysis name (vectorised across simulations), or a
        callable taking one simulated data set and returning a p-value or any result with a
        ``p_value`` attribute (such as :class:`~infuse.stats.results.EstimateResult`); a callable
        runs trial by trial.
    n_simulations : number of simulated trials.
    seed : integer seed of ``numpy.random.Generator(PCG64(seed))``.
    alpha : two-sided level; a trial counts as a rejection when ``p <= alpha``.
    progress : called as ``progress(done, total)`` after each chunk.
    chunk_size : simulations per chunk; part of the recipe (the draws are taken chunk by chunk
        from one generator), so keep it to reproduce a result.

    Returns
    -------
    SimulatedPowerResult with the power, its Monte-Carlo standard error
    ``sqrt(p (1 - p) / n_simulations)`` and a Wilson 95% interval.

    Notes
    -----
    Arnold et al. (2011): simulated power converges to the true power of the *analysis as
    run*, including its small-sample behaviour, at rate ``1 / sqrt(n_simulations)``.
    """
    _check_recipe(n_simulations, chunk_size, seed, alpha)
    if not hasattr(design, "generate"):
        raise TypeError("design must provide generate(rng)")
    vectorised = not callable(analysis) and hasattr(design, "simulate_p_values")
    if not vectorised and not callable(analysis):
        raise TypeError("a design without a built-in analysis needs an analysis callable")
    analysis_name = (
        (analysis or "default")
        if isinstance(analysis, str | None)
        else getattr(analysis, "__name__", "custom")
    )
    draw = _p_value_draws(design, analysis, str(analysis_name), vectorised)
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    rejections = failed = done = 0
    while done < n_simulations:
        size = min(chunk_size, n_simulations - done)
        p = draw(rng, size)
        nan = np.isnan(p)
        failed += int(nan.sum())
        rejections += int((p[~nan] <= alpha).sum())
        done += size
        if progress is not None:
            progress(done, n_simulations)
    power = rejections / n_simulations
    low, high = wilson_bounds(rejections, n_simulations)
    return SimulatedPowerResult(
        power=power,
        mc_std_error=math.sqrt(power * (1.0 - power) / n_simulations),
        ci_low=low,
        ci_high=high,
        n_simulations=n_simulations,
        n_rejections=rejections,
        seed=int(seed),
        chunk_size=chunk_size,
        alpha=alpha,
        design=str(getattr(design, "name", type(design).__name__)),
        analysis=str(analysis_name),
        parameters=json_ready(design.parameters()) if hasattr(design, "parameters") else {},
        n_failed=failed,
        warnings=_failures_warning(failed, n_simulations),
    )


def _check_recipe(n_simulations: int, chunk_size: int, seed: int, alpha: float) -> None:
    if isinstance(n_simulations, bool) or not isinstance(n_simulations, int) or n_simulations < 1:
        raise ValueError("n_simulations must be a positive integer")
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError("chunk_size must be a positive integer")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise TypeError("seed must be a non-negative integer")
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must be strictly between 0 and 1")


def _p_value_draws(
    design: SimulationDesign,
    analysis: str | Callable[[Any], Any] | None,
    analysis_name: str,
    vectorised: bool,
) -> Callable[[np.random.Generator, int], FloatArray]:
    """``draw(rng, size)``: the p-values of ``size`` simulated trials, from the design's
    vectorised path or trial by trial through the analysis callable."""
    if vectorised:
        batch = design.simulate_p_values  # type: ignore[attr-defined]

        def vectorised_draw(rng: np.random.Generator, size: int) -> FloatArray:
            return np.asarray(batch(rng, size, analysis_name), dtype=np.float64)

        return vectorised_draw
    assert callable(analysis)
    analyse = analysis

    def trial_by_trial(rng: np.random.Generator, size: int) -> FloatArray:
        return np.array(
            [_p_value_of(analyse(design.generate(rng))) for _ in range(size)], dtype=np.float64
        )

    return trial_by_trial


def _failures_warning(failed: int, n_simulations: int) -> tuple[StatWarning, ...]:
    if not failed:
        return ()
    return (
        StatWarning(
            "analysis_failed",
            f"{failed} of {n_simulations} simulated trials gave no p-value; "
            "they are counted as non-rejections",
        ),
    )
