"""Resolving suppliers and mapping categories as a procurement officer: each change audited,
different bodies never joined, and nobody else may do it."""

from __future__ import annotations

import pytest

from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import AuditEvent
from infuse.procurement.models import (
    ExpenseType,
    ResolvedSupplier,
    SupplierMatch,
    SupplierSpelling,
)
from infuse.procurement.spend import services
from infuse.procurement.spend.resolution import Payee, Resolver
from infuse.procurement.spend.schemas import (
    CategoryIn,
    MatchDecisionIn,
    MergeIn,
    SpendMappingIn,
    SplitIn,
    SupplierFactsIn,
)
from infuse.procurement.spend.tasks import propose_matches

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _paid_in_view(request, make_dataset, spend_officer):
    """Every spelling made here is paid in a spending dataset of Cardiff's, shared with the
    region: what a person may resolve is what they may see."""
    global _SPEND
    from infuse.procurement.models import SpendDataset

    dataset = make_dataset("Payments", actor=spend_officer, visibility="region")
    _SPEND = SpendDataset.objects.create(
        dataset=dataset, mapping={}, created_by=spend_officer, load=1
    )
    yield
    _SPEND = None


_SPEND = None


def paid(spelling: SupplierSpelling, expense: ExpenseType | None = None) -> SupplierSpelling:
    import datetime as dt

    from infuse.procurement.models import Payment

    Payment.objects.create(
        spend=_SPEND,
        load=1,
        row=Payment.objects.count() + 1,
        buyer="Cardiff",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 1, 1),
        supplier_name=spelling.name,
        spelling=spelling,
        amount_pence=100_00,
        expense_type=expense,
    )
    return spelling


def spellings(*names: str, **numbers: str) -> list[SupplierSpelling]:
    resolver = Resolver()
    return [paid(resolver.spelling_of(Payee(name, **numbers))) for name in names]


def test_a_proposed_match_is_merged_and_its_payments_follow(spend_officer):
    comensura, _typo = spellings("Comensura Staffing Ltd", "Comensura Stafing Ltd")
    assert propose_matches() == 1
    match = SupplierMatch.objects.get()
    decided = services.decide_match(
        actor=spend_officer, pk=match.pk, decision_in=MatchDecisionIn(decision="merge")
    )
    assert decided.status == "merged" and decided.decided_by == spend_officer
    assert ResolvedSupplier.objects.count() == 1
    assert {s.supplier_id for s in SupplierSpelling.objects.all()} == {comensura.supplier_id}
    assert AuditEvent.objects.filter(action="supplier.merged").count() == 1
    assert propose_matches() == 0


def test_a_rejected_match_is_never_proposed_again(spend_officer):
    spellings("Renew Leeds Ltd", "Renewal Leeds Ltd")
    propose_matches(threshold=80)
    match = SupplierMatch.objects.get()
    services.decide_match(
        actor=spend_officer, pk=match.pk, decision_in=MatchDecisionIn(decision="reject")
    )
    assert propose_matches(threshold=80) == 0
    assert ResolvedSupplier.objects.count() == 2
    with pytest.raises(Conflict):
        services.decide_match(
            actor=spend_officer, pk=match.pk, decision_in=MatchDecisionIn(decision="merge")
        )


def test_suppliers_with_different_company_numbers_cannot_be_merged(spend_officer):
    (north,) = spellings("Acme Care North", company_number="01111111")
    (south,) = spellings("Acme Care South", company_number="02222222")
    with pytest.raises(Conflict):
        services.merge_suppliers(
            actor=spend_officer,
            merge_in=MergeIn(into=north.supplier_id, others=[south.supplier_id]),
        )
    assert ResolvedSupplier.objects.count() == 2


