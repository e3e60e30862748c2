"""Recipe JSON endpoints: read a dataset's recipe and what it makes of the latest version;
replace it, or add one step."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.schemas import ProblemOut
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.recipes import services
from infuse.datalab.recipes.schemas import RecipeIn, RecipeOut, StepIn

router = Router()

CHANGES = {200: RecipeOut, 400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 404: ProblemOut}


@router.get(
    "/datasets/{slug}/recipe",
    response={200: RecipeOut, 401: ProblemOut, 404: ProblemOut},
    auth=OPTIONAL_AUTH,
    summary="A dataset's recipe, in words, and the latest version as it shapes it",
)
def get_recipe(request: HttpRequest, slug: str) -> RecipeOut:
    return RecipeOut.of(catalogue.get_dataset(actor=caller(request), slug=slug))


@router.put(
    "/datasets/{slug}/recipe",
    response=CHANGES,
    summary="Replace the recipe (checked on the latest version; its indicators are recomputed)",
)
def put_recipe(request: HttpRequest, slug: str, payload: RecipeIn) -> RecipeOut:
    actor = caller(request)
    dataset = catalogue.get_dataset(actor=actor, slug=slug)
    return RecipeOut.of(services.save_recipe(actor=actor, dataset=dataset, recipe_in=payload))


@router.post(
    "/datasets/{slug}/recipe/steps",
    response=CHANGES,
    summary="Add one step at the end of the recipe",
)
def add_step(request: HttpRequest, slug: str, payload: StepIn) -> RecipeOut:
    actor = caller(request)
    dataset = catalogue.get_dataset(actor=actor, slug=slug)
    return RecipeOut.of(services.add_step(actor=actor, dataset=dataset, step_in=payload))
