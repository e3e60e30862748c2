"""The randomisation through its services: once, as the engine does it, rerun only by an
amendment that allows it, and hidden from those delivering until launch."""

from __future__ import annotations

import pytest

from infuse.adaption.models import Allocation
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.protocol.services import amend_protocol
from infuse.adaption.randomisation import services
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.registry.services import move
from infuse.core.errors import Conflict, PermissionDenied
from infuse.stats import randomise_clusters, randomise_stepped_wedge
from tests.adaption.conftest import PROTOCOL, registered

pytestmark = pytest.mark.django_db


def test_randomisation_runs_once_matches_the_engine_and_reruns_only_by_amendment(
    make_experiment, officer, analyst
):
    experiment = registered(make_experiment, officer)
    with pytest.raises(PermissionDenied):  # officers deliver; analysts randomise
        services.randomise(actor=officer, experiment=experiment, randomise_in=RandomiseIn(seed=7))
    allocation = services.randomise(
        actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=20261129)
    )
    engine = randomise_clusters(
        ["W06000013", "W06000015", "W06000020", "W06000022"],
        seed=20261129,
        covariates={"population": [145_500, 362_312, 92_263, 159_587]},
    )
    assert allocation.result["assignment"] == list(engine.assignment)
    assert allocation.allocation_digest == engine.allocation_digest
    assert (
        allocation.seed == 20261129 and allocation.balance["rows"][0]["covariate"] == "population"
    )
    with pytest.raises(Conflict):
        services.randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn())
    amend_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(
            **PROTOCOL,
            reason="Torfaen joined late; randomise again before launch.",
            allows_rerandomisation=True,
        ),
    )
    again = services.randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn())
    assert again.protocol.version == 2 and Allocation.objects.count() == 2
    with pytest.raises(Conflict):  # that amendment is spent
        services.randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn())


def test_stepped_wedge_orders_every_council(make_experiment, officer, analyst):
    experiment = registered(make_experiment, officer, design="stepped_wedge")
    allocation = services.randomise(
        actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=5, n_steps=2)
    )
    result = allocation.result
    assert sorted(result["unit_ids"]) == ["W06000013", "W06000015", "W06000020", "W06000022"]
    assert sorted(result["steps"]) == [1, 1, 2, 2]
    engine = randomise_stepped_wedge(
        sorted(result["unit_ids"]),
        n_steps=2,
        seed=5,
        covariates={"population": [145_500, 362_312, 92_263, 159_587]},
    )
    assert tuple(result["steps"]) == engine.steps


def test_the_allocation_is_hidden_until_launch(make_experiment, officer, analyst, make_person):
    experiment = registered(make_experiment, officer, public=True)
    services.randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=1))
    assert services.get_allocation(actor=analyst, experiment=experiment)
    for person in (officer, make_person("evaluator"), make_person("procurement_officer")):
        with pytest.raises(PermissionDenied):
            services.get_allocation(actor=person, experiment=experiment)
    move(actor=officer, experiment=experiment, transition="launch")
    experiment.refresh_from_db()
    assert services.get_allocation(actor=officer, experiment=experiment)
    from django.contrib.auth.models import AnonymousUser

    assert services.get_allocation(actor=AnonymousUser(), experiment=experiment)
