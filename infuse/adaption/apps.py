from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdaptionConfig(AppConfig):
    name = "infuse.adaption"
    label = "adaption"
    verbose_name = _("Adaption Lab")
