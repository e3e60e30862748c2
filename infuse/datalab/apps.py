from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def requeue_interrupted_uploads() -> str | None:
    """At a worker's start: queue again the uploads a killed worker left half-converted."""
    # Imported here, not at start-up: only the worker needs the ingest machinery.
    from infuse.datalab.ingest.tasks import recover_interrupted_uploads

    recovered = recover_interrupted_uploads()
    return f"Queued again {len(recovered)} interrupted upload(s)." if recovered else None


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    label = "datalab"
    verbose_name = _("Data Lab")

    def ready(self) -> None:
        from infuse.core import integrity
        from infuse.core.tasks import on_worker_start
        from infuse.datalab.catalogue.integrity import changed_versions

        on_worker_start(requeue_interrupted_uploads)
        integrity.register("dataset versions' files against their hashes", changed_versions)
