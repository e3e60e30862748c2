"""The indicators' use cases: define one (its values computed in the background), flag a value,
and publish the values each person may see.

Every change takes the acting person first, checks permission, makes its change with its audit
event in one transaction, and raises ``infuse.core.errors`` types with field detail.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from infuse import analytics
from infuse.analytics import IndicatorSpec, IndicatorSpecError
from infuse.analytics.indicators.spec import SpecProblem
from infuse.core import audit, files
from infuse.core.councils import council_lookup, resolve_council
from infuse.core.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied, too_long
from infuse.core.models import (
    Council,
    NationalIndicator,
    Person,
    TaskProgress,
    Theme,
    WellbeingGoal,
)
from infuse.core.permissions import can
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import exports
from infuse.datalab.catalogue.services import title_problems
from infuse.datalab.indicators import benchmarks, publishing
from infuse.datalab.indicators.period_labels import KINDS, misfit, type_words
from infuse.datalab.indicators.schemas import (
    FlagIn,
    IndicatorDetailsIn,
    IndicatorIn,
    IndicatorValuesOut,
)
from infuse.datalab.indicators.tasks import queue_indicator
from infuse.datalab.messages import explain
from infuse.datalab.models import Dataset, Indicator, IndicatorValue, ValueFlag

# Which field of the indicator form each kind of problem is about.
_ROLE_FIELDS = {
    "council": "council_column",
    "period": "period_column",
    "numerator": "numerator_column",
    "denominator": "denominator_column",
    "filter": "filter_column",
    "numerator condition": "numerator_where_column",
    "denominator condition": "denominator_where_column",
}
_KEY_FIELDS = {
    "analytics.period-needs-date": "grain",
    "analytics.period-labels": "grain",
    "analytics.count-unit-with-denominator": "unit",
    "analytics.unit-needs-denominator": "unit",
    "analytics.value-unit-one-column": "numerator_column",
    "analytics.value-unit-no-denominator": "denominator_column",
    "analytics.population-missing": "denominator_column",
    "analytics.population-council-type": "council_column",
}


def _field_problem(problem: SpecProblem) -> FieldProblem:
    """A problem of the definition, in words and in the page's language, on its field."""
    params = dict(problem.params)
    if "type" in params:
        params["type"] = type_words(str(params["type"]))
    if "grain" in params and params["grain"] in KINDS:
        params["grain"] = KINDS[params["grain"]].words
    if "available" in params:
        params["available"] = ", ".join(params["available"])
    field = _KEY_FIELDS.get(problem.key) or _ROLE_FIELDS.get(str(params.get("role")), "")
    if problem.key.startswith("analytics.filter-"):
        field = field.replace("_column", "_value") if field.endswith("_column") else "filter_value"
    return FieldProblem(field or "specification", explain(problem.key, params, problem.message))


def _labels_as_periods(
    specification: dict[str, Any], table: Any
) -> tuple[dict[str, Any], list[SpecProblem]]:
    """A text period column grouped by a kind of period: its labels are used as written when
    every one is that kind of period ("2023-24" for financial years); else the problem."""
    period = specification.get("period") or {}
    column, grain = period.get("column"), period.get("grain", "year")
    if grain not in KINDS or column not in table.columns:
        return specification, []
    dtype = table[column].type()
    if not (dtype.is_string() or dtype.is_integer()):  # 2023 as a number is a year, too
        return specification, []
    labels = table.select(column).distinct().limit(500).to_pyarrow()[column].to_pylist()
    wrong = misfit(labels, grain)
    if wrong is None:
        return {**specification, "period": {**period, "grain": "as_recorded"}}, []
    params = {"column": column, "example": wrong, "grain": grain, "pattern": KINDS[grain].example}
    return specification, [SpecProblem("analytics.period-labels", "", params)]


def _checked_spec(
    dataset: Dataset, specification: dict[str, Any], benchmark: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], list[FieldProblem]]:
    """The definition and the benchmark as they will be kept, and their problems against the
    latest version's data (bilingual, each on its field)."""
    version = dataset.latest_version
    if version is None:
        return (
            specification,
            benchmark,
            [
                FieldProblem(
                    "specification",
                    _("Upload data to the dataset before defining an indicator on it"),
                )
            ],
        )
    benchmark, problems = benchmarks.checked(benchmark, str(specification.get("unit", "")))
    try:
        table = analytics.apply_recipe(
            analytics.read_parquet(
                analytics.connect("duckdb"), files.resolve(version.parquet_path)
            ),
            version.recipe_steps,
        )
        specification, label_problems = _labels_as_periods(specification, table)
        if label_problems:
            raise IndicatorSpecError(label_problems)
        spec = IndicatorSpec.from_dict(specification)
        analytics.validate_spec(spec, table.schema())
    except IndicatorSpecError as error:
        return specification, benchmark, [*problems, *(_field_problem(p) for p in error.problems)]
    if benchmarks.kind_of(benchmark) == "area" and not problems:
        problems += _area_problems(benchmark, analytics.council_values(table, spec))
    # Kept in the one spelling the pages read ("Lower is better" given, lower_is_better kept).
    return {**specification, "polarity": str(spec.polarity)}, benchmark, problems


