"""The design page's calculations: power, sample size or minimum detectable effect for each
randomised design, through the statistics engine, and a power curve around the answer.

Inputs are checked here first, so a person gets a bilingual message naming the box to fix;
anything the engine still refuses is reported with its own reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from infuse import stats
from infuse.adaption.design.schemas import DesignIn, DesignOut
from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.models import Design
from infuse.core.errors import Conflict, FieldProblem, InvalidInput

# Below this a standard deviation is 0 for the arithmetic (its standard error underflows).
SMALLEST_SD = 1e-9

Solve = Literal["power", "size", "effect"]
CALCULABLE = frozenset(
    {Design.INDIVIDUAL_RCT, Design.AB_TEST, Design.CLUSTER_RCT, Design.STEPPED_WEDGE}
)
# How far the power curve reaches either side of the answer (multiples of its size).
CURVE_SCALE = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)


@dataclass(frozen=True)
class Calculation:
    """The engine's answer for a design, the power at sizes around it, and (a stepped wedge)
    the council-by-period schedule; ``saved`` once kept with the experiment."""

    answer: stats.PowerResult
    size_label: str
    curve: list[list[float]]  # [size, power]
    schedule: list[list[int]]
    saved: bool = False

    @property
    def result(self) -> dict[str, Any]:
        """The answer in the engine's versioned JSON form: as kept, and as the API gives it."""
        return stats.to_json(self.answer)

    def out(self) -> DesignOut:
        """As the API and the CLI give it."""
        return DesignOut(
            result=self.result,
            size_label=self.size_label,
            curve=self.curve,
            schedule=self.schedule,
            saved=self.saved,
        )


def size_label(design: str) -> str:
    if design == Design.CLUSTER_RCT:
        return _("Councils per arm")
    if design == Design.STEPPED_WEDGE:
        return _("People per council in each period")
    return _("People per arm")


def _general_problems(inputs: DesignIn) -> list[FieldProblem]:
    """The significance level, power and size every design needs."""
    problems = []
    if not 0 < inputs.alpha < 0.5:
        problems.append(
            FieldProblem("alpha", _("The significance level must be between 0 and 0.5"))
        )
    if inputs.solve_for != "power" and inputs.power is None:
        problems.append(FieldProblem("power", _("Enter the power you want, for example 0.8")))
    if inputs.power is not None and not 0 < inputs.power < 1:
        problems.append(FieldProblem("power", _("Power must be between 0 and 1")))
    if inputs.solve_for != "size" and inputs.size is None:
        problems.append(FieldProblem("size", _("Enter the size of the design")))
    if inputs.size is not None and inputs.size <= 0:
        problems.append(FieldProblem("size", _("The size must be more than 0")))
    return problems


def _outcome_problems(inputs: DesignIn) -> list[FieldProblem]:
    """A measurement needs its spread and effect; yes-or-no needs its proportions."""
    problems = []
    if inputs.outcome == "continuous":
        if inputs.sd is None:
            problems.append(FieldProblem("sd", _("Enter the outcome's standard deviation")))
        elif inputs.sd < SMALLEST_SD:  # 5e-324 made the standard error underflow to 0 (a 500)
            problems.append(FieldProblem("sd", _("The standard deviation must be more than 0")))
        if inputs.solve_for != "effect" and inputs.effect is None:
            problems.append(FieldProblem("effect", _("Enter the effect you want to detect")))
        return problems
    if inputs.p_control is None:
        message = _("Enter the proportion expected without the intervention")
        problems.append(FieldProblem("p_control", message))
    for name in ("p_control", "p_treatment"):
        value = getattr(inputs, name)
        if value is not None and not 0 < value < 1:
            problems.append(FieldProblem(name, _("A proportion must be between 0 and 1")))
    if inputs.solve_for != "effect" and inputs.p_treatment is None:
        message = _("Enter the proportion expected with the intervention")
        problems.append(FieldProblem("p_treatment", message))
    return problems


def _council_problems(design: str, inputs: DesignIn, n_councils: int) -> list[FieldProblem]:
    """Cluster trials and stepped wedges: the correlation within councils, and their sizes."""
    problems = []
    if design in (Design.CLUSTER_RCT, Design.STEPPED_WEDGE):
        if inputs.icc is None:
            message = _("Enter the intracluster correlation, for example 0.02")
            problems.append(FieldProblem("icc", message))
        elif not 0 <= inputs.icc < 1:
            message = _("The intracluster correlation must be from 0 to below 1")
            problems.append(FieldProblem("icc", message))
    if design == Design.CLUSTER_RCT and inputs.cluster_size is None:
        message = _("Enter the number of people per council")
        problems.append(FieldProblem("cluster_size", message))
    if design == Design.STEPPED_WEDGE:
        if inputs.n_steps is None:
            problems.append(FieldProblem("n_steps", _("Enter the number of steps")))
        elif not 1 <= inputs.n_steps <= n_councils:
            message = _("The steps must be from 1 to the number of councils")
            problems.append(FieldProblem("n_steps", message))
        if n_councils < 2:
            problems.append(FieldProblem("n_steps", _("Choose at least two councils first")))
    return problems


