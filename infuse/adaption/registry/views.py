"""Pages of the registry: the learning library (and its CSV), an experiment's page, its entry,
its outcomes and its moves along the lifecycle. Each change is one service call through the
core page helpers."""

from __future__ import annotations

from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.adaption.models import Experiment, Status
from infuse.adaption.registry import services
from infuse.adaption.registry.forms import ExperimentForm, LibraryForm, OutcomesForm
from infuse.adaption.registry.lifecycle import TRANSITIONS, available
from infuse.adaption.registry.schemas import ExperimentIn, LibraryQuery, OutcomeIO
from infuse.adaption.registry.steps import experiment_steps
from infuse.core.downloads import attachment
from infuse.core.errors import NotFound, PermissionDenied
from infuse.core.models import Person, WayOfWorking
from infuse.core.pages import ask_page, confirm_page, form_page
from infuse.core.permissions import can, is_region_member, person_of
from infuse.datalab.catalogue import services as data


def posted(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one, so it is checked), or None for a GET."""
    return request.POST if request.method == "POST" else None


def team_page(
    request: HttpRequest, slug: str, permission: str = "adaption.change_experiment"
) -> tuple[Person, Experiment]:
    """The signed-in person and the experiment, for a page only its team uses: 404 for those
    who may not read the experiment, 403 for those who may read it but not do this."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, permission, experiment):
        raise PermissionDenied()
    return person, experiment


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The learning library: every experiment the person may read, searchable and filtered."""
    form = LibraryForm(request.GET or None)
    query = form.to_schema() if form.is_valid() else LibraryQuery()
    experiments = services.search_experiments(request.user, query).prefetch_related(
        "themes", "goals", "councils"
    )
    if request.GET.get("format") == "csv":
        return _library_csv(experiments)
    page = Paginator(experiments, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "adaption/index.html",
        {
            "form": form,
            "page": page,
            "can_add": can(request.user, "adaption.add_experiment"),
            "query_string": request.GET.urlencode(),
        },
    )


def _library_csv(experiments: Any) -> HttpResponse:
    response = attachment("", "text/csv; charset=utf-8", "experiments.csv")
    writer = defused_csv.writer(response)
    writer.writerow(
        ["slug", "title_en", "title_cy", "design", "status", "owner", "councils", "themes", "goals"]
    )
    for experiment in experiments:
        writer.writerow(
            [
                experiment.slug,
                experiment.title_en,
                experiment.title_cy or "",
                experiment.design,
                experiment.status,
                experiment.owner.slug,
                " ".join(c.gss_code for c in experiment.councils.all()),
                " ".join(t.code for t in experiment.themes.all()),
                " ".join(g.code for g in experiment.goals.all()),
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def experiment_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "adaption.add_experiment"):
        raise PermissionDenied()
    return form_page(
        request,
        ExperimentForm(posted(request), person=person),
        template="adaption/experiment_form.html",
        save=lambda form: services.create_experiment(actor=person, experiment_in=form.to_schema()),
        success=_("Experiment added as a draft."),
        then=Experiment.get_absolute_url,
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person, experiment = team_page(request, slug)
    if request.method == "POST":
        # A registered entry is fixed: the change is refused outright (409), not shown as a
        # problem with what was typed.
        services.check_editable(person, experiment)
    form = ExperimentForm(
        posted(request),
        person=person,
        initial=ExperimentForm.initial_from(ExperimentIn.of(experiment)),
    )
    return form_page(
        request,
        form,
        template="adaption/experiment_form.html",
        save=lambda form: services.update_experiment(
            actor=person, experiment=experiment, experiment_in=form.to_schema()
        ),
        success=_("Changes saved."),
        then=experiment.get_absolute_url(),
        context={"experiment": experiment},
    )


@require_GET
def experiment_detail(request: HttpRequest, slug: str) -> HttpResponse:
    experiment = services.get_experiment(actor=request.user, slug=slug)
    can_change = can(request.user, "adaption.change_experiment", experiment)
    allocation = experiment.latest_allocation
    return render(
        request,
        "adaption/experiment.html",
        {
            "experiment": experiment,
            "outcomes": experiment.outcomes.select_related("dataset", "indicator"),
            "protocols": experiment.protocols.order_by("-version"),
            "allocation": allocation,
            "sees_allocation": allocation is not None
            and can(request.user, "adaption.view_allocation", experiment),
            "can_change": can_change,
            "can_randomise": can(request.user, "adaption.randomise_experiment", experiment),
            "editable": can_change and experiment.status in services.EDITABLE,
            "moves": [
                m
                for m in available(experiment.status)
                if m.name not in ("register", "decide", "scale")
                and services.can_move(request.user, experiment, m.name)
            ],
            "ways": [
                (way, experiment.ways_of_working[way.code])
                for way in WayOfWorking.objects.all()
                if experiment.ways_of_working.get(way.code)
            ],
            "decision": experiment.decisions.first(),
            "tasks": experiment_steps(request.user, experiment)
            if is_region_member(request.user) or can_change
            else None,
        },
    )


MOVE_CONSEQUENCES: dict[str, tuple[Any, list[Any], bool]] = {
    # transition: (the page's title, what will happen, can it be undone)
    "design": (
        gettext_lazy("Mark the design as done?"),
        [
            gettext_lazy(
                "The entry, outcomes and design become the plan the protocol will freeze."
            ),
            gettext_lazy("Next, the team registers the protocol."),
            gettext_lazy("Until then you can take it back to draft to change it."),
        ],
        False,
    ),
    "redraft": (
        gettext_lazy("Take the experiment back to draft?"),
        [gettext_lazy("The entry, outcomes and design can be changed again.")],
        False,
    ),
    "launch": (
        gettext_lazy("Launch the experiment?"),
        [
            gettext_lazy(
                "The experiment starts: its launch date is kept and marked on the trends of "
                "the indicators it measures."
            ),
            gettext_lazy(
                "For a randomised design, the region can now see which units are in which arm."
            ),
            gettext_lazy(
                "Next, once the outcome data is in, the team attaches it and runs the "
                "registered analysis."
            ),
        ],
        True,
    ),
    "analyse": (
        gettext_lazy("Mark the experiment as analysed?"),
        [
            gettext_lazy("The latest analysis becomes the one the decision rests on."),
            gettext_lazy("Next, the team records the decision: scale, adapt or stop."),
        ],
        True,
    ),
    "close": (
        gettext_lazy("Close the experiment?"),
        [
            gettext_lazy("Nobody can change it or move it along any more."),
            gettext_lazy("What it recorded stays readable in the learning library."),
        ],
        True,
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_move(request: HttpRequest, slug: str, transition: str) -> HttpResponse:
    """Move the experiment one step: the page says what will happen, the button does it."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    if transition not in MOVE_CONSEQUENCES:
        raise NotFound()
    title, consequences, irreversible = MOVE_CONSEQUENCES[transition]
    return confirm_page(
        request,
        title=title,
        consequences=consequences,
        button=TRANSITIONS[transition].label,
        back=experiment.get_absolute_url(),
        run=lambda: services.move(actor=person, experiment=experiment, transition=transition),
        success=lambda moved: (
            _("The experiment is now %(status)s.") % {"status": Status(moved.status).label}
        ),
        then=experiment.get_absolute_url() + "#steps",
        irreversible=irreversible,
        warning_button=transition == "close",
        check=lambda: services.check_move(
            actor=person, experiment=experiment, transition=transition
        ),
    )


