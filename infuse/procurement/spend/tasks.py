"""Reading a spend dataset's current version as payments, in the background (queued when the
mapping is saved, a new version arrives or the recipe changes)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from infuse.core import audit, locks
from infuse.core.progress import ProgressReporter
from infuse.datalab.catalogue import services as data
from infuse.procurement.models import (
    Payment,
    ResolvedSupplier,
    SpendDataset,
    SupplierMatch,
)
from infuse.procurement.spend import matching
from infuse.procurement.spend.loading import PaymentReader, mapped_columns, read_payments
from infuse.procurement.spend.names import name_key
from infuse.procurement.spend.resolution import facts_from_register

NO_VERSION = gettext_noop("The dataset has no version yet: upload its file first.")
MISSING_COLUMNS = gettext_noop(
    "The data no longer has the column %(columns)s that the spending mapping reads: change "
    "the mapping or the dataset's recipe."
)
#: Held while payments are read, and while suppliers are joined or separated.
SPEND_LOCK = "procurement-spend"
BROKEN_RECIPE = gettext_noop(
    "The dataset's recipe cannot shape its current version: the dataset's page says why."
)


def _page(spend: SpendDataset) -> dict[str, Any]:
    return {"url": reverse("procurement:spend_dataset", kwargs={"slug": spend.dataset.slug})}


FAILED = gettext_noop(
    "The payments could not be read: the spending dataset's page says why and what to change."
)
SUPERSEDED = gettext_noop("A newer reading of the same dataset took this one's place.")


def _refuse(spend: SpendDataset, reporter: ProgressReporter, message: str, **params: Any) -> None:
    """Keep the last good reading (still counted) and say beside it why this one failed."""
    summary = {**spend.summary, "problems": [{"message": message, "params": params}]}
    SpendDataset.objects.filter(pk=spend.pk).update(summary=summary)
    reporter.fail(FAILED, _page(spend))


def _problem(version: Any, mapping: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """Why the version cannot be read with the mapping, or ``None``."""
    if version is None:
        return NO_VERSION, {}
    if version.recipe and "problems" in version.shaped:
        return BROKEN_RECIPE, {}
    present = {f["name"] for f in version.shaped_fields}
    missing = [column for column in mapped_columns(mapping) if column not in present]
    if missing:
        return MISSING_COLUMNS, {"columns": ", ".join(missing)}
    return None


@task()
def load_spend(spend_id: int, progress_id: str) -> dict[str, Any]:
    reporter = ProgressReporter(progress_id)
    if not reporter.claim():
        return {"status": "already-claimed"}
    reporter.start(message=gettext_noop("Waiting for other readings to finish"))
    # One reading at a time, of any dataset: suppliers, spellings and expense types are the
    # region's, shared by every file, and a merge must not meet a reading half-way.
    with locks.held(SPEND_LOCK):
        spend = SpendDataset.objects.select_related(
            "dataset__publisher__council", "progress__owner"
        ).get(pk=spend_id)
        if str(spend.progress_id) != progress_id:
            reporter.fail(SUPERSEDED, _page(spend))
            return {"status": "superseded"}
        version = spend.dataset.latest_version
        problem = _problem(version, spend.mapping)
        if problem is not None or version is None:
            message, params = problem or (NO_VERSION, {})
            _refuse(spend, reporter, message, **params)
            return {"status": "failed"}
        total = int(version.shaped.get("row_count") or version.row_count)
        reporter.start(total=total, message=gettext_noop("Reading payments"))
        reading = _read(spend, version, reporter, progress_id)
    if reading is None:
        reporter.fail(SUPERSEDED, _page(spend))
        return {"status": "superseded"}
    reporter.succeed(reading, gettext_noop("Payments read"))
    return {"status": "succeeded", **reading}


def _read(
    spend: SpendDataset, version: Any, reporter: ProgressReporter, progress_id: str
) -> dict[str, Any] | None:
    """Write the version's payments under the next load number, batch by batch, then make
    them the counted ones in one transaction — unless a newer reading was asked for
    meanwhile, whose turn it then is (``None``)."""
    load = spend.load + 1
    Payment.objects.filter(spend=spend, load__gte=load).delete()  # a failed reading's rows
    publisher = spend.dataset.publisher
    reader = PaymentReader(spend, load, publisher.name, publisher.council)
    before = set(ResolvedSupplier.objects.values_list("pk", flat=True))

    def save(payments: list[Payment]) -> None:
        Payment.objects.bulk_create(payments, batch_size=2_000)

    reading = read_payments(
        reader,
        data.shaped_rows(version, mapped_columns(spend.mapping)),
        save=save,
        advance=reporter.advance,
    ).as_json()
    facts_from_register(ResolvedSupplier.objects.exclude(pk__in=before))
    propose_matches()
    owner = spend.progress.owner if spend.progress else spend.created_by
    with transaction.atomic():
        current = SpendDataset.objects.select_for_update().get(pk=spend.pk)
        if str(current.progress_id) != progress_id:
            Payment.objects.filter(spend=spend, load=load).delete()
            return None
        Payment.objects.filter(spend=spend, load=current.load).delete()
        SpendDataset.objects.filter(pk=spend.pk).update(
            load=load, loaded_version=version.number, summary=reading, updated_at=timezone.now()
        )
        audit.record_event(
            actor=owner,
            action="spend.payments_read",
            obj=spend,
            after={"version": version.number, **{k: reading[k] for k in ("rows", "payments")}},
        )
    return reading


def propose_matches(threshold: int = matching.THRESHOLD) -> int:
    """Propose every pair of suppliers alike enough to look at that nobody has decided on yet;
    returns how many new proposals there are."""
    named = [
        matching.Named(s.pk, name_key(s.name), s.company_number, s.charity_number)
        for s in ResolvedSupplier.objects.only("pk", "name", "company_number", "charity_number")
    ]
    seen = set(SupplierMatch.objects.values_list("supplier_id", "similar_id"))
    new = [
        SupplierMatch(supplier_id=a.pk, similar_id=b.pk, score=score)
        for a, b, score in matching.similar_pairs(named, threshold)
        if (a.pk, b.pk) not in seen
    ]
    SupplierMatch.objects.bulk_create(new, batch_size=2_000, ignore_conflicts=True)
    return len(new)
