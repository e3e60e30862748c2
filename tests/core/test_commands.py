"""A lab's command made of its slices' actions: declared by each slice, done as the --as person."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management.base import CommandError

from infuse.core.commands import Actions, LabCommand
from infuse.core.errors import FieldProblem, InvalidInput


class Greetings(Actions):
    @classmethod
    def add_actions(cls, action: Any) -> None:
        action("hello", "Say hello.", who="optional").add_argument("name")

    def _hello(self, actor: Any, options: dict[str, Any]) -> None:
        self.write_json({"hello": options["name"], "signed_in": actor.is_authenticated})


class Refusals(Actions):
    @classmethod
    def add_actions(cls, action: Any) -> None:
        action("refuse", "Always refused.", who="nobody")

    def _refuse(self, actor: Any, options: dict[str, Any]) -> None:
        raise InvalidInput(problems=[FieldProblem("name", "Enter a name")])


class Command(Greetings, Refusals, LabCommand):
    help = "A test command."


def _run(*args: str) -> str:
    out = io.StringIO()
    command = Command(stdout=out)
    parser = command.create_parser("infuse", "test")
    options = vars(parser.parse_args(list(args)))
    command.execute(**{**options, "skip_checks": True})
    return out.getvalue()


def test_actions_from_every_slice_in_the_order_declared():
    parser = Command().create_parser("infuse", "test")
    sub = next(a for a in parser._actions if a.dest == "action")
    assert list(sub.choices) == ["hello", "refuse"]  # type: ignore[attr-defined]
    assert json.loads(_run("hello", "Cymru")) == {"hello": "Cymru", "signed_in": False}


def test_a_refusal_is_one_line_naming_the_field():
    with pytest.raises(CommandError, match="name: Enter a name"):
        _run("refuse")
