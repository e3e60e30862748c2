"""Number formatting shared by every page (the same in English and Welsh: 1,523,911)."""

from django import template

from infuse.core.money import pounds as _pounds

register = template.Library()


@register.filter
def thousands(value: object) -> str:
    """Group digits in thousands with commas; leaves non-numbers as they are."""
    try:
        return f"{int(value):,}"  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def get_item(mapping: object, key: str) -> object:
    """``{{ mapping|get_item:"0.5" }}``: a dict value whose key is not a valid identifier."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def pounds(pence: object) -> str:
    """Pence as pounds: ``{{ 123456|pounds }}`` → ``£1,234.56``."""
    try:
        return _pounds(int(pence))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return ""
