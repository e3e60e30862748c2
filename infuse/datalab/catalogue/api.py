"""Catalogue JSON endpoints: thin, one service call per change, the same refusals as the pages."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Router, Status

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import ProblemOut
from infuse.datalab.catalogue import services
from infuse.datalab.catalogue.schemas import (
    CatalogueQuery,
    DatasetIn,
    DatasetOut,
    VersionDetailOut,
)
from infuse.datalab.catalogue.views import download_response

router = Router()


@router.get(
    "/datasets",
    response=list[DatasetOut],
    auth=OPTIONAL_AUTH,
    summary="Search the datasets you may see (the public sees public ones)",
)
def list_datasets(
    request: HttpRequest,
    q: str = "",
    theme: str = "",
    goal: str = "",
    council: str = "",
    file_format: str = "",
) -> list[DatasetOut]:
    query = CatalogueQuery(text=q, theme=theme, goal=goal, council=council, file_format=file_format)
    datasets = services.search_datasets(caller(request), query).prefetch_related(
        "themes", "goals", "councils", "versions"
    )
    return [DatasetOut.of(d) for d in datasets[:500]]


@router.get(
    "/datasets/{slug}",
    response={200: DatasetOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One dataset's catalogue entry and versions",
)
def get_dataset(request: HttpRequest, slug: str) -> DatasetOut:
    return DatasetOut.of(services.get_dataset(actor=caller(request), slug=slug))


@router.post(
    "/datasets",
    response={201: DatasetOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut},
    summary="Add a dataset to the catalogue",
)
def create_dataset(request: HttpRequest, payload: DatasetIn) -> Status[DatasetOut]:
    dataset = services.create_dataset(actor=caller(request), dataset_in=payload)
    return Status(201, DatasetOut.of(dataset))


@router.get(
    "/datasets/{slug}/versions/{number}",
    response={200: VersionDetailOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One version: its Table Schema and the profile of every column",
)
def get_version(request: HttpRequest, slug: str, number: int) -> VersionDetailOut:
    actor = caller(request)
    dataset = services.get_dataset(actor=actor, slug=slug)
    return VersionDetailOut.of(services.get_version(actor=actor, dataset=dataset, number=number))


@router.get(
    "/datasets/{slug}/versions/{number}/download.{file_format}",
    response={200: None, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="One version as csv, xlsx, json or parquet",
)
def download_version(
    request: HttpRequest, slug: str, number: int, file_format: str
) -> FileResponse:
    return download_response(caller(request), slug, services.download_version, number, file_format)
