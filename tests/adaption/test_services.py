"""Experiments through their services: lifecycle, frozen protocols, amendments, randomisation."""

from __future__ import annotations

import hashlib
import json

import pytest

from infuse.adaption import services
from infuse.adaption.models import Allocation, FrozenProtocolError, Protocol, Status
from infuse.core.errors import Conflict, InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, Organisation
from infuse.stats import randomise_clusters, randomise_stepped_wedge
from tests.adaption.conftest import PROTOCOL

pytestmark = pytest.mark.django_db


def registered(make_experiment, officer, design="cluster_rct", **extra):
    experiment = make_experiment(design, **extra)
    services.set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[services.OutcomeFields(kind="primary", name="GP visits per 1,000")],
    )
    services.move(actor=officer, experiment=experiment, transition="design")
    services.register_protocol(
        actor=officer, experiment=experiment, fields=services.ProtocolFields(**PROTOCOL)
    )
    return experiment


def test_creating_needs_a_data_role_and_both_titles(make_experiment, make_person, officer):
    with pytest.raises(PermissionDenied):
        make_experiment(actor=make_person("supplier"))
    with pytest.raises(InvalidInput) as raised:
        make_experiment(title_cy="")
    assert raised.value.problems[0].field == "title_cy"
    with pytest.raises(InvalidInput) as raised:
        make_experiment(councils=["W06000015"])  # a cluster design needs two or more
    assert raised.value.problems[0].field == "councils"
    newport = Organisation.objects.get(slug="newport")
    with pytest.raises(InvalidInput):
        services.create_experiment(
            actor=officer,
            fields=services.ExperimentFields(
                title_en="X", title_cy="X", owner=newport, design="its"
            ),
        )
    experiment = make_experiment()
    assert experiment.status == Status.DRAFT and experiment.slug == "warm-hubs"
    assert AuditEvent.objects.filter(action="experiment.created").count() == 1


@pytest.mark.parametrize(
    ("start", "move"),
    [
        ("draft", "launch"),
        ("draft", "analyse"),
        ("draft", "decide"),
        ("designed", "launch"),
        ("registered", "analyse"),
        ("registered", "design"),
        ("running", "decide"),
        ("running", "register"),
        ("closed", "launch"),
        ("closed", "design"),
    ],
)
def test_moves_the_lifecycle_does_not_allow_are_refused(make_experiment, officer, start, move):
    experiment = make_experiment()
    experiment.status = start
    experiment.save()
    with pytest.raises(Conflict):
        services.move(actor=officer, experiment=experiment, transition=move)
    experiment.refresh_from_db()
    assert experiment.status == start


