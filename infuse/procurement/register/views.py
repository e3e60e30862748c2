"""The contract register's pages, open to everyone: the list (filtered, and as CSV or XLSX)
and each contract's entry, with its social value promised and delivered."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infuse.core.downloads import attachment
from infuse.core.errors import FieldProblem, InvalidInput, NotFound
from infuse.procurement import cpv
from infuse.procurement.register import outputs, queries
from infuse.procurement.register.forms import FilterForm
from infuse.procurement.social_value import queries as social_value


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    # A filter that names nothing there is shows why, and no contracts rather than all of them.
    found = queries.entries(form.filters()) if not refused else queries.entries().none()
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "procurement/contract_register.html",
        {
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "query_string": kept.urlencode(),
            "page_has_errors": refused,
        },
        status=400 if refused else 200,
    )


@require_GET
def download(request: HttpRequest, file_format: str) -> HttpResponse:
    """The register (as filtered) as CSV or XLSX."""
    if file_format not in outputs.FORMATS:
        raise NotFound()
    form = FilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise InvalidInput(
            problems=[
                FieldProblem(name, str(error))
                for name, errors in form.errors.items()
                for error in errors
            ]
        )
    return attachment(*outputs.register_file(queries.entries(form.filters()), file_format))


@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.entry(pk)
    return render(
        request,
        "procurement/register_entry.html",
        {
            "contract": found,
            "challenge": found.award.phase.challenge,
            "phase": found.award.phase,
            "reference": queries.reference(found),
            "facts": queries.supplier_facts(found),
            "cpv": [cpv.described(code) for code in found.cpv_codes],
            "procedure": queries.PROCEDURE,
            "social_value": social_value.by_goal(social_value.contract_lines(found)),
        },
    )
