"""Work in the other labs aimed at a dataset or an indicator: the experiments that measure it,
the challenges that cite it as evidence, the contracts that report against it.

Why a registry: the Data Lab sits below the labs that use its data and must not import them,
yet its pages have to show the way back to them (links run both ways). Each lab above
registers a reader here when the application starts (``AppConfig.ready``), as the Procurement
Lab does for the fund's purposes; the reader decides what the person may see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Section = Literal["experiments", "challenges", "contracts", "spending"]
SECTIONS: tuple[Section, ...] = ("experiments", "challenges", "contracts", "spending")


@dataclass(frozen=True)
class RelatedWork:
    """One piece of work aimed at the data, as a link."""

    section: Section
    title: str
    url: str
    # When it began: an experiment's launch, a challenge's publication, a contract's start.
    started: dt.date | None = None
    note: str = ""  # what it found, in words (a contract's evaluated outcome)


Reader = Callable[[Any, Any], list[RelatedWork]]  # (actor, dataset or indicator)

_readers: dict[str, list[Reader]] = {"dataset": [], "indicator": []}


def register(kind: Literal["dataset", "indicator"], reader: Reader) -> None:
    """Add a lab's reader of work aimed at a dataset or an indicator (idempotent)."""
    if reader not in _readers[kind]:
        _readers[kind].append(reader)


def _gathered(kind: str, actor: Any, item: Any) -> dict[Section, list[RelatedWork]]:
    found: dict[Section, list[RelatedWork]] = {section: [] for section in SECTIONS}
    for reader in _readers[kind]:
        for work in reader(actor, item):
            found[work.section].append(work)
    return found


def for_dataset(actor: Any, dataset: Any) -> dict[Section, list[RelatedWork]]:
    """The work ``actor`` may see that uses ``dataset``, by section."""
    return _gathered("dataset", actor, dataset)


def for_indicator(actor: Any, indicator: Any) -> dict[Section, list[RelatedWork]]:
    """The work ``actor`` may see aimed at ``indicator``, by section."""
    return _gathered("indicator", actor, indicator)
