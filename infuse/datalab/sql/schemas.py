"""Input and output of the read-only SQL's use cases (page, API and CLI)."""

from __future__ import annotations

import math
from typing import Any

from ninja import Schema

from infuse.datalab.sql.sandbox import QueryResult


class QueryIn(Schema):
    sql: str


class SavedQueryIn(Schema):
    """A query to keep (checked, not run) under a title."""

    title: str
    sql: str


class QueryOut(Schema):
    columns: list[str]
    rows: list[list]
    truncated: bool
    seconds: float

    @classmethod
    def of(cls, result: QueryResult) -> QueryOut:
        return cls(
            columns=result.columns,
            rows=[[_json_value(cell) for cell in row] for row in result.rows],
            truncated=result.truncated,
            seconds=result.seconds,
        )


def _json_value(cell: Any) -> Any:
    if isinstance(cell, float) and not math.isfinite(cell):
        return None
    if isinstance(cell, int | float | str | bool) or cell is None:
        return cell
    return str(cell)  # dates, decimals, times: their text
