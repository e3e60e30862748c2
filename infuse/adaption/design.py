"""The design page's calculations: power, sample size or minimum detectable effect for each
randomised design, through the statistics engine, and a power curve around the answer.

Inputs are checked here first, so a person gets a bilingual message naming the box to fix;
anything the engine still refuses is reported with its own reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from infuse import stats as engine
from infuse.adaption.models import Design
from infuse.core.errors import FieldProblem, InvalidInput

Outcome = Literal["continuous", "binary"]
Solve = Literal["power", "size", "effect"]
CALCULABLE = frozenset(
    {Design.INDIVIDUAL_RCT, Design.AB_TEST, Design.CLUSTER_RCT, Design.STEPPED_WEDGE}
)


@dataclass(frozen=True)
class DesignInputs:
    outcome: Outcome = "continuous"
    solve_for: Solve = "size"
    alpha: float = 0.05
    power: float | None = 0.8
    effect: float | None = None  # difference in means (continuous)
    sd: float | None = None  # outcome standard deviation (continuous)
    p_control: float | None = None  # binary
    p_treatment: float | None = None  # binary
    size: float | None = None  # people per arm / clusters per arm / people per council-period
    cluster_size: float | None = None  # cluster trials: people per council
    icc: float | None = None  # cluster trials and stepped wedge
    n_steps: int | None = None  # stepped wedge

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class Calculation:
    result: dict[str, Any]  # the engine's PowerResult.to_dict()
    size_label: str
    curve: list[tuple[float, float]] = field(default_factory=list)  # (size, power)
    schedule: list[list[int]] = field(default_factory=list)  # stepped wedge: council x period


def size_label(design: str) -> str:
    if design == Design.CLUSTER_RCT:
        return _("Councils per arm")
    if design == Design.STEPPED_WEDGE:
        return _("People per council in each period")
    return _("People per arm")


def _problems(design: str, inputs: DesignInputs, n_councils: int) -> list[FieldProblem]:
    problems: list[FieldProblem] = []

    def need(name: str, value: Any, message: str) -> None:
        if value is None:
            problems.append(FieldProblem(name, message))

    if not 0 < inputs.alpha < 0.5:
        problems.append(
            FieldProblem("alpha", _("The significance level must be between 0 and 0.5"))
        )
    if inputs.solve_for != "power":
        need("power", inputs.power, _("Enter the power you want, for example 0.8"))
    if inputs.power is not None and not 0 < inputs.power < 1:
        problems.append(FieldProblem("power", _("Power must be between 0 and 1")))
    if inputs.solve_for != "size":
        need("size", inputs.size, _("Enter the size of the design"))
    if inputs.size is not None and inputs.size <= 0:
        problems.append(FieldProblem("size", _("The size must be more than 0")))
    if inputs.outcome == "continuous":
        need("sd", inputs.sd, _("Enter the outcome's standard deviation"))
        if inputs.sd is not None and inputs.sd <= 0:
            problems.append(FieldProblem("sd", _("The standard deviation must be more than 0")))
        if inputs.solve_for != "effect":
            need("effect", inputs.effect, _("Enter the effect you want to detect"))
    else:
        need(
            "p_control",
            inputs.p_control,
            _("Enter the proportion expected without the intervention"),
        )
        for name in ("p_control", "p_treatment"):
            value = getattr(inputs, name)
            if value is not None and not 0 < value < 1:
                problems.append(FieldProblem(name, _("A proportion must be between 0 and 1")))
        if inputs.solve_for != "effect":
            need(
                "p_treatment",
                inputs.p_treatment,
                _("Enter the proportion expected with the intervention"),
            )
    if design in (Design.CLUSTER_RCT, Design.STEPPED_WEDGE):
        need("icc", inputs.icc, _("Enter the intracluster correlation, for example 0.02"))
        if inputs.icc is not None and not 0 <= inputs.icc < 1:
            problems.append(
                FieldProblem("icc", _("The intracluster correlation must be from 0 to below 1"))
            )
    if design == Design.CLUSTER_RCT:
        need("cluster_size", inputs.cluster_size, _("Enter the number of people per council"))
        if inputs.solve_for == "size" or (inputs.size is not None and inputs.size * 2 > n_councils):
            # Councils per arm can be solved for, but never more than the region has.
            pass
    if design == Design.STEPPED_WEDGE:
        need("n_steps", inputs.n_steps, _("Enter the number of steps"))
        if inputs.n_steps is not None and not 1 <= inputs.n_steps <= n_councils:
            problems.append(
                FieldProblem("n_steps", _("The steps must be from 1 to the number of councils"))
            )
        if n_councils < 2:
            problems.append(FieldProblem("n_steps", _("Choose at least two councils first")))
    return problems


def _run(design: str, inputs: DesignInputs, n_councils: int, solve: Solve) -> engine.PowerResult:
    """One call of the engine, leaving the solved-for quantity as None."""
    target = None if solve == "power" else inputs.power
    size = None if solve == "size" else inputs.size
    if inputs.outcome == "continuous":
        effect = None if solve == "effect" else inputs.effect
        assert inputs.sd is not None
        if design == Design.CLUSTER_RCT:
            return engine.power_cluster_means(
                effect=effect,
                n_clusters_per_arm=size,
                cluster_size=inputs.cluster_size,
                power=target,
                icc=inputs.icc,
                total_variance=inputs.sd**2,
                alpha=inputs.alpha,
            )
        if design == Design.STEPPED_WEDGE:
            return engine.power_stepped_wedge(
                n_clusters=n_councils,
                n_steps=inputs.n_steps,
                cluster_period_size=size,
                effect=effect,
                power=target,
                icc=inputs.icc,
                within_cluster_variance=inputs.sd**2,
                alpha=inputs.alpha,
            )
        return engine.power_two_means(
            effect=effect, sd=inputs.sd, n_control=size, power=target, alpha=inputs.alpha
        )
    assert inputs.p_control is not None
    p_treatment = None if solve == "effect" else inputs.p_treatment
    direction: Literal["increase", "decrease"] = (
        "decrease"
        if inputs.p_treatment is not None and inputs.p_treatment < inputs.p_control
        else "increase"
    )
    if design == Design.CLUSTER_RCT:
        assert inputs.icc is not None
        return engine.power_cluster_proportions(
            p_control=inputs.p_control,
            p_treatment=p_treatment,
            n_clusters_per_arm=size,
            cluster_size=inputs.cluster_size,
            power=target,
            icc=inputs.icc,
            alpha=inputs.alpha,
            direction=direction,
        )
    if design == Design.STEPPED_WEDGE:
        return engine.power_stepped_wedge(
            n_clusters=n_councils,
            n_steps=inputs.n_steps,
            cluster_period_size=size,
            p_control=inputs.p_control,
            p_treatment=p_treatment,
            power=target,
            outcome="binary",
            icc=inputs.icc,
            alpha=inputs.alpha,
        )
    return engine.power_two_proportions(
        p_control=inputs.p_control,
        p_treatment=p_treatment,
        n_control=size,
        power=target,
        alpha=inputs.alpha,
        direction=direction,
    )


def _size_of(design: str, result: engine.PowerResult) -> float:
    sizes = result.sample_size
    for key in ("n_clusters_per_arm", "cluster_period_size", "n_control"):
        if key in sizes:
            return float(sizes[key])
    return float(next(iter(sizes.values())))


def calculate(design: str, inputs: DesignInputs, *, n_councils: int) -> Calculation:
    """The engine's answer for this design, a power curve over sizes, and the SW schedule."""
    if design not in CALCULABLE:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "design",
                    _(
                        "Power for this design is worked out by simulation from past data; "
                        "describe the sample and its power in the protocol."
                    ),
                )
            ]
        )
    problems = _problems(design, inputs, n_councils)
    if problems:
        raise InvalidInput(problems=problems)
    try:
        result = _run(design, inputs, n_councils, inputs.solve_for)
    except (ValueError, TypeError) as error:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "solve_for",
                    _("These values have no answer (%(reason)s). Change one and try again.")
                    % {"reason": str(error)},
                )
            ]
        ) from error
    size = _size_of(design, result)
    curve: list[tuple[float, float]] = []
    if math.isfinite(size) and size > 0:
        scale = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0]
        points = sorted({max(1.0, round(size * s, 2)) for s in scale})
        for point in points:
            varied = DesignInputs(**{**inputs.__dict__, "size": point, "power": None})
            if inputs.solve_for == "effect":
                # Hold the effect just solved for, so the curve shows power at that effect.
                solved = result.effect
                varied = DesignInputs(
                    **{
                        **varied.__dict__,
                        "effect": solved if inputs.outcome == "continuous" else None,
                        "p_treatment": result.parameters.get("p_treatment", inputs.p_treatment)
                        if inputs.outcome == "binary"
                        else None,
                    }
                )
            try:
                curve.append((point, _run(design, varied, n_councils, "power").power))
            except (ValueError, TypeError):
                continue
    schedule: list[list[int]] = []
    if design == Design.STEPPED_WEDGE and inputs.n_steps:
        grid = engine.stepped_wedge_schedule(n_councils, inputs.n_steps)
        schedule = [list(map(int, row)) for row in grid.matrix]
    return Calculation(
        result=result.to_dict(), size_label=size_label(design), curve=curve, schedule=schedule
    )


