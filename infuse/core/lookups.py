"""Rows by id for the API and the CLI, whose services then decide who may use them."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model

from infuse.core.errors import NotFound

M = TypeVar("M", bound=Model)


def find(model: type[M], pk: Any) -> M:
    """The ``model`` row with id ``pk``, or NotFound (the same answer as "not yours to see")."""
    manager: Any = model._default_manager
    found = manager.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
