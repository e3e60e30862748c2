from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatalabConfig(AppConfig):
    name = "infuse.datalab"
    label = "datalab"
    verbose_name = _("Data Lab")
