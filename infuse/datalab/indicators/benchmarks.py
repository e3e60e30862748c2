"""What an indicator compares each council with: the region (the default), an area the data
itself gives rows for (the Wales row of a StatsWales table, a health board), a fixed value (a
national target), or a chosen group of councils (the Valleys councils).

The choice is kept on the indicator as JSON (``{"kind": "region"}``, ``{"kind": "area",
"area": "Wales"}``, ``{"kind": "value", "value": 7.0}``, ``{"kind": "group", "group": slug,
"councils": [GSS…], "name_en": …, "name_cy": …}``); a group is kept as its members were when
chosen, so renaming or deleting the saved group never changes a published comparison. The
computation (``indicators.values``) marks every council better / similar / worse than it; its
value per period is stored beside the indicator's (``BenchmarkValue`` with an empty area code).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from infuse.core.councils import names_wales, normalise_council_name
from infuse.core.errors import FieldProblem
from infuse.datalab.models import ComparatorGroup

KINDS = ("region", "area", "value", "group")
REGION: dict[str, Any] = {"kind": "region"}
#: ``BenchmarkValue.area_code`` of the indicator's own benchmark (other rows name an area).
OWN = ""


def kind_of(benchmark: dict[str, Any] | None) -> str:
    kind = (benchmark or {}).get("kind", "region")
    return kind if kind in KINDS else "region"


def name(benchmark: dict[str, Any] | None, unit: str = "") -> str:
    """The benchmark as a reader calls it, in the active language."""
    benchmark = benchmark or REGION
    kind = kind_of(benchmark)
    if kind == "area":
        area = str(benchmark.get("area", ""))
        return _("Wales") if names_wales(area) else area
    if kind == "value":
        shown = f"{float(benchmark['value']):,.10g}" + ("%" if unit == "percentage" else "")
        return _("the value %(value)s") % {"value": shown}
    if kind == "group":
        welsh = get_language() == "cy" and benchmark.get("name_cy")
        return str(welsh or benchmark.get("name_en", ""))
    return _("Cardiff Capital Region")


def named(indicator: Any) -> str | None:
    """The indicator's benchmark by name when it is not the region (None for the region)."""
    if kind_of(indicator.benchmark) == "region":
        return None
    return name(indicator.benchmark, indicator.unit)


def names_area(benchmark: dict[str, Any], raw: Any) -> bool:
    """Whether a value of the council column is the benchmark's area (any spelling of Wales
    for Wales; otherwise the same words, case and spaces aside)."""
    area = str(benchmark.get("area", ""))
    if names_wales(area):
        return names_wales(raw)
    return raw is not None and normalise_council_name(str(raw)) == normalise_council_name(area)


def checked(
    benchmark: dict[str, Any] | None, unit: str
) -> tuple[dict[str, Any], list[FieldProblem]]:
    """The benchmark as it is kept (a group with its members), or the problems with it, each
    on the form's field. Whether an area is in the data is checked with the data
    (``services``)."""
    benchmark = dict(benchmark or REGION)
    kind = benchmark.get("kind", "region")
    if kind not in KINDS:
        return benchmark, [
            FieldProblem(
                "benchmark_kind",
                _(
                    "Choose what to compare with: the region, an area in the data, a value "
                    "or a group"
                ),
            )
        ]
    if kind == "region":
        return dict(REGION), []
    if kind == "area":
        area = str(benchmark.get("area") or "").strip()
        if not area:
            return benchmark, [
                FieldProblem(
                    "benchmark_area", _("Enter the area as the data names it, such as Wales")
                )
            ]
        return {"kind": "area", "area": area}, []
    if kind == "value":
        return _checked_value(benchmark.get("value"), unit)
    if unit == "value":
        return benchmark, [
            FieldProblem(
                "benchmark_group",
                _(
                    "Values as published cannot be pooled into a group's value (a mean of "
                    "rates is no rate): compare with an area the data has rows for, or a value"
                ),
            )
        ]
    group = ComparatorGroup.objects.filter(slug=str(benchmark.get("group") or "")).first()
    if group is None:
        return benchmark, [FieldProblem("benchmark_group", _("Choose one of the saved groups"))]
    return {
        "kind": "group",
        "group": group.slug,
        "name_en": group.name_en,
        "name_cy": group.name_cy or group.name_en,
        "councils": sorted(c.gss_code for c in group.councils.all()),
    }, []


def _checked_value(value: Any, unit: str) -> tuple[dict[str, Any], list[FieldProblem]]:
    text = str(value if value is not None else "").strip().replace(",", "").rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or (unit == "percentage" and number > 100):
        said = (
            _("Enter a percentage between 0 and 100 to compare with, such as 7.5")
            if unit == "percentage"
            else _("Enter a number of 0 or more to compare with, such as 7.5")
        )
        return {"kind": "value", "value": value}, [FieldProblem("benchmark_value", said)]
    return {"kind": "value", "value": float(number)}, []
