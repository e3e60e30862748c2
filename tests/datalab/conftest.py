"""Data Lab fixtures: datasets of each visibility published by Cardiff."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def make_dataset(make_person: Callable[..., Any]) -> Callable[..., Any]:
    """Create a dataset through the service, published by a Cardiff officer by default."""
    from infuse.core.models import Organisation
    from infuse.datalab import services

    publisher_person = None

    def make(
        title: str = "Fly-tipping reports",
        *,
        visibility: str = "private",
        publisher: str = "cardiff",
        actor: Any = None,
        **extra: Any,
    ) -> Any:
        nonlocal publisher_person
        if actor is None:
            if publisher_person is None:
                publisher_person = make_person("officer")
            actor = publisher_person
        fields = services.DatasetFields(
            title_en=title,
            title_cy=extra.pop("title_cy", f"{title} (cy)"),
            publisher=Organisation.objects.get(slug=publisher),
            visibility=visibility,
            **extra,
        )
        return services.create_dataset(actor=actor, fields=fields)

    return make
