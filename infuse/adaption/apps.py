from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptionConfig(AppConfig):
    name = "infuse.adaption"
    label = "adaption"
    verbose_name = _("Adaption Lab")

    def ready(self) -> None:
        from infuse.adaption.protocol.integrity import changed_protocols
        from infuse.adaption.registry import related as experiments
        from infuse.core import integrity
        from infuse.datalab import related

        integrity.register("registered protocols against their digests", changed_protocols)
        related.register("indicator", experiments.measuring_indicator)
        related.register("dataset", experiments.measuring_dataset)
