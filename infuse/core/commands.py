"""The shape every lab's `infuse <lab> ACTION` command shares.

Each action is a method ``_<action>(actor, options)``; changes are made as the person named by
``--as EMAIL`` (and audited as them), reads without it see what the public sees; a service's
refusal becomes one line naming the problem fields, never a traceback.

A lab that is split into sub-domain slices gives each slice its own :class:`Actions` (in the
slice's ``cli.py``): the slice declares its actions and does them, and the lab's command is just
the slices' actions put together, ``class Command(ChallengeActions, BidActions, LabCommand)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.core.management.color import Style
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from infuse.core.errors import DomainError, NotFound, invalid_input_from
from infuse.core.models import Person
from infuse.core.progress import announce_change


def read_json(path: Path) -> Any:
    """A JSON file an action was given, or one line saying why it cannot be read."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path} as JSON: {error}") from error


def in_thread(work: Callable[[], Any]) -> threading.Thread:
    """Run a task's work in a thread with its own database connection (closed when it ends),
    so a command can show the task's progress while it runs."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()
            # Whoever follows the work hears at once that it ended, reported or not.
            announce_change()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _refusal(error: DomainError) -> CommandError:
    """A service's refusal as one line naming the problem fields."""
    details = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
    return CommandError(f"{error.message}{' (' + details + ')' if details else ''}")


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


Who = Literal["required", "optional", "nobody"]
# action(name, help, who=...) adds an action's parser (with ``--as`` unless who is "nobody").
AddAction = Callable[..., CommandParser]


class Actions:
    """One slice's actions in its lab's command.

    ``add_actions(action)`` declares them (``action("publish", "Publish a challenge.")`` returns
    the action's parser, for its arguments); a method ``_publish(self, actor, options)`` on the
    same class does each. ``self.write_json``, ``self.stdout`` and ``self.style`` are the
    command's.
    """

    if TYPE_CHECKING:
        stdout: OutputWrapper
        stderr: OutputWrapper
        style: Style

        def write_json(self, data: Any) -> None: ...

    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        raise NotImplementedError


class LabCommand(BaseCommand):
    """Dispatch ``options["action"]`` to ``_<action>`` as the ``--as`` person.

    A command made of slices' :class:`Actions` gets its sub-commands from them; a command that
    declares its own ``add_arguments`` keeps it.

    The lab commands leave Django's system checks to ``infuse check``, ``migrate`` and
    ``serve``: running them loads the URL map and the whole API's schemas (0.85 s of a
    1M-row ``infuse data ingest``) and tells someone ingesting a file nothing.
    """

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        groups = [c for c in type(self).__mro__ if issubclass(c, Actions) and c is not Actions]
        if not groups:
            return
        sub = parser.add_subparsers(dest="action", required=True)

        def action(name: str, help_text: str, who: Who = "required") -> CommandParser:
            made = sub.add_parser(name, help=help_text)
            if who != "nobody":
                with_person(made, required=who == "required")
            made.add_argument(
                "--language",
                choices=[code for code, _name in settings.LANGUAGES],
                help="The language of what is said back (default: the person's own, else English).",
            )
            return made

        for group in groups:
            if "add_actions" in vars(group):
                group.add_actions(action)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.actor(options.get("person"))
        language = options.get("language") or getattr(actor, "preferred_language", "") or "en"
        with translation.override(language):
            self._act(actor, options)

    def _act(self, actor: Any, options: dict[str, Any]) -> None:
        method = getattr(self, "_" + options["action"].replace("-", "_"))
        try:
            method(actor, options)
        except NotFound as error:
            raise CommandError(
                _("Not found, or not visible to you: check the name")
                if options.get("person")
                else _(
                    "Not found, or not visible to you: check the name, or act --as someone who "
                    "may see it"
                )
            ) from error
        except ValidationError as error:  # a schema built from the arguments or a file
            raise _refusal(invalid_input_from(error.errors())) from error
        except DomainError as error:
            raise _refusal(error) from error

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
