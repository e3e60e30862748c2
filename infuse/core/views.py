"""Core pages: home, accessibility statement, account and API tokens, audit, task progress.

Views are thin: they read what a person may see and call services for every change.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core import confirmation, ratelimit, services
from infuse.core import glossary as glossary_terms
from infuse.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)
from infuse.core.forms import ApiTokenForm, SignInForm
from infuse.core.links import in_language
from infuse.core.models import (
    AuditEvent,
    Council,
    Membership,
    Person,
    Role,
    TaskProgress,
    Theme,
    WayOfWorking,
    WellbeingGoal,
)
from infuse.core.permissions import awaits_confirmation, can, person_of, roles_of
from infuse.core.problems import render_error
from infuse.core.ratelimit import rate_limited

logger = logging.getLogger(__name__)

# What each role does in InFuSe, shown on the signed-in home page ("my work").
ROLE_WORK: dict[str, list[tuple[str, str]]] = {
    Role.OFFICER: [("datalab:index", "datalab"), ("adaption:index", "adaption")],
    Role.ANALYST: [("datalab:index", "datalab"), ("adaption:index", "adaption")],
    Role.PROCUREMENT_OFFICER: [("procurement:index", "procurement"), ("fund:index", "fund")],
    Role.EVALUATOR: [("procurement:index", "procurement")],
    Role.FUND_MANAGER: [("fund:index", "fund"), ("procurement:index", "procurement")],
    Role.PROGRAMME_ADMIN: [("audit", "audit"), ("admin:index", "admin")],
    Role.SUPPLIER: [("procurement:index", "procurement")],
}


def reference_context() -> dict[str, Any]:
    return {
        "councils": Council.objects.all(),
        "goals": WellbeingGoal.objects.all(),
        "ways_of_working": WayOfWorking.objects.all(),
        "themes": Theme.objects.all(),
    }


def your_work(person: Person) -> dict[str, Any]:
    """What the signed-in home page says of the person: their roles, where their work is,
    their recent background work (the region's home page puts this above the dashboard)."""
    roles = roles_of(person)
    work: list[str] = []
    for role in Role.values:
        if role in roles:
            work.extend(area for _, area in ROLE_WORK[role] if area not in work)
    return {
        "memberships": Membership.objects.filter(person=person).select_related("organisation"),
        "work": work,
        "tasks": TaskProgress.objects.filter(owner=person)[:5],
    }


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """What InFuSe is: the labs and the fund, the ten councils, the goals and themes."""
    context = reference_context()
    context["region_population"] = sum(c.population for c in context["councils"])
    return render(request, "core/about.html", context)


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@require_GET
def glossary(request: HttpRequest) -> HttpResponse:
    """Every statistical term the pages explain, in the page's language's alphabetical order."""
    terms = sorted(glossary_terms.TERMS, key=lambda term: str(term.name).lower())
    return render(request, "core/glossary.html", {"terms": terms})


@method_decorator(rate_limited("sign-in"), name="dispatch")
class SignInView(LoginView):
    form_class = SignInForm
    template_name = "auth/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    issued = None
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            ratelimit.check(request, "token-create")
            issued = services.create_api_token(
                actor=person_of(request), name=form.cleaned_data["name"]
            )
        except DomainError as error:
            problems = error.problems or [error]
        else:
            form = ApiTokenForm()
    tokens = person_of(request).api_tokens.all()
    memberships = Membership.objects.filter(person=person_of(request)).select_related(
        "organisation"
    )
    return render(
        request,
        "core/account.html",
        {
            "form": form,
            "issued": issued,
            "tokens": tokens,
            "memberships": memberships,
            "problems": problems,
            "awaits_confirmation": awaits_confirmation(person_of(request)),
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.revoke_api_token(actor=person_of(request), token_id=token_id)
    messages.success(request, _("Token ‘%(name)s’ is revoked.") % {"name": token.name})
    return redirect("account")


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "core.view_audit"):
        raise PermissionDenied()
    events = AuditEvent.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    last_check = TaskProgress.objects.filter(kind="audit.verify").first()
    return render(
        request,
        "core/audit.html",
        {"page": page, "action": action, "last_check": last_check},
    )


@login_required
@require_POST
def audit_verify(request: HttpRequest) -> HttpResponse:
    progress = services.start_audit_verification(actor=person_of(request))
    return redirect("task", progress_id=progress.pk)


def _progress_summary(progress: TaskProgress) -> str:
    if progress.total:
        return _("%(done)s of %(total)s done (%(percent)s%%)") % {
            "done": f"{progress.done:,}",
            "total": f"{progress.total:,}",
            "percent": progress.percent,
        }
    if progress.state == TaskProgress.State.QUEUED:
        return _("Waiting to start")
    return _("%(done)s done") % {"done": f"{progress.done:,}"}


def progress_json(progress: TaskProgress) -> dict[str, Any]:
    return {
        "id": str(progress.pk),
        "kind": progress.kind,
        "state": progress.state,
        "state_label": str(progress.get_state_display()),
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "message": _(progress.message) if progress.message else "",
        "summary": _progress_summary(progress),
        "finished": progress.is_finished,
        "result": progress.result,
        "created_at": progress.created_at.isoformat(),
        "updated_at": progress.updated_at.isoformat(),
    }


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link opens a page with one button: a link alone changes nothing, so mail
    scanners that follow links do not confirm on the person's behalf."""
    if request.method == "POST":
        try:
            confirmation.confirm(token)
        except DomainError as error:
            return render(
                request, "core/confirm_email.html", {"problems": [error]}, status=error.status
            )
        messages.success(request, _("Your email address is confirmed. You can use InFuSe now."))
        return redirect("home" if request.user.is_authenticated else "login")
    return render(request, "core/confirm_email.html")


@login_required
@require_POST
def send_confirmation(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    try:
        ratelimit.check(request, "confirm-email")
        confirmation.send_link(person, confirmation.absolute_links(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("We have sent a new link to %(email)s. It may take a few minutes to arrive.")
            % {"email": person.email},
        )
    return redirect("account")


# What each kind of work was for, as the link on its progress page reads.
SUBJECT_WORDS: dict[str, Promise] = {
    TaskProgress.Kind.INGEST: gettext_lazy("The upload and its report"),
    TaskProgress.Kind.INDICATOR: gettext_lazy("The indicator"),
    TaskProgress.Kind.ANALYSIS: gettext_lazy("The experiment's results"),
    TaskProgress.Kind.SIMULATION: gettext_lazy("The experiment's design"),
    TaskProgress.Kind.HISTORY: gettext_lazy("The experiment's design"),
    TaskProgress.Kind.AUDIT: gettext_lazy("The audit log"),
    TaskProgress.Kind.EVALUATION: gettext_lazy("The contract and its answer"),
    TaskProgress.Kind.SPEND: gettext_lazy("The spending and what was read"),
    TaskProgress.Kind.OCDS_IMPORT: gettext_lazy("The red flags, with what was imported"),
}
OTHER_SUBJECT = gettext_lazy("What this work is for")


@login_required
@require_GET
def task_status(request: HttpRequest, progress_id: str) -> HttpResponse:
    """The progress of one piece of work, linking from the start to what it is for (and, when
    it failed, to where that page says why and what to do)."""
    progress = services.get_progress(actor=request.user, progress_id=progress_id)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(progress_json(progress))
    return render(
        request,
        "core/task.html",
        {
            "progress": progress,
            "summary": _progress_summary(progress),
            "subject_url": progress.subject_path()
            # A result's own link is kept as made (in whichever language the work began).
            or in_language(progress.result.get("url", ""), get_language()),
            "subject_words": SUBJECT_WORDS.get(progress.kind, OTHER_SUBJECT),
        },
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(NotFound(), request)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render_error(PermissionDenied(), request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return render_error(PayloadTooLarge(), request)
    return render_error(InvalidInput(_("The request could not be understood.")), request)


# Used when even the error page cannot be rendered (the database is down, say): no template, no
# database, both languages at once.
PLAIN_SERVER_ERROR = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Sorry, there is a problem with the service</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<main>
<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>
<h2 lang="cy">Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth</h2>
<p lang="cy">Rhowch gynnig arall arni nes ymlaen.</p>
</main></body></html>"""


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return render_error(DomainError(), request)
    except Exception:
        logger.exception("The error page itself failed; sending the plain one")
        return HttpResponse(PLAIN_SERVER_ERROR, status=500)
