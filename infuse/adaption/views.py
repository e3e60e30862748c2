"""Pages of the Adaption Lab: the library, an experiment's entry, outcomes, protocol and
randomisation. Views are thin: forms parse, services decide."""

from __future__ import annotations

from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.adaption import charts, design, report, services
from infuse.adaption.forms import (
    AttachDataForm,
    DecisionForm,
    DesignForm,
    ExperimentForm,
    LibraryForm,
    OutcomeFormSet,
    ProtocolForm,
    QuasiDesignForm,
    RandomiseForm,
    ScaleUpForm,
)
from infuse.adaption.lifecycle import available
from infuse.adaption.models import COUNCIL_UNITS, Experiment, Protocol, Status
from infuse.adaption.quasi_design import METHODS
from infuse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from infuse.core.permissions import can, person_of
from infuse.datalab.catalogue import services as data


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The learning library: every experiment the person may read, searchable and filtered."""
    form = LibraryForm(request.GET or None)
    query = services.LibraryQuery()
    if form.is_valid():
        data = form.cleaned_data
        query = services.LibraryQuery(
            text=data["q"],
            design=data["design"],
            status=data["status"],
            theme=data["theme"],
            goal=data["goal"],
            council=data["council"],
            result=data["result"],
        )
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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="experiments.csv"'
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
    form = ExperimentForm(request.POST if request.method == "POST" else None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            experiment = services.create_experiment(actor=person, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        else:
            messages.success(request, _("Experiment added as a draft."))
            return redirect("adaption:experiment", slug=experiment.slug)
    return render(
        request,
        "adaption/experiment_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_edit(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    initial = {
        "title_en": experiment.title_en,
        "title_cy": experiment.title_cy,
        "problem_en": experiment.problem_en,
        "problem_cy": experiment.problem_cy,
        "hypothesis_en": experiment.hypothesis_en,
        "hypothesis_cy": experiment.hypothesis_cy,
        "intervention_en": experiment.intervention_en,
        "intervention_cy": experiment.intervention_cy,
        "owner": experiment.owner.slug,
        "design": experiment.design,
        "councils": [c.gss_code for c in experiment.councils.all()],
        "themes": [t.code for t in experiment.themes.all()],
        "goals": [g.code for g in experiment.goals.all()],
        "public": experiment.public,
        **{f"way_{code}": text for code, text in experiment.ways_of_working.items()},
    }
    form = ExperimentForm(
        request.POST if request.method == "POST" else None, person=person, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_experiment(actor=person, experiment=experiment, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("adaption:experiment", slug=experiment.slug)
    return render(
        request,
        "adaption/experiment_form.html",
        {"form": form, "experiment": experiment},
        status=400 if form.errors else 200,
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
            ]
            if can_change
            else [],
            "ways": _ways(experiment),
            "decision": experiment.decisions.first(),
        },
    )


def _ways(experiment: Experiment) -> list[tuple[Any, str]]:
    from infuse.core.models import WayOfWorking

    return [
        (way, experiment.ways_of_working.get(way.code, ""))
        for way in WayOfWorking.objects.all()
        if experiment.ways_of_working.get(way.code)
    ]


@login_required
@require_POST
def experiment_move(request: HttpRequest, slug: str, transition: str) -> HttpResponse:
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    try:
        services.move(actor=person, experiment=experiment, transition=transition)
    except (Conflict, InvalidInput) as error:
        problems = getattr(error, "problems", []) or []
        text = "; ".join(str(p.message) for p in problems) or str(error.message)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("The experiment is now %(status)s.") % {"status": Status(experiment.status).label},
        )
    return redirect("adaption:experiment", slug=experiment.slug)


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


WARNINGS = {
    "few_clusters": gettext_lazy(
        "Few clusters: the answer leans on approximations. Check the planned analysis by "
        "simulation before relying on it."
    ),
    "normal_approximation_doubtful": gettext_lazy(
        "The normal approximation is doubtful at these sizes: treat the answer as rough."
    ),
}


@require_http_methods(["GET", "POST"])
def experiment_design(request: HttpRequest, slug: str) -> HttpResponse:
    """The guided design page: power, size or minimum detectable effect, with a power curve
    and, for a stepped wedge, the council-by-period schedule. Anyone who can read the
    experiment can try numbers; its team can save them with the experiment."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    if experiment.design in METHODS:
        return _quasi_design(request, experiment)
    n_councils = experiment.councils.count()
    saved = experiment.design_parameters.get("inputs") or {}
    if request.method == "POST" and request.POST.get("action") == "simulate":
        if not request.user.is_authenticated:
            raise PermissionDenied()
        try:
            services.queue_power_simulation(actor=person_of(request), experiment=experiment)
        except Conflict as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The simulation is running."))
        return redirect("adaption:experiment_design", slug=experiment.slug)
    data = request.POST if request.method == "POST" else None
    form = DesignForm(
        data,
        size_label=design.size_label(experiment.design),
        initial={"n_steps": n_councils or None, **saved},
    )
    calculation = None
    if data is not None and form.is_valid():
        inputs = form.to_inputs()
        try:
            calculation = design.calculate(experiment.design, inputs, n_councils=n_councils)
        except InvalidInput as error:
            form.add_problems(error.problems)
        else:
            if request.POST.get("action") == "save":
                person = person_of(request) if request.user.is_authenticated else None
                if person is None:
                    raise PermissionDenied()
                try:
                    services.save_design(
                        actor=person,
                        experiment=experiment,
                        parameters=inputs.to_dict(),
                        result=calculation.result,
                    )
                except Conflict as error:
                    form.add_error(None, str(error.message))
                else:
                    messages.success(request, _("Design saved with the experiment."))
                    return redirect("adaption:experiment", slug=experiment.slug)
    result = calculation.result if calculation else None
    chosen = None
    if result:
        sizes = result.get("sample_size", {})
        chosen = next(
            (
                sizes[k]
                for k in ("n_clusters_per_arm", "cluster_period_size", "n_control")
                if k in sizes
            ),
            None,
        )
    return render(
        request,
        "adaption/design.html",
        {
            "experiment": experiment,
            "form": form,
            "calculable": experiment.design in design.CALCULABLE,
            "calculation": calculation,
            "result": result,
            "warnings": [
                WARNINGS.get(w["code"], w["detail"]) for w in (result or {}).get("warnings", [])
            ],
            "curve_svg": charts.power_curve_svg(
                calculation.curve, size_label=calculation.size_label, chosen=chosen
            )
            if calculation
            else "",
            "schedule_rows": list(zip(range(1, n_councils + 1), calculation.schedule, strict=False))
            if calculation and calculation.schedule
            else [],
            "periods": range(1, len(calculation.schedule[0]) + 1)
            if calculation and calculation.schedule
            else [],
            "can_save": request.user.is_authenticated
            and can(request.user, "adaption.change_experiment", experiment)
            and experiment.status in services.EDITABLE,
            "saved": experiment.design_parameters,
            "simulation": experiment.design_parameters.get("simulation"),
            "simulation_progress": _unfinished(
                experiment.design_parameters.get("simulation_progress")
            ),
        },
        status=400 if form.errors else 200,
    )


