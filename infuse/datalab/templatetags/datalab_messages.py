"""Show ingest and validation message keys in the reader's language."""

from typing import Any

from django import template

from infuse.datalab.ingest.messages import explain

register = template.Library()


@register.filter
def explain_key(key: str, params: Any = None) -> str:
    """``{{ group.key|explain_key:group.params }}``"""
    return explain(key, params if isinstance(params, dict) else {})