def _continuous(design: str, inputs: DesignIn, n_councils: int, solve: Solve) -> Any:
    target = None if solve == "power" else inputs.power
    size = None if solve == "size" else inputs.size
    effect = None if solve == "effect" else inputs.effect
    assert inputs.sd is not None
    if design == Design.CLUSTER_RCT:
        return stats.power_cluster_means(
            effect=effect,
            n_clusters_per_arm=size,
            cluster_size=inputs.cluster_size,
            power=target,
            icc=inputs.icc,
            total_variance=inputs.sd**2,
            alpha=inputs.alpha,
        )
    if design == Design.STEPPED_WEDGE:
        return stats.power_stepped_wedge(
            n_clusters=n_councils,
            n_steps=inputs.n_steps,
            cluster_period_size=size,
            effect=effect,
            power=target,
            icc=inputs.icc,
            within_cluster_variance=inputs.sd**2,
            alpha=inputs.alpha,
        )
    return stats.power_two_means(
        effect=effect, sd=inputs.sd, n_control=size, power=target, alpha=inputs.alpha
    )


def _binary(design: str, inputs: DesignIn, n_councils: int, solve: Solve) -> Any:
    target = None if solve == "power" else inputs.power
    size = None if solve == "size" else inputs.size
    p_treatment = None if solve == "effect" else inputs.p_treatment
    assert inputs.p_control is not None
    direction: Literal["increase", "decrease"] = (
        "decrease"
        if inputs.p_treatment is not None and inputs.p_treatment < inputs.p_control
        else "increase"
    )
    if design == Design.CLUSTER_RCT:
        assert inputs.icc is not None
        return stats.power_cluster_proportions(
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
        return stats.power_stepped_wedge(
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
    return stats.power_two_proportions(
        p_control=inputs.p_control,
        p_treatment=p_treatment,
        n_control=size,
        power=target,
        alpha=inputs.alpha,
        direction=direction,
    )


def _run(design: str, inputs: DesignIn, n_councils: int, solve: Solve) -> Any:
    """One call of the engine (its PowerResult), leaving the solved-for quantity as None."""
    if inputs.outcome == "continuous":
        return _continuous(design, inputs, n_councils, solve)
    return _binary(design, inputs, n_councils, solve)


def _size_of(result: Any) -> float:
    sizes = result.sample_size
    for key in ("n_clusters_per_arm", "cluster_period_size", "n_control"):
        if key in sizes:
            return float(sizes[key])
    return float(next(iter(sizes.values())))


def _curve(design: str, inputs: DesignIn, result: Any, n_councils: int) -> list[list[float]]:
    """[size, power] at sizes around the answer (at the effect just solved for, if asked)."""
    size = _size_of(result)
    if not (math.isfinite(size) and size > 0):
        return []
    held: dict[str, Any] = {}
    if inputs.solve_for == "effect":
        # Hold the effect just solved for, so the curve shows power at that effect.
        binary = inputs.outcome == "binary"
        held = {
            "effect": None if binary else result.effect,
            "p_treatment": result.parameters.get("p_treatment", inputs.p_treatment)
            if binary
            else None,
        }
    curve = []
    for point in sorted({max(1.0, round(size * s, 2)) for s in CURVE_SCALE}):
        varied = inputs.model_copy(update={"size": point, "power": None, **held})
        try:
            curve.append([point, _run(design, varied, n_councils, "power").power])
        except (ValueError, TypeError):
            continue
    return curve


def calculate(design: str, inputs: DesignIn, *, n_councils: int) -> Calculation:
    """The engine's answer for this design, a power curve over sizes, and (a stepped wedge)
    the council-by-period schedule; not kept (``saved`` is false)."""
    if design not in CALCULABLE:
        message = _(
            "Power for this design is worked out by simulation from past data; describe the "
            "sample and its power in the protocol."
        )
        raise InvalidInput(problems=[FieldProblem("design", message)])
    problems = [
        *_general_problems(inputs),
        *_outcome_problems(inputs),
        *_council_problems(design, inputs, n_councils),
    ]
    if problems:
        raise InvalidInput(problems=problems)
    try:
        result = _run(design, inputs, n_councils, inputs.solve_for)
    except (ValueError, TypeError) as error:
        message = _("These values have no answer (%(reason)s). Change one and try again.")
        raise InvalidInput(
            problems=[FieldProblem("solve_for", message % {"reason": str(error)})]
        ) from error
    schedule: list[list[int]] = []
    if design == Design.STEPPED_WEDGE and inputs.n_steps:
        grid = stats.stepped_wedge_schedule(n_councils, inputs.n_steps)
        schedule = [list(map(int, row)) for row in grid.matrix]
    return Calculation(
        answer=result,
        size_label=size_label(design),
        curve=_curve(design, inputs, result, n_councils),
        schedule=schedule,
    )


def _known(value: float | None, fallback: float | None) -> float:
    """``value`` if it is a number the engine found, else ``fallback`` (else 0)."""
    if value is not None and math.isfinite(value) and value:
        return float(value)
    return float(fallback or 0)


def _kept_size(kept: StoredDesign, name: str, given: float | None) -> int:
    """A size the calculation settled on (rounded up), else the one given."""
    answer = kept.answer
    sizes = {**answer.sample_size, **answer.sample_size_rounded_up} if answer else {}
    return math.ceil(_known(sizes.get(name), given))


def simulation_design(design: str, kept: StoredDesign, *, n_councils: int) -> Any:
    """The engine's simulation design for a saved design (its inputs and solved sizes).

    The simulated trial has the sizes the calculation settled on (rounded up), so the
    simulated power checks the closed-form answer under the planned analysis.
    """
    inputs = kept.design_inputs()
    answer = kept.answer
    effect = _known(answer.effect if answer else None, inputs.effect)
    continuous = inputs.outcome == "continuous"
    p_treatment = answer.parameters.get("p_treatment", inputs.p_treatment) if answer else None
    sd, icc = float(inputs.sd or 1), float(inputs.icc or 0)
    if design == Design.CLUSTER_RCT:
        k = _kept_size(kept, "n_clusters_per_arm", inputs.size)
        m = _kept_size(kept, "cluster_size", inputs.cluster_size)
        if continuous:
            return stats.ClusterContinuousDesign(
                n_clusters_per_arm=k, cluster_size=m, effect=effect, icc=icc, total_variance=sd**2
            )
        return stats.ClusterBinaryDesign(
            n_clusters_per_arm=k,
            cluster_size=m,
            p_control=float(inputs.p_control or 0),
            p_treatment=float(p_treatment or 0),
            icc=icc,
        )
    if design == Design.STEPPED_WEDGE:
        if not continuous:
            raise ValueError("binary stepped-wedge simulation needs a continuous outcome here")
        return stats.SteppedWedgeDesign(
            schedule=stats.stepped_wedge_schedule(n_councils, int(inputs.n_steps or n_councils)),
            cluster_period_size=_kept_size(kept, "cluster_period_size", inputs.size),
            effect=effect,
            within_cluster_variance=sd**2 * (1 - icc),
            between_cluster_variance=sd**2 * icc,
        )
    n = _kept_size(kept, "n_control", inputs.size)
    if continuous:
        return stats.IndividualContinuousDesign(n_control=n, n_treatment=n, effect=effect, sd=sd)
    return stats.IndividualBinaryDesign(
        n_control=n,
        n_treatment=n,
        p_control=float(inputs.p_control or 0),
        p_treatment=float(p_treatment or 0),
    )


def simulation_within_limits(design: str, kept: StoredDesign, *, n_councils: int) -> Any:
    """The simulation design, refused when it cannot be simulated here: a design whose trials
    are too large to hold 250 at a time (a cluster trial solved to 500,000 clusters per arm
    took 4.2 GB of the task worker and killed it), or inputs the simulation cannot take."""
    try:
        simulated = simulation_design(design, kept, n_councils=n_councils)
    except (ValueError, TypeError):
        raise Conflict(
            _("This design cannot be checked by simulation. The calculated answer stands.")
        ) from None
    limit = settings.SIMULATION_MAX_VALUES_PER_TRIAL
    if simulated.values_per_trial > limit:
        raise Conflict(
            _(
                "This design is too large to check by simulation: each simulated trial would "
                "draw %(values)s random values and the service draws at most %(limit)s. The "
                "calculated answer stands."
            )
            % {
                "values": formats.number_format(simulated.values_per_trial, force_grouping=True),
                "limit": formats.number_format(limit, force_grouping=True),
            }
        )
    return simulated
