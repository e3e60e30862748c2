"""Work in other labs that reads a dataset's rows as its own records (the Procurement Lab's
payments) and must read them again when the rows change: a new version, or a changed recipe.

A registry for the same reason as ``related``: the Data Lab sits below the labs that follow its
datasets and must not import them. Each follower registers when the application starts and is
called inside the transaction that changes the rows (queue work with ``on_commit``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Follower = Callable[[Any, Any], None]  # (dataset, the person whose change it was)

_followers: list[Follower] = []


def register(follower: Follower) -> None:
    """Add a follower of datasets' rows (idempotent)."""
    if follower not in _followers:
        _followers.append(follower)


def rows_changed(dataset: Any, actor: Any) -> None:
    """Tell every follower that ``dataset``'s current rows are not what they read."""
    for follower in _followers:
        follower(dataset, actor)