def test_design_needs_a_primary_outcome_and_registration_freezes_the_protocol(
    make_experiment, officer
):
    experiment = make_experiment()
    with pytest.raises(InvalidInput):
        services.move(actor=officer, experiment=experiment, transition="design")
    services.set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[services.OutcomeFields(kind="primary", name="GP visits")],
    )
    services.move(actor=officer, experiment=experiment, transition="design")
    with pytest.raises(InvalidInput) as raised:
        services.register_protocol(
            actor=officer,
            experiment=experiment,
            fields=services.ProtocolFields(
                **{**PROTOCOL, "analysis_plan": "", "randomisation_unit": ""}
            ),
        )
    assert {p.field for p in raised.value.problems} == {"analysis_plan", "randomisation_unit"}
    protocol = services.register_protocol(
        actor=officer, experiment=experiment, fields=services.ProtocolFields(**PROTOCOL)
    )
    experiment.refresh_from_db()
    assert experiment.status == Status.REGISTERED and protocol.version == 1
    # The digest is SHA-256 of the canonical JSON of exactly what is stored.
    canonical = json.dumps(
        protocol.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()
    assert protocol.sha256 == hashlib.sha256(canonical).hexdigest()
    assert protocol.content["hypotheses"] == PROTOCOL["hypotheses"]
    assert protocol.content["outcomes"][0]["name"] == "GP visits"


def test_a_registered_protocol_cannot_be_edited_in_any_way(make_experiment, officer):
    experiment = registered(make_experiment, officer)
    protocol = experiment.latest_protocol
    protocol.content = {**protocol.content, "hypotheses": "Something else"}
    with pytest.raises(FrozenProtocolError):
        protocol.save()
    with pytest.raises(FrozenProtocolError):
        Protocol.objects.filter(pk=protocol.pk).update(sha256="0" * 64)
    with pytest.raises(FrozenProtocolError):
        protocol.delete()
    with pytest.raises(FrozenProtocolError):
        Protocol.objects.filter(pk=protocol.pk).delete()
    stored = Protocol.objects.get(pk=protocol.pk)
    assert stored.content["hypotheses"] == PROTOCOL["hypotheses"]
    with pytest.raises(Conflict):  # nor the entry it registered
        services.update_experiment(
            actor=officer,
            experiment=experiment,
            fields=services.ExperimentFields(
                title_en="Renamed",
                title_cy="Ailenwyd",
                owner=experiment.owner,
                design=experiment.design,
                councils=["W06000015", "W06000022"],
            ),
        )


def test_amendments_are_new_versions_with_a_reason_and_a_diff(make_experiment, officer):
    experiment = registered(make_experiment, officer)
    first = experiment.latest_protocol
    with pytest.raises(InvalidInput):
        services.amend_protocol(
            actor=officer,
            experiment=experiment,
            fields=services.ProtocolFields(**PROTOCOL),
            reason="No change",
        )
    second = services.amend_protocol(
        actor=officer,
        experiment=experiment,
        fields=services.ProtocolFields(
            **{**PROTOCOL, "exclusions": "Care home residents and people in hospital."}
        ),
        reason="Hospital stays were missed in the first version.",
    )
    assert second.version == 2 and second.sha256 != first.sha256
    changes = services.protocol_changes(first, second)
    assert [c["field"] for c in changes] == ["exclusions"]
    assert changes[0]["before"] == "Care home residents."
    assert Protocol.objects.get(pk=first.pk).sha256 == first.sha256


def test_randomisation_runs_once_matches_the_engine_and_reruns_only_by_amendment(
    make_experiment, officer, analyst
):
    experiment = registered(make_experiment, officer)
    with pytest.raises(PermissionDenied):  # officers deliver; analysts randomise
        services.randomise(
            actor=officer, experiment=experiment, fields=services.RandomiseFields(seed=7)
        )
    allocation = services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=20261129)
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
        services.randomise(actor=analyst, experiment=experiment, fields=services.RandomiseFields())
    services.amend_protocol(
        actor=officer,
        experiment=experiment,
        fields=services.ProtocolFields(**PROTOCOL),
        reason="Torfaen joined late; randomise again before launch.",
        allows_rerandomisation=True,
    )
    again = services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields()
    )
    assert again.protocol.version == 2 and Allocation.objects.count() == 2
    with pytest.raises(Conflict):  # that amendment is spent
        services.randomise(actor=analyst, experiment=experiment, fields=services.RandomiseFields())


def test_stepped_wedge_orders_every_council(make_experiment, officer, analyst):
    experiment = registered(make_experiment, officer, design="stepped_wedge")
    allocation = services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=5, n_steps=2)
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
    services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=1)
    )
    assert services.get_allocation(actor=analyst, experiment=experiment)
    for person in (officer, make_person("evaluator"), make_person("procurement_officer")):
        with pytest.raises(PermissionDenied):
            services.get_allocation(actor=person, experiment=experiment)
    services.move(actor=officer, experiment=experiment, transition="launch")
    experiment.refresh_from_db()
    assert services.get_allocation(actor=officer, experiment=experiment)
    from django.contrib.auth.models import AnonymousUser

    assert services.get_allocation(actor=AnonymousUser(), experiment=experiment)


def test_the_public_sees_only_registered_public_experiments(make_experiment, officer):
    from django.contrib.auth.models import AnonymousUser

    make_experiment(title_en="Draft idea", public=True)
    registered(make_experiment, officer, title_en="Registered private")
    registered(make_experiment, officer, title_en="Registered public", public=True)
    public = {e.title_en for e in services.visible_experiments(AnonymousUser())}
    assert public == {"Registered public"}
    assert len(services.visible_experiments(officer)) == 3
