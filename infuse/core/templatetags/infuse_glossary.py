"""``{% whatis "confidence-interval" %}``: the GOV.UK details "What does ‘…’ mean?" under a
statistical result, from the one glossary (``infuse.core.glossary``)."""

from __future__ import annotations

from typing import Any

from django import template

from infuse.core.glossary import term

register = template.Library()


@register.inclusion_tag("includes/whatis.html")
def whatis(code: str) -> dict[str, Any]:
    return {"term": term(code)}