def _outcome_sources(person: Any) -> list[tuple[str, str]]:
    """Every dataset column and indicator the person may see, as choices."""
    choices: list[tuple[str, str]] = []
    for dataset in data.visible_datasets(person).order_by("slug"):
        version = dataset.latest_version
        for field in version.fields if version else []:
            choices.append(
                (f"column:{dataset.slug}:{field['name']}", f"{dataset.title} – {field['name']}")
            )
    for indicator in data.visible_indicators(person):
        choices.append((f"indicator:{indicator.slug}", f"{_('Indicator')}: {indicator.title}"))
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def experiment_outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    person, experiment = team_page(request, slug)
    form = OutcomesForm(
        posted(request),
        outcomes=[
            OutcomeIO.of(o) for o in experiment.outcomes.select_related("dataset", "indicator")
        ],
        sources=_outcome_sources(person),
    )
    return form_page(
        request,
        form,
        template="adaption/outcomes.html",
        save=lambda form: services.set_outcomes(
            actor=person, experiment=experiment, outcomes=form.outcomes()
        ),
        success=_("Outcomes saved."),
        then=experiment.get_absolute_url(),
        context={"experiment": experiment, "formset": form.formset},
    )


@login_required
@require_POST
def experiment_ask(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask whoever the experiment's next step waits on (the region's staff only)."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not is_region_member(person):
        raise PermissionDenied()
    return ask_page(
        request,
        steps=lambda: experiment_steps(person, experiment),
        what=lambda: _("the experiment “%(title)s”") % {"title": experiment.title},
        back=reverse("adaption:experiment", kwargs={"slug": experiment.slug}),
        about=f"experiment:{experiment.pk}",
    )
