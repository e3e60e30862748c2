"""Social value on the pages: promises typed into the bid (checked, kept when refused), the
supplier's report at a milestone, the buyer's acceptance page saying what it makes delivered,
and promised against delivered on the contract, challenge, register and goal pages."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils.html import escape

from infuse.procurement.bids import services as bidding
from infuse.procurement.models import KPIReport
from tests.clients import api_for, signed_in_as

pytestmark = pytest.mark.django_db


def test_a_bid_promises_social_value_as_people_type_it(make_challenge, make_supplier):
    challenge = make_challenge()
    phase = challenge.phases.get()
    person = make_supplier()
    web = signed_in_as(person)
    url = f"/procurement/challenges/{challenge.slug}/phases/1/bid/"
    form = web.get(url).content.decode()
    assert "Local people employed on the contract (optional)" in form  # serves "prosperous"
    assert "Hours of Welsh language learning" not in form  # a measure of another goal
    answers = {f"answer_{c.pk}": "Our plan" for c in phase.criteria.exclude(kind="price")}
    refused = web.post(
        url,
        {**answers, "price": "£15,000", "sv_local-jobs": "two", "action": "save"},
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert escape("for ‘Local people employed on the contract’, like 12 or 1,200.5") in page
    assert 'value="£15,000"' in page  # what was typed is kept
    saved = web.post(
        url,
        {
            **answers,
            "price": "£15,000",
            "sv_local-jobs": "2.5",
            "sv_local-supply-chain": "£12,000",
            "action": "check",
        },
    )
    assert saved.status_code == 302
    bid = phase.bids.get()
    assert bidding.read_bid(actor=person, bid=bid).commitments == {
        "local-jobs": "2.5",
        "local-supply-chain": "12000",
    }
    check = web.get(saved["Location"]).content.decode()
    assert "Spent with suppliers in the region: £12,000 (pounds)" in check
    assert 'value="2.5"' in web.get(url).content.decode()  # shown again to change


def test_the_supplier_reports_and_the_buyer_sees_what_accepting_makes_delivered(promised):
    first = promised.milestones[0]
    supplier = signed_in_as(promised.winner)
    contract_page = supplier.get(f"/procurement/contracts/{promised.contract.pk}/").content
    assert b"Report social value" in contract_page
    url = f"/procurement/milestones/{first.pk}/social-value/"
    jobs = promised.contract.kpis.get(measure__code="local-jobs")
    refused = supplier.post(url, {f"k{jobs.pk}-delivered": "1"})
    assert refused.status_code == 400
    assert b"Error:" in refused.content and b"can be checked" in refused.content
    done = supplier.post(url, {f"k{jobs.pk}-delivered": "1,5", f"k{jobs.pk}-evidence": "Payroll"})
    assert done.status_code == 400  # "1,5" is not 1.5: nothing is guessed
    done = supplier.post(url, {f"k{jobs.pk}-delivered": "1.5", f"k{jobs.pk}-evidence": "Payroll"})
    assert done.status_code == 302 and done["Location"].endswith("#social-value")
    assert KPIReport.objects.get(kpi=jobs).delivered == Decimal("1.5")
    assert 'value="1.5"' in supplier.get(url).content.decode()  # changeable until accepted
    weeks = promised.contract.kpis.get(measure__code="apprenticeship-weeks")
    supplier.post(
        url,
        {
            f"k{jobs.pk}-delivered": "1.5",
            f"k{jobs.pk}-evidence": "Payroll",
            f"k{weeks.pk}-delivered": "100",
            f"k{weeks.pk}-evidence": "Timesheets",
        },
    )
    assert 'value="100"' in supplier.get(url).content.decode()  # as typed, not "1E+2"
    assert signed_in_as(promised.buyer).get(url).status_code == 403  # not theirs to report
    assert signed_in_as(promised.loser).get(url).status_code == 404

    buyer = signed_in_as(promised.buyer)
    page = buyer.get(f"/procurement/contracts/{promised.contract.pk}/").content.decode()
    assert "What was reported at each milestone" in page and "Timesheets" in page
    accept_url = f"/procurement/milestones/{first.pk}/accept/"
    accept = buyer.get(accept_url).content.decode()
    assert (
        "Local people employed on the contract 1.5 (full-time equivalent jobs), checked by: Payroll"
        in accept
    )
    version = re.search(r'name="version" value="([^"]*)"', accept).group(1)
    second = promised.milestones[1]
    nothing = buyer.get(f"/procurement/milestones/{second.pk}/accept/").content.decode()
    assert "if the supplier has work to report, ask them first" in nothing
    # The supplier changes its report after the buyer read it: the buyer reads it again.
    supplier.post(url, {f"k{jobs.pk}-delivered": "1.5", f"k{jobs.pk}-evidence": "Payroll, March"})
    stale = buyer.post(accept_url, {"version": version})
    assert stale.status_code == 302 and stale["Location"] == accept_url
    first.refresh_from_db()
    assert first.accepted_at is None
    version = re.search(
        r'name="version" value="([^"]*)"', buyer.get(accept_url).content.decode()
    ).group(1)
    buyer.post(accept_url, {"version": version})
    first.refresh_from_db()
    assert first.accepted_at is not None
    assert supplier.get(url).status_code == 409  # accepted: it can no longer change

    contract_page = buyer.get(f"/procurement/contracts/{promised.contract.pk}/").content.decode()
    assert "Social value: promised and delivered" in contract_page
    assert "60%" in contract_page  # 1.5 of 2.5 jobs
    public = Client()
    challenge = public.get(f"/procurement/challenges/{promised.phase.challenge.slug}/")
    assert "60%" in challenge.content.decode()
    goal = public.get("/goals/prosperous/").content.decode()
    assert "Social value from the region" in goal and "60%" in goal
    healthier = public.get("/goals/healthier/").content.decode()
    assert "No contract awarded through InFuSe has promised social value" in healthier
    entry = public.get(f"/api/v1/procurement/register/{promised.contract.pk}").json()
    assert all("reported" not in line for line in entry["social_value"])  # unchecked claims
    api = public.get("/api/v1/goals/prosperous").json()
    assert all("reported" not in line for line in api["social_value"])
    jobs_line = next(line for line in api["social_value"] if line["measure"] == "local-jobs")
    assert (Decimal(jobs_line["promised"]), Decimal(jobs_line["delivered"])) == (2.5, 1.5)


def test_the_buyer_changes_what_the_contract_buys_on_its_page(promised):
    buyer = signed_in_as(promised.buyer)
    url = f"/procurement/contracts/{promised.contract.pk}/cpv/"
    refused = buyer.post(url, {"cpv_codes": "34144900, vans"})
    assert (
        refused.status_code == 400
        and escape("‘vans’ is not a CPV code") in refused.content.decode()
    )
    saved = buyer.post(url, {"cpv_codes": "34144900; 31158100-5"})
    assert saved.status_code == 302
    promised.contract.refresh_from_db()
    assert promised.contract.cpv_codes == ["34144900", "31158100"]
    assert signed_in_as(promised.winner).post(url, {"cpv_codes": "72000000"}).status_code == 403


def test_the_api_reports_reads_and_accepts_what_was_read(promised):
    first = promised.milestones[0]
    url = f"/api/v1/procurement/milestones/{first.pk}/social-value"
    supplier, buyer = api_for(promised.winner), api_for(promised.buyer)
    line = {"measure": "local-jobs", "delivered": "1", "evidence": "Payroll"}
    assert supplier.put(url, {"lines": [line]}, content_type="application/json").status_code == 200
    read = buyer.get(url).json()
    assert read["reports"][0]["evidence"] == "Payroll" and not read["accepted"]
    supplier.put(url, {"lines": [{**line, "delivered": "2"}]}, content_type="application/json")
    accept = f"/api/v1/procurement/milestones/{first.pk}/accept?reports_seen={read['version']}"
    assert buyer.post(accept).status_code == 409
    fresh = buyer.get(url).json()["version"]
    assert buyer.post(accept.replace(read["version"], fresh)).status_code == 200
    assert api_for(promised.loser).get(url).status_code == 404
