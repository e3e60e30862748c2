"""Input and output of the comparator groups' use cases (pages, API and CLI)."""

from __future__ import annotations

from ninja import Schema

from infuse.datalab.models import ComparatorGroup


class ComparatorGroupIn(Schema):
    """A new group: its name in both languages and its councils (GSS codes)."""

    name_en: str
    name_cy: str
    councils: list[str]


class ComparatorGroupOut(Schema):
    slug: str
    name_en: str
    name_cy: str
    councils: list[str]

    @classmethod
    def of(cls, group: ComparatorGroup) -> ComparatorGroupOut:
        return cls(
            slug=group.slug,
            name_en=group.name_en,
            name_cy=group.name_cy or "",
            councils=[c.gss_code for c in group.councils.all()],
        )
