"""The SQL page: run a read-only query (and see its rows), download its rows as CSV, or keep it.

Running and downloading read; keeping a query is the one change, through ``form_page``. Each is
its own POST URL, and a refused one shows the same page again with its problems (status 400).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infuse.core import ratelimit
from infuse.core.downloads import attachment
from infuse.core.errors import FieldProblem, InvalidInput
from infuse.core.models import Person
from infuse.core.pages import form_page
from infuse.core.permissions import person_of
from infuse.datalab.sql import services
from infuse.datalab.sql.forms import QueryForm, SavedQueryForm
from infuse.datalab.sql.sandbox import QueryResult

TEMPLATE = "datalab/sql.html"


def _page(
    person: Person,
    *,
    sql: str = "",
    title: str = "",
    result: QueryResult | None = None,
    problems: Iterable[Any] = (),
) -> dict[str, Any]:
    services.require_sql_workspace(person)
    return {
        "sql": sql,
        "title": title,
        "result": result,
        "problems": list(problems),
        "tables": services.query_tables(person),
        "saved_queries": services.saved_queries(actor=person),
    }


def _run(request: HttpRequest, person: Person) -> QueryResult | HttpResponse:
    """The posted query's result, or the page again with why it could not run (status 400)."""
    ratelimit.check(request, "sql")
    form = QueryForm(request.POST)
    form.is_valid()
    try:
        return services.run_sql(actor=person, query_in=form.to_schema())
    except InvalidInput as error:
        page = _page(
            person,
            sql=request.POST.get("sql", ""),
            title=request.POST.get("title", ""),
            problems=error.problems,
        )
        return render(request, TEMPLATE, page, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def sql_query(request: HttpRequest) -> HttpResponse:
    """Read-only SQL over the latest version of every dataset the person may see.

    GET shows the page (with a saved query's text when ``?saved=`` names one of the person's);
    POST runs the query and shows its rows.
    """
    person = person_of(request)
    if request.method == "GET":
        saved = request.GET.get("saved", "")
        chosen = (
            services.saved_queries(actor=person).filter(pk=int(saved)).first()
            if saved.isdigit()
            else None
        )
        return render(request, TEMPLATE, _page(person, sql=chosen.sql if chosen else ""))
    result = _run(request, person)
    if isinstance(result, HttpResponse):
        return result
    page = _page(
        person, sql=request.POST.get("sql", ""), title=request.POST.get("title", ""), result=result
    )
    return render(request, TEMPLATE, page)


@login_required
@require_POST
def sql_csv(request: HttpRequest) -> HttpResponse:
    """The query's rows as CSV, with formula injection neutralised (defusedcsv)."""
    result = _run(request, person_of(request))
    if isinstance(result, HttpResponse):
        return result
    response = attachment("", "text/csv; charset=utf-8", "query.csv")
    writer = defused_csv.writer(response)
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return response


@login_required
@require_POST
def sql_save(request: HttpRequest) -> HttpResponse:
    """Keep the query under a title, then show it again from the person's saved queries."""
    person = person_of(request)
    form = SavedQueryForm(request.POST)
    return form_page(
        request,
        form,
        template=TEMPLATE,
        save=lambda form: services.save_query(actor=person, saved_query_in=form.to_schema()),
        success=lambda saved: _("Query ‘%(title)s’ saved.") % {"title": saved.title},
        then=lambda saved: f"{reverse('datalab:sql')}?saved={saved.pk}",
        context=lambda: _page(
            person,
            sql=request.POST.get("sql", ""),
            title=request.POST.get("title", ""),
            problems=[
                FieldProblem(name, str(message))
                for name, messages in form.errors.items()
                for message in messages
            ],
        ),
        form_name="query_form",
    )
