"""Input and output of the read-only SQL's use cases (page, API and CLI)."""

from __future__ import annotations

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
            rows=[list(row) for row in result.rows],  # plain values from the sandbox
            truncated=result.truncated,
            seconds=result.seconds,
        )
