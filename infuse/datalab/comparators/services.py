"""What a council's value is compared with: the region, Wales, or a saved group of councils.

The region and its comparison classes are stored with the values. Wales is a row the data
itself carries (``BenchmarkValue``). A group's value is its members' shown counts pooled,
computed only when every member's value is shown: built from shown figures alone, it can
never reveal a hidden one by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from infuse.core import audit, lazy
from infuse.core.councils import WALES_CODE
from infuse.core.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied, too_long
from infuse.core.models import Council, Person
from infuse.core.permissions import can
from infuse.core.slugs import unique_slug
from infuse.datalab.comparators.schemas import ComparatorGroupIn
from infuse.datalab.indicators import benchmarks
from infuse.datalab.indicators.publishing import ShownPeriod, ShownValue
from infuse.datalab.indicators.values import judged, value_and_interval
from infuse.datalab.models import BenchmarkValue, ComparatorGroup, Indicator

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy.module("numpy")

REGION, WALES = "region", "wales"


@dataclass(frozen=True)
class Comparator:
    """What to compare with: ``code`` is "region", "wales" or a group's slug."""

    code: str
    name: str
    group: ComparatorGroup | None = None

    def covers(self, council: Council | None) -> bool:
        """Whether a council's value belongs to this comparator's range of councils."""
        if council is None:
            return False
        if self.group is None:
            return True  # the region and Wales: the region's ten councils are the range shown
        return any(member.pk == council.pk for member in self.group.councils.all())


@dataclass(frozen=True)
class Benchmark:
    """The comparator's value in one period; ``hidden`` when a member's value is withheld."""

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    hidden: bool = False


def groups() -> QuerySet[ComparatorGroup]:
    return ComparatorGroup.objects.prefetch_related("councils")


def comparators() -> list[Comparator]:
    """Every comparator, the region first (the default), then Wales, then the saved groups."""
    return [
        Comparator(REGION, _("Cardiff Capital Region")),
        Comparator(WALES, _("Wales")),
        *(Comparator(g.slug, g.name, g) for g in groups()),
    ]


def comparator(code: str, among: list[Comparator] | None = None) -> Comparator:
    """The comparator named ``code`` (of ``among``, when the caller has read them already);
    the region for an empty or unknown code."""
    every = among or comparators()
    return next((c for c in every if c.code == code), every[0])


def wales_values(indicator: Indicator) -> dict[str, BenchmarkValue]:
    """Wales's value per period, when the indicator's data carries rows for Wales."""
    return {b.period: b for b in indicator.benchmark_values.filter(area_code=WALES_CODE)}


def benchmark(
    indicator: Indicator,
    period: ShownPeriod,
    against: Comparator,
    wales: dict[str, BenchmarkValue],
) -> Benchmark | None:
    """The comparator's value in ``period`` as the reader may see it; None when it has none."""
    if against.code == REGION:
        region = period.region
        if region is None:
            return None
        return Benchmark(region.value, region.ci_low, region.ci_high, region.suppressed)
    if against.code == WALES:
        row = wales.get(period.period)
        return Benchmark(row.value, row.ci_low, row.ci_high) if row else None
    members = [v for v in period.councils if against.covers(v.council)]
    if not members or indicator.unit == "value":
        return None  # published values pool into no group value (a mean of rates is no rate)
    if any(v.suppressed or v.numerator is None for v in members):
        return Benchmark(None, hidden=True)
    numerator = np.asarray([sum(v.numerator or 0.0 for v in members)], dtype=np.float64)
    denominators = [v.denominator for v in members]
    denominator = np.asarray(
        [np.nan if None in denominators else sum(d or 0.0 for d in denominators)],
        dtype=np.float64,
    )
    value, low, high = value_and_interval(indicator.unit, numerator, denominator)
    finite = bool(np.isfinite(value[0]))
    return Benchmark(
        float(value[0]) if finite else None,
        float(low[0]) if finite else None,
        float(high[0]) if finite else None,
    )


def compared(indicator: Indicator, value: ShownValue, against: Comparator, bench: Benchmark) -> str:
    """How ``value`` compares with the comparator (better / similar / worse, or lower /
    higher), by whether its 95% interval contains the comparator's value; "not_compared"
    for counts (a council's count against a total means nothing) or without the numbers."""
    if against.code == REGION and benchmarks.kind_of(indicator.benchmark) == "region":
        return value.comparison  # stored, against the region
    if indicator.unit != "count" and (
        value.ci_low is None or value.ci_high is None or bench.value is None
    ):
        return ""
    return judged(
        indicator.unit,
        indicator.polarity,
        [value.ci_low],
        [value.ci_high],
        bench.value if bench.value is not None else float("nan"),
    )[0]


# --- Saving groups ------------------------------------------------------------------------------


def create_group(*, actor: Person, group_in: ComparatorGroupIn) -> ComparatorGroup:
    """Save a group of two or more councils, named in both languages, for everyone to use."""
    if not can(actor, "datalab.add_comparatorgroup"):
        raise PermissionDenied()
    problems: list[FieldProblem] = []
    if not group_in.name_en.strip():
        problems.append(FieldProblem("name_en", _("Enter the group's name in English")))
    if not group_in.name_cy.strip():
        problems.append(FieldProblem("name_cy", _("Enter the group's name in Welsh")))
    problems += too_long({"name_en": group_in.name_en, "name_cy": group_in.name_cy}, 120)
    if ComparatorGroup.objects.filter(name_en__iexact=group_in.name_en.strip()).exists():
        problems.append(
            FieldProblem(
                "name_en",
                _("A group with this name is saved already: use it, or choose another name"),
            )
        )
    codes = sorted(set(group_in.councils))
    councils = list(Council.objects.filter(gss_code__in=codes))
    if len(councils) != len(codes):
        unknown = sorted(set(codes) - {c.gss_code for c in councils})
        problems.append(
            FieldProblem(
                "councils",
                _("Choose councils of the region: %(codes)s are not among them")
                % {"codes": ", ".join(unknown)},
            )
        )
    elif len(councils) < 2:
        problems.append(FieldProblem("councils", _("Choose two or more councils")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        group = ComparatorGroup.objects.create(
            # "region" and "wales" name the other comparators, never a group.
            slug=unique_slug(
                ComparatorGroup,
                group_in.name_en
                if slugify(group_in.name_en) not in (REGION, WALES)
                else f"{group_in.name_en} group",
                fallback="group",
            ),
            name_en=group_in.name_en.strip(),
            name_cy=group_in.name_cy.strip(),
            created_by=actor,
        )
        group.councils.set(councils)
        audit.record_event(
            actor=actor, action="comparator-group.created", obj=group, after={"councils": codes}
        )
    return group


def get_group(*, slug: str) -> ComparatorGroup:
    group = groups().filter(slug=slug).first()
    if group is None:
        raise NotFound()
    return group


def delete_group(*, actor: Person, group: ComparatorGroup) -> None:
    """Remove a group: the person who saved it, or a programme admin."""
    if not can(actor, "datalab.delete_comparatorgroup", group):
        raise PermissionDenied()
    with transaction.atomic():
        audit.record_event(
            actor=actor,
            action="comparator-group.deleted",
            obj=group,
            before={"name": group.name_en, "councils": [c.gss_code for c in group.councils.all()]},
        )
        group.delete()
