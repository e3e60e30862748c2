from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "infuse.core"
    label = "core"
    verbose_name = _("InFuSe core")

    def ready(self) -> None:
        from infuse.core import (  # noqa: F401  (registers rules, receivers, deploy checks)
            deploy_checks,
            permissions,
            signals,
        )
        from infuse.core.mail import requeue_unsent
        from infuse.core.tasks import on_worker_start

        # An email a crash or a dead worker left unsent goes out when a worker starts.
        on_worker_start(requeue_unsent)
