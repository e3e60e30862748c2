"""Pages of the ingest: uploading a file and following its ingest, the rows a version
quarantined, and the declared schema (rules per column, or JSON, or none).

Each change is one POST view at its own URL through ``core.pages``; the schema's three share
the page's context, so a refused one shows the same page again with its problems (status 400).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.errors import InvalidInput, Message, PermissionDenied
from infuse.core.models import Person
from infuse.core.pages import action_page, form_page
from infuse.core.permissions import can, person_of
from infuse.core.ratelimit import rate_limited
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.recipe_words import recipe_report
from infuse.datalab.catalogue.views import download_response
from infuse.datalab.ingest import services
from infuse.datalab.ingest.forms import (
    ReadingForm,
    SchemaJsonForm,
    SchemaRulesForm,
    UploadForm,
    initial_rules,
)
from infuse.datalab.ingest.schemas import SchemaIn
from infuse.datalab.ingest.services import UploadOutcome
from infuse.datalab.models import Dataset, DatasetUpload


def _changeable(request: HttpRequest, slug: str, permission: str) -> tuple[Person, Dataset]:
    """The person and the dataset, for a page only its publisher's data people can use."""
    person = person_of(request)
    dataset = catalogue.get_dataset(actor=person, slug=slug)
    if not can(person, permission, dataset):
        raise PermissionDenied()
    return person, dataset


def _dataset_page(dataset: Dataset) -> str:
    return reverse("datalab:dataset", kwargs={"slug": dataset.slug})


def _upload_page(upload: DatasetUpload) -> str:
    """Where an upload is followed: its check while it waits for one, else its progress."""
    view = "upload_check" if upload.status == DatasetUpload.Status.WAITING else "upload_status"
    return reverse(f"datalab:{view}", kwargs={"upload_id": upload.pk})


@login_required
@require_http_methods(["GET", "POST"])
def upload_check(request: HttpRequest, upload_id: str) -> HttpResponse:
    """How a kept file will be read (the lines above its table, the header, the first rows),
    with other settings to try (GET) and the button that converts it as shown (POST)."""
    person = person_of(request)
    upload = services.get_upload(actor=person, upload_id=upload_id)
    if upload.status != DatasetUpload.Status.WAITING:
        return redirect(_upload_page(upload))
    trying = ReadingForm(request.GET) if "header_rows" in request.GET else None
    form = ReadingForm(request.POST) if request.method == "POST" else None
    settings = trying.to_schema() if trying is not None and trying.is_valid() else None
    return form_page(
        request,
        form or ReadingForm(),
        template="datalab/upload_check.html",
        save=lambda form: services.convert_upload(
            actor=person, upload_id=upload.pk, upload_in=form.to_schema()
        ),
        success=_("The file is being converted; this page shows how."),
        then=lambda converted: _upload_page(converted),
        context=lambda: _check_context(person, upload, trying, settings),
    )


def _check_context(
    person: Person, upload: DatasetUpload, trying: ReadingForm | None, settings: Any
) -> dict[str, Any]:
    """The check page's reading: with the settings tried, or, when those cannot be read (a
    sheet the workbook lacks), with those it was sent with and the problem on its field."""
    try:
        found = services.preview_upload(actor=person, upload_id=upload.pk, upload_in=settings)
    except InvalidInput as error:
        if trying is None:
            raise
        for problem in error.problems:
            trying.add_error(
                "sheet" if upload.file_format == "xlsx" else None, str(problem.message)
            )
        settings = None
        found = services.preview_upload(actor=person, upload_id=upload.pk)
    return {
        "upload": upload,
        "dataset": upload.dataset,
        "trying": trying,
        "is_workbook": upload.file_format == "xlsx",
        "sheet": settings.sheet if settings else upload.read_options.get("sheet", ""),
        "found": found,
    }


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("upload")
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a new version of a dataset's data; it is ingested in the background."""
    person, dataset = _changeable(request, slug, "datalab.upload_version")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()

    def save(form: UploadForm) -> UploadOutcome:
        received = form.cleaned_data["file"]
        return services.upload_file(
            actor=person,
            dataset=dataset,
            chunks=received.chunks(),
            original_name=received.name,
            # A CSV file is kept to be checked first: the page shows how it will be read.
            upload_in=form.to_schema(check_first=True),
        )

    def message(outcome: UploadOutcome) -> Message:
        if outcome.upload is not None and outcome.upload.status == DatasetUpload.Status.WAITING:
            return _("File received. Check how it will be read, then convert it.")
        if outcome.existing_version is None:
            return _("File received. It is being processed in the background; this page shows how.")
        return _("This file is already version %(number)s of the dataset: nothing changed.") % {
            "number": outcome.existing_version.number
        }

    def then(outcome: UploadOutcome) -> str:
        if outcome.upload is None:
            return _dataset_page(dataset)
        return _upload_page(outcome.upload)

    return form_page(
        request,
        form,
        template="datalab/upload.html",
        save=save,
        success=message,
        then=then,
        context={"dataset": dataset},
    )


