"""Pages of a dataset's recipe: its steps and what they make of the latest version, the steps
the file suggests, and adding (one kind of step, then its fields) or removing a step."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from infuse.core.errors import PermissionDenied
from infuse.core.models import Person
from infuse.core.pages import action_page, form_page
from infuse.core.permissions import can, person_of
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.recipe_words import described
from infuse.datalab.models import Dataset
from infuse.datalab.recipes import services
from infuse.datalab.recipes.forms import KINDS, StepForm, StepKindForm
from infuse.datalab.recipes.schemas import StepIn
from infuse.datalab.recipes.shaping import distinct_counts


def _changeable(request: HttpRequest, slug: str) -> tuple[Person, Dataset]:
    person = person_of(request)
    dataset = catalogue.get_dataset(actor=person, slug=slug)
    if not can(person, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    return person, dataset


def _recipe_page(dataset: Dataset) -> str:
    return reverse("datalab:recipe", kwargs={"slug": dataset.slug})


@login_required
@require_http_methods(["GET"])
def recipe(request: HttpRequest, slug: str) -> HttpResponse:
    _person, dataset = _changeable(request, slug)
    version = dataset.latest_version
    title = version.title_lines if version else None
    suggestions = services.suggested_steps(dataset)
    return render(
        request,
        "datalab/recipe.html",
        {
            "dataset": dataset,
            "version": version,
            "steps": described(dataset.recipe, title),
            "suggestions": list(
                zip(range(1, len(suggestions) + 1), described(suggestions, title), strict=True)
            ),
            "shaped": version.shaped if version and dataset.recipe else {},
            "problems": services.problems_of(version.shaped.get("problems", []), dataset.recipe)
            if version and dataset.recipe
            else [],
            "kind_form": StepKindForm(),
        },
    )


@login_required
@require_http_methods(["GET"])
def step_kind(request: HttpRequest, slug: str) -> HttpResponse:
    """Which kind of step: chosen, the page of that kind's fields."""
    _person, dataset = _changeable(request, slug)
    form = StepKindForm(request.GET if "kind" in request.GET else None)
    if form.is_bound and form.is_valid():
        return redirect("datalab:recipe_step", slug=dataset.slug, kind=form.cleaned_data["kind"])
    return render(
        request,
        "datalab/recipe_kind.html",
        {"dataset": dataset, "form": form, "page_has_errors": form.is_bound},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def add_step(request: HttpRequest, slug: str, kind: str) -> HttpResponse:
    person, dataset = _changeable(request, slug)
    if kind not in KINDS:
        raise Http404
    version = dataset.latest_version
    columns = [f["name"] for f in version.shaped_fields] if version else []
    distinct = distinct_counts(version.profile) if version else {}
    form = StepForm(
        request.POST if request.method == "POST" else None,
        kind=kind,
        columns=columns,
        distinct=distinct,
    )
    return form_page(
        request,
        form,
        template="datalab/recipe_step.html",
        save=lambda form: services.add_step(
            actor=person, dataset=dataset, step_in=form.to_schema()
        ),
        success=_("Step added. The indicators on this dataset are being computed again."),
        then=_recipe_page(dataset),
        context={"dataset": dataset, "version": version, "kind": KINDS[kind]},
    )


@login_required
@require_POST
def add_suggested_step(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person, dataset = _changeable(request, slug)
    suggestions = services.suggested_steps(dataset)
    if not 0 < number <= len(suggestions):
        raise Http404
    return action_page(
        request,
        run=lambda: services.add_step(
            actor=person, dataset=dataset, step_in=StepIn(step=suggestions[number - 1])
        ),
        success=_("Step added. The indicators on this dataset are being computed again."),
        then=_recipe_page(dataset),
    )


@login_required
@require_POST
def remove_step(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    person, dataset = _changeable(request, slug)
    return action_page(
        request,
        run=lambda: services.remove_step(actor=person, dataset=dataset, number=number),
        success=_("Step removed."),
        then=_recipe_page(dataset),
    )