def simulation_design(design: str, saved: dict[str, Any], *, n_councils: int) -> Any:
    """The engine's simulation design for a saved design (its inputs and solved sizes).

    The simulated trial has the sizes the calculation settled on (rounded up), so the
    simulated power checks the closed-form answer under the planned analysis.
    """
    inputs = DesignInputs(**saved.get("inputs", {}))
    result = saved.get("result") or {}
    sizes = {**result.get("sample_size", {}), **result.get("sample_size_rounded_up", {})}
    effect = float(result.get("effect") or inputs.effect or 0.0)
    continuous = inputs.outcome == "continuous"
    p_treatment = (result.get("parameters") or {}).get("p_treatment", inputs.p_treatment)
    if design == Design.CLUSTER_RCT:
        k = math.ceil(float(sizes.get("n_clusters_per_arm") or inputs.size or 0))
        m = math.ceil(float(sizes.get("cluster_size") or inputs.cluster_size or 0))
        if continuous:
            return engine.ClusterContinuousDesign(
                n_clusters_per_arm=k,
                cluster_size=m,
                effect=effect,
                icc=float(inputs.icc or 0),
                total_variance=float(inputs.sd or 1) ** 2,
            )
        return engine.ClusterBinaryDesign(
            n_clusters_per_arm=k,
            cluster_size=m,
            p_control=float(inputs.p_control or 0),
            p_treatment=float(p_treatment or 0),
            icc=float(inputs.icc or 0),
        )
    if design == Design.STEPPED_WEDGE:
        size = math.ceil(float(sizes.get("cluster_period_size") or inputs.size or 0))
        schedule = engine.stepped_wedge_schedule(n_councils, int(inputs.n_steps or n_councils))
        if continuous:
            within = float(inputs.sd or 1) ** 2 * (1 - float(inputs.icc or 0))
            return engine.SteppedWedgeDesign(
                schedule=schedule,
                cluster_period_size=size,
                effect=effect,
                within_cluster_variance=within,
                between_cluster_variance=float(inputs.sd or 1) ** 2 * float(inputs.icc or 0),
            )
        raise ValueError("binary stepped-wedge simulation needs a continuous outcome here")
    n = math.ceil(float(sizes.get("n_control") or inputs.size or 0))
    if continuous:
        return engine.IndividualContinuousDesign(
            n_control=n, n_treatment=n, effect=effect, sd=float(inputs.sd or 1)
        )
    return engine.IndividualBinaryDesign(
        n_control=n,
        n_treatment=n,
        p_control=float(inputs.p_control or 0),
        p_treatment=float(p_treatment or 0),
    )
