from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def requeue_interrupted_uploads() -> str | None:
    """At a worker's start: queue again the uploads a killed worker left half-converted."""
    # Imported here, not at start-up: only the worker needs the ingest machinery.
    from infuse.datalab.ingest.tasks import recover_interrupted_uploads

    recovered = recover_interrupted_uploads()
    return f"Queued again {len(recovered)} interrupted upload(s)." if recovered else None


def remove_orphaned_files() -> str | None:
    """At a worker's start: delete stored uploads and Parquet files no row refers to (left by
    a process killed between storing a file and recording it)."""
    from django.conf import settings

    from infuse.core import files
    from infuse.datalab.models import DatasetUpload, DatasetVersion

    versions = DatasetVersion.objects.values_list("parquet_path", "quarantine_path")
    referenced = {
        "raw": set(DatasetUpload.objects.values_list("raw_path", flat=True)),
        "parquet": {parquet for parquet, _ in versions},
        "quarantine": {quarantine for _, quarantine in versions if quarantine},
    }
    age = settings.INGEST_STALE_SECONDS
    removed = sum(
        files.remove_unreferenced(kind, paths, older_than_seconds=age)
        for kind, paths in referenced.items()
    )
    return f"Removed {removed} orphaned data file(s)." if removed else None


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    label = "datalab"
    verbose_name = _("Data Lab")

    def ready(self) -> None:
        from infuse.core import integrity, page_cache
        from infuse.core.tasks import on_worker_start
        from infuse.datalab.catalogue.integrity import changed_versions
        from infuse.datalab.catalogue.reminders import start_daily_reminders
        from infuse.datalab.models import DisclosedPeriod

        on_worker_start(requeue_interrupted_uploads)
        on_worker_start(remove_orphaned_files)
        on_worker_start(start_daily_reminders)
        integrity.register("dataset versions' files against their hashes", changed_versions)
        # Disclosure decisions are made again from the values whenever they are missing.
        page_cache.ignore_writes_to(DisclosedPeriod._meta.db_table)
