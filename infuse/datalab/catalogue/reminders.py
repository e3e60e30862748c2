"""Telling publishers that a dataset is due for an update, once a day by the worker.

Why once per due date: a dataset overdue for weeks is one piece of news, not one a day; when a
new version arrives the next due date differs, so the next lapse is news again. The daily run
re-queues itself for 07:00 UK time the next day; a worker's start queues it if none waits.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from infuse.core.links import english_path
from infuse.core.models import Notification
from infuse.core.notifications import News, notify
from infuse.core.permissions import DATA_ROLES
from infuse.core.tasklist import holders
from infuse.core.tasks import ensure_queued
from infuse.datalab.catalogue.freshness import ALLOWED, freshness
from infuse.datalab.models import Dataset

RUN_AT = dt.time(7, 0)


def _news(dataset: Dataset, due: dt.date) -> News:
    url = english_path("datalab:dataset", slug=dataset.slug)
    return News(
        topic=Notification.Topic.DATASET_OVERDUE,
        key=f"overdue:{dataset.pk}:{due.isoformat()}",
        subject=lambda: _("Due for an update: %(title)s") % {"title": dataset.title},
        body=lambda: (
            _(
                "“%(title)s” is updated %(frequency)s, and its next version was due by %(due)s. "
                "Upload the new data, or change how often it is updated if that has changed."
            )
            % {
                "title": dataset.title,
                "frequency": str(dataset.get_update_frequency_display()).lower(),
                "due": formats.date_format(due, "j F Y"),
            }
        ),
        url=url,
    )


def remind_overdue(today: dt.date | None = None) -> int:
    """Tell the officers and analysts of each overdue dataset's publisher; how many were told."""
    told = 0
    datasets = Dataset.objects.filter(update_frequency__in=ALLOWED).select_related("publisher")
    for dataset in datasets:
        fresh = freshness(dataset, today=today)
        if fresh.overdue and fresh.next_due is not None:
            told += len(
                notify(holders(dataset.publisher, DATA_ROLES), _news(dataset, fresh.next_due))
            )
    return told


def _tomorrow_morning() -> dt.datetime:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, RUN_AT, tzinfo=timezone.get_current_timezone())


@task()
def daily_reminders() -> int:
    """Today's reminders, then the same again tomorrow morning."""
    # Tomorrow's run is queued first: a failure today must not stop the reminders for good.
    daily_reminders.using(run_after=_tomorrow_morning()).enqueue()
    return remind_overdue()


def start_daily_reminders() -> str | None:
    """At a worker's start: the daily reminders run now unless a run is queued already."""
    return (
        "Queued today's reminders of overdue datasets." if ensure_queued(daily_reminders) else None
    )
