"""Indicator JSON endpoints: thin, one service call per change, values disclosure-controlled."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import ProblemOut
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.indicators import services
from infuse.datalab.indicators.schemas import (
    FlaggedValueOut,
    FlagIn,
    IndicatorCreatedOut,
    IndicatorDetailsIn,
    IndicatorIn,
    IndicatorOut,
    IndicatorValuesOut,
)

router = Router()


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    auth=OPTIONAL_AUTH,
    summary="The indicators over the datasets you may see",
)
def list_indicators(request: HttpRequest, dataset: str = "") -> list[IndicatorOut]:
    indicators = catalogue.visible_indicators(caller(request), dataset=dataset)
    return [IndicatorOut.of(i) for i in indicators.prefetch_related("themes", "goals")[:500]]


@router.get(
    "/indicators/{slug}",
    response={200: IndicatorOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One indicator's definition",
)
def get_indicator(request: HttpRequest, slug: str) -> IndicatorOut:
    return IndicatorOut.of(catalogue.get_indicator(actor=caller(request), slug=slug))


@router.get(
    "/indicators/{slug}/values",
    response={200: IndicatorValuesOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="Values per council and period with intervals, disclosure-controlled for the public",
)
def get_indicator_values(request: HttpRequest, slug: str) -> IndicatorValuesOut:
    actor = caller(request)
    indicator = catalogue.get_indicator(actor=actor, slug=slug)
    return services.published_values(actor=actor, indicator=indicator)


@router.put(
    "/indicators/{slug}",
    response={
        200: IndicatorOut,
        400: ProblemOut,
        401: ProblemOut,
        403: ProblemOut,
        404: ProblemOut,
    },
    summary="Change an indicator's details (titles, definition, rationale, caveats, source, tags)",
)
def update_indicator(request: HttpRequest, slug: str, payload: IndicatorDetailsIn) -> IndicatorOut:
    actor = caller(request)
    indicator = catalogue.get_indicator(actor=actor, slug=slug)
    return IndicatorOut.of(
        services.update_indicator(actor=actor, indicator=indicator, details_in=payload)
    )


@router.post(
    "/datasets/{slug}/indicators",
    response={202: IndicatorCreatedOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Define an indicator; its values are computed in the background (202)",
)
def create_indicator(request: HttpRequest, slug: str, payload: IndicatorIn) -> Status[Any]:
    actor = caller(request)
    dataset = catalogue.get_dataset(actor=actor, slug=slug)
    indicator = services.create_indicator(actor=actor, dataset=dataset, indicator_in=payload)
    return Status(202, IndicatorCreatedOut.of(indicator))


@router.put(
    "/indicators/{slug}/values/{value_id}/flag",
    response={200: FlaggedValueOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Set (or clear, with an empty flag) a StatsWales-style flag on one value",
)
def flag_value(request: HttpRequest, slug: str, value_id: int, payload: FlagIn) -> FlaggedValueOut:
    actor = caller(request)
    indicator = catalogue.get_indicator(actor=actor, slug=slug)
    value = services.get_indicator_value(actor=actor, indicator=indicator, value_id=value_id)
    return FlaggedValueOut.of(services.set_value_flag(actor=actor, value=value, flag_in=payload))