def _quasi_design(request: HttpRequest, experiment: Experiment) -> HttpResponse:
    """A quasi-experiment's design page: its power worked out from the outcome's past by
    placebo trials (a background task), with the councils compared and the plan kept."""
    from infuse.adaption.analysis import MappingError
    from infuse.adaption.history import primary_outcome

    can_save = (
        request.user.is_authenticated
        and can(request.user, "adaption.change_experiment", experiment)
        and experiment.status in services.EDITABLE
    )
    columns: list[str] | None = None
    source_problem = ""
    outcome = None
    try:
        outcome = primary_outcome(experiment)
    except MappingError as error:
        source_problem = error.text()
    if outcome is not None and not outcome.indicator_id and outcome.dataset is not None:
        version = outcome.dataset.latest_version
        columns = [f["name"] for f in version.fields] if version else []
    saved = experiment.design_parameters
    form = QuasiDesignForm(
        request.POST if request.method == "POST" else None,
        columns=columns,
        initial={
            **{k: v for k, v in (saved.get("inputs") or {}).items() if k != "effects"},
            "effects": ", ".join(f"{e:g}" for e in (saved.get("inputs") or {}).get("effects", [])),
        },
    )
    if request.method == "POST":
        if not can_save:
            raise PermissionDenied()
        if form.is_valid():
            try:
                services.queue_history_plan(
                    actor=person_of(request), experiment=experiment, inputs=form.to_inputs()
                )
            except (InvalidInput, Conflict) as error:
                form.add_problems(getattr(error, "problems", None) or [error])
            else:
                messages.success(request, _("The placebo trials are running."))
                return redirect("adaption:experiment_design", slug=experiment.slug)
    result = (
        saved.get("result")
        if str(saved.get("result", {}).get("method", "")).startswith("placebo_power")
        else None
    )
    plan = (result or {}).get("history") or {}
    points = list(zip(plan.get("effects", []), plan.get("power", []), strict=False))
    rows = [
        {"effect": e, "power": p, "low": lo, "high": hi}
        for e, p, lo, hi in zip(
            plan.get("effects", []),
            plan.get("power", []),
            plan.get("ci_low", []),
            plan.get("ci_high", []),
            strict=False,
        )
    ]
    false_positive = plan.get("false_positive_rate")
    return render(
        request,
        "adaption/design_quasi.html",
        {
            "experiment": experiment,
            "form": form,
            "outcome": outcome,
            "source_problem": source_problem,
            "can_save": can_save,
            "result": result,
            "plan": plan,
            "rows": rows,
            "curve_svg": charts.power_curve_svg(
                points,
                size_label=_("Effect added"),
                chosen=plan.get("minimum_detectable_effect"),
                target=float(plan.get("target_power") or 0.8),
                by_effect=True,
            )
            if len(points) > 1
            else "",
            # The analysis finds "effects" in the past where none was added more often than
            # its level promises, beyond what the number of placebo trials explains.
            "over_rejects": false_positive is not None
            and (plan.get("ci_low") or [0])[0] > float(plan.get("alpha") or 0.05),
            "cannot_reject": plan.get("smallest_p_value") is not None
            and plan["smallest_p_value"] > float(plan.get("alpha") or 0.05),
            "progress": _unfinished(saved.get("history_progress")),
            "failed": _failed(saved.get("history_progress")),
        },
        status=400 if form.errors else 200,
    )


