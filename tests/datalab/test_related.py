"""Links run both ways: a dataset's and an indicator's pages list the experiments that measure
them, the challenges that cite them and the contracts that report against them — only what
the reader may open."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse.adaption.models import Outcome
from infuse.core.models import Person
from infuse.datalab.models import Dataset, Indicator
from infuse.procurement.models import Challenge, Contract

pytestmark = pytest.mark.django_db(transaction=True)


def _aim_the_demo_at_its_data() -> None:
    """Point a public and a draft challenge, a contract and the experiments' outcomes at the
    demo's indicators and datasets (the records a challenge's or contract's owner keeps)."""
    indicator = Indicator.objects.order_by("slug").first()
    dataset = indicator.dataset
    for challenge in Challenge.objects.all():
        challenge.evidence_indicators.add(indicator)
        challenge.evidence_datasets.add(dataset)
    for contract in Contract.objects.all():
        contract.outcome_indicators.add(indicator)
    Outcome.objects.filter(indicator__isnull=True, dataset__isnull=True).update(indicator=indicator)


def test_data_pages_link_back_to_the_work_aimed_at_them(demo):
    _aim_the_demo_at_its_data()
    officer = Person.objects.get(email="officer@infuse.example")
    linked = 0
    for reader in (None, officer):
        client = Client()
        if reader is not None:
            client.force_login(reader)
        for indicator in Indicator.objects.all():
            page = client.get(f"/data/indicators/{indicator.slug}/")
            if page.status_code != 200:
                continue
            for outcome in Outcome.objects.filter(indicator=indicator):
                experiment = outcome.experiment
                public = experiment.public and experiment.status != "draft"
                shown = experiment.get_absolute_url() in page.text
                assert shown == (reader is not None or public), experiment.slug
                linked += shown
            for challenge in Challenge.objects.filter(evidence_indicators=indicator):
                shown = f"/procurement/challenges/{challenge.slug}/" in page.text
                assert shown == (reader is not None or challenge.published_at is not None)
                linked += shown
            for contract in Contract.objects.filter(outcome_indicators=indicator):
                assert contract.supplier.name in page.text
                # Only those who run it, pay it or hold it open the contract itself.
                assert (f"/procurement/contracts/{contract.pk}/" in page.text) is False
                linked += 1
        for dataset in Dataset.objects.all():
            page = client.get(f"/data/datasets/{dataset.slug}/")
            if page.status_code != 200:
                continue
            assert "Work that uses it" in page.text
            for challenge in Challenge.objects.filter(evidence_datasets=dataset):
                if reader is not None or challenge.published_at is not None:
                    assert f"/procurement/challenges/{challenge.slug}/" in page.text
                    linked += 1
    assert linked > 0


def test_every_relation_to_the_data_can_be_followed_back():
    """No related_name="+" on the links from the other labs to datasets and indicators."""
    for model, field in (
        (Outcome, "dataset"),
        (Outcome, "indicator"),
        (Challenge, "evidence_datasets"),
        (Challenge, "evidence_indicators"),
        (Contract, "outcome_indicators"),
    ):
        assert not model._meta.get_field(field).remote_field.hidden, (model, field)
