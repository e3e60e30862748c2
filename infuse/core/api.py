"""Core JSON endpoints: reference data (public), the signed-in person, task progress."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core import confirmation, ratelimit, services
from infuse.core.api_auth import OPTIONAL_AUTH, caller
from infuse.core.models import (
    ApiToken,
    Council,
    Membership,
    Theme,
    WayOfWorking,
    WellbeingGoal,
)
from infuse.core.permissions import roles_of
from infuse.core.schemas import (
    PROBLEMS,
    ConfirmEmailIn,
    CouncilOut,
    Done,
    IssuedTokenOut,
    MeOut,
    ProblemOut,
    ProgressOut,
    TermOut,
    TokenIn,
    TokenOut,
)

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
    person = caller(request)
    memberships = Membership.objects.filter(person=person).select_related("organisation")
    return {
        "email": person.email,
        "full_name": person.full_name,
        "preferred_language": person.preferred_language,
        "email_confirmed": person.email_confirmed,
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
    progress = services.get_progress(actor=caller(request), progress_id=progress_id)
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


@private.get("/tokens", response={200: list[TokenOut], 401: ProblemOut}, summary="Your API tokens")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(person=caller(request)))


@private.post(
    "/tokens",
    response={201: IssuedTokenOut, 400: ProblemOut, 401: ProblemOut},
    summary="Create an API token (the secret is in this response only)",
)
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict]:
    ratelimit.check(request, "token-create")
    issued = services.create_api_token(actor=caller(request), name=payload.name)
    token = issued.token
    return Status(
        201,
        {
            "id": token.pk,
            "name": token.name,
            "prefix": token.prefix,
            "created_at": token.created_at,
            "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at,
            "secret": issued.secret,
        },
    )


@private.delete(
    "/tokens/{token_id}",
    response={200: TokenOut, 401: ProblemOut, 404: ProblemOut},
    summary="Revoke one of your API tokens",
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    return services.revoke_api_token(actor=caller(request), token_id=token_id)


@public.post(
    "/account/email-confirmation",
    response={200: Done, **PROBLEMS},
    auth=OPTIONAL_AUTH,
    tags=["people"],
    summary="Confirm an email address with the token from the emailed link (no sign-in needed)",
)
def confirm_email(request: HttpRequest, payload: ConfirmEmailIn) -> Done:
    ratelimit.check(request, "confirm-email")
    person = confirmation.confirm(payload.token)
    return Done(id=person.pk, status="confirmed")


@private.post(
    "/account/email-confirmation/send",
    response={202: Done, **PROBLEMS},
    summary="Send the email-confirmation link again",
)
def send_confirmation(request: HttpRequest) -> Status[Done]:
    person = caller(request)
    ratelimit.check(request, "confirm-email")
    confirmation.send_link(person, confirmation.absolute_links(request))
    return Status(202, Done(id=person.pk, status="sent"))
