"""What the fund pays for, as the lab that runs it describes it.

The fund is below the Procurement Lab: it keeps the money (allocations, commitments, payments)
and must not import the lab whose work it pays for. Each allocation points at a challenge phase
(a foreign key, for the database's integrity), and everything a fund page or report says about
that phase (its name, its page, the challenge it belongs to, the themes, goals and councils it
is tagged with) comes from a :class:`PurposeDirectory` that the Procurement Lab registers when
the application starts. A test can register its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Tag:
    """One grouping of the portfolio (a challenge, theme, goal or council), in both languages."""

    key: str
    label_en: str
    label_cy: str


@dataclass(frozen=True)
class Purpose:
    """One thing money can be allocated to: a challenge phase."""

    id: int  # the row the allocation points to
    reference: str  # how people and scripts name it: "<challenge>/<phase number>"
    label: str  # in the active language, e.g. "Smart bins – Phase 1: feasibility"
    url: str
    group: Tag  # the challenge
    themes: tuple[Tag, ...] = ()
    goals: tuple[Tag, ...] = ()
    councils: tuple[Tag, ...] = ()


class PurposeDirectory(Protocol):
    """The lab that runs the work money pays for answers these three questions."""

    def fundable(self) -> list[Purpose]:
        """Everything money may be allocated to, in the order a person would look for it."""
        ...

    def describe(self, ids: Iterable[int]) -> Mapping[int, Purpose]:
        """The purposes with these ids (unknown ids are left out)."""
        ...

    def find(self, reference: str) -> Purpose | None:
        """The purpose people call ``reference``, or None."""
        ...


_registered: list[PurposeDirectory] = []


def register(directory: PurposeDirectory) -> None:
    """Make ``directory`` the one the fund asks (the last registered wins)."""
    _registered[:] = [directory]


def directory() -> PurposeDirectory:
    if not _registered:
        raise ImproperlyConfigured(
            "No directory of fund purposes: the Procurement Lab registers one when it starts."
        )
    return _registered[0]
