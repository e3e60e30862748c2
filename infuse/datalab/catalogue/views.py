"""Pages of the catalogue: search, a dataset, adding and changing one, its versions and their
downloads, and the public catalogue as DCAT.

Thin: forms build the use case's schema, the services decide and change, and each change goes
through ``core.pages.form_page``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core.errors import PermissionDenied
from infuse.core.pages import form_page
from infuse.core.permissions import can, person_of
from infuse.datalab import related
from infuse.datalab.catalogue import dcat, exports, services
from infuse.datalab.catalogue.forms import CatalogueSearchForm, DatasetChangeForm, DatasetForm
from infuse.datalab.catalogue.freshness import freshness, listed
from infuse.datalab.catalogue.recipe_words import described, problem_sentence
from infuse.datalab.catalogue.schemas import CatalogueQuery, DatasetChangeIn
from infuse.datalab.catalogue.steps import dataset_steps
from infuse.datalab.models import Dataset

# The profile's column kinds, in words (and in Welsh).
COLUMN_KINDS = {
    "number": gettext_lazy("number"),
    "text": gettext_lazy("text"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "boolean": gettext_lazy("true or false"),
    "other": gettext_lazy("other"),
}


def _dataset_page(dataset: Dataset) -> str:
    return reverse("datalab:dataset", kwargs={"slug": dataset.slug})


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue: search and facets over every dataset the person may see."""
    form = CatalogueSearchForm(request.GET or None)
    query = form.to_schema() if form.is_valid() else CatalogueQuery()
    datasets = (
        services.search_datasets(request.user, query)
        .select_related("publisher")
        .prefetch_related("themes", "goals")
    )
    page = Paginator(datasets, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "datalab/index.html",
        {
            "form": form,
            "page": page,
            "listed": listed(list(page), request.user),
            "can_add": can(request.user, "datalab.add_dataset"),
            "query_string": request.GET.urlencode(),
        },
    )


@require_GET
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = services.get_dataset(actor=request.user, slug=slug)
    can_change = can(request.user, "datalab.change_dataset", dataset)
    return render(
        request,
        "datalab/dataset.html",
        {
            "dataset": dataset,
            "versions": dataset.versions.all(),
            "can_change": can_change,
            # Every file sent, accepted or not, so a refused one's report is a click away.
            "uploads": dataset.uploads.order_by("-created_at")[:10] if can_change else [],
            "indicators": services.visible_indicators(request.user, dataset=dataset.slug),
            "tasks": dataset_steps(request.user, dataset) if can_change else None,
            "related": related.for_dataset(request.user, dataset),
            "freshness": freshness(dataset),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "datalab.add_dataset"):
        raise PermissionDenied()
    return form_page(
        request,
        DatasetForm(request.POST if request.method == "POST" else None, person=person),
        template="datalab/dataset_form.html",
        save=lambda form: services.create_dataset(actor=person, dataset_in=form.to_schema()),
        success=lambda dataset: _("Dataset ‘%(title)s’ added.") % {"title": dataset.title},
        then=_dataset_page,
        context={"dataset": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    dataset = services.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    form = DatasetChangeForm(
        request.POST if request.method == "POST" else None,
        initial=DatasetChangeForm.initial_from(DatasetChangeIn.of(dataset)),
    )
    return form_page(
        request,
        form,
        template="datalab/dataset_form.html",
        save=lambda form: services.update_dataset(
            actor=person, dataset=dataset, dataset_in=form.to_schema()
        ),
        success=_("Changes saved."),
        then=_dataset_page,
        context={"dataset": dataset},
    )


@require_GET
def version_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One immutable version: its schema and the profile of every column."""
    dataset = services.get_dataset(actor=request.user, slug=slug)
    version = services.get_version(actor=request.user, dataset=dataset, number=number)
    return render(
        request,
        "datalab/version.html",
        {
            "dataset": dataset,
            "version": version,
            "columns": [
                {
                    **column,
                    "kind_label": COLUMN_KINDS.get(column.get("kind", ""), column.get("kind")),
                }
                for column in version.profile.get("columns", [])
            ],
            "approximate": version.profile.get("approximate", False),
            "steps": described(version.recipe, version.title_lines),
            "shaped": version.shaped if version.recipe else {},
            "problems": [
                problem_sentence(p, version.recipe) for p in version.shaped.get("problems", [])
            ],
            "quarantine_formats": (
                list(exports.FORMATS)
                if version.quarantine_path and can(request.user, "datalab.change_dataset", dataset)
                else []
            ),
        },
    )


def download_response(
    actor: Any, slug: str, fetch: Callable[..., services.Download], number: int, file_format: str
) -> FileResponse:
    """A version's file as an attachment, streamed from its open handle: ``fetch`` is the
    download use case (the version itself, or the rows it quarantined)."""
    dataset = services.get_dataset(actor=actor, slug=slug)
    download = fetch(actor=actor, dataset=dataset, number=number, file_format=file_format)
    return FileResponse(
        download.handle,
        as_attachment=True,
        filename=download.filename,
        content_type=download.content_type,
    )


@require_GET
def version_download(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    """The version as CSV, XLSX, JSON or Parquet, streamed from a file DuckDB writes."""
    return download_response(request.user, slug, services.download_version, number, file_format)


@require_GET
def version_datapackage(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    dataset = services.get_dataset(actor=request.user, slug=slug)
    return JsonResponse(
        services.version_datapackage(
            actor=request.user,
            dataset=dataset,
            number=number,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        ),
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def dcat_catalogue(request: HttpRequest) -> JsonResponse:
    """Every public dataset as DCAT JSON-LD (the same for everyone: public data only)."""
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(
        dcat.catalogue(services.public_datasets(), base_url),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response