def _area_problems(benchmark: dict[str, Any], found: list[tuple[Any, int]]) -> list[FieldProblem]:
    """A problem when the data has no rows for the benchmark's area, naming those it has."""
    lookup = council_lookup(Council.objects.values_list("gss_code", "name_en", "name_cy"))
    if resolve_council(benchmark.get("area"), lookup) is not None:
        return [
            FieldProblem(
                "benchmark_area",
                _(
                    "‘%(area)s’ is a council of the region, whose rows are its own value. "
                    "Compare with an area beyond them, such as Wales, or with a group of councils."
                )
                % {"area": benchmark.get("area", "")},
            )
        ]
    if any(benchmarks.names_area(benchmark, raw) for raw, _rows in found):
        return []
    others = sorted(str(raw).strip() for raw, _ in found if resolve_council(raw, lookup) is None)
    said = ", ".join(f"‘{area}’" for area in others[:20]) or _("none")
    return [
        FieldProblem(
            "benchmark_area",
            _(
                "The data has no rows for ‘%(area)s’. Areas in it that are not councils of the "
                "region: %(areas)s."
            )
            % {"area": benchmark.get("area", ""), "areas": said},
        )
    ]


def _details_problems(details_in: IndicatorDetailsIn) -> list[FieldProblem]:
    problems = title_problems(details_in.title_en, details_in.title_cy)
    problems += too_long(
        {"source_en": details_in.source_en, "source_cy": details_in.source_cy}, 300
    )
    problems += too_long({"source_url": details_in.source_url}, 500)
    for field, known in (("themes", Theme), ("goals", WellbeingGoal)):
        given = getattr(details_in, field)
        unknown = sorted(
            set(given) - set(known.objects.filter(code__in=given).values_list("code", flat=True))
        )
        if unknown:
            problems.append(
                FieldProblem(
                    field,
                    _("Choose from the list: %(codes)s is not one of them")
                    % {"codes": ", ".join(unknown)},
                )
            )
    numbers = set(
        NationalIndicator.objects.filter(number__in=details_in.national_indicators).values_list(
            "number", flat=True
        )
    )
    if unknown_numbers := sorted(set(details_in.national_indicators) - numbers):
        problems.append(
            FieldProblem(
                "national_indicators",
                _("There is no national indicator %(numbers)s: choose from the list")
                % {"numbers": ", ".join(map(str, unknown_numbers))},
            )
        )
    address = details_in.source_url.strip()
    if address and not _is_web_address(address):
        problems.append(
            FieldProblem(
                "source_url",
                _("Enter the source's web address, starting https:// or http://"),
                value=address,
            )
        )
    return problems