def _failed(progress_id: str | None) -> Any:
    from infuse.core.models import TaskProgress

    if not progress_id:
        return None
    return TaskProgress.objects.filter(pk=progress_id, state=TaskProgress.State.FAILED).first()


def _unfinished(progress_id: str | None) -> Any:
    from infuse.core.models import TaskProgress

    if not progress_id:
        return None
    progress = TaskProgress.objects.filter(pk=progress_id).first()
    return progress if progress and not progress.is_finished else None


@login_required
@require_http_methods(["GET", "POST"])
def experiment_outcomes(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    existing = [
        {
            "kind": o.kind,
            "name": o.name,
            "source": (
                f"indicator:{o.indicator.slug}"
                if o.indicator
                else f"column:{o.dataset.slug}:{o.column}"
                if o.dataset
                else ""
            ),
        }
        for o in experiment.outcomes.select_related("dataset", "indicator")
    ]
    rows = existing + [{"kind": "primary" if not existing else "secondary"}] * (5 - len(existing))
    sources = _outcome_sources(person)
    formset = OutcomeFormSet(
        request.POST if request.method == "POST" else None,
        initial=rows,
        prefix="outcome",
        form_kwargs={"sources": sources},
    )
    problems: list[Any] = []
    if request.method == "POST" and formset.is_valid():
        outcomes = [f for f in (form.to_fields() for form in formset.forms) if f is not None]
        try:
            services.set_outcomes(actor=person, experiment=experiment, outcomes=outcomes)
        except (InvalidInput, Conflict) as error:
            problems = list(getattr(error, "problems", [])) or [error]
        else:
            messages.success(request, _("Outcomes saved."))
            return redirect("adaption:experiment", slug=experiment.slug)
    return render(
        request,
        "adaption/outcomes.html",
        {"experiment": experiment, "formset": formset, "problems": problems},
        status=400 if problems or formset.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def protocol_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register the protocol (a designed experiment) or amend it (a registered one)."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    latest = experiment.latest_protocol
    amending = latest is not None
    initial = {k: v for k, v in latest.content.items() if isinstance(v, str)} if latest else {}
    form = ProtocolForm(
        request.POST if request.method == "POST" else None,
        randomised=experiment.is_randomised,
        amending=amending,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if amending:
                protocol = services.amend_protocol(
                    actor=person,
                    experiment=experiment,
                    fields=form.to_fields(),
                    reason=form.cleaned_data.get("reason", ""),
                    allows_rerandomisation=bool(form.cleaned_data.get("allows_rerandomisation")),
                )
            else:
                protocol = services.register_protocol(
                    actor=person, experiment=experiment, fields=form.to_fields()
                )
        except InvalidInput as error:
            form.add_problems(error.problems)
        except Conflict as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request,
                _("Protocol version %(version)s registered: SHA-256 %(digest)s")
                % {"version": protocol.version, "digest": protocol.sha256},
            )
            return redirect("adaption:protocol", slug=experiment.slug, version=protocol.version)
    return render(
        request,
        "adaption/protocol_form.html",
        {"experiment": experiment, "form": form, "amending": amending, "latest": latest},
        status=400 if form.errors else 200,
    )


@require_GET
def protocol_detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """One registered version, frozen, with what changed from the one before."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    protocol = experiment.protocols.filter(version=version).first()
    if protocol is None:
        raise NotFound()
    previous: Protocol | None = experiment.protocols.filter(version=version - 1).first()
    answers = [
        (label, protocol.content.get(name, ""))
        for name, label in services.PROTOCOL_LABELS.items()
        if protocol.content.get(name)
    ]
    return render(
        request,
        "adaption/protocol.html",
        {
            "experiment": experiment,
            "protocol": protocol,
            "answers": answers,
            "previous": previous,
            "changes": services.protocol_changes(previous, protocol) if previous else [],
            "versions": experiment.protocols.order_by("version"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_randomise(request: HttpRequest, slug: str) -> HttpResponse:
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.randomise_experiment", experiment):
        raise PermissionDenied()

    datasets = [(d.slug, d.title) for d in data.visible_datasets(person).order_by("slug")]
    form = RandomiseForm(request.POST if request.method == "POST" else None, datasets=datasets)
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.randomise(actor=person, experiment=experiment, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        except Conflict as error:
            problems = [error]
        else:
            messages.success(request, _("Randomised. The allocation and its digest are kept."))
            return redirect("adaption:allocation", slug=experiment.slug)
    return render(
        request,
        "adaption/randomise.html",
        {
            "experiment": experiment,
            "form": form,
            "problems": problems,
            "council_units": experiment.design in COUNCIL_UNITS,
            "stepped_wedge": experiment.design == "stepped_wedge",
        },
        status=400 if form.errors or problems else 200,
    )


@require_GET
def allocation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The allocation (with its balance table), or its CSV with ``?format=csv``."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    allocation = services.get_allocation(actor=request.user, experiment=experiment)
    result = allocation.result
    rows = list(
        zip(
            result["unit_ids"],
            result["assignment"],
            result.get("steps") or [None] * len(result["unit_ids"]),
            result.get("strata") or [None] * len(result["unit_ids"]),
            strict=True,
        )
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{experiment.slug}-allocation.csv"'
        writer = defused_csv.writer(response)
        writer.writerow(["unit", "arm", "step", "stratum"])
        writer.writerows([[u, a, s or "", t or ""] for u, a, s, t in rows])
        writer.writerow([])
        writer.writerow(["# seed", allocation.seed])
        writer.writerow(["# allocation_digest (SHA-256)", allocation.allocation_digest])
        return response
    names = _unit_names(experiment, [r[0] for r in rows])
    return render(
        request,
        "adaption/allocation.html",
        {
            "experiment": experiment,
            "allocation": allocation,
            "rows": [(names.get(u, u), a, s, t) for u, a, s, t in rows],
            "counts": result.get("counts", {}),
            "balance": allocation.balance,
            "schedule": result.get("schedule"),
            "periods": range(len(result["schedule"][0])) if result.get("schedule") else [],
            "schedule_rows": list(
                zip(
                    [names.get(u, u) for u in result["unit_ids"]],
                    result.get("schedule") or [],
                    strict=False,
                )
            ),
        },
    )


def _unit_names(experiment: Experiment, units: list[Any]) -> dict[Any, str]:
    if experiment.design not in COUNCIL_UNITS:
        return {}
    return {c.gss_code: c.name for c in experiment.councils.all()}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_data(request: HttpRequest, slug: str) -> HttpResponse:
    """Attach the outcome data and run the registered analysis."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()

    datasets = [(d.slug, d.title) for d in data.visible_datasets(person).order_by("slug")]
    form = AttachDataForm(request.POST if request.method == "POST" else None, datasets=datasets)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_data(actor=person, experiment=experiment, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        except Conflict as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The analysis is running."))
            return redirect("adaption:results", slug=experiment.slug)
    return render(
        request,
        "adaption/data.html",
        {"experiment": experiment, "form": form},
        status=400 if form.errors else 200,
    )


DEVIATIONS = {
    "primary-outcome": gettext_lazy("The primary outcome analysed is not the one registered"),
    "dataset": gettext_lazy("The data come from a different dataset than registered"),
    "secondary-outcomes": gettext_lazy("Secondary outcomes that were not registered"),
    "covariates": gettext_lazy("Adjusted for covariates not named in the protocol's outcomes"),
}


@require_GET
def experiment_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The latest analysis: primary effect in words, flow, forest plot, secondary outcomes."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    run = services.get_analysis(actor=request.user, experiment=experiment)
    result = run.result or {}
    primary = result.get("primary") or {}
    return render(
        request,
        "adaption/results.html",
        {
            "experiment": experiment,
            "run": run,
            "result": result,
            "primary": primary,
            "sentence": _effect_sentence(experiment, result) if primary else "",
            "flow_svg": charts.flow_svg(result["flow"]) if result.get("flow") else "",
            "forest_svg": charts.forest_svg(
                result.get("by_council", []), primary, label=result.get("outcome", "")
            )
            if result.get("by_council")
            else "",
            "deviations": [
                (DEVIATIONS.get(d["key"], d["key"]), d["detail"]) for d in run.deviations
            ],
            "can_attach": can(request.user, "adaption.change_experiment", experiment),
            "balance": (
                experiment.latest_allocation.balance if experiment.latest_allocation else {}
            ),
        },
    )


def _effect_sentence(experiment: Experiment, result: dict[str, Any]) -> str:
    """The primary result in plain words, in the page's language."""
    primary = result["primary"]
    estimate = primary["estimate"]
    if primary.get("ci_low") is None or primary.get("ci_high") is None:
        # Synthetic control: inference by placebos, without a confidence interval.
        p_value = primary.get("p_value")
        return _(
            "The estimated effect on %(outcome)s is %(estimate)s (placebo p-value %(p)s); this "
            "method gives no confidence interval."
        ) % {
            "outcome": result.get("outcome", ""),
            "estimate": f"{estimate:.2f}",
            "p": "–" if p_value is None else f"{p_value:.3f}",
        }
    values = {
        "outcome": result.get("outcome", ""),
        "size": f"{abs(estimate):.2f}",
        "low": f"{primary['ci_low']:.2f}",
        "high": f"{primary['ci_high']:.2f}",
        "p": "p < 0.001" if primary["p_value"] < 0.001 else f"p = {primary['p_value']:.3f}",
    }
    if primary["ci_low"] > 0 or primary["ci_high"] < 0:
        text = (
            _("With the intervention, %(outcome)s was higher by %(size)s on average")
            if estimate > 0
            else _("With the intervention, %(outcome)s was lower by %(size)s on average")
        ) % values
        text += (
            " "
            + _(
                "(95%% confidence interval %(low)s to %(high)s; %(p)s). Chance alone is an "
                "unlikely explanation."
            )
            % values
        )
    else:
        text = (
            _(
                "The data do not show a clear difference in %(outcome)s: the best estimate is "
                "%(size)s, but the 95%% confidence interval runs from %(low)s to %(high)s "
                "(%(p)s), so it could be no effect at all."
            )
            % values
        )
    return text


EVIDENCE_REASONS = {
    "no-analysis": gettext_lazy(
        "No analysis has finished yet, so the intervention is described but not tested."
    ),
    "no-estimate": gettext_lazy("The analysis gave no estimate to judge."),
    "no-clear-effect": gettext_lazy(
        "The results do not rule out no effect: change may be seen but not shown to be caused."
    ),
    "causal": gettext_lazy(
        "A randomised comparison shows an effect whose interval excludes no effect."
    ),
    "replicated": gettext_lazy(
        "This scale-up repeats an earlier experiment that reached level 3, and confirms it."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_decision(request: HttpRequest, slug: str) -> HttpResponse:
    """Record the decision: scale, adapt or stop, with the evidence level suggested."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    suggested, reason = services.suggest_evidence_level(experiment)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"evidence_level": suggested},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(actor=person, experiment=experiment, fields=form.to_fields())
        except InvalidInput as error:
            form.add_problems(error.problems)
        except Conflict as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("adaption:experiment", slug=experiment.slug)
    return render(
        request,
        "adaption/decision.html",
        {
            "experiment": experiment,
            "form": form,
            "suggested": suggested,
            "reason": EVIDENCE_REASONS.get(reason, reason),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def experiment_scale_up(request: HttpRequest, slug: str) -> HttpResponse:
    """Turn a decision to scale into a new stepped-wedge experiment, councils in order."""
    person = person_of(request)
    experiment = services.get_experiment(actor=person, slug=slug)
    if not can(person, "adaption.change_experiment", experiment):
        raise PermissionDenied()
    form = ScaleUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.scale_up(
                actor=person,
                experiment=experiment,
                councils=form.order(),
                title_en=form.cleaned_data.get("title_en") or "",
                title_cy=form.cleaned_data.get("title_cy") or "",
            )
        except InvalidInput as error:
            for problem in error.problems:
                form.add_error(None, str(problem.message))
        except Conflict as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(
                request, _("The scale-up is a new stepped-wedge experiment, as a draft.")
            )
            return redirect("adaption:experiment", slug=child.slug)
    return render(
        request,
        "adaption/scale_up.html",
        {"experiment": experiment, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
def experiment_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The trial report as a page: protocol, flow diagram, results and decision."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    return render(request, "adaption/report.html", report.report_context(request.user, experiment))


@require_GET
def experiment_report_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The same report as a tagged PDF (PDF/UA-1), in the page's language."""
    experiment = services.get_experiment(actor=request.user, slug=slug)
    pdf = report.report_pdf(request.user, experiment, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{experiment.slug}-report.pdf"'
    return response
