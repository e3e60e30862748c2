"""Suppliers whose names are alike enough that a person should look: proposed, never joined.

RapidFuzz's token-sort ratio (0–100) compares the names' keys with their words sorted, so
"Comensura Stafing" meets "Comensura Staffing" and "Smith & Jones" meets "Jones and Smith",
while "Capita" and "Capita Business Services" stay apart (a different company as often as not).
Names are compared within blocks that share the first letter of their sorted words, which
keeps a region's tens of thousands of names to seconds and bounded memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

#: The lowest score at which two names are proposed as one supplier.
THRESHOLD = 90


@dataclass(frozen=True)
class Named:
    """A supplier as matching sees it: its id, its name key and its numbers."""

    pk: int
    key: str
    company_number: str = ""
    charity_number: str = ""


def _numbers_differ(a: Named, b: Named) -> bool:
    company = a.company_number and b.company_number and a.company_number != b.company_number
    charity = a.charity_number and b.charity_number and a.charity_number != b.charity_number
    return bool(company or charity)


def similar_pairs(
    suppliers: Iterable[Named], threshold: int = THRESHOLD
) -> Iterator[tuple[Named, Named, int]]:
    """Pairs (lower id first) whose keys score at least ``threshold`` and whose numbers do not
    say they are different companies or charities; identical keys are left out (resolution has
    already decided those by their numbers)."""
    blocks: dict[str, list[Named]] = defaultdict(list)
    for supplier in suppliers:
        if supplier.key:
            # The first letter of the words in order, as the scorer sorts them: "Jones and
            # Smith" and "Smith and Jones" meet in one block.
            blocks[min(supplier.key.split())[0]].append(supplier)
    for block in blocks.values():
        if len(block) < 2:
            continue
        keys = [s.key for s in block]
        # A matrix of scores, 0 below the cutoff: one byte a pair, a block at a time.
        scores = process.cdist(
            keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, dtype="uint8"
        )
        rows, columns = scores.nonzero()
        for i, j in zip(rows.tolist(), columns.tolist(), strict=True):
            a, b = block[i], block[j]
            if i >= j or a.key == b.key or _numbers_differ(a, b):
                continue
            first, second = (a, b) if a.pk < b.pk else (b, a)
            yield first, second, int(scores[i, j])
