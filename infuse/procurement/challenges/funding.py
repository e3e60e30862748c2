"""The Procurement Lab tells the Challenge Fund what its money pays for: challenge phases.

Registered with :mod:`infuse.fund.purposes` when the application starts, so the fund's pages,
API and CLI can name, link and group allocations by challenge, theme, goal and council without
the fund importing this lab.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from infuse.fund.purposes import Purpose, Tag
from infuse.procurement.models import Phase


def _tags(items: Iterable[Any], key: str) -> tuple[Tag, ...]:
    """Themes, goals or councils as tags (``key`` names their code field)."""
    return tuple(
        Tag(getattr(item, key), item.name_en, item.name_cy or item.name_en) for item in items
    )


def _purpose(phase: Phase) -> Purpose:
    challenge = phase.challenge
    return Purpose(
        id=phase.pk,
        reference=f"{challenge.slug}/{phase.number}",
        label=str(phase),
        url=reverse("procurement:challenge", kwargs={"slug": challenge.slug}),
        group=Tag(challenge.slug, challenge.title_en, challenge.title_cy or challenge.title_en),
        themes=_tags(challenge.themes.all(), "code"),
        goals=_tags(challenge.goals.all(), "code"),
        councils=_tags(challenge.councils.all(), "gss_code"),
    )


def _phases() -> QuerySet[Phase]:
    return (
        Phase.objects.select_related("challenge")
        .prefetch_related("challenge__themes", "challenge__goals", "challenge__councils")
        .order_by("challenge__title", "number")
    )


class ChallengePhases:
    """Challenge phases as the fund's purposes (``infuse.fund.purposes.PurposeDirectory``)."""

    def fundable(self) -> list[Purpose]:
        return [_purpose(phase) for phase in _phases()]

    def describe(self, ids: Iterable[int]) -> Mapping[int, Purpose]:
        return {phase.pk: _purpose(phase) for phase in _phases().filter(pk__in=list(ids))}

    def find(self, reference: str) -> Purpose | None:
        slug, _slash, number = reference.rpartition("/")
        if not number.isdigit():
            return None
        phase = _phases().filter(challenge__slug=slug, number=int(number)).first()
        return _purpose(phase) if phase else None