@login_required
@require_GET
def upload_status(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Progress of an upload's ingest, then its outcome and validation report."""
    upload = services.follow_upload(actor=person_of(request), upload_id=upload_id)
    if upload.status == DatasetUpload.Status.WAITING:
        return redirect(_upload_page(upload))
    return render(
        request,
        "datalab/upload_status.html",
        {
            "recipe_lines": recipe_report(
                upload.report, upload.version.recipe if hasattr(upload, "version") else []
            ),
            "upload": upload,
            "dataset": upload.dataset,
            "progress": upload.progress,
            "version": getattr(upload, "version", None),
        },
    )


@require_GET
def version_quarantine(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    """The rows a version quarantined (with their row numbers and problems), for its publisher."""
    return download_response(request.user, slug, catalogue.download_quarantine, number, file_format)


# --- The declared schema -----------------------------------------------------------------------


def _rules_form(dataset: Dataset, data: Any = None) -> SchemaRulesForm:
    """Rules for every column: of the schema declared, else of the latest version's columns."""
    declared = dataset.declared_schema
    version = dataset.latest_version
    key = (declared or {}).get("primaryKey") or []
    return SchemaRulesForm(
        data,
        rows=initial_rules(declared, version.fields if version else []),
        key=[key] if isinstance(key, str) else key,
    )


def _json_form(dataset: Dataset, data: Any = None) -> SchemaJsonForm:
    declared = dataset.declared_schema
    initial = (
        {"schema_json": json.dumps(declared, indent=2, ensure_ascii=False)} if declared else None
    )
    return SchemaJsonForm(data, initial=initial)


def _schema_page(
    dataset: Dataset, rules: SchemaRulesForm, as_json: SchemaJsonForm
) -> dict[str, Any]:
    """The page's context; the error summary links each problem to its input (the service's
    own problems, about the schema as a whole, to the page)."""
    errors = rules.column_errors()
    errors += [
        {"href": "#id_schema_json", "message": str(e)}
        for e in as_json.errors.get("schema_json", [])
    ]
    if not errors:
        errors += [
            {"href": "#main-content", "message": str(e)}
            for form in (rules, as_json)
            for e in form.non_field_errors()
        ]
    return {
        "dataset": dataset,
        "rules": rules.rules,
        "primary": rules,
        "as_json": as_json,
        "declared": dataset.declared_schema,
        "schema_errors": errors,
    }


def _schema_saved(dataset: Dataset) -> str:
    if dataset.declared_schema is None:
        return _("Schema removed. Uploads are no longer checked.")
    return _("Schema saved. Every upload from now on is checked against it.")


@login_required
@require_GET
def dataset_schema(request: HttpRequest, slug: str) -> HttpResponse:
    """Declare the schema later uploads are checked against: rules per column, or JSON."""
    _person, dataset = _changeable(request, slug, "datalab.change_dataset")
    return render(
        request,
        "datalab/dataset_schema.html",
        _schema_page(dataset, _rules_form(dataset), _json_form(dataset)),
    )


@login_required
@require_POST
def dataset_schema_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """Declare the schema the column rules (and the primary key) make."""
    return _declare(request, slug, posted="rules")


@login_required
@require_POST
def dataset_schema_json(request: HttpRequest, slug: str) -> HttpResponse:
    """Declare a Table Schema pasted as JSON (``null`` clears it)."""
    return _declare(request, slug, posted="json")


def _declare(request: HttpRequest, slug: str, *, posted: Literal["rules", "json"]) -> HttpResponse:
    """Declare the schema the posted form (``"rules"`` or ``"json"``) builds, or show the page
    again with its problems: both forms on it, the other one as it was."""
    person, dataset = _changeable(request, slug, "datalab.change_dataset")
    data = request.POST
    rules = _rules_form(dataset, data if posted == "rules" else None)
    as_json = _json_form(dataset, data if posted == "json" else None)
    form: SchemaRulesForm | SchemaJsonForm = rules if posted == "rules" else as_json
    return form_page(
        request,
        form,
        template="datalab/dataset_schema.html",
        save=lambda form: services.set_declared_schema(
            actor=person, dataset=dataset, schema_in=form.to_schema()
        ),
        success=_schema_saved,
        then=_dataset_page,
        context=lambda: _schema_page(dataset, rules, as_json),
        form_name="primary" if posted == "rules" else "as_json",
    )


@login_required
@require_POST
def dataset_schema_clear(request: HttpRequest, slug: str) -> HttpResponse:
    """Remove the declared schema: later uploads are no longer checked."""
    person, dataset = _changeable(request, slug, "datalab.change_dataset")
    return action_page(
        request,
        run=lambda: services.set_declared_schema(
            actor=person, dataset=dataset, schema_in=SchemaIn(schema=None)
        ),
        success=_schema_saved,
        then=_dataset_page(dataset),
    )
