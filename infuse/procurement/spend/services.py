"""Use cases of spend analysis: map a dataset to the spend shape (read again with each new
version), resolve suppliers (join, separate, decide a proposed match, record what is known of
one) and map expense types to categories. Each checks permission and writes its audit event
in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.money import pounds
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked
from infuse.datalab.catalogue import services as data
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
from infuse.procurement.spend import analysis, categories
from infuse.procurement.spend.analysis import Opportunity
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


def require_view(actor: Any) -> None:
    """Spend analysis is for people of the region: anyone else finds nothing here."""
    if not can(actor, "procurement.view_spend"):
        raise NotFound()


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
    require_view(actor)
    if not can(actor, "procurement.resolve_suppliers"):
        raise PermissionDenied()


def get_supplier(*, actor: Any, pk: int) -> ResolvedSupplier:
    require_view(actor)
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


# --- What the pages read --------------------------------------------------------------------


def waiting_counts() -> dict[str, int]:
    """How many matches and expense types wait for a person's decision."""
    return {
        "matches": SupplierMatch.objects.filter(status=SupplierMatch.Status.PROPOSED).count(),
        "expense_types": ExpenseType.objects.exclude(status=ExpenseType.Status.CONFIRMED).count(),
    }


def mapping_words(spend: SpendDataset) -> list[tuple[str, str]]:
    """The mapping as the page shows it: each part of a payment and the column it comes from
    (or the buyer's name)."""
    mapping = spend.mapping
    shown = [(str(_FIELD_NAMES[name]), mapping[name]) for name in _FIELD_NAMES if mapping.get(name)]
    buyer = mapping.get("buyer", {})
    if buyer.get("column"):
        shown.insert(0, (str(_FIELD_NAMES["buyer_column"]), buyer["column"]))
    else:
        name = buyer.get("value") or spend.dataset.publisher.name
        shown.insert(
            0, (str(_("the buyer")), str(_("“%(name)s” for every payment") % {"name": name}))
        )
    return shown


def mapping_initial(dataset: Any) -> dict[str, str]:
    """A dataset's saved mapping as the form's fields, to change it."""
    spend = SpendDataset.objects.filter(dataset=dataset).first()
    if spend is None:
        return {}
    mapping = dict(spend.mapping)
    buyer = mapping.pop("buyer", {})
    return {**mapping, "buyer_column": buyer.get("column", ""), "buyer": buyer.get("value", "")}


def spellings_of(supplier: ResolvedSupplier) -> QuerySet[SupplierSpelling]:
    return supplier.spellings.annotate(payment_count=Count("payments")).order_by("name")


def proposed_matches(*, supplier: ResolvedSupplier | None = None) -> QuerySet[SupplierMatch]:
    found = SupplierMatch.objects.filter(status=SupplierMatch.Status.PROPOSED).select_related(
        "supplier", "similar"
    )
    if supplier is not None:
        found = found.filter(Q(supplier=supplier) | Q(similar=supplier))
    return found


def expense_types(status: str = "") -> QuerySet[ExpenseType]:
    found = ExpenseType.objects.annotate(
        pence=Sum("payments__amount_pence", filter=Q(payments__load=F("payments__spend__load")))
    )
    if status in ExpenseType.Status.values:
        found = found.filter(status=status)
    return found.order_by("status", "-pence", "name")


def expense_type_counts() -> dict[str, int]:
    counts = dict(ExpenseType.objects.values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in ExpenseType.Status.values}


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
    what = (
        label
        if kind == "category"
        else _("goods and services from %(supplier)s") % {"supplier": opportunity.label}
    )
    lines = [
        _("%(buyer)s paid %(amount)s in %(count)s payments.")
        % {"buyer": b.label, "amount": pounds(b.pence), "count": f"{b.payments:,}"}
        for b in opportunity.buyers
    ]
    problem = _(
        "Between %(first)s and %(last)s, %(buyers)s buyers paid %(total)s for %(what)s "
        "separately, to %(suppliers)s different suppliers. Buying together, or asking the "
        "market for a better answer, could serve the region better."
    ) % {
        "first": date_format(span["first"], "j F Y"),
        "last": date_format(span["last"], "j F Y"),
        "buyers": len(opportunity.buyers),
        "total": pounds(opportunity.pence),
        "what": what,
        "suppliers": opportunity.suppliers,
    }
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


def reading_problems(spend: SpendDataset) -> list[str]:
    """Why the last reading failed, in the page's language."""
    return [
        gettext(p["message"]) % p["params"] if p.get("params") else gettext(p["message"])
        for p in spend.summary.get("problems", [])
    ]


def unreadable_words(spend: SpendDataset) -> list[str]:
    """A sentence for each field some rows could not be read in (those rows are not counted)."""
    words = []
    for name, found in spend.summary.get("unreadable", {}).items():
        words.append(
            ngettext(
                "%(count)s row had no %(what)s that could be read and is not counted: row "
                "%(row)s (“%(example)s”).",
                "%(count)s rows had no %(what)s that could be read and are not counted; the "
                "first is row %(row)s (“%(example)s”).",
                found["count"],
            )
            % {
                "count": f"{found['count']:,}",
                "what": _FIELD_NAMES[name],
                "row": f"{found['first_row']:,}",
                "example": found["example"],
            }
        )
    return words
