"""Is a dataset up to date? Its last real update and when the next is due, by the frequency
its publisher states; overdue datasets are shown as such and listed for their publisher.

"Last updated" is the newest version's time (new data), never the catalogue entry's edits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from infuse.core.dates import add_months
from infuse.core.permissions import data_organisations
from infuse.datalab.models import Dataset, DatasetUpload, DatasetVersion

# How long each stated frequency allows between versions: days, or calendar months (a monthly
# dataset uploaded on 31 January is due by the last day of February).
ALLOWED = {
    "daily": (1, 0),
    "weekly": (7, 0),
    "monthly": (0, 1),
    "quarterly": (0, 3),
    "annually": (0, 12),
}


def _later(day: dt.date, days: int, months: int) -> dt.date:
    return add_months(day, months) if months else day + dt.timedelta(days=days)


@dataclass(frozen=True)
class Freshness:
    last_updated: dt.datetime | None  # the newest version's time; None before any data
    next_due: dt.date | None  # None when the frequency is irregular or never
    overdue: bool


def freshness(dataset: Dataset, *, today: dt.date | None = None) -> Freshness:
    version: DatasetVersion | None = dataset.latest_version
    return freshness_from(
        dataset.update_frequency, version.created_at if version else None, today=today
    )


def freshness_from(
    frequency: str, last_updated: dt.datetime | None, *, today: dt.date | None = None
) -> Freshness:
    """The same from the stated frequency and the newest version's time (a list of datasets
    reads those in its one query)."""
    allowed = ALLOWED.get(frequency)
    if last_updated is None or allowed is None:
        return Freshness(last_updated, None, False)
    due = _later(timezone.localdate(last_updated), *allowed)
    return Freshness(last_updated, due, (today or timezone.localdate()) > due)


@dataclass(frozen=True)
class Listed:
    """A dataset in the catalogue's list: how fresh it is and, to its publishers, what became
    of the last file sent (a refused or failed upload is a click away)."""

    dataset: Dataset
    freshness: Freshness
    upload: DatasetUpload | None


def listed(datasets: Sequence[Dataset], person: Any) -> list[Listed]:
    """Each dataset of a page of the list, read in two queries whatever its length."""
    newest = {
        row["dataset"]: row["newest"]
        for row in DatasetVersion.objects.filter(dataset__in=datasets)
        .values("dataset")
        .annotate(newest=Max("created_at"))
    }
    publishing = data_organisations(person)
    last_upload = DatasetUpload.objects.filter(dataset=OuterRef("dataset")).order_by("-created_at")
    uploads = {
        upload.dataset_id: upload
        for upload in DatasetUpload.objects.filter(
            dataset__in=[d for d in datasets if d.publisher_id in publishing],
            pk=Subquery(last_upload.values("pk")[:1]),
        )
    }
    return [
        Listed(d, freshness_from(d.update_frequency, newest.get(d.pk)), uploads.get(d.pk))
        for d in datasets
    ]


def overdue_for_publisher(person: Any) -> list[Dataset]:
    """The datasets ``person`` publishes (their organisations') that are overdue, oldest
    update first: the flag to the publisher."""
    organisations = data_organisations(person)
    if not organisations:
        return []
    published: QuerySet[Dataset] = Dataset.objects.filter(publisher_id__in=organisations)
    found = [(d, freshness(d)) for d in published.filter(update_frequency__in=ALLOWED)]
    overdue = [(d, f) for d, f in found if f.overdue]
    return [d for d, f in sorted(overdue, key=lambda pair: pair[1].next_due or dt.date.min)]
