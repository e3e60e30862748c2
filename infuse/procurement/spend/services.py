"""Use cases of spend analysis: map a dataset to the spend shape (read again with each new
version), resolve suppliers (join, separate, decide a proposed match, record what is known of
one) and map expense types to categories. Each checks permission and writes its audit event
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max, Min, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from infuse.core import audit, locks
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.money import pounds
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked
from infuse.procurement import cpv
from infuse.procurement.challenges import services as challenges
from infuse.procurement.challenges.schemas import ChallengeIn
from infuse.procurement.models import (
    ExpenseType,
    Payment,
    ResolvedSupplier,
    SpendDataset,
    SupplierMatch,
    SupplierSpelling,
)
from infuse.procurement.spend import analysis
from infuse.procurement.spend.analysis import Opportunity
from infuse.procurement.spend.queries import (
    FIELD_NAMES,
    require_view,
    visible_expense_types,
    visible_spend,
    visible_suppliers,
)
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
from infuse.procurement.spend.tasks import SPEND_LOCK, load_spend


def mapping_problems(columns: list[str], mapping_in: SpendMappingIn) -> list[FieldProblem]:
    """Each required field without a column, and each named column the data does not have."""
    problems = []
    for name in REQUIRED_FIELDS:
        if not getattr(mapping_in, name):
            problems.append(
                FieldProblem(
                    name, _("Choose the column that holds %(what)s") % {"what": FIELD_NAMES[name]}
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
    require_view(actor)
    if not can(actor, "procurement.resolve_suppliers"):
        raise PermissionDenied()


def _numbers_clash(suppliers: list[ResolvedSupplier]) -> bool:
    """Whether the suppliers, or the spellings they were resolved from, carry more than one
    Companies House or charity number between them."""
    spelt = SupplierSpelling.objects.filter(supplier__in=suppliers)
    companies = {s.company_number for s in suppliers} | set(
        spelt.values_list("company_number", flat=True)
    )
    charities = {s.charity_number for s in suppliers} | set(
        spelt.values_list("charity_number", flat=True)
    )
    return len(companies - {""}) > 1 or len(charities - {""}) > 1


def merge_suppliers(*, actor: Person, merge_in: MergeIn) -> ResolvedSupplier:
    """Join suppliers into one: their spellings (and so their payments) move to ``into``.
    Suppliers with different Companies House or charity numbers are different bodies and are
    never joined."""
    _resolving(actor)
    ids = [i for i in dict.fromkeys(merge_in.others) if i != merge_in.into]
    with locks.held(SPEND_LOCK), transaction.atomic():
        wanted = [merge_in.into, *ids]
        seen = set(visible_suppliers(actor).filter(pk__in=wanted).values_list("pk", flat=True))
        found = {
            s.pk: s
            for s in ResolvedSupplier.objects.select_for_update().filter(pk__in=wanted)
            if s.pk in seen
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
    with locks.held(SPEND_LOCK), transaction.atomic():
        spelling = (
            SupplierSpelling.objects.select_for_update()
            .select_related("supplier")
            .filter(pk=split_in.spelling, supplier__in=visible_suppliers(actor).values("pk"))
            .first()
        )
        if spelling is None or split_in.supplier not in (None, spelling.supplier_id):
            raise InvalidInput(
                problems=[FieldProblem("spelling", _("Choose a spelling of this supplier"))]
            )
        before = spelling.supplier
        if before.spellings.count() < 2:
            raise Conflict(
                _("This is the supplier's only spelling: there is nothing to separate it from.")
            )
        others = before.spellings.exclude(pk=spelling.pk)
        company, charity = spelling.company_number, spelling.charity_number
        if (company and others.filter(company_number=company).exists()) or (
            charity and others.filter(charity_number=charity).exists()
        ):
            raise Conflict(
                _(
                    "Another spelling of this supplier has the same Companies House or charity "
                    "number: by their number they are one body."
                )
            )
        supplier = ResolvedSupplier.objects.create(
            name=spelling.name, company_number=company, charity_number=charity
        )
        # The numbers go with the spelling that gave them (no other spelling has them).
        before.company_number = "" if company == before.company_number else before.company_number
        before.charity_number = "" if charity == before.charity_number else before.charity_number
        before.save(update_fields=["company_number", "charity_number"])
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
    with locks.held(SPEND_LOCK):
        return _decide(actor, pk, decision_in)


def _decide(actor: Person, pk: int, decision_in: MatchDecisionIn) -> SupplierMatch:
    seen = visible_suppliers(actor).values("pk")
    match = (
        SupplierMatch.objects.select_related("supplier", "similar")
        .filter(pk=pk, supplier__in=seen, similar__in=seen)
        .first()
    )
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
        supplier = (
            ResolvedSupplier.objects.select_for_update()
            .filter(pk=pk, pk__in=visible_suppliers(actor).values("pk"))
            .first()
        )
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
    if division and division not in cpv.BY_DIGITS:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "division", _("Choose one of the categories in the list"), value=division
                )
            ]
        )
    with transaction.atomic():
        expense = (
            ExpenseType.objects.select_for_update()
            .filter(pk=pk, pk__in=visible_expense_types(actor).values("pk"))
            .first()
        )
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


# --- From evidence to a challenge -----------------------------------------------------------


def _opportunity(
    payments: QuerySet[Payment], kind: str, key: str
) -> tuple[Opportunity, QuerySet[Payment]]:
    if kind == "category":
        found = analysis.category_opportunities(payments)
        narrowed = payments.filter(expense_type__division=key)
    elif kind == "supplier":
        found = analysis.supplier_opportunities(payments, limit=1_000)
        narrowed = payments.filter(spelling__supplier_id=int(key) if key.isdigit() else 0)
    else:
        raise NotFound()
    opportunity = next((o for o in found if o.key == key), None)
    if opportunity is None:
        raise NotFound()
    return opportunity, narrowed


def _evidence_words(
    opportunity: Opportunity, kind: str, payments: QuerySet[Payment]
) -> dict[str, str]:
    """The draft's title and problem statement in the active language."""
    span = payments.aggregate(first=Min("starts_on"), last=Max("ends_on"))
    # A category's name in the language being written, not the one the page was asked in.
    label = analysis.category_label(opportunity.key) if kind == "category" else opportunity.label
    lines = [
        ngettext(
            "%(buyer)s paid %(amount)s in %(count)s payment.",
            "%(buyer)s paid %(amount)s in %(count)s payments.",
            b.payments,
        )
        % {"buyer": b.label, "amount": pounds(b.pence), "count": f"{b.payments:,}"}
        for b in opportunity.buyers
    ]
    words = {
        "first": date_format(span["first"], "j F Y"),
        "last": date_format(span["last"], "j F Y"),
        "buyers": len(opportunity.buyers),
        "total": pounds(opportunity.pence),
        "what": label,
        "suppliers": opportunity.suppliers,
    }
    if kind == "category":
        problem = (
            ngettext(
                "Between %(first)s and %(last)s, %(buyers)s buyers paid %(total)s for %(what)s "
                "separately, to %(suppliers)s supplier. Buying together, or asking the market for "
                "a better answer, could serve the region better.",
                "Between %(first)s and %(last)s, %(buyers)s buyers paid %(total)s for %(what)s "
                "separately, to %(suppliers)s different suppliers. Buying together, or asking the "
                "market for a better answer, could serve the region better.",
                opportunity.suppliers,
            )
            % words
        )
    else:
        problem = (
            _(
                "Between %(first)s and %(last)s, %(buyers)s buyers paid %(what)s %(total)s, each "
                "on its own terms. One contract for the region, or asking the market for a better "
                "answer, could serve it better."
            )
            % words
        )
    title = (
        _("Buying %(category)s together") % {"category": label}
        if kind == "category"
        else _("Buying together from %(supplier)s") % {"supplier": opportunity.label}
    )
    return {"title": title[:200], "problem": "\n\n".join([problem, *lines])}


