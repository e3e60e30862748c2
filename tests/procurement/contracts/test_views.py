"""A contract links the Data Lab indicators that measure what it is for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.indicators.services import create_indicator
from infuse.datalab.ingest import services as data
from tests.clients import signed_in_as
from tests.datalab.indicators.conftest import SURVEY
from tests.datalab.indicators.test_indicators import spec
from tests.procurement.flows import POUND, bids_in, signed_contract


@pytest.mark.django_db(transaction=True)
def test_a_contract_links_the_indicators_that_measure_it(
    make_challenge, make_supplier, make_person, buyer, second_buyer, make_dataset
):
    dataset = make_dataset("Adult smoking", actor=make_person("officer"), visibility="public")
    data.upload_file(
        actor=dataset.created_by, dataset=dataset, chunks=[SURVEY.encode()], original_name="s.csv"
    )
    call_command("worker", "--batch")
    indicator = create_indicator(
        actor=dataset.created_by,
        dataset=dataset,
        indicator_in=IndicatorIn(title_en="Smoking", title_cy="Ysmygu", specification=spec()),
    )
    manager = make_person("fund_manager", email="money@ccr.example")
    phase, bids = bids_in(make_challenge, make_supplier, manager, [50_000 * POUND])
    contract = signed_contract(
        phase,
        bids[0],
        buyer,
        value_pence=1,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 2, 1),
    )
    web = signed_in_as(buyer)
    page = web.get(f"/procurement/contracts/{contract.pk}/").content.decode()
    assert "Smoking" in page and "None linked yet." in page
    web.post(f"/procurement/contracts/{contract.pk}/outcomes/", {"indicators": [indicator.slug]})
    assert list(contract.outcome_indicators.all()) == [indicator]
    assert (
        f"/data/indicators/{indicator.slug}/"
        in web.get(f"/procurement/contracts/{contract.pk}/").content.decode()
    )
