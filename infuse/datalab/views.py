"""Pages of the Data Lab: the catalogue, datasets and their versions.

Views are thin: they parse input with forms, read what the person may see, and call services.
"""

from __future__ import annotations

import json
from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core import files
from infuse.core.errors import InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Organisation
from infuse.core.permissions import can, memberships_of, person_of
from infuse.datalab import (
    dcat,
    exports,
    indicator_charts,
    publishing,
    schema_forms,
    services,
)
from infuse.datalab.forms import (
    CatalogueSearchForm,
    DatasetForm,
    IndicatorForm,
    UploadForm,
    ValueFlagForm,
)
from infuse.datalab.models import Dataset, Visibility
from infuse.datalab.tasks import recover_interrupted_uploads

# The profile's column kinds, in words (and in Welsh).
COLUMN_KINDS = {
    "number": gettext_lazy("number"),
    "text": gettext_lazy("text"),
    "date": gettext_lazy("date"),
    "datetime": gettext_lazy("date and time"),
    "boolean": gettext_lazy("true or false"),
    "other": gettext_lazy("other"),
}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue: search and facets over every dataset the person may see."""
    form = CatalogueSearchForm(request.GET or None)
    query = services.CatalogueQuery()
    if form.is_valid():
        data = form.cleaned_data
        query = services.CatalogueQuery(
            text=data["q"],
            theme=data["theme"],
            goal=data["goal"],
            council=data["council"],
            file_format=data["file_format"],
        )
    datasets = services.search_datasets(request.user, query).prefetch_related("themes", "goals")
    page = Paginator(datasets, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "datalab/index.html",
        {
            "form": form,
            "page": page,
            "can_add": can(request.user, "datalab.add_dataset"),
            "query_string": request.GET.urlencode(),
        },
    )


@require_GET
def dataset_detail(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = services.get_dataset(actor=request.user, slug=slug)
    return render(
        request,
        "datalab/dataset.html",
        {
            "dataset": dataset,
            "versions": dataset.versions.all(),
            "can_change": can(request.user, "datalab.change_dataset", dataset),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "datalab.add_dataset"):
        raise PermissionDenied()
    form = DatasetForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(actor=person, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        else:
            messages.success(request, _("Dataset ‘%(title)s’ added.") % {"title": dataset.title})
            return redirect("datalab:dataset", slug=dataset.slug)
    return render(
        request,
        "datalab/dataset_form.html",
        {"form": form, "dataset": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    dataset = services.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    initial = {
        "title_en": dataset.title_en,
        "title_cy": dataset.title_cy,
        "description_en": dataset.description_en,
        "description_cy": dataset.description_cy,
        "publisher": dataset.publisher.slug,
        "visibility": dataset.visibility,
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "validation_policy": dataset.validation_policy,
        "themes": [t.code for t in dataset.themes.all()],
        "goals": [g.code for g in dataset.goals.all()],
        "councils": [c.gss_code for c in dataset.councils.all()],
        "spatial_coverage": dataset.spatial_coverage,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "contact_email": dataset.contact_email,
    }
    form = DatasetForm(
        request.POST if request.method == "POST" else None, person=person, initial=initial
    )
    form.fields["publisher"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            services.update_dataset(actor=person, dataset=dataset, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("datalab:dataset", slug=dataset.slug)
    return render(
        request,
        "datalab/dataset_form.html",
        {"form": form, "dataset": dataset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload a new version of a dataset's data; it is ingested in the background."""
    person = person_of(request)
    dataset = services.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.upload_version", dataset):
        raise PermissionDenied()
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        received = form.cleaned_data["file"]
        try:
            outcome = services.upload_file(
                actor=person,
                dataset=dataset,
                chunks=received.chunks(),
                original_name=received.name,
                read_options=form.read_options(),
            )
        except InvalidInput as error:
            for problem in error.problems:
                form.add_error("file" if problem.field == "file" else None, str(problem.message))
        else:
            if outcome.existing_version is not None:
                messages.success(
                    request,
                    _("This file is already version %(number)s of the dataset: nothing changed.")
                    % {"number": outcome.existing_version.number},
                )
                return redirect("datalab:dataset", slug=dataset.slug)
            assert outcome.upload is not None
            return redirect("datalab:upload_status", upload_id=outcome.upload.pk)
    return render(
        request,
        "datalab/upload.html",
        {"form": form, "dataset": dataset},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def upload_status(request: HttpRequest, upload_id: str) -> HttpResponse:
    """Progress of an upload's ingest, then its outcome and validation report."""
    upload = services.get_upload(actor=person_of(request), upload_id=upload_id)
    if upload.status == upload.Status.PROCESSING and recover_interrupted_uploads(
        upload_id=upload.pk
    ):
        upload.refresh_from_db()  # its worker died: queued again, and the page says so
    return render(
        request,
        "datalab/upload_status.html",
        {
            "upload": upload,
            "dataset": upload.dataset,
            "progress": upload.progress,
            "version": getattr(upload, "version", None),
        },
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
            "quarantine_formats": (
                list(exports.FORMATS)
                if version.quarantine_path and can(request.user, "datalab.change_dataset", dataset)
                else []
            ),
        },
    )


