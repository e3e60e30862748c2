"""API schemas of the core reference data and the signed-in person."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema


class CouncilOut(Schema):
    gss_code: str
    slug: str
    name_en: str
    name_cy: str
    population: int
    population_year: int
    population_source: str


class TermOut(Schema):
    code: str
    position: int
    name_en: str
    name_cy: str
    description_en: str | None
    description_cy: str | None


class MembershipOut(Schema):
    organisation: str
    organisation_kind: str
    role: str


class MeOut(Schema):
    email: str
    full_name: str
    preferred_language: str
    email_confirmed: bool
    roles: list[str]
    memberships: list[MembershipOut]


class ProgressOut(Schema):
    id: UUID
    kind: str
    state: str
    done: int
    total: int | None
    percent: int | None
    message: str
    finished: bool
    result: dict
    created_at: datetime
    updated_at: datetime


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    key: str
    instance: str | None = None
    errors: list[dict] | None = None


# The problems an endpoint that changes something may answer with (for its OpenAPI entry).
PROBLEMS: dict[int, type[Schema]] = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
}


class Done(Schema):
    """What an action did to which row: ``{"id": 12, "status": "submitted"}``."""

    id: int
    status: str


class ConfirmEmailIn(Schema):
    """The token from the link in the confirmation email (the last part of its path)."""

    token: str = Field(max_length=500)


class TokenIn(Schema):
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class IssuedTokenOut(TokenOut):
    secret: str
