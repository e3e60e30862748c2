"""Core JSON endpoints: reference data (public), the signed-in person, task progress."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router

from infuse.core import services
from infuse.core.models import Council, Membership, Theme, WayOfWorking, WellbeingGoal
from infuse.core.permissions import roles_of
from infuse.core.schemas import CouncilOut, MeOut, ProblemOut, ProgressOut, TermOut

public = Router(tags=["reference data"])
private = Router(tags=["people"])


@public.get("/councils", response=list[CouncilOut], auth=None, summary="The ten councils")
def list_councils(request: HttpRequest) -> list[Council]:
    return list(Council.objects.all())


@public.get("/goals", response=list[TermOut], auth=None, summary="The seven well-being goals")
def list_goals(request: HttpRequest) -> list[WellbeingGoal]:
    return list(WellbeingGoal.objects.all())


@public.get(
    "/ways-of-working", response=list[TermOut], auth=None, summary="The five ways of working"
)
def list_ways_of_working(request: HttpRequest) -> list[WayOfWorking]:
    return list(WayOfWorking.objects.all())


@public.get("/themes", response=list[TermOut], auth=None, summary="The programme's three themes")
def list_themes(request: HttpRequest) -> list[Theme]:
    return list(Theme.objects.all())


@private.get("/me", response={200: MeOut, 401: ProblemOut}, summary="The signed-in person")
def me(request: HttpRequest) -> dict:
    person = request.auth  # type: ignore[attr-defined]
    memberships = Membership.objects.filter(person=person).select_related("organisation")
    return {
        "email": person.email,
        "full_name": person.full_name,
        "preferred_language": person.preferred_language,
        "roles": sorted(roles_of(person)),
        "memberships": [
            {
                "organisation": m.organisation.slug,
                "organisation_kind": m.organisation.kind,
                "role": m.role,
            }
            for m in memberships
        ],
    }


@private.get(
    "/tasks/{progress_id}",
    response={200: ProgressOut, 401: ProblemOut, 404: ProblemOut},
    summary="Progress of a background task",
)
def task_progress(request: HttpRequest, progress_id: UUID) -> dict:
    progress = services.get_progress(actor=request.auth, progress_id=progress_id)  # type: ignore[attr-defined]
    return {
        "id": progress.pk,
        "kind": progress.kind,
        "state": progress.state,
        "done": progress.done,
        "total": progress.total,
        "percent": progress.percent,
        "message": progress.message,
        "finished": progress.is_finished,
        "result": progress.result,
        "created_at": progress.created_at,
        "updated_at": progress.updated_at,
    }
