"""What the labs hold for one slice of the region (a goal, a theme or a council), as one
person may see it: the shared reading behind the goal, theme and council pages.

Each list comes from its lab's query service (``visible_…``), so a page never shows what its
reader could not open; money is the fund's, summed over the contracts of the challenges shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from infuse.adaption.registry.services import result_of, visible_experiments
from infuse.datalab.catalogue.services import visible_datasets, visible_indicators
from infuse.datalab.indicators import benchmarks
from infuse.datalab.indicators.publishing import ShownPeriod, shown_periods_of
from infuse.fund.services import money_for_contracts
from infuse.procurement.challenges.services import visible_challenges
from infuse.procurement.contracts.services import contracts_of_challenges

COMPARISONS = ("better", "similar", "worse", "lower", "higher")
# What a goal's, theme's, council's or design's code can be: anything else (a NUL byte, which
# PostgreSQL refuses outright) is not found rather than sent to the database.
CODE = re.compile(r"[a-z0-9_-]{0,100}")


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator's newest period: the region's value and how many councils compare how."""

    indicator: Any
    latest: ShownPeriod | None
    council: Any = None  # on a council's page: that council's value is the one that matters

    @property
    def council_value(self) -> Any:
        """The council's shown value in the newest period (None when it has none)."""
        councils = self.latest.councils if self.latest else []
        return next((v for v in councils if v.council == self.council), None)

    @property
    def region_value(self) -> float | None:
        region = self.latest.region if self.latest else None
        return region.value if region else None

    @property
    def compared_with(self) -> str:
        """What the councils' comparisons are against, by name: the region unless the
        indicator chose another benchmark (Wales, a target, a group)."""
        return benchmarks.name(self.indicator.benchmark, self.indicator.unit)

    @property
    def counts(self) -> dict[str, int]:
        councils = self.latest.councils if self.latest else []
        return {c: sum(1 for v in councils if v.comparison == c) for c in COMPARISONS}


@dataclass(frozen=True)
class ExperimentLine:
    experiment: Any
    result: str  # "effect", "no-clear-effect" or "not-analysed" (the registry's words)


@dataclass(frozen=True)
class Work:
    """Everything one person may see that is tagged with (or belongs to) one slice."""

    indicators: list[IndicatorLine]
    experiments: list[ExperimentLine]
    challenges: list[Any]
    datasets: list[Any]
    contracts: int
    committed_pence: int
    paid_pence: int


def _tagged(queryset: QuerySet[Any], condition: Q) -> list[Any]:
    return list(queryset.filter(condition).distinct())


def work_for(
    actor: Any,
    *,
    indicators: Q,
    experiments: Q,
    challenges: Q,
    datasets: Q,
    council: Any = None,
) -> Work:
    """The work ``actor`` may see that meets each lab's condition (a goal tag, a council…);
    ``council`` picks that council's values out of the indicators' newest periods."""
    shown_challenges = _tagged(visible_challenges(actor), challenges)
    contracts = contracts_of_challenges(c.pk for c in shown_challenges)
    committed, paid = money_for_contracts(contracts.values_list("pk", flat=True))
    shown_indicators = _tagged(visible_indicators(actor), indicators)
    newest = shown_periods_of(shown_indicators, actor, newest=1)
    return Work(
        indicators=[
            IndicatorLine(indicator, next(iter(newest[indicator.pk]), None), council)
            for indicator in shown_indicators
        ],
        experiments=[
            ExperimentLine(experiment, result_of(experiment))
            for experiment in _tagged(visible_experiments(actor), experiments)
        ],
        challenges=shown_challenges,
        datasets=_tagged(visible_datasets(actor), datasets),
        contracts=contracts.count(),
        committed_pence=committed,
        paid_pence=paid,
    )
