"""`infuse data sql`: one read-only SELECT over the data you may see, as a table or a CSV file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from defusedcsv import csv as defused_csv
from rich.console import Console
from rich.table import Table

from infuse.core.commands import Actions, AddAction
from infuse.core.models import Person
from infuse.datalab.sql import services
from infuse.datalab.sql.sandbox import QueryResult
from infuse.datalab.sql.schemas import QueryIn


class SqlActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        sql = action("sql", "Run one read-only SELECT over the data you may see.")
        sql.add_argument("query", help="The SQL, or @FILE to read it from a file.")
        sql.add_argument("--output", type=Path, help="Write the rows as CSV to this file.")

    def _sql(self, person: Person, options: dict[str, Any]) -> None:
        query: str = options["query"]
        if query.startswith("@"):
            query = Path(query[1:]).read_text(encoding="utf-8")
        result = services.run_sql(actor=person, query_in=QueryIn(sql=query))
        if options["output"]:
            with Path(options["output"]).open("w", newline="", encoding="utf-8") as handle:
                writer = defused_csv.writer(handle)
                writer.writerow(result.columns)
                writer.writerows(result.rows)
            self.stdout.write(f"{len(result.rows)} rows written to {options['output']}")
        else:
            self.stdout.write(_table(result), ending="")
        if result.truncated:
            self.stderr.write("More rows exist: narrow the query.")


def _table(result: QueryResult) -> str:
    """The rows as a text table, as wide as a terminal can show."""
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    buffer = io.StringIO()
    Console(file=buffer, width=160).print(table)
    return buffer.getvalue()
