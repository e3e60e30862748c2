"""OCDS releases out of a file, one at a time, whatever its size: a release package (JSON,
read as a stream by ijson, so a million releases never sit in memory together), a JSON array
of releases, or JSON Lines (a release, or a release package, per line).

A release without the fields every OCDS release must have (``ocid``, ``id``, ``date``) is
counted as refused with its line or position, never stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson

from infuse.procurement.redflags.compiled import instant

REQUIRED = ("ocid", "id", "date")


@dataclass
class Refusals:
    """Releases left out: how many, and the first few with where and why."""

    count: int = 0
    first: list[dict[str, Any]] = field(default_factory=list)

    def add(self, where: str, why: str) -> None:
        self.count += 1
        if len(self.first) < 10:
            self.first.append({"where": where, "why": why})


def is_lines(name: str) -> bool:
    return name.lower().endswith((".jsonl", ".jsonlines", ".ndjson", ".jl"))


def _checked(release: object, where: str, refusals: Refusals) -> dict[str, Any] | None:
    if not isinstance(release, dict):
        refusals.add(where, "not a JSON object")
        return None
    missing = [name for name in REQUIRED if not release.get(name)]
    if missing:
        refusals.add(where, "missing " + ", ".join(missing))
        return None
    if instant(release["date"]) is None:
        refusals.add(where, "date is not a date and time")
        return None
    return release


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _from_lines(stream: IO[bytes], refusals: Refusals) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            refusals.add(f"line {number}", f"not JSON ({error.msg})")
            continue
        except ValueError as error:  # not UTF-8, or NaN / Infinity
            refusals.add(f"line {number}", f"not JSON ({error})")
            continue
        package = isinstance(item, dict) and isinstance(item.get("releases"), list)
        inner: list[Any] = item["releases"] if package else [item]
        for index, release in enumerate(inner):
            where = f"line {number}" + (f", release {index + 1}" if package else "")
            checked = _checked(release, where, refusals)
            if checked is not None:
                yield checked


def _from_json(stream: IO[bytes], refusals: Refusals) -> Iterator[dict[str, Any]]:
    first = stream.read(1)
    while first and (first.isspace() or first in b"\xef\xbb\xbf"):  # and a UTF-8 BOM
        first = stream.read(1)
    stream.seek(stream.tell() - len(first))
    prefix = "item" if first == b"[" else "releases.item"
    try:
        for index, release in enumerate(ijson.items(stream, prefix, use_float=True), 1):
            checked = _checked(release, f"release {index}", refusals)
            if checked is not None:
                yield checked
    except ijson.JSONError as error:
        refusals.add(f"byte {stream.tell():,}", f"the file stops being JSON ({error})")


def releases(stream: IO[bytes], name: str, refusals: Refusals) -> Iterator[dict[str, Any]]:
    """Each release in the file ``name`` (JSON Lines by its extension, else JSON)."""
    if is_lines(name):
        return _from_lines(stream, refusals)
    return _from_json(stream, refusals)
