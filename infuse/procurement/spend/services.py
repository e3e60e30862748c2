"""Use cases of spend analysis: map a dataset to the spend shape (read again with each new
version), resolve suppliers (join, separate, decide a proposed match, record what is known of
one) and map expense types to categories. Each checks permission and writes its audit event
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked
from infuse.datalab.catalogue import services as data
from infuse.procurement.models import (
    ExpenseType,
    ResolvedSupplier,
    SpendDataset,
    SupplierMatch,
    SupplierSpelling,
)
from infuse.procurement.spend import categories
from infuse.procurement.spend.schemas import (
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    CategoryIn,
    MatchDecisionIn,
    MergeIn,
    SpendMappingIn,
    SplitIn,
    SupplierFactsIn,
)
from infuse.procurement.spend.tasks import load_spend

_FIELD_NAMES = {
    "paid": _("the date or period paid"),
    "supplier": _("the supplier's name"),
    "amount": _("the amount"),
    "buyer_column": _("the buyer"),
    "company_number": _("the Companies House number"),
    "charity_number": _("the charity number"),
    "service": _("the service"),
    "expense_type": _("the expense type"),
}


def visible_spend(actor: Any) -> QuerySet[SpendDataset]:
    """Spend datasets over datasets ``actor`` may see, for those who work in the region."""
    if not can(actor, "procurement.view_spend"):
        return SpendDataset.objects.none()
    return SpendDataset.objects.filter(dataset__in=data.visible_datasets(actor)).select_related(
        "dataset__publisher", "progress"
    )


def get_spend(*, actor: Any, slug: str) -> SpendDataset:
    spend = visible_spend(actor).filter(dataset__slug=slug).first()
    if spend is None:
        raise NotFound()
    return spend


def mapping_problems(columns: list[str], mapping_in: SpendMappingIn) -> list[FieldProblem]:
    """Each required field without a column, and each named column the data does not have."""
    problems = []
    for name in REQUIRED_FIELDS:
        if not getattr(mapping_in, name):
            problems.append(
                FieldProblem(
                    name, _("Choose the column that holds %(what)s") % {"what": _FIELD_NAMES[name]}
                )
            )
    for name in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS, "buyer_column"):
        column = getattr(mapping_in, name)
        if column and column not in columns:
            problems.append(
                FieldProblem(
                    name,
                    _("The data has no column called “%(column)s”: choose one of its columns")
                    % {"column": column},
                    value=column,
                )
            )
    if len(mapping_in.buyer) > 200:
        problems.append(FieldProblem("buyer", _("Enter a buyer's name of 200 characters or fewer")))
    return problems


def _mapping(mapping_in: SpendMappingIn) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        name: getattr(mapping_in, name)
        for name in (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
        if getattr(mapping_in, name)
    }
    if mapping_in.buyer_column:
        mapping["buyer"] = {"column": mapping_in.buyer_column}
    elif mapping_in.buyer.strip():
        mapping["buyer"] = {"value": " ".join(mapping_in.buyer.split())}
    return mapping


def map_spend(*, actor: Person, dataset: Any, mapping_in: SpendMappingIn) -> SpendDataset:
    """Save which columns hold each part of a payment and read the current version with it
    (in the background; the spend dataset's page shows the progress)."""
    if not can(actor, "procurement.map_spend", dataset):
        raise PermissionDenied()
    version = dataset.latest_version
    if version is None:
        raise InvalidInput(
            problems=[FieldProblem("dataset", _("Upload the dataset's file before mapping it"))]
        )
    problems = mapping_problems([f["name"] for f in version.shaped_fields], mapping_in)
    if problems:
        raise InvalidInput(problems=problems)
    mapping = _mapping(mapping_in)
    with transaction.atomic():
        spend = SpendDataset.objects.select_for_update().filter(dataset=dataset).first()
        before = spend.mapping if spend else None
        if spend is None:
            spend = SpendDataset.objects.create(dataset=dataset, mapping=mapping, created_by=actor)
        else:
            spend.mapping, spend.updated_at = mapping, timezone.now()
            spend.save(update_fields=["mapping", "updated_at"])
        audit.record_event(
            actor=actor,
            action="spend.mapped",
            obj=spend,
            before={"mapping": before},
            after={"mapping": mapping},
        )
        queue_reading(spend, actor)
    return spend


def queue_reading(spend: SpendDataset, actor: Any) -> TaskProgress:
    """Queue reading the spend dataset's current version, once the transaction commits."""
    progress = TaskProgress.objects.create(
        kind=TaskProgress.Kind.SPEND,
        owner=actor if getattr(actor, "pk", None) else None,
        subject_view="procurement:spend_dataset",
        subject_kwargs={"slug": spend.dataset.slug},
    )
    SpendDataset.objects.filter(pk=spend.pk).update(progress=progress)
    spend.progress = progress
    transaction.on_commit(lambda: enqueue_tracked(progress, load_spend, spend.pk, str(progress.pk)))
    return progress


def follow_dataset(dataset: Any, actor: Any) -> None:
    """A new version or recipe of a mapped dataset: read its payments again."""
    spend = SpendDataset.objects.filter(dataset=dataset).first()
    if spend is not None:
        queue_reading(spend, actor)


# --- Suppliers ------------------------------------------------------------------------------


def _resolving(actor: Any) -> None:
    if not can(actor, "procurement.resolve_suppliers"):
        raise PermissionDenied()


def get_supplier(*, actor: Any, pk: int) -> ResolvedSupplier:
    if not can(actor, "procurement.view_spend"):
        raise NotFound()
    supplier = ResolvedSupplier.objects.filter(pk=pk).select_related("organisation").first()
    if supplier is None:
        raise NotFound()
    return supplier


def _numbers_clash(suppliers: list[ResolvedSupplier]) -> bool:
    companies = {s.company_number for s in suppliers if s.company_number}
    charities = {s.charity_number for s in suppliers if s.charity_number}
    return len(companies) > 1 or len(charities) > 1


def merge_suppliers(*, actor: Person, merge_in: MergeIn) -> ResolvedSupplier:
    """Join suppliers into one: their spellings (and so their payments) move to ``into``.
    Suppliers with different Companies House or charity numbers are different bodies and are
    never joined."""
    _resolving(actor)
    ids = [i for i in dict.fromkeys(merge_in.others) if i != merge_in.into]
    with transaction.atomic():
        found = {
            s.pk: s
            for s in ResolvedSupplier.objects.select_for_update().filter(
                pk__in=[merge_in.into, *ids]
            )
        }
        if merge_in.into not in found or any(i not in found for i in ids) or not ids:
            raise InvalidInput(
                problems=[FieldProblem("others", _("Choose suppliers that exist to join"))]
            )
        into, others = found[merge_in.into], [found[i] for i in ids]
        if _numbers_clash([into, *others]):
            raise Conflict(
                _(
                    "These suppliers have different Companies House or charity numbers: they "
                    "are different bodies and cannot be joined."
                )
            )
        into.company_number = into.company_number or next(
            (s.company_number for s in others if s.company_number), ""
        )
        into.charity_number = into.charity_number or next(
            (s.charity_number for s in others if s.charity_number), ""
        )
        into.save(update_fields=["company_number", "charity_number"])
        SupplierSpelling.objects.filter(supplier__in=others).update(
            supplier=into, how=SupplierSpelling.How.MERGED
        )
        SupplierMatch.objects.filter(supplier__in=others).delete()
        SupplierMatch.objects.filter(similar__in=others).delete()
        audit.record_event(
            actor=actor,
            action="supplier.merged",
            obj=into,
            after={"joined": [{"id": s.pk, "name": s.name} for s in others]},
        )
        for other in others:
            other.delete()
    return into


def split_spelling(*, actor: Person, split_in: SplitIn) -> ResolvedSupplier:
    """Give a spelling (and its payments) a supplier of its own."""
    _resolving(actor)
    with transaction.atomic():
        spelling = (
            SupplierSpelling.objects.select_for_update()
            .select_related("supplier")
            .filter(pk=split_in.spelling)
            .first()
        )
        if spelling is None:
            raise InvalidInput(
                problems=[FieldProblem("spelling", _("Choose a spelling of this supplier"))]
            )
        before = spelling.supplier
        if before.spellings.count() < 2:
            raise Conflict(
                _("This is the supplier's only spelling: there is nothing to separate it from.")
            )
        supplier = ResolvedSupplier.objects.create(
            name=spelling.name,
            company_number=spelling.company_number,
            charity_number=spelling.charity_number,
        )
        # The number goes with the spelling when no other spelling of the supplier gave it.
        others = before.spellings.exclude(pk=spelling.pk)
        number = spelling.company_number
        if number == before.company_number and not others.filter(company_number=number).exists():
            before.company_number = ""
            before.save(update_fields=["company_number"])
        spelling.supplier, spelling.how = supplier, SupplierSpelling.How.SPLIT
        spelling.save(update_fields=["supplier", "how"])
        # Kept apart from now on: the matching never proposes the pair again.
        SupplierMatch.objects.create(
            supplier=before,
            similar=supplier,
            score=100,
            status=SupplierMatch.Status.REJECTED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit.record_event(
            actor=actor,
            action="supplier.split",
            obj=supplier,
            before={"supplier": before.pk, "name": before.name},
            after={"spelling": spelling.name},
        )
    return supplier


def decide_match(*, actor: Person, pk: int, decision_in: MatchDecisionIn) -> SupplierMatch:
    """Join a proposed pair, or keep it apart (never proposed again); returns the match as
    decided."""
    _resolving(actor)
    match = SupplierMatch.objects.select_related("supplier", "similar").filter(pk=pk).first()
    if match is None:
        raise NotFound()
    if match.status != SupplierMatch.Status.PROPOSED:
        raise Conflict(_("This match has been decided already."))
    if decision_in.decision == "merge":
        merge_suppliers(
            actor=actor, merge_in=MergeIn(into=match.supplier_id, others=[match.similar_id])
        )
        # The pair's record went with the supplier that joined the other (the audit keeps it).
        match.status, match.decided_by = SupplierMatch.Status.MERGED, actor
        match.decided_at = timezone.now()
        return match
    if decision_in.decision != "reject":
        raise InvalidInput(
            problems=[FieldProblem("decision", _("Choose whether they are one supplier"))]
        )
    with transaction.atomic():
        match.status, match.decided_by, match.decided_at = (
            SupplierMatch.Status.REJECTED,
            actor,
            timezone.now(),
        )
        match.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record_event(
            actor=actor,
            action="supplier.match_rejected",
            obj=match.supplier,
            after={"kept_apart_from": {"id": match.similar_id, "name": match.similar.name}},
        )
    return match


def set_supplier_facts(*, actor: Person, pk: int, facts_in: SupplierFactsIn) -> ResolvedSupplier:
    """Record whether a supplier is an SME, a VCSE and based in the region (kept over what the
    register says, since a person checked it)."""
    _resolving(actor)
    with transaction.atomic():
        supplier = ResolvedSupplier.objects.select_for_update().filter(pk=pk).first()
        if supplier is None:
            raise NotFound()
        before = {
            "is_sme": supplier.is_sme,
            "is_vcse": supplier.is_vcse,
            "is_local": supplier.is_local,
        }
        supplier.is_sme, supplier.is_vcse, supplier.is_local = (
            facts_in.is_sme,
            facts_in.is_vcse,
            facts_in.is_local,
        )
        supplier.facts_from = ResolvedSupplier.Facts.ENTERED
        supplier.save(update_fields=["is_sme", "is_vcse", "is_local", "facts_from"])
        audit.record_event(
            actor=actor,
            action="supplier.facts_set",
            obj=supplier,
            before=before,
            after=facts_in.dict(),
        )
    return supplier


# --- Categories -----------------------------------------------------------------------------


def set_category(*, actor: Person, pk: int, category_in: CategoryIn) -> ExpenseType:
    """Map an expense type to a CPV division (confirmed), or leave it unmapped."""
    _resolving(actor)
    division = category_in.division.strip()
    if division and division not in categories.BY_DIGITS:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "division", _("Choose one of the categories in the list"), value=division
                )
            ]
        )
    with transaction.atomic():
        expense = ExpenseType.objects.select_for_update().filter(pk=pk).first()
        if expense is None:
            raise NotFound()
        before = {"division": expense.division, "status": expense.status}
        expense.division = division
        expense.status = ExpenseType.Status.CONFIRMED if division else ExpenseType.Status.UNMAPPED
        expense.decided_by, expense.decided_at = actor, timezone.now()
        expense.save(update_fields=["division", "status", "decided_by", "decided_at"])
        audit.record_event(
            actor=actor,
            action="expense_type.mapped",
            obj=expense,
            before=before,
            after={"division": division, "status": expense.status},
        )
    return expense