def test_a_spelling_is_split_off_with_its_number_and_kept_apart(spend_officer):
    bare, _numbered = spellings("Acme Care", "Acme Care Ltd")
    numbered_spelling = paid(
        Resolver().spelling_of(Payee("ACME CARE LIMITED", company_number="01111111"))
    )
    assert numbered_spelling.supplier_id == bare.supplier_id  # the one unnumbered supplier
    supplier = services.split_spelling(
        actor=spend_officer, split_in=SplitIn(spelling=numbered_spelling.pk)
    )
    assert supplier.company_number == "01111111"
    assert ResolvedSupplier.objects.get(pk=bare.supplier_id).company_number == ""
    assert SupplierMatch.objects.get(similar=supplier).status == "rejected"
    with pytest.raises(Conflict):
        services.split_spelling(
            actor=spend_officer, split_in=SplitIn(spelling=numbered_spelling.pk)
        )


def test_facts_entered_are_kept_and_audited(spend_officer):
    (spelling,) = spellings("Caerphilly Catering CIC")
    services.set_supplier_facts(
        actor=spend_officer,
        pk=spelling.supplier_id,
        facts_in=SupplierFactsIn(is_sme=True, is_vcse=True, is_local=True),
    )
    supplier = ResolvedSupplier.objects.get(pk=spelling.supplier_id)
    assert (supplier.is_sme, supplier.is_vcse, supplier.is_local, supplier.facts_from) == (
        True,
        True,
        True,
        "entered",
    )
    assert AuditEvent.objects.filter(action="supplier.facts_set").exists()


def test_facts_come_from_the_supplier_register(make_supplier):
    from infuse.procurement.spend.resolution import facts_from_register
    from infuse.procurement.suppliers.services import supplier_of

    organisation = supplier_of(make_supplier(name="Valleys Robotics Ltd"))
    profile = organisation.supplier_profile
    profile.is_sme, profile.postcode = True, "CF47 8AA"
    profile.save()
    (spelling,) = spellings("VALLEYS ROBOTICS LIMITED")
    assert facts_from_register(ResolvedSupplier.objects.all()) == 1
    supplier = ResolvedSupplier.objects.get(pk=spelling.supplier_id)
    assert (supplier.is_sme, supplier.is_local, supplier.organisation) == (True, True, organisation)


def test_categories_are_confirmed_or_refused(spend_officer):
    expense = ExpenseType.objects.create(
        key="agency staff", name="Agency Staff", division="79", status="suggested"
    )
    (spelling,) = spellings("Agency Co")
    from infuse.procurement.models import Payment

    Payment.objects.filter(spelling=spelling).update(expense_type=expense)
    with pytest.raises(InvalidInput):
        services.set_category(
            actor=spend_officer, pk=expense.pk, category_in=CategoryIn(division="99")
        )
    services.set_category(actor=spend_officer, pk=expense.pk, category_in=CategoryIn(division="79"))
    expense.refresh_from_db()
    assert (expense.division, expense.status) == ("79", "confirmed")


@pytest.mark.parametrize("role", ["officer", "analyst", "evaluator", "fund_manager"])
def test_only_procurement_officers_resolve(make_person, role):
    person = make_person(role)
    (spelling,) = spellings("Acme")
    with pytest.raises(PermissionDenied):
        services.set_supplier_facts(
            actor=person, pk=spelling.supplier_id, facts_in=SupplierFactsIn()
        )


@pytest.mark.parametrize("role", ["supplier", None])
def test_people_outside_the_region_find_nothing(make_person, role):
    person = make_person(role)
    (spelling,) = spellings("Acme")
    with pytest.raises(NotFound):
        services.set_supplier_facts(
            actor=person, pk=spelling.supplier_id, facts_in=SupplierFactsIn()
        )
    assert not services.visible_spend(person).exists()


def test_a_mapping_names_the_columns_it_lacks(make_dataset, spend_officer):
    dataset = make_dataset("Payments", actor=spend_officer)
    with pytest.raises(InvalidInput) as refused:
        services.map_spend(
            actor=spend_officer,
            dataset=dataset,
            mapping_in=SpendMappingIn(paid="", supplier="x", amount="y"),
        )
    assert [p.field for p in refused.value.problems] == ["dataset"]
