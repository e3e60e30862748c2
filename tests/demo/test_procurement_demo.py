"""The demo's challenges: one in evaluation, one awarded and paid; idempotent; valid OCDS."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse.demo.loader import load_demo_region
from infuse.demo.procurement import BINS, FLEET, load_demo_challenges
from infuse.fund.models import Fund, Payment
from infuse.procurement.models import Bid, Challenge, Contract, Phase
from tests.procurement.ocds.test_releases import _errors, _validator


@pytest.mark.django_db
def test_the_demo_challenges_tell_their_stories():
    load_demo_region("correct-horse-battery")
    load_demo_challenges("correct-horse-battery", lambda _message: None)
    counts = (Challenge.objects.count(), Bid.objects.count(), Contract.objects.count())
    load_demo_challenges("correct-horse-battery", lambda _message: None)
    assert (Challenge.objects.count(), Bid.objects.count(), Contract.objects.count()) == counts
    fleet = Phase.objects.get(challenge__slug=FLEET)
    bins = Phase.objects.get(challenge__slug=BINS)
    assert fleet.state == Phase.State.EVALUATION and fleet.bids.count() == 3
    assert bins.state == Phase.State.AWARDED
    assert Payment.objects.count() == 1
    fund = Fund.objects.get()
    assert fund.allocated_pence == 25_000_000 + 12_000_000
    assert fund.committed_pence == 8_900_000 and fund.paid_pence == 3_500_000
    web = Client()
    assert "Zero-emission council fleet" in web.get("/procurement/").content.decode()
    assert (
        "Fflyd cyngor allyriadau sero"
        in web.get(f"/cy/procurement/challenges/{FLEET}/").content.decode()
    )
    records = web.get("/api/v1/procurement/ocds/records").json()
    assert _errors(_validator("record-package-schema.json"), records) == []
    assert len(records["records"]) == 2
