"""Pages of red flags: every flag with its definition, threshold and counts; a contracting
process, a buyer and a supplier with their flags and the evidence for each; and the review of
a raised flag."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from infuse.core.errors import InvalidInput
from infuse.core.files import Upload
from infuse.core.pages import action_page
from infuse.core.permissions import can, person_of
from infuse.procurement.models import ContractingProcess, RedFlag
from infuse.procurement.redflags import imports, services
from infuse.procurement.redflags.words import FLAGS, REASONS, evidence_rows


def _seeing(request: HttpRequest) -> Any:
    person = person_of(request)
    services.require_view(person)
    return person


def _shown(person: Any, flags: list[RedFlag]) -> list[dict[str, Any]]:
    """Each flag as a page shows it: its words, evidence rows, reason and reviews."""
    reviews = services.reviews_of(flags)
    return [
        {
            "flag": f,
            "words": FLAGS[f.code],
            "evidence": evidence_rows(f.code, f.evidence),
            "reason": REASONS.get(f.reason, ""),
            "reviews": reviews.get((f.code, f.subject, f.buyer_id), []),
        }
        for f in flags
    ]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    code = request.GET.get("code", "")
    code = code if code in FLAGS else ""
    raised = services.flags(code=code)
    page = Paginator(raised, 25).get_page(request.GET.get("page"))
    counts = services.counts()
    limits = services.thresholds()
    return render(
        request,
        "procurement/flags/index.html",
        {
            "definitions": [
                {
                    "code": c,
                    "words": w,
                    "threshold": w.threshold(limits),
                    "counts": counts.get(c, {}),
                }
                for c, w in FLAGS.items()
            ],
            "processes": services.process_counts(),
            "page": page,
            "shown": _shown(person, list(page)),
            "code": code,
            "query_string": f"code={code}" if code else "",
            "can_review": can(person, "procurement.review_flags"),
            "last_import": services.last_import(),
        },
    )


@login_required
@require_GET
def process(request: HttpRequest, ocid: str) -> HttpResponse:
    person = _seeing(request)
    found = services.get_process(actor=person, ocid=ocid)
    flags = sorted(
        services.flags_of_process(found), key=lambda f: (f.state != RedFlag.State.FIRES, f.code)
    )
    return render(
        request,
        "procurement/flags/process.html",
        {
            "process": found,
            "suppliers": found.suppliers.all(),
            "shown": _shown(person, flags),
            "can_review": can(person, "procurement.review_flags"),
        },
    )


def _party(
    request: HttpRequest, kind: str, name: str | None, processes: Any, flags: Any
) -> HttpResponse:
    """A buyer's or a supplier's page: its raised flags and its processes (404 without a
    name: no process names it)."""
    person = _seeing(request)
    if name is None:
        return render(request, "procurement/flags/party.html", {"missing": True}, status=404)
    raised = list(flags.filter(state=RedFlag.State.FIRES))
    context = {
        "kind": kind,
        "name": name,
        "processes": processes,
        "shown": _shown(person, raised),
        "can_review": can(person, "procurement.review_flags"),
    }
    return render(request, "procurement/flags/party.html", context)


@login_required
@require_GET
def buyer(request: HttpRequest, buyer_id: str) -> HttpResponse:
    processes = ContractingProcess.objects.filter(buyer_id=buyer_id)
    first = processes.first()
    name = None if first is None else first.buyer_name or buyer_id
    return _party(request, "buyer", name, processes, services.flags_of_buyer(buyer_id))


@login_required
@require_GET
def supplier(request: HttpRequest, party_id: str) -> HttpResponse:
    processes = ContractingProcess.objects.filter(suppliers__party_id=party_id).distinct()
    name = services.supplier_name(party_id)
    return _party(request, "supplier", name, processes, services.flags_of_supplier(party_id))


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    person = _seeing(request)
    flag = services.get_flag(actor=person, pk=pk)
    back = request.POST.get("next", "")
    own = back.startswith(("/procurement/flags/", "/cy/procurement/flags/")) and "//" not in back
    then = back if own else reverse("procurement:flags")
    return action_page(
        request,
        run=lambda: services.review_flag(
            actor=person, pk=flag.pk, explanation=request.POST.get("explanation", "")
        ),
        success=_("Your review is recorded beside the flag."),
        then=then,
    )


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    """Keep an OCDS file sent from the page and import it in the background: its progress
    page updates as it is read, then links to the flags computed again."""
    person = _seeing(request)
    upload = request.FILES.get("releases")
    if upload is None or not upload.size:
        messages.error(request, _("Choose a release package (.json) or a JSON Lines file (.jsonl)"))
        return redirect("procurement:flags")
    if upload.size > imports.PAGE_IMPORT_BYTES:
        messages.error(
            request, _("The file is larger than 20 MB: import it with the command line or the API")
        )
        return redirect("procurement:flags")
    try:
        progress = imports.queue_import(actor=person, upload=Upload.of(upload))
    except InvalidInput as refused:
        for problem in refused.problems:
            messages.error(request, str(problem.message))
        return redirect("procurement:flags")
    messages.success(
        request,
        _(
            "The file is being imported. This page shows how far it has got; the flags are "
            "computed again when it is done."
        ),
    )
    return redirect("task", progress_id=progress.pk)
