"""Pages of the indicators: defining one, its league table, trend and funnel, flags, downloads.

The public sees disclosure-controlled values everywhere (``publishing``); people working in
the region see them all.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core.downloads import attachment
from infuse.core.errors import PermissionDenied
from infuse.core.models import Organisation
from infuse.core.pages import form_page
from infuse.core.permissions import can, memberships_of, person_of
from infuse.datalab import related
from infuse.datalab.catalogue import exports
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.freshness import freshness
from infuse.datalab.indicators import benchmarks, charts, publishing, services
from infuse.datalab.indicators.forms import IndicatorDetailsForm, IndicatorForm, ValueFlagForm
from infuse.datalab.indicators.funnel_words import funnel_sentences
from infuse.datalab.indicators.metadata import areas_left_out, method_sentences
from infuse.datalab.indicators.periods import position
from infuse.datalab.indicators.schemas import FlagIn, IndicatorDetailsIn
from infuse.datalab.models import Indicator


def _indicator_page(indicator: Indicator) -> str:
    return reverse("datalab:indicator", kwargs={"slug": indicator.slug})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    dataset = catalogue.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    version = dataset.latest_version
    fields = version.shaped_fields if version else []
    form = IndicatorForm(
        request.POST if request.method == "POST" else None,
        columns=[f["name"] for f in fields],
        types={f["name"]: f.get("type", "string") for f in fields},
    )
    return form_page(
        request,
        form,
        template="datalab/indicator_form.html",
        save=lambda form: services.create_indicator(
            actor=person, dataset=dataset, indicator_in=form.to_schema()
        ),
        success=_("Indicator added. Its values are being computed."),
        then=_indicator_page,
        context={"dataset": dataset, "version": version},
    )


def _changeable(request: HttpRequest, slug: str) -> tuple[Any, Indicator]:
    """The signed-in person and the indicator, when they may change its dataset."""
    person = person_of(request)
    indicator = catalogue.get_indicator(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", indicator.dataset):
        raise PermissionDenied()
    return person, indicator


@login_required
@require_http_methods(["GET", "POST"])
def indicator_change(request: HttpRequest, slug: str) -> HttpResponse:
    """Change what people read about the indicator: titles, definition, rationale, caveats,
    source and tags (the computation stays as it was defined)."""
    person, indicator = _changeable(request, slug)
    return form_page(
        request,
        IndicatorDetailsForm(
            request.POST if request.method == "POST" else None,
            initial=IndicatorDetailsForm.initial_from(IndicatorDetailsIn.of(indicator)),
        ),
        template="datalab/indicator_change.html",
        save=lambda form: services.update_indicator(
            actor=person, indicator=indicator, details_in=form.to_schema()
        ),
        success=_("Indicator details saved."),
        then=_indicator_page,
        context={"indicator": indicator},
    )


@require_GET
def indicator_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The league table per period, a council's trend against the region, and a funnel plot.

    The public sees disclosure-controlled values; people working in the region see them all.
    ``?council=`` chooses the council in the trend and ``?period=`` the funnel's period.
    """
    indicator = catalogue.get_indicator(actor=request.user, slug=slug)
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
        "related": related.for_indicator(request.user, indicator),
        "method": method_sentences(indicator.specification, benchmarks.named(indicator)),
        "freshness": freshness(indicator.dataset),
        "areas_left_out": areas_left_out(indicator.excluded_areas or {}),
        "benchmark_name": benchmarks.name(indicator.benchmark, indicator.unit),
        "benchmark_is_region": benchmarks.kind_of(indicator.benchmark) == "region",
    }
    compared = publishing.shown_benchmarks(indicator, periods)
    # The region's row is in every table already: a benchmark row only for another benchmark.
    own = {} if context["benchmark_is_region"] else compared
    context["league"] = [(period, own.get(period.period)) for period in periods]
    if periods:
        marks = _work_marks(indicator, context["related"], [p.period for p in reversed(periods)])
        context.update(_trend_context(request, periods, unit_label, marks))
        context.update(_funnel_context(request, indicator, periods, unit_label, compared))
    return render(request, "datalab/indicator.html", context)


def _own_councils(person: Any) -> set[int]:
    """The councils (ids) the person works for."""
    organisations = [org for org, kind, _role in memberships_of(person) if kind == "council"]
    return set(
        Organisation.objects.filter(pk__in=organisations).values_list("council_id", flat=True)
    )


