"""The shape every lab's `infuse <lab> ACTION` command shares.

Each action is a method ``_<action>(actor, options)``; changes are made as the person named by
``--as EMAIL`` (and audited as them), reads without it see what the public sees; a service's
refusal becomes one line naming the problem fields, never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from pydantic import BaseModel

from infuse.core.errors import DomainError, NotFound
from infuse.core.models import Person


def _plain(data: Any) -> Any:
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, list | tuple):
        return [_plain(item) for item in data]
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    return data


def with_person(command: Any, required: bool = True) -> Any:
    """Add ``--as EMAIL`` to an action's parser."""
    command.add_argument(
        "--as",
        dest="person",
        required=required,
        help="Email of the person the action is made as (and audited as)."
        + ("" if required else " Without it, you see what the public sees."),
    )
    return command


class LabCommand(BaseCommand):
    """Dispatch ``options["action"]`` to ``_<action>`` as the ``--as`` person."""

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options.get("person"))
        method = getattr(self, "_" + options["action"].replace("-", "_"))
        try:
            method(actor, options)
        except NotFound as error:
            raise CommandError(
                "Not found, or not visible to you: check the name"
                + ("" if options.get("person") else ", or act --as someone who may see it")
            ) from error
        except DomainError as error:
            details = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            raise CommandError(
                f"{error.message}{' (' + details + ')' if details else ''}"
            ) from error

    def write_json(self, data: Any) -> None:
        """Print ``data`` as indented JSON: output schemas (and lists of them) as the API
        gives them, other values with dates and decimals as text."""
        self.stdout.write(json.dumps(_plain(data), indent=2, default=str, ensure_ascii=False))

    def actor(self, email: str | None) -> Any:
        if not email:
            return AnonymousUser()
        person = Person.objects.filter(email__iexact=email).first()
        if person is None:
            raise CommandError(f"No person with the email {email}")
        return person
