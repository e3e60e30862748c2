"""Template access to the Data Lab's small charts."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from infuse.datalab.catalogue.charts import histogram_svg

register = template.Library()


@register.simple_tag
def histogram(bins: Any, label: str) -> SafeString:
    """``{% histogram column.histogram label %}``"""
    return histogram_svg(list(bins or []), label=label)
