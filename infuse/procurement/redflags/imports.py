"""The use case behind the page's import: the file kept, the import queued, its progress on
the task's page (a national feed is read for minutes; a page must not wait on it)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infuse.core import files
from infuse.core.errors import FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.permissions import can
from infuse.core.progress import enqueue_tracked
from infuse.procurement.redflags.reading import is_lines
from infuse.procurement.redflags.tasks import UPLOADS, import_ocds_file

#: The largest file the page takes; a region's feed goes through the command line or API.
PAGE_IMPORT_BYTES = 20 * 1024 * 1024


def _extension(name: str) -> str:
    return ".jsonl" if is_lines(name) else ".json"


def queue_import(*, actor: Person, upload: files.Upload) -> TaskProgress:
    """Keep the file and queue its import (releases stored, processes compiled, flags
    computed again); the returned progress is the task's page."""
    if not can(actor, "procurement.review_flags"):
        raise PermissionDenied()
    try:
        # A name of its own (not only the content's hash): two imports of one file never share
        # the upload one of them removes when it is done.
        stored = files.store_stream(
            upload.chunks,
            kind=UPLOADS,
            suffix=f"-{uuid.uuid4().hex}{_extension(upload.name)}",
            max_bytes=PAGE_IMPORT_BYTES,
        )
    except ValueError:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "releases",
                    _("The file is larger than 20 MB: import it with the command line or the API"),
                )
            ]
        ) from None
    if not stored.size:
        files.resolve(stored.relative_path).unlink(missing_ok=True)
        raise InvalidInput(problems=[FieldProblem("releases", _("The file is empty"))])
    with transaction.atomic():
        progress = TaskProgress.objects.create(
            kind=TaskProgress.Kind.OCDS_IMPORT, owner=actor, subject_view="procurement:flags"
        )
        transaction.on_commit(
            lambda: enqueue_tracked(
                progress,
                import_ocds_file,
                stored.relative_path,
                upload.name[:255],
                actor.pk,
                str(progress.pk),
                get_language() or "en",
            )
        )
    return progress
