"""Use cases of the randomisation: run it once under the registered protocol, with a stored
seed and digests (again only when an amendment allows it), and read the allocation (hidden
from those delivering the experiment until it is launched)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from infuse import stats
from infuse.adaption.models import COUNCIL_UNITS, Allocation, Design, Experiment, Protocol, Status
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.registry.outcome_data import latest_version, unknown_columns
from infuse.adaption.registry.steps import announce_next
from infuse.analytics.quoting import select_columns
from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.datalab.catalogue import services as data

Covariates = dict[str, list[Any]] | None


def _council_units(experiment: Experiment) -> tuple[list[str], Covariates]:
    councils = list(experiment.councils.order_by("gss_code"))
    return [c.gss_code for c in councils], {"population": [c.population for c in councils]}


def _dataset_units(
    actor: Person, randomise_in: RandomiseIn
) -> tuple[list[str], Covariates, dict[str, Any]]:
    """The units (one row each) of a dataset column, the strata if asked, and the source."""
    if not randomise_in.dataset or not randomise_in.unit_column:
        message = _("Choose the dataset and the column of units")
        raise InvalidInput(problems=[FieldProblem("dataset", message)])
    dataset, version = latest_version(actor, randomise_in.dataset)
    problems = unknown_columns(
        version,
        [("unit_column", randomise_in.unit_column), ("strata_column", randomise_in.strata_column)],
    )
    if problems:
        raise InvalidInput(problems=problems)
    strata = randomise_in.strata_column
    wanted = select_columns(c for c in (randomise_in.unit_column, strata) if c)
    with data.reading_version(version) as connection:
        rows = connection.sql(f"SELECT {wanted} FROM data").fetchall()  # noqa: S608 - quoted
    units = [row[0] for row in rows]
    if any(u is None for u in units) or len(set(units)) != len(units):
        message = _("Each unit must appear once, with no empty values, in ‘%(column)s’")
        raise InvalidInput(
            problems=[FieldProblem("unit_column", message % {"column": randomise_in.unit_column})]
        )
    if len(units) < 2:
        raise InvalidInput(
            problems=[FieldProblem("unit_column", _("Randomising needs at least two units"))]
        )
    source = {
        "dataset": dataset.slug,
        "version": version.number,
        "sha256": version.sha256,
        "unit_column": randomise_in.unit_column,
        "strata_column": strata,
    }
    return [str(u) for u in units], ({strata: [row[1] for row in rows]} if strata else None), source


def _protocol_to_follow(actor: Person, experiment: Experiment) -> Protocol:
    """The protocol version the randomisation runs under, once it may run."""
    if not can(actor, "adaption.randomise_experiment", experiment):
        raise PermissionDenied()
    if not experiment.is_randomised:
        raise Conflict(_("This design is not randomised."))
    if experiment.status != Status.REGISTERED:
        raise Conflict(_("Randomise after registering the protocol and before launching."))
    protocol = experiment.latest_protocol
    assert protocol is not None
    last = experiment.latest_allocation
    if last is not None and not (
        protocol.version > last.protocol.version and protocol.allows_rerandomisation
    ):
        raise Conflict(
            _(
                "The experiment was randomised on %(date)s. Running it again needs a protocol "
                "amendment that allows re-randomisation."
            )
            % {"date": last.created_at.date().isoformat()}
        )
    return protocol


def _draw(
    actor: Person, experiment: Experiment, randomise_in: RandomiseIn, seed: int
) -> tuple[Any, Covariates, dict[str, Any]]:
    """The engine's allocation for the design's units, with their covariates and source."""
    if experiment.design in COUNCIL_UNITS:
        units, covariates = _council_units(experiment)
        if experiment.design == Design.STEPPED_WEDGE:
            steps = randomise_in.n_steps or len(units)
            result = stats.randomise_stepped_wedge(
                units, n_steps=steps, seed=seed, covariates=covariates
            )
        else:
            result = stats.randomise_clusters(units, seed=seed, covariates=covariates)
        return result, covariates, {"councils": units}
    units, covariates, source = _dataset_units(actor, randomise_in)
    if randomise_in.strata_column and covariates:
        result = stats.randomise_stratified(
            units, covariates=covariates, strata_by=[randomise_in.strata_column], seed=seed
        )
    else:
        result = stats.randomise_complete(units, seed=seed)
    return result, covariates, source


def _balance(result: Any, covariates: Covariates) -> dict[str, Any]:
    """The balance table of the numeric covariates between treatment and control, as kept
    (empty when there is none)."""
    if not covariates or not set(result.arms) >= {"treatment", "control"}:
        return {}
    numeric = {k: v for k, v in covariates.items() if all(isinstance(x, int | float) for x in v)}
    return stats.to_json(stats.balance_table(numeric, result.assignment)) if numeric else {}


def randomise(*, actor: Person, experiment: Experiment, randomise_in: RandomiseIn) -> Allocation:
    """Run the randomisation once, with a stored seed; again only if an amendment allows it."""
    protocol = _protocol_to_follow(actor, experiment)
    seed = randomise_in.seed if randomise_in.seed is not None else secrets.randbits(62)
    result, covariates, source = _draw(actor, experiment, randomise_in, seed)
    with transaction.atomic():
        allocation = Allocation.objects.create(
            experiment=experiment,
            protocol=protocol,
            method=result.method,
            seed=seed,
            result=stats.to_json(result),
            allocation_digest=result.allocation_digest,
            inputs_digest=result.inputs_digest,
            source=source,
            balance=_balance(result, covariates),
            created_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="experiment.randomised",
            obj=experiment,
            after={
                "allocation": allocation.pk,
                "method": result.method,
                "seed": seed,
                "allocation_digest": result.allocation_digest,
                "protocol": protocol.version,
                "counts": result.counts,
            },
        )
        announce_next(actor, experiment)
    return allocation


def get_allocation(*, actor: Any, experiment: Experiment) -> Allocation:
    """The latest allocation with its units: only for those who may see it before launch."""
    allocation = experiment.latest_allocation
    if allocation is None:
        raise NotFound()
    if not can(actor, "adaption.view_allocation", experiment):
        raise PermissionDenied()
    return allocation
