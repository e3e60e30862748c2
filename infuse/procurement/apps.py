import os
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def bid_keys_from_environment(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the master keys that seal bids belong in the environment (and a copy in a
    safe place): the generated var/bid_keys is for the demo, and losing it loses every bid."""
    if os.environ.get("INFUSE_BID_KEYS"):
        return []
    return [
        checks.Warning(
            "INFUSE_BID_KEYS is not set: bids are sealed with a key generated into var/bid_keys.",
            hint="Set INFUSE_BID_KEYS (make a key with `infuse procurement new-key k1`) and keep "
            "a copy somewhere safe: without it no bid can ever be opened.",
            id="infuse.W001",
        )
    ]


class ProcurementConfig(AppConfig):
    name = "infuse.procurement"
    label = "procurement"
    verbose_name = _("Procurement Lab")

    def ready(self) -> None:
        from infuse.core import integrity
        from infuse.core.tasks import on_worker_start
        from infuse.datalab import followers, related
        from infuse.fund import purposes
        from infuse.procurement.bids.integrity import damaged_bids
        from infuse.procurement.challenges import related as challenges
        from infuse.procurement.challenges.funding import ChallengePhases
        from infuse.procurement.contracts import related as contracts
        from infuse.procurement.models import Release
        from infuse.procurement.redflags.tasks import (
            recover_interrupted_imports,
            release_published,
        )
        from infuse.procurement.spend.related import spending_of
        from infuse.procurement.spend.services import follow_dataset

        integrity.register("sealed bids open under their own labels", damaged_bids)
        checks.register(bid_keys_from_environment, checks.Tags.security, deploy=True)
        purposes.register(ChallengePhases())
        related.register("indicator", challenges.citing_indicator)
        related.register("indicator", contracts.reporting_on_indicator)
        related.register("dataset", challenges.citing_dataset)
        related.register("dataset", spending_of)
        followers.register(follow_dataset)
        # The flags read the lab's own challenges too: each new release queues them again.
        post_save.connect(release_published, sender=Release, dispatch_uid="red-flags-follow")
        on_worker_start(recover_interrupted_imports)