def draft_challenge(*, actor: Person, kind: str, key: str) -> Any:
    """A draft challenge from a collaboration opportunity (a category or a supplier that two
    or more buyers pay separately): its problem statement is the evidence, in both languages,
    the spending datasets are attached as its evidence, and its councils are the region's
    councils among the buyers and the officer's own."""
    require_view(actor)
    if not can(actor, "procurement.add_challenge"):
        raise PermissionDenied()
    spend = visible_spend(actor)
    opportunity, payments = _opportunity(analysis.counted(spend), kind, key)
    owner = next(
        (
            m.organisation
            for m in actor.memberships.select_related("organisation__council")
            if m.role == "procurement_officer"
        ),
        None,
    )
    if owner is None:
        raise PermissionDenied()
    councils = set(payments.exclude(council=None).values_list("council__gss_code", flat=True))
    if owner.council is not None:
        councils.add(owner.council.gss_code)
    words = {}
    for language in ("en", "cy"):
        with translation.override(language):
            words[language] = _evidence_words(opportunity, kind, payments)
    datasets = spend.filter(pk__in=payments.values("spend")).values_list("dataset__slug", flat=True)
    with transaction.atomic():
        challenge = challenges.create_challenge(
            actor=actor,
            challenge_in=ChallengeIn(
                title_en=words["en"]["title"],
                title_cy=words["cy"]["title"],
                owner=owner.slug,
                councils=sorted(councils),
                problem_en=words["en"]["problem"],
                problem_cy=words["cy"]["problem"],
                evidence_datasets=list(datasets),
            ),
        )
        audit.record_event(
            actor=actor,
            action="spend.challenge_drafted",
            obj=challenge,
            after={"kind": kind, "key": key, "total_pence": opportunity.pence},
        )
    return challenge
