"""The protocol through its services: registration freezes it, amendments are new versions."""

from __future__ import annotations

import hashlib
import json

import pytest

from infuse.adaption.models import FrozenProtocolError, Protocol, Status
from infuse.adaption.protocol import services
from infuse.adaption.protocol.content import protocol_changes
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.registry.schemas import ExperimentIn, OutcomeIO
from infuse.adaption.registry.services import move, set_outcomes, update_experiment
from infuse.core.errors import Conflict, InvalidInput
from infuse.core.models import AuditEvent
from tests.adaption.conftest import PROTOCOL, registered

pytestmark = pytest.mark.django_db


def test_design_needs_a_primary_outcome_and_registration_freezes_the_protocol(
    make_experiment, officer
):
    experiment = make_experiment()
    with pytest.raises(InvalidInput):
        move(actor=officer, experiment=experiment, transition="design")
    set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name="GP visits")],
    )
    move(actor=officer, experiment=experiment, transition="design")
    with pytest.raises(InvalidInput) as raised:
        services.register_protocol(
            actor=officer,
            experiment=experiment,
            protocol_in=ProtocolIn(**{**PROTOCOL, "analysis_plan": "", "randomisation_unit": ""}),
        )
    assert {p.field for p in raised.value.problems} == {"analysis_plan", "randomisation_unit"}
    protocol = services.register_protocol(
        actor=officer, experiment=experiment, protocol_in=ProtocolIn(**PROTOCOL)
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
        update_experiment(
            actor=officer,
            experiment=experiment,
            experiment_in=ExperimentIn(
                title_en="Renamed",
                title_cy="Ailenwyd",
                owner=experiment.owner.slug,
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
            protocol_in=ProtocolIn(**PROTOCOL, reason="No change"),
        )
    second = services.amend_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(
            **{**PROTOCOL, "exclusions": "Care home residents and people in hospital."},
            reason="Hospital stays were missed in the first version.",
        ),
    )
    assert second.version == 2 and second.sha256 != first.sha256
    changes = protocol_changes(first, second)
    assert [c["field"] for c in changes] == ["exclusions"]
    assert changes[0]["before"] == "Care home residents."
    assert Protocol.objects.get(pk=first.pk).sha256 == first.sha256


def test_saving_the_protocol_registers_it_once_then_amends_it(make_experiment, officer):
    """The page, the API and the CLI save the protocol through one use case: the first time it
    is registered (and the experiment moves), after that each save is an amendment."""
    experiment = make_experiment()
    set_outcomes(
        actor=officer, experiment=experiment, outcomes=[OutcomeIO(kind="primary", name="Visits")]
    )
    move(actor=officer, experiment=experiment, transition="design")
    first = services.save_protocol(
        actor=officer, experiment=experiment, protocol_in=ProtocolIn(**PROTOCOL)
    )
    experiment.refresh_from_db()
    assert (first.version, experiment.status) == (1, Status.REGISTERED)
    with pytest.raises(InvalidInput) as raised:  # an amendment says why
        services.save_protocol(
            actor=officer,
            experiment=experiment,
            protocol_in=ProtocolIn(**{**PROTOCOL, "exclusions": "More."}),
        )
    assert raised.value.problems[0].field == "reason"
    second = services.save_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(**{**PROTOCOL, "exclusions": "More."}, reason="Clearer."),
    )
    assert second.version == 2 and second.reason == "Clearer."
    assert AuditEvent.objects.filter(action="experiment.registered").count() == 1
    assert AuditEvent.objects.filter(action="experiment.protocol_amended").count() == 1


def test_registration_is_all_or_nothing(make_experiment, officer, monkeypatch):
    """If the move to registered cannot be recorded, no protocol version is left behind."""
    from infuse.core import audit

    experiment = make_experiment()
    set_outcomes(
        actor=officer, experiment=experiment, outcomes=[OutcomeIO(kind="primary", name="Visits")]
    )
    move(actor=officer, experiment=experiment, transition="design")

    def broken(**event):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "record_event", broken)
    with pytest.raises(RuntimeError):
        services.register_protocol(
            actor=officer, experiment=experiment, protocol_in=ProtocolIn(**PROTOCOL)
        )
    experiment.refresh_from_db()
    assert experiment.status == Status.DESIGNED and not Protocol.objects.exists()