def _work_marks(
    indicator: Indicator, found: dict[str, list[related.RelatedWork]], labels: list[str]
) -> list[tuple[charts.TrendMark, related.RelatedWork]]:
    """The work aimed at the indicator with a start date, numbered in date order, and where
    each began along the periods (``labels``, oldest first); nothing for labels of no known
    shape."""
    grain = str(indicator.specification.get("period", {}).get("grain", "as_recorded"))
    started = sorted(
        ((work.started, work) for section in found.values() for work in section if work.started),
        key=lambda pair: pair[0],
    )
    marks: list[tuple[charts.TrendMark, related.RelatedWork]] = []
    for day, work in started:
        at = position(day, labels, grain)
        if at is not None:
            label = f"{work.title}: {date_format(day, 'j F Y')}"
            marks.append((charts.TrendMark(len(marks) + 1, at, label), work))
    return marks


def _trend_context(
    request: HttpRequest,
    periods: list[publishing.ShownPeriod],
    unit_label: str,
    marks: list[tuple[charts.TrendMark, related.RelatedWork]],
) -> dict[str, Any]:
    councils = sorted(
        {v.council for p in periods for v in p.councils if v.council is not None},
        key=lambda c: c.name,
    )
    if not councils:
        return {}
    chosen = next((c for c in councils if c.gss_code == request.GET.get("council")), None)
    if chosen is None:
        own = _own_councils(request.user)
        chosen = next((c for c in councils if c.pk in own), councils[0])
    points = []
    for period in reversed(periods):  # oldest first
        value = next((v for v in period.councils if v.council == chosen), None)
        points.append(
            charts.TrendPoint(
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
        "trend_svg": charts.trend_svg(
            points,
            council_name=chosen.name,
            unit_label=unit_label,
            marks=[mark for mark, _work in marks],
        ),
        "trend_marks": marks,
    }


def _funnel_context(
    request: HttpRequest,
    indicator: Indicator,
    periods: list[publishing.ShownPeriod],
    unit_label: str,
    compared: dict[str, publishing.ShownBenchmark],
) -> dict[str, Any]:
    chosen = next((p for p in periods if p.period == request.GET.get("period")), periods[0])
    centre = chosen.region.value if chosen.region else None
    if benchmarks.kind_of(indicator.benchmark) != "region":
        own = compared.get(chosen.period)
        centre = own.value if own else None
    if centre is None or indicator.unit == "value":  # no counts: no funnel to draw
        funnel = None
    else:
        funnel = charts.build_funnel(
            indicator.unit,
            centre,
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
            charts.funnel_svg(funnel, unit_label=unit_label, x_label=x_label) if funnel else None
        ),
        "funnel_x_label": x_label,
        "funnel_sentences": funnel_sentences(
            funnel,
            chosen.period,
            None
            if benchmarks.kind_of(indicator.benchmark) == "region"
            else benchmarks.name(indicator.benchmark, indicator.unit),
        )
        if funnel
        else [],
    }


@require_GET
def indicator_download(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    """Every value as CSV, XLSX, JSON or Parquet, disclosure-controlled for the public."""
    indicator = catalogue.get_indicator(actor=request.user, slug=slug)
    content = services.values_file(actor=request.user, indicator=indicator, file_format=file_format)
    return attachment(content, exports.FORMATS[file_format], f"{indicator.slug}.{file_format}")


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value_flag(request: HttpRequest, slug: str, value_id: int) -> HttpResponse:
    """Set a StatsWales-style flag on one stored value."""
    person, indicator = _changeable(request, slug)
    value = services.get_indicator_value(actor=person, indicator=indicator, value_id=value_id)
    response = form_page(
        request,
        ValueFlagForm(
            request.POST if request.method == "POST" else None,
            initial=ValueFlagForm.initial_from(FlagIn.of(value)),
        ),
        template="datalab/value_flag.html",
        save=lambda form: services.set_value_flag(
            actor=person, value=value, flag_in=form.to_schema()
        ),
        success=_("Flag saved."),
        then=_indicator_page(indicator),
        context={"indicator": indicator, "value": value},
    )
    if response.status_code == 400:
        # This page has always shown a refused flag again with 200 (its tests hold it so).
        response.status_code = 200
    return response
