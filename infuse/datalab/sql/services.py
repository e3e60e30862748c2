"""The read-only SQL's use cases: the tables a person may query, running one query, and the
queries people keep.

Queries run in the sandbox (``sandbox``) over the latest version of each dataset the person may
see, found through the catalogue; a refusal is an ``InvalidInput`` on the ``sql`` field, in the
reader's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.core import audit, files, ratelimit
from infuse.core.errors import FieldProblem, InvalidInput, PermissionDenied
from infuse.core.models import Person
from infuse.core.permissions import can
from infuse.core.sandbox import Limits, SlotPool
from infuse.datalab.catalogue.services import visible_datasets
from infuse.datalab.messages import explain
from infuse.datalab.models import Dataset, DatasetVersion, SavedQuery
from infuse.datalab.sql.sandbox import QueryError, QueryResult, check_read_only, run_query
from infuse.datalab.sql.schemas import QueryIn, SavedQueryIn

SQL_IS_FOR_STAFF = gettext_lazy(
    "The SQL workspace is for the staff of the councils and the programme team. Ask a Data Lab "
    "analyst in your council if you need a query run."
)

QUERY_TIME_USED = gettext_lazy(
    "You have used your share of query time for now, so that others can run theirs. Try "
    "again in %(minutes)s minutes."
)


def require_sql_workspace(actor: Any) -> None:
    """Refuse, saying who it is for, anyone who may not use the SQL workspace."""
    if not can(actor, "datalab.run_sql"):
        raise PermissionDenied(SQL_IS_FOR_STAFF)


def _refused(error: QueryError) -> str:
    return explain(error.key, error.params, str(error))


def query_tables(actor: Any) -> dict[str, tuple[Dataset, DatasetVersion]]:
    """The latest version of every dataset ``actor`` may see, by its SQL table name (two
    queries however many datasets; the versions without their profiles, which can be large)."""
    newest = DatasetVersion.objects.filter(dataset=OuterRef("pk")).order_by("-number")
    datasets = list(
        visible_datasets(actor).order_by("slug").annotate(newest=Subquery(newest.values("pk")[:1]))
    )
    versions = DatasetVersion.objects.defer("profile").in_bulk(
        [dataset.newest for dataset in datasets if dataset.newest is not None]
    )
    return {
        dataset.slug.replace("-", "_"): (dataset, versions[dataset.newest])
        for dataset in datasets
        if dataset.newest is not None
    }


def sql_limits() -> Limits:
    """The operating system's limits on one query's process, from the settings."""
    return Limits.for_engine(
        seconds=settings.SQL_TIMEOUT_SECONDS,
        memory_mb=settings.SANDBOX_MEMORY_MB,
        output_mb=settings.SQL_MAX_RESULT_MB,
    )


def sandbox_slots() -> SlotPool:
    return SlotPool(
        settings.SANDBOX_DIR, total=settings.SANDBOX_TOTAL, per_owner=settings.SANDBOX_PER_PERSON
    )


def run_sql(*, actor: Person, query_in: QueryIn, row_limit: int = 1000) -> QueryResult:
    """Run a read-only query over the versions the actor may see, within the person's share
    of query time (``RATE_LIMITS["sql-seconds"]``: slots held by long queries are time others
    cannot use)."""
    require_sql_workspace(actor)
    tables = {
        name: files.resolve(version.parquet_path)
        for name, (_dataset, version) in query_tables(actor).items()
    }
    try:
        with ratelimit.metered("sql-seconds", f"person:{actor.pk}", message=QUERY_TIME_USED):
            return run_query(
                query_in.sql,
                tables,
                limits=sql_limits(),
                row_limit=row_limit,
                memory_limit=settings.SQL_MEMORY_LIMIT,
                slots=sandbox_slots(),
                owner=f"person-{actor.pk}",
                workspace=settings.SANDBOX_DIR / "work",
            )
    except QueryError as error:
        raise InvalidInput(
            _refused(error), problems=[FieldProblem("sql", _refused(error))]
        ) from error


def save_query(*, actor: Person, saved_query_in: SavedQueryIn) -> SavedQuery:
    """Keep a read-only query (checked, not run) under a title, for its owner."""
    require_sql_workspace(actor)
    title = saved_query_in.title
    problems: list[FieldProblem] = []
    if not title.strip() or len(title) > 200:
        problems.append(FieldProblem("title", _("Enter a title of up to 200 characters")))
    try:
        text = check_read_only(saved_query_in.sql)
    except QueryError as error:
        problems.append(FieldProblem("sql", _refused(error)))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        saved = SavedQuery.objects.create(owner=actor, title=title.strip(), sql=text)
        audit.record_event(
            actor=actor, action="saved_query.created", obj=saved, after={"title": saved.title}
        )
    return saved


def saved_queries(*, actor: Person) -> QuerySet[SavedQuery]:
    """The queries the actor kept, newest first (nobody sees another's)."""
    return SavedQuery.objects.filter(owner=actor)