@require_GET
def version_download(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    """The version as CSV, XLSX, JSON or Parquet, streamed from a file DuckDB writes."""
    dataset = services.get_dataset(actor=request.user, slug=slug)
    version = services.get_version(actor=request.user, dataset=dataset, number=number)
    if file_format not in exports.FORMATS:
        raise NotFound()
    handle = exports.open_export(files.resolve(version.parquet_path), file_format)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{dataset.slug}-v{version.number}.{file_format}",
        content_type=exports.FORMATS[file_format],
    )


@require_GET
def version_quarantine(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    """The rows a version quarantined (with their row numbers and problems), for its publisher."""
    dataset = services.get_dataset(actor=request.user, slug=slug)
    path = services.get_quarantine(actor=request.user, dataset=dataset, number=number)
    if file_format not in exports.FORMATS:
        raise NotFound()
    return FileResponse(
        exports.open_export(path, file_format),
        as_attachment=True,
        filename=f"{dataset.slug}-v{number}-quarantined.{file_format}",
        content_type=exports.FORMATS[file_format],
    )


@require_GET
def version_datapackage(request: HttpRequest, slug: str, number: int) -> JsonResponse:
    dataset = services.get_dataset(actor=request.user, slug=slug)
    version = services.get_version(actor=request.user, dataset=dataset, number=number)
    base_url = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(
        exports.datapackage(dataset=dataset, version=version, base_url=base_url),
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dataset_schema(request: HttpRequest, slug: str) -> HttpResponse:
    """Declare the schema later uploads are checked against: rules per column, or JSON."""
    person = person_of(request)
    dataset = services.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    version = dataset.latest_version
    declared = dataset.declared_schema
    rows = schema_forms.initial_rules(declared, version.fields if version else [])
    columns = [row["name"] for row in rows]
    key = (declared or {}).get("primaryKey") or []
    posted = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "save")
    rules = schema_forms.ColumnRulesFormSet(
        posted if action == "save" else None, initial=rows, prefix="column"
    )
    primary = schema_forms.PrimaryKeyForm(
        posted if action == "save" else None,
        columns=columns,
        initial={"primary_key": [key] if isinstance(key, str) else key},
    )
    as_json = schema_forms.SchemaJsonForm(
        posted if action == "json" else None,
        initial={"schema_json": json.dumps(declared, indent=2, ensure_ascii=False)}
        if declared
        else None,
    )
    problems: list[Any] = []
    if posted is not None:
        schema: Any = None
        valid = True
        if action == "save":
            valid = rules.is_valid() and primary.is_valid()
            if valid:
                schema = schema_forms.schema_from(rules, primary.cleaned_data["primary_key"])
        elif action == "json":
            valid = as_json.is_valid()
            schema = as_json.cleaned_data.get("schema_json") if valid else None
        if valid:
            try:
                services.set_declared_schema(actor=person, dataset=dataset, schema=schema)
            except InvalidInput as error:
                problems = error.problems
            else:
                messages.success(
                    request,
                    _("Schema saved. Every upload from now on is checked against it.")
                    if schema is not None
                    else _("Schema removed. Uploads are no longer checked."),
                )
                return redirect("datalab:dataset", slug=dataset.slug)
    # The error summary links each message to its input.
    errors: list[dict[str, str]] = []
    for form in rules.forms if action == "save" else []:
        column = form.initial.get("name", "")
        for name, field_errors in form.errors.items():
            target = form[name].id_for_label if name in form.fields else ""
            errors += [{"href": f"#{target}", "message": f"{column}: {e}"} for e in field_errors]
    errors += [
        {"href": "#id_schema_json", "message": str(e)}
        for e in as_json.errors.get("schema_json", [])
    ]
    errors += [{"href": "#main-content", "message": str(p.message)} for p in problems]
    return render(
        request,
        "datalab/dataset_schema.html",
        {
            "dataset": dataset,
            "rules": rules,
            "primary": primary,
            "as_json": as_json,
            "declared": declared,
            "schema_errors": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    dataset = services.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    version = dataset.latest_version
    columns = [f["name"] for f in version.fields] if version else []
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        columns=columns,
        types={f["name"]: f.get("type", "string") for f in version.fields} if version else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.create_indicator(
                actor=person, dataset=dataset, fields=form.to_fields()
            )
        except InvalidInput as error:
            for problem in error.problems:
                target = problem.field if problem.field in form.fields else None
                form.add_error(target, str(problem.message))
        else:
            messages.success(request, _("Indicator added. Its values are being computed."))
            return redirect("datalab:indicator", slug=indicator.slug)
    return render(
        request,
        "datalab/indicator_form.html",
        {"form": form, "dataset": dataset, "version": version},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The league table per period, a council's trend against the region, and a funnel plot.

    The public sees disclosure-controlled values; people working in the region see them all.
    ``?council=`` chooses the council in the trend and ``?period=`` the funnel's period.
    """
    indicator = services.get_indicator(actor=request.user, slug=slug)
    periods = publishing.shown_periods(indicator, request.user)
    unit_label = str(indicator.get_unit_display())
    context: dict[str, Any] = {
        "indicator": indicator,
        "dataset": indicator.dataset,
        "periods": periods,
        "protected": not publishing.sees_unsuppressed(request.user),
        "rounding": publishing.disclosure_method() == "rounding",
        "can_flag": can(request.user, "datalab.change_dataset", indicator.dataset),
        "formats": list(exports.FORMATS),
    }
    if periods:
        context.update(_trend_context(request, periods, unit_label))
        context.update(_funnel_context(request, indicator, periods, unit_label))
    return render(request, "datalab/indicator.html", context)


def _trend_context(
    request: HttpRequest, periods: list[publishing.ShownPeriod], unit_label: str
) -> dict[str, Any]:
    councils = sorted(
        {v.council for p in periods for v in p.councils if v.council is not None},
        key=lambda c: c.name,
    )
    if not councils:
        return {}
    chosen = next((c for c in councils if c.gss_code == request.GET.get("council")), None)
    if chosen is None:
        organisations = [
            org for org, kind, _role in memberships_of(request.user) if kind == "council"
        ]
        own = set(
            Organisation.objects.filter(pk__in=organisations).values_list("council_id", flat=True)
        )
        chosen = next((c for c in councils if c.pk in own), councils[0])
    points = []
    for period in reversed(periods):  # oldest first
        value = next((v for v in period.councils if v.council == chosen), None)
        points.append(
            indicator_charts.TrendPoint(
                period=period.period,
                council=value.value if value else None,
                council_low=value.ci_low if value else None,
                council_high=value.ci_high if value else None,
                region=period.region.value if period.region else None,
            )
        )
    return {
        "trend_councils": councils,
        "trend_council": chosen,
        "trend_points": points,
        "trend_svg": indicator_charts.trend_svg(
            points, council_name=chosen.name, unit_label=unit_label
        ),
    }


def _funnel_context(
    request: HttpRequest,
    indicator: Any,
    periods: list[publishing.ShownPeriod],
    unit_label: str,
) -> dict[str, Any]:
    chosen = next((p for p in periods if p.period == request.GET.get("period")), periods[0])
    if chosen.region is None or chosen.region.value is None:
        funnel = None
    else:
        funnel = indicator_charts.build_funnel(
            indicator.unit,
            chosen.region.value,
            [
                (v.council.name, v.denominator, v.value)
                for v in chosen.councils
                if v.council and v.denominator is not None and v.value is not None
            ],
        )
    x_label = _("Number of people") if indicator.unit == "percentage" else _("Population")
    return {
        "funnel_period": chosen,
        "funnel": funnel,
        "funnel_svg": (
            indicator_charts.funnel_svg(funnel, unit_label=unit_label, x_label=x_label)
            if funnel
            else None
        ),
        "funnel_x_label": x_label,
    }


@require_GET
def indicator_download(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    """Every value as CSV, XLSX, JSON or Parquet, disclosure-controlled for the public."""
    indicator = services.get_indicator(actor=request.user, slug=slug)
    if file_format not in exports.FORMATS:
        raise NotFound()
    frame = publishing.shown_frame(publishing.shown_periods(indicator, request.user))
    return HttpResponse(
        exports.export_frame(frame, file_format),
        content_type=exports.FORMATS[file_format],
        headers={"Content-Disposition": f'attachment; filename="{indicator.slug}.{file_format}"'},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value_flag(request: HttpRequest, slug: str, value_id: int) -> HttpResponse:
    """Set a StatsWales-style flag on one stored value."""
    person = person_of(request)
    indicator = services.get_indicator(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", indicator.dataset):
        raise PermissionDenied()
    value = services.get_indicator_value(actor=person, indicator=indicator, value_id=value_id)
    form = ValueFlagForm(
        request.POST if request.method == "POST" else None, initial={"flag": value.flag}
    )
    if request.method == "POST" and form.is_valid():
        services.set_value_flag(actor=person, value=value, flag=form.cleaned_data["flag"])
        messages.success(request, _("Flag saved."))
        return redirect("datalab:indicator", slug=indicator.slug)
    return render(
        request,
        "datalab/value_flag.html",
        {"indicator": indicator, "value": value, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sql_query(request: HttpRequest) -> HttpResponse:
    """Read-only SQL over the latest version of every dataset the person may see."""
    person = person_of(request)
    saved_queries = person.saved_queries.all()
    sql = request.POST.get("sql", "") if request.method == "POST" else ""
    if request.method == "GET" and request.GET.get("saved", "").isdigit():
        chosen = saved_queries.filter(pk=int(request.GET["saved"])).first()
        sql = chosen.sql if chosen else ""
    title = request.POST.get("title", "")
    result = None
    problems: list[Any] = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "save":
                saved = services.save_query(actor=person, title=title, sql=sql)
                messages.success(request, _("Query ‘%(title)s’ saved.") % {"title": saved.title})
                return redirect(f"{request.path}?saved={saved.pk}")
            result = services.run_sql(actor=person, sql=sql)
        except InvalidInput as error:
            problems = error.problems
        else:
            if request.POST.get("action") == "csv":
                return sql_csv_response(result)
    return render(
        request,
        "datalab/sql.html",
        {
            "sql": sql,
            "title": title,
            "result": result,
            "problems": problems,
            "tables": services.query_tables(person),
            "saved_queries": saved_queries,
        },
        status=400 if problems else 200,
    )


def sql_csv_response(result: Any) -> HttpResponse:
    """Query results as CSV, with formula injection neutralised (defusedcsv)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="query.csv"'
    writer = defused_csv.writer(response)
    writer.writerow(result.columns)
    writer.writerows(result.rows)
    return response


@require_GET
def dcat_catalogue(request: HttpRequest) -> JsonResponse:
    """Every public dataset as DCAT JSON-LD (the same for everyone: public data only)."""
    datasets = (
        Dataset.objects.filter(visibility=Visibility.PUBLIC)
        .select_related("publisher")
        .prefetch_related("themes", "goals", "councils")
    )
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(
        dcat.catalogue(datasets, base_url), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response
