"""OCDS releases out of a file, one at a time, whatever its size: a release package (JSON,
read as a stream by ijson, so a million releases never sit in memory together), a JSON array
of releases, or JSON Lines (a release, or a release package, per line).

A release without the fields every OCDS release must have (``ocid``, ``id``, ``date``), or one
under InFuSe's own ocid prefix (its own releases are read from its challenges, never taken
from a file that could stand in for them), is counted as refused with its line or position,
never stored. Where and why are said in the language of whoever imports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import ijson
from django.conf import settings
from django.utils.translation import gettext as _

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
        refusals.add(where, _("not a JSON object"))
        return None
    missing = [name for name in REQUIRED if not release.get(name)]
    if missing:
        refusals.add(where, _("missing %(fields)s") % {"fields": ", ".join(missing)})
        return None
    if instant(release["date"]) is None:
        refusals.add(where, _("date is not a date and time"))
        return None
    if str(release["ocid"]).startswith(f"{settings.OCID_PREFIX}-"):
        refusals.add(
            where, _("published by InFuSe itself: its releases are read from its challenges")
        )
        return None
    return release


def _line(number: int) -> str:
    return _("line %(number)s") % {"number": number}


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _from_lines(stream: IO[bytes], refusals: Refusals) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            refusals.add(_line(number), _("not JSON (%(why)s)") % {"why": error.msg})
            continue
        except ValueError as error:  # not UTF-8, or NaN / Infinity
            refusals.add(_line(number), _("not JSON (%(why)s)") % {"why": error})
            continue
        package = isinstance(item, dict) and isinstance(item.get("releases"), list)
        inner: list[Any] = item["releases"] if package else [item]
        for index, release in enumerate(inner):
            where = (
                _("line %(line)s, release %(release)s") % {"line": number, "release": index + 1}
                if package
                else _line(number)
            )
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
            checked = _checked(release, _("release %(number)s") % {"number": index}, refusals)
            if checked is not None:
                yield checked
    except ijson.JSONError as error:
        refusals.add(
            _("byte %(number)s") % {"number": f"{stream.tell():,}"},
            _("the file stops being JSON (%(why)s)") % {"why": error},
        )


def releases(stream: IO[bytes], name: str, refusals: Refusals) -> Iterator[dict[str, Any]]:
    """Each release in the file ``name`` (JSON Lines by its extension, else JSON)."""
    if is_lines(name):
        return _from_lines(stream, refusals)
    return _from_json(stream, refusals)
