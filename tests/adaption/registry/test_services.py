"""The registry through its services: entries, the lifecycle's refusals, who sees what."""

from __future__ import annotations

import pytest

from infuse.adaption.models import Status
from infuse.adaption.registry import services
from infuse.adaption.registry.schemas import ExperimentIn
from infuse.core.errors import Conflict, InvalidInput, PermissionDenied
from infuse.core.models import AuditEvent, Organisation
from tests.adaption.conftest import registered

pytestmark = pytest.mark.django_db


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
            experiment_in=ExperimentIn(
                title_en="X", title_cy="X", owner=newport.slug, design="its"
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


def test_the_public_sees_only_registered_public_experiments(make_experiment, officer):
    from django.contrib.auth.models import AnonymousUser

    make_experiment(title_en="Draft idea", public=True)
    registered(make_experiment, officer, title_en="Registered private")
    registered(make_experiment, officer, title_en="Registered public", public=True)
    public = {e.title_en for e in services.visible_experiments(AnonymousUser())}
    assert public == {"Registered public"}
    assert len(services.visible_experiments(officer)) == 3


def test_launching_remembers_when(make_experiment, officer):
    experiment = registered(make_experiment, officer, design="its")
    assert experiment.launched_at is None
    services.move(actor=officer, experiment=experiment, transition="launch")
    experiment.refresh_from_db()
    first = experiment.launched_at
    assert first is not None and experiment.status == Status.RUNNING
    event = AuditEvent.objects.get(action="experiment.launch")
    assert abs((event.occurred_at - first).total_seconds()) < 5
