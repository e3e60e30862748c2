"""Readable, unique web addresses for things people make (challenges, experiments, suppliers).

One function for every model: a slug is taken from the English title, cut to fit, and made
unique by a counter, so two "Fly-tipping" experiments become ``fly-tipping`` and
``fly-tipping-2``. Uniqueness is also enforced by each model's unique constraint; this only
chooses a free name.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.text import slugify


def unique_slug(
    model: type[Model], title: str, *, fallback: str, max_length: int = 100, field: str = "slug"
) -> str:
    """A slug for ``title`` not yet used by any ``model`` row (``fallback`` when it has none)."""
    base = slugify(title)[:max_length] or fallback
    manager: Any = model._default_manager
    slug, n = base, 1
    while manager.filter(**{field: slug}).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
