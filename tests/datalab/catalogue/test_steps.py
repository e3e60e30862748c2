"""A dataset's task list: a refused file keeps the upload step open and links to its report,
and the dataset page lists every upload with its status."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.tasklist import StepStatus
from infuse.datalab.catalogue.steps import dataset_steps
from infuse.datalab.ingest import services
from tests.clients import signed_in_as

pytestmark = pytest.mark.django_db(transaction=True)


def send(officer, dataset, text: str, name: str = "data.csv"):
    return services.upload_file(
        actor=officer, dataset=dataset, chunks=[text.encode()], original_name=name
    ).upload


def test_a_refused_file_is_a_click_away_from_the_dataset(make_dataset, make_person) -> None:
    officer = make_person("officer")
    dataset = make_dataset("Fly-tipping", actor=officer)
    steps = {s.key: s for s in dataset_steps(officer, dataset).steps}
    assert steps["upload"].status == StepStatus.NOT_STARTED
    assert steps["upload"].url == f"/data/datasets/{dataset.slug}/upload/"
    assert steps["indicators"].status == StepStatus.CANNOT_START
    assert steps["share"].status == StepStatus.CANNOT_START

    refused = send(officer, dataset, "council,value\n", "header.csv")
    call_command("worker", "--batch")
    steps = {s.key: s for s in dataset_steps(officer, dataset).steps}
    assert steps["upload"].status == StepStatus.IN_PROGRESS
    assert steps["upload"].url == f"/data/uploads/{refused.pk}/"
    assert "report says why" in str(steps["upload"].hint)
    page = signed_in_as(officer).get(f"/data/datasets/{dataset.slug}/").content.decode()
    assert f"/data/uploads/{refused.pk}/" in page and "header.csv" in page
    assert "Rejected" in page

    send(officer, dataset, "council,value\nCardiff,3\nNewport,4\n")
    call_command("worker", "--batch")
    steps = {s.key: s for s in dataset_steps(officer, dataset).steps}
    assert steps["upload"].status == StepStatus.COMPLETED
    assert steps["indicators"].url == f"/data/datasets/{dataset.slug}/indicators/new/"
    assert steps["share"].status == StepStatus.NOT_STARTED


def test_readers_who_cannot_change_it_see_no_steps(make_dataset, make_person) -> None:
    dataset = make_dataset("Open data", visibility="public")
    assert "govuk-task-list" not in Client().get(f"/data/datasets/{dataset.slug}/").content.decode()
    other = signed_in_as(make_person("evaluator"))
    assert "govuk-task-list" not in other.get(f"/data/datasets/{dataset.slug}/").content.decode()
