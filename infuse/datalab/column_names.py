"""The name a column without one is given ("column_3"), known to every slice: the ingest
gives it, the upload check and the recipe's suggestions recognise it."""

from __future__ import annotations

import re

_UNNAMED = re.compile(r"column_[0-9]+")


def unnamed(position: int) -> str:
    """The name of the column at ``position`` (from 1) whose header cell was blank."""
    return f"column_{position}"


def is_unnamed(name: str) -> bool:
    """Whether ``name`` is one :func:`unnamed` gave."""
    return bool(_UNNAMED.fullmatch(name))
