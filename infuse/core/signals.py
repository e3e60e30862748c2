"""Sign-in and sign-out are audited like any other change; database files are kept private; a
task that dies of an unexpected exception fails its progress row."""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate
from django.dispatch import receiver
from django.tasks.signals import task_finished

from infuse.core import audit
from infuse.core.page_cache import migration_finished, migration_started, watch_connection
from infuse.core.progress import fail_unfinished

# Every statement of the database is watched for writes that change what pages show.
connection_created.connect(watch_connection, dispatch_uid="infuse-public-cache")
pre_migrate.connect(migration_started, dispatch_uid="infuse-public-cache")
post_migrate.connect(migration_finished, dispatch_uid="infuse-public-cache")


@receiver(setting_changed)
def forget_kept_pages(sender: Any, **kwargs: Any) -> None:
    """A page kept under other settings (a disclosure method, a threshold) is not this one's:
    settings change in tests; in service they change only with a restart, which forgets."""
    cache.clear()


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit.record_event(actor=user, action="person.signed_in", obj=user)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        with transaction.atomic():
            audit.record_event(actor=user, action="person.signed_out", obj=user)


@receiver(connection_created)
def private_sqlite_file(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A SQLite database file is readable by the service user only (SQLite gives its journal
    files the same mode). Created with the process's umask, it used to be world-readable."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if name.startswith(("file:", ":memory:")) or not os.path.isfile(name):
        return
    if os.stat(name).st_uid == os.getuid():
        os.chmod(name, 0o600)


@receiver(task_finished)
def progress_of_failed_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    fail_unfinished(task_result)