def _is_web_address(address: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(address)
    except ValidationError:
        return False
    return True


def _apply_details(indicator: Indicator, details_in: IndicatorDetailsIn) -> None:
    """Write the details onto the indicator (saved by the caller) and set its tags."""
    for name in ("title", "description", "rationale", "caveats", "source"):
        for language in ("en", "cy"):
            value = getattr(details_in, f"{name}_{language}")
            stripped = name in ("title", "source")
            setattr(indicator, f"{name}_{language}", value.strip() if stripped else value)
    indicator.source_url = details_in.source_url.strip()


def _set_tags(indicator: Indicator, details_in: IndicatorDetailsIn) -> None:
    indicator.themes.set(Theme.objects.filter(code__in=details_in.themes))
    indicator.goals.set(WellbeingGoal.objects.filter(code__in=details_in.goals))
    indicator.national_indicators.set(
        NationalIndicator.objects.filter(number__in=details_in.national_indicators)
    )


def create_indicator(*, actor: Person, dataset: Dataset, indicator_in: IndicatorIn) -> Indicator:
    """Define an indicator over a dataset and queue the computation of its values."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    problems = _details_problems(indicator_in)
    specification, benchmark, spec_problems = _checked_spec(
        dataset, indicator_in.specification, indicator_in.benchmark
    )
    problems += spec_problems
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        indicator = Indicator(
            dataset=dataset,
            slug=unique_slug(Indicator, indicator_in.title_en, fallback="indicator"),
            specification=specification,
            unit=specification.get("unit", "count"),
            polarity=specification.get("polarity", "neither"),
            benchmark=benchmark,
            created_by=actor,
        )
        _apply_details(indicator, indicator_in)
        indicator.save()
        _set_tags(indicator, indicator_in)
        queue_indicator(indicator, owner=actor)
        audit.record_event(
            actor=actor,
            action="indicator.created",
            obj=indicator,
            after={"dataset": dataset.slug, "specification": specification, "benchmark": benchmark},
        )
    return indicator


def update_indicator(
    *, actor: Person, indicator: Indicator, details_in: IndicatorDetailsIn
) -> Indicator:
    """Change what people read about an indicator (never its computation: a new definition
    is a new indicator, so published values keep meaning what they meant)."""
    if not can(actor, "datalab.change_dataset", indicator.dataset):
        raise PermissionDenied()
    problems = _details_problems(details_in)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = IndicatorDetailsIn.of(indicator).model_dump()
        _apply_details(indicator, details_in)
        indicator.save()
        _set_tags(indicator, details_in)
        after = IndicatorDetailsIn.of(indicator).model_dump()
        audit.record_event(
            actor=actor,
            action="indicator.updated",
            obj=indicator,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
        )
    return indicator


def recompute_indicator(*, actor: Person, indicator: Indicator) -> TaskProgress:
    """Queue a fresh computation of an indicator's values on its latest version.

    Why: values are stored, so a fix to how they are computed (such as the region's distinct
    counts, once the sum of the councils') reaches published figures only when they are
    computed again. Flags people set stay with their council and period.
    """
    if not can(actor, "datalab.change_dataset", indicator.dataset):
        raise PermissionDenied()
    with transaction.atomic():
        progress = queue_indicator(indicator, owner=actor)
        audit.record_event(actor=actor, action="indicator.recompute_requested", obj=indicator)
    return progress


def get_indicator_value(*, actor: Any, indicator: Indicator, value_id: int) -> IndicatorValue:
    value = indicator.values.select_related("council").filter(pk=value_id).first()
    if value is None:
        raise NotFound()
    return value


def value_at(*, actor: Any, indicator: Indicator, area: str, period: str) -> IndicatorValue | None:
    """The stored value of a council (its GSS code) or the region (``"region"``) in a period."""
    values = indicator.values.select_related("council").filter(period=period)
    if area.lower() == "region":
        return values.filter(council__isnull=True).first()
    return values.filter(council__gss_code=area.upper()).first()


def set_value_flag(*, actor: Person, value: IndicatorValue, flag_in: FlagIn) -> IndicatorValue:
    """Mark a stored value provisional, estimated, of low reliability… (StatsWales's flags).

    People who may change the dataset set flags; each change is audited, and the flag stays
    with the council and period when the indicator is recomputed on a new version.
    """
    if not can(actor, "datalab.change_dataset", value.indicator.dataset):
        raise PermissionDenied()
    flag = flag_in.flag
    if flag not in ValueFlag.values:
        raise InvalidInput(
            problems=[FieldProblem("flag", _("Choose one of the flags listed"), value=flag)]
        )
    with transaction.atomic():
        before = value.flag
        value.flag = flag
        value.save(update_fields=["flag"])
        audit.record_event(
            actor=actor,
            action="indicator.value-flagged",
            obj=value.indicator,
            before={"flag": before},
            after={
                "flag": flag,
                "council": value.council.gss_code if value.council else "",
                "period": value.period,
            },
        )
    return value


# --- Publishing --------------------------------------------------------------------------------


def published_values(*, actor: Any, indicator: Indicator) -> IndicatorValuesOut:
    """Every value the actor may see, disclosure-controlled for the public, with how.

    People who may change the dataset also get each value's id, to flag it.
    """
    periods = publishing.shown_periods(indicator, actor)
    frame = publishing.shown_frame(
        periods,
        with_ids=can(actor, "datalab.change_dataset", indicator.dataset),
        compared_with=publishing.compared_with(indicator, periods),
    )
    records = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]
    protected = not publishing.sees_unsuppressed(actor) and indicator.unit != "value"
    control = publishing.disclosure_method() if protected else "none"
    return IndicatorValuesOut.model_validate(
        {"indicator": indicator.slug, "disclosure_control": control, "values": records}
    )


def values_file(*, actor: Any, indicator: Indicator, file_format: str) -> bytes:
    """Every value the actor may see as CSV, XLSX, JSON or Parquet; NotFound for another format."""
    if file_format not in exports.FORMATS:
        raise NotFound()
    periods = publishing.shown_periods(indicator, actor)
    frame = publishing.shown_frame(
        periods, compared_with=publishing.compared_with(indicator, periods)
    )
    return exports.export_frame(frame, file_format)
