"""The one hierarchy of domain errors, shared by services, pages, the API and the CLI.

Each error carries its HTTP status, a stable message ``key`` (the API's problem ``type`` ends with
it) and a translatable message, so a page's error summary and the API's problem+json say the same
thing in the same language. ``InvalidInput`` carries per-field (and per-row) detail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from infuse.core.input_messages import message_for

Message = str | Promise


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one input: ``field`` names the input, ``row`` the data row if any."""

    field: str
    message: Message
    row: int | None = None
    value: Any = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": str(self.message)}
        if self.row is not None:
            out["row"] = self.row
        if self.value is not None:
            out["value"] = self.value
        return out


class DomainError(Exception):
    """Base of every error a service raises for a person to see."""

    status: int = 500
    key: str = "error"
    title: Message = _("Sorry, there is a problem with the service")
    default_message: Message = _("Try again later.")

    def __init__(
        self, message: Message | None = None, *, problems: Iterable[FieldProblem] = ()
    ) -> None:
        self.message: Message = message if message is not None else self.default_message
        self.problems = list(problems)
        super().__init__(str(self.message))


class NotFound(DomainError):
    """The thing asked for does not exist, or the person may not know that it exists."""

    status = 404
    key = "not-found"
    title = _("Page not found")
    default_message = _("If you typed the web address, check it is correct.")


class NotAuthenticated(DomainError):
    """No valid session or API token."""

    status = 401
    key = "not-authenticated"
    title = _("Sign in required")
    default_message = _("Sign in, or send a valid API token, to do that.")


class PermissionDenied(DomainError):
    """The person is known but may not do this."""

    status = 403
    key = "permission-denied"
    title = _("You do not have permission")
    default_message = _("You do not have permission to do that.")


class InvalidInput(DomainError):
    """Input failed validation; ``problems`` says which field (and row) and how to fix it."""

    status = 400
    key = "invalid-input"
    title = _("There is a problem")
    default_message = _("Check the details you gave and try again.")


class Conflict(DomainError):
    """The change conflicts with the current state (an illegal transition, a duplicate)."""

    status = 409
    key = "conflict"
    title = _("That cannot be done now")
    default_message = _("That conflicts with the current state. Reload the page and try again.")


class TooManyRequests(DomainError):
    """The person or address has done this too often in too short a time."""

    status = 429
    key = "too-many-requests"
    title = _("Too many requests")
    default_message = _(
        "You have done that too often in a short time. Wait a while, then try again."
    )


class PayloadTooLarge(DomainError):
    """The request body is larger than this service accepts."""

    status = 413
    key = "payload-too-large"
    title = _("The request is too large")
    default_message = _("The request is larger than this service accepts. Send a smaller one.")


REQUEST_PARTS = {"body", "query", "path", "header", "cookie", "form", "file"}


def invalid_input_from(errors: Iterable[Any]) -> InvalidInput:
    """An ``InvalidInput`` from pydantic's (or django-ninja's) error list, each problem named by
    the field it is about (request parts such as ``body`` left out)."""
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:1] == ["body"] and len(location) > 2:
            location = location[2:]  # ("body", "payload", field…): the field, as the schema has it
        location = [part for part in location if part not in REQUEST_PARTS]
        field = ".".join(location) or "request"
        problems.append(FieldProblem(field, message_for(error, field)))
    return InvalidInput(problems=problems)


def too_long(values: Mapping[str, str], limit: int) -> list[FieldProblem]:
    """A problem for each field longer than its column holds (PostgreSQL would refuse it with
    an error, SQLite would store it), named and with the limit, in the reader's language."""
    return [
        FieldProblem(field, _("Use %(limit)s characters or fewer here") % {"limit": f"{limit:,}"})
        for field, value in values.items()
        if len(value) > limit
    ]
