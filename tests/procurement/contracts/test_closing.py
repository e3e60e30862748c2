"""Closing a contract, completed or ended early: the money neither paid nor owed for accepted
work goes back to the fund, the register and open data say how it ended, and nothing more is
added, accepted or reported on it — on the page, through the API and the command line."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.errors import Conflict, InvalidInput
from infuse.fund.models import Allocation, Commitment, Fund
from infuse.procurement.contracts import services
from infuse.procurement.contracts.schemas import CloseIn, MilestoneIn
from infuse.procurement.register import queries as register
from infuse.procurement.social_value import services as social_value
from infuse.procurement.social_value.schemas import ReportIn, ReportLineIn
from tests.clients import api_for, signed_in_as

pytestmark = pytest.mark.django_db


def _committed() -> tuple[int, int, int]:
    commitment = Commitment.objects.get()
    return (
        commitment.amount_pence,
        Allocation.objects.get(pk=commitment.allocation_id).committed_pence,
        Fund.objects.get().committed_pence,
    )


def test_ending_early_gives_back_what_is_neither_paid_nor_owed(promised):
    contract, (first, second) = promised.contract, promised.milestones
    with pytest.raises(Conflict, match="2 are not accepted yet"):
        services.close_contract(
            actor=promised.buyer, contract=contract, close_in=CloseIn(outcome="complete")
        )
    with pytest.raises(InvalidInput):
        services.close_contract(
            actor=promised.buyer, contract=contract, close_in=CloseIn(outcome="terminated")
        )
    first = services.accept_milestone(actor=promised.buyer, milestone=first)  # £30,000 owed
    before = _committed()
    closed = services.close_contract(
        actor=promised.buyer,
        contract=contract,
        close_in=CloseIn(outcome="terminated", reason_en="The supplier went into liquidation."),
    )
    assert closed.status == "terminated" and closed.closed_at is not None
    released = 5_000_000  # £80,000 committed, £30,000 owed for accepted work
    assert _committed() == (before[0] - released, before[1] - released, before[2] - released)
    services.pay_milestone(actor=promised.manager, milestone=first)  # what was owed is paid
    for refused in (
        lambda: services.accept_milestone(actor=promised.buyer, milestone=second),
        lambda: services.add_milestone(
            actor=promised.buyer,
            contract=contract,
            milestone_in=MilestoneIn(title_en="More", due_on="2027-08-01", amount_pence=100),
        ),
        lambda: social_value.report_delivery(
            actor=promised.winner,
            milestone=second,
            report_in=ReportIn(lines=[ReportLineIn(measure="local-jobs", delivered=1)]),
        ),
        lambda: services.close_contract(
            actor=promised.buyer, contract=contract, close_in=CloseIn(outcome="complete")
        ),
    ):
        with pytest.raises(Conflict):
            refused()
    release = promised.phase.releases.filter(tags=["contractUpdate"]).latest("pk").data
    assert release["contracts"][0]["status"] == "terminated"
    assert release["contracts"][0]["description"].endswith("went into liquidation.")
    assert list(register.entries(register.Filters(status="terminated"))) == [contract]


def test_the_buyer_closes_it_on_its_page_and_everyone_reads_how_it_ended(promised):
    contract = promised.contract
    for milestone in promised.milestones:
        services.accept_milestone(actor=promised.buyer, milestone=milestone)
    buyer = signed_in_as(promised.buyer)
    url = f"/procurement/contracts/{contract.pk}/close/"
    page = buyer.get(url).content.decode()
    assert "Of the £80,000 committed and not yet paid, £80,000 stays" in page
    assert "This cannot be undone." in page
    unchosen = buyer.post(url, {"reason_en": ""})
    assert unchosen.status_code == 400  # nothing chosen: said, nothing closed
    assert "Say whether the work was completed or ended early" in unchosen.content.decode()
    done = buyer.post(url, {"outcome": "complete"})
    assert done.status_code == 302
    assert "Completed on" in buyer.get(f"/procurement/contracts/{contract.pk}/").content.decode()
    assert signed_in_as(promised.winner).get(url).status_code == 403
    public = Client().get(f"/procurement/contracts/register/{contract.pk}/").content.decode()
    assert "Completed on" in public
    row = Client().get("/api/v1/procurement/register").json()[0]
    assert row["status"] == "complete" and row["closed_on"]


def test_the_api_and_the_command_line_close_contracts(promised, make_person):
    contract = promised.contract
    api = api_for(promised.buyer)
    refused = api.post(
        f"/api/v1/procurement/contracts/{contract.pk}/close",
        {"outcome": "terminated"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    out = io.StringIO()
    call_command(
        "procurement",
        "close",
        str(contract.pk),
        "--outcome",
        "terminated",
        "--reason",
        "Funding withdrawn.",
        "--as",
        promised.buyer.email,
        stdout=out,
    )
    assert "Terminated" in out.getvalue()
    again = api.post(
        f"/api/v1/procurement/contracts/{contract.pk}/close",
        {"outcome": "complete"},
        content_type="application/json",
    )
    assert again.status_code == 409
