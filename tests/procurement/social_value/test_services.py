"""Social value after award: what a bid may promise, promises sealed with the bid, the winner's
promises made into the contract's KPIs, the supplier's reports at milestones and the buyer's
acceptance that makes them delivered; totals checked by summing the reports independently."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Notification, WellbeingGoal
from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.contracts import services as contracting
from infuse.procurement.models import (
    Contract,
    Criterion,
    KPIReport,
    SocialValueMeasure,
)
from infuse.procurement.register.queries import public_contracts
from infuse.procurement.social_value import queries, services
from infuse.procurement.social_value.quantities import quantity_of
from infuse.procurement.social_value.schemas import ReportIn, ReportLineIn
from tests.procurement.flows import WINNER

pytestmark = pytest.mark.django_db


def _report(**delivered: str) -> ReportIn:
    return ReportIn(
        lines=[
            ReportLineIn(
                measure=code.replace("_", "-"),
                delivered=Decimal(value),
                evidence="Payroll extract" if Decimal(value) else "",
            )
            for code, value in delivered.items()
        ]
    )


def _line(contract: Contract, code: str) -> queries.Line:
    return next(line for line in queries.contract_lines(contract) if line.measure.code == code)


@pytest.mark.parametrize(
    ("typed", "read"),
    [("1,200", "1200"), ("1 200", "1200"), ("£3,000.50", "3000.50"), ("12.5", "12.5"), ("0", "0")],
)
def test_a_quantity_is_read_as_people_type_it(typed, read):
    assert quantity_of(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["1,5", "12,00", "-1", "1.234", "1e3", "two", "", "9" * 30])
def test_what_is_not_a_quantity_is_refused_not_guessed(typed):
    with pytest.raises(ValueError):
        quantity_of(typed)


def test_a_phase_offers_the_measures_of_its_social_value_goals_and_none_without_one(
    make_challenge,
):
    phase = make_challenge().phases.get()
    offered = services.offered_measures(phase)
    prosperous = WellbeingGoal.objects.get(code="prosperous")
    assert offered and {m.goal for m in offered} == {prosperous}
    assert {m.code for m in offered} == set(
        SocialValueMeasure.objects.filter(goal=prosperous).values_list("code", flat=True)
    )
    phase.criteria.filter(kind=Criterion.Kind.SOCIAL_VALUE).delete()
    assert services.offered_measures(phase) == []


def test_promises_are_sealed_with_the_bid_and_checked(make_challenge, make_supplier):
    phase = make_challenge().phases.get()
    person = make_supplier()
    answers = {str(c.pk): "Plan" for c in phase.criteria.exclude(kind="price")}
    bid = bidding.save_bid(
        actor=person,
        phase=phase,
        bid_in=BidIn(
            answers=answers,
            price_pence=100,
            commitments={"local-jobs": Decimal("2.5"), "apprenticeship-weeks": Decimal(0)},
        ),
    )
    assert b"local-jobs" not in bytes(bid.sealed)  # nobody reads a promise before the opening
    content = bidding.read_bid(actor=person, bid=bid)
    assert content.commitments == {"local-jobs": "2.5"}  # nothing promised is left out

    with pytest.raises(InvalidInput) as refused:
        bidding.save_bid(
            actor=person,
            phase=phase,
            bid_in=BidIn(answers=answers, commitments={"welsh-training": Decimal(10)}),
        )
    assert "welsh-training" in refused.value.problems[0].message  # serves another goal
    with pytest.raises(InvalidInput) as refused:
        bidding.save_bid(
            actor=person,
            phase=phase,
            bid_in=BidIn(answers=answers, commitments={"local-jobs": Decimal(-1)}),
        )
    assert refused.value.problems[0].field == "sv_local-jobs"
    # What the columns cannot hold as given is refused, never rounded or left to fail later.
    for beyond in (Decimal("0.001"), Decimal("1e13")):
        with pytest.raises(InvalidInput):
            bidding.save_bid(
                actor=person,
                phase=phase,
                bid_in=BidIn(answers=answers, commitments={"local-jobs": beyond}),
            )
    assert bidding.read_bid(actor=person, bid=bid).commitments == {"local-jobs": "2.5"}


def test_the_winners_promises_become_the_contracts_targets(promised):
    targets = {k.measure.code: k.target for k in promised.contract.kpis.select_related("measure")}
    assert targets == WINNER  # the winner's, never the losing bid's nine jobs


def test_reports_count_as_delivered_once_the_buyer_accepts_the_milestone(promised):
    contract, (first, second) = promised.contract, promised.milestones
    services.report_delivery(
        actor=promised.winner,
        milestone=first,
        report_in=_report(local_jobs="1", apprenticeship_weeks="20"),
    )
    told = Notification.objects.filter(key=f"social-value:{first.pk}")
    heard = {n.person for n in told}
    assert promised.buyer in heard and promised.winner not in heard  # the buyer hears of it
    jobs = _line(contract, "local-jobs")
    assert (jobs.delivered, jobs.reported, jobs.promised) == (0, 1, Decimal("2.5"))
    # Changed before acceptance: replaced, not added.
    services.report_delivery(
        actor=promised.winner, milestone=first, report_in=_report(local_jobs="1.5")
    )
    assert KPIReport.objects.filter(milestone=first).count() == 2
    contracting.accept_milestone(actor=promised.buyer, milestone=first)
    with pytest.raises(Conflict):
        services.report_delivery(
            actor=promised.winner, milestone=first, report_in=_report(local_jobs="9")
        )
    services.report_delivery(
        actor=promised.winner,
        milestone=second,
        report_in=_report(local_jobs="0.5", local_supply_chain="3000.50"),
    )
    for line in queries.contract_lines(contract):
        reports = KPIReport.objects.filter(kpi__contract=contract, kpi__measure=line.measure)
        accepted = sum(
            (r.delivered for r in reports if r.milestone.accepted_at is not None), Decimal(0)
        )
        waiting = sum((r.delivered for r in reports if r.milestone.accepted_at is None), Decimal(0))
        assert (line.delivered, line.reported) == (accepted, waiting), line.measure.code
    jobs = _line(contract, "local-jobs")
    assert (jobs.delivered, jobs.reported, jobs.share_text) == (
        Decimal("1.5"),
        Decimal("0.5"),
        "60%",
    )
    assert _line(contract, "local-supply-chain").reported_text == "£3,000.50"


def test_only_the_winning_suppliers_people_report_with_evidence_on_its_targets(promised):
    milestone = promised.milestones[0]
    # Those who may open the contract are refused; anyone else is told nothing.
    for outsider, refusal in (
        (promised.buyer, PermissionDenied),
        (promised.manager, PermissionDenied),
        (promised.loser, NotFound),
        (AnonymousUser(), NotFound),
    ):
        with pytest.raises(refusal):
            services.report_delivery(
                actor=outsider, milestone=milestone, report_in=_report(local_jobs="1")
            )
    cases = {
        "k-evidence": ReportIn(
            lines=[ReportLineIn(measure="local-jobs", delivered=Decimal(1), evidence=" ")]
        ),
        "lines": ReportIn(
            lines=[ReportLineIn(measure="welsh-training", delivered=Decimal(1), evidence="x")]
        ),
        "empty": ReportIn(lines=[]),
        "third decimal": ReportIn(
            lines=[ReportLineIn(measure="local-jobs", delivered=Decimal("1.005"), evidence="x")]
        ),
    }
    for case, report in cases.items():
        with pytest.raises(InvalidInput) as refused:
            services.report_delivery(actor=promised.winner, milestone=milestone, report_in=report)
        assert refused.value.problems, case
    assert not KPIReport.objects.exists()  # nothing kept from a refused report
    Contract.objects.filter(pk=promised.contract.pk).update(status=Contract.Status.TERMINATED)
    milestone.refresh_from_db()
    with pytest.raises(Conflict):
        services.report_delivery(
            actor=promised.winner, milestone=milestone, report_in=_report(local_jobs="1")
        )


def test_a_goal_sums_its_measures_over_the_registers_contracts(promised):
    services.report_delivery(
        actor=promised.winner, milestone=promised.milestones[0], report_in=_report(local_jobs="2")
    )
    contracting.accept_milestone(actor=promised.buyer, milestone=promised.milestones[0])
    prosperous = WellbeingGoal.objects.get(code="prosperous")
    lines = queries.lines_for(public_contracts(), goal=prosperous)
    assert {line.measure.code for line in lines} == set(WINNER)
    assert _line(promised.contract, "local-jobs").delivered == 2
    assert (
        queries.lines_for(public_contracts(), goal=WellbeingGoal.objects.get(code="healthier"))
        == []
    )
    grouped = queries.by_goal(lines)
    assert [g.goal for g in grouped] == [prosperous]


def test_acceptance_publishes_what_was_delivered_as_open_contracting_data(promised):
    milestone = promised.milestones[0]
    services.report_delivery(
        actor=promised.winner, milestone=milestone, report_in=_report(apprenticeship_weeks="20")
    )
    with time_machine.travel(dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC)):
        contracting.accept_milestone(actor=promised.buyer, milestone=milestone)
    release = promised.phase.releases.filter(tags=["implementation"]).latest("pk").data
    (metric,) = release["contracts"][0]["implementation"]["metrics"]
    assert metric["id"] == "apprenticeship-weeks"
    (observation,) = metric["observations"]
    assert observation["measure"] == 20
    assert observation["relatedImplementationMilestone"] == {
        "id": str(milestone.pk),
        "title": "Prototype",
    }
    assert observation["period"] == {"endDate": "2027-03-02T10:00:00Z"}
    assert "Payroll" not in str(release)  # the evidence may name people: never published


def test_the_buyer_accepts_what_they_read_or_reads_again(promised):
    first = promised.milestones[0]
    services.report_delivery(
        actor=promised.winner, milestone=first, report_in=_report(local_jobs="1")
    )
    read = services.reports_version(first)
    services.report_delivery(
        actor=promised.winner, milestone=first, report_in=_report(local_jobs="2")
    )
    with pytest.raises(Conflict):
        contracting.accept_milestone(actor=promised.buyer, milestone=first, reports_seen=read)
    first.refresh_from_db()
    assert first.accepted_at is None
    contracting.accept_milestone(
        actor=promised.buyer, milestone=first, reports_seen=services.reports_version(first)
    )
    with pytest.raises(InvalidInput):
        services.report_delivery(
            actor=promised.winner,
            milestone=promised.milestones[1],
            report_in=ReportIn(
                lines=[
                    ReportLineIn(measure="local-jobs", delivered=Decimal(1), evidence="x" * 2_001)
                ]
            ),
        )
