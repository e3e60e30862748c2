"""`infuse procurement list|show|create|publish`: challenges from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from infuse.core.commands import Actions, AddAction, read_json
from infuse.core.models import Person
from infuse.procurement.challenges import services
from infuse.procurement.challenges.schemas import ChallengeIn, ChallengeOut, CriterionIn, PhaseIn
from infuse.procurement.models import Phase


def phase_args(command: CommandParser) -> CommandParser:
    """The arguments that name a phase: the challenge's slug and the phase's number."""
    command.add_argument("slug")
    command.add_argument("phase", type=int)
    return command


def phase_of(actor: Any, options: dict[str, Any]) -> Phase:
    return services.phase_at(actor=actor, slug=options["slug"], number=options["phase"])


def _phase_in(data: dict[str, Any]) -> PhaseIn:
    """A phase from JSON; instants must carry their offset (UTC or UK summer time)."""
    phase_in = PhaseIn.model_validate(data)
    for name in ("opens_at", "clarification_deadline", "submission_deadline"):
        if getattr(phase_in, name).tzinfo is None:
            raise CommandError(
                f"{data[name]!r} needs its offset, like +00:00 (UTC) or +01:00 (BST)"
            )
    return phase_in


class ChallengeActions(Actions):
    @classmethod
    def add_actions(cls, action: AddAction) -> None:
        action("list", "Challenges you may see.", who="optional")
        action("show", "One challenge as JSON.", who="optional").add_argument("slug")
        action(
            "create", "A draft challenge from JSON: its fields, and phases with their criteria."
        ).add_argument("file", type=Path)
        action("publish", "Publish a challenge.").add_argument("slug")

    def _list(self, actor: Any, options: dict[str, Any]) -> None:
        for challenge in services.visible_challenges(actor):
            state = "published" if challenge.published_at else "draft"
            self.stdout.write(f"{challenge.slug}\t{state}\t{challenge.title_en}")

    def _show(self, actor: Any, options: dict[str, Any]) -> None:
        challenge = services.get_challenge(actor=actor, slug=options["slug"])
        self.write_json(ChallengeOut.of(challenge))

    def _create(self, actor: Person, options: dict[str, Any]) -> None:
        data = read_json(options["file"])
        phases = data.pop("phases", [])
        challenge = services.create_challenge(
            actor=actor, challenge_in=ChallengeIn.model_validate(data)
        )
        for phase in phases:
            criteria = phase.pop("criteria", [])
            made = services.save_phase(actor=actor, challenge=challenge, phase_in=_phase_in(phase))
            services.set_criteria(
                actor=actor,
                phase=made,
                criteria=[CriterionIn.model_validate(c) for c in criteria],
            )
        self.stdout.write(self.style.SUCCESS(f"{challenge.slug} added as a draft"))

    def _publish(self, actor: Person, options: dict[str, Any]) -> None:
        challenge = services.get_challenge(actor=actor, slug=options["slug"])
        services.publish_challenge(actor=actor, challenge=challenge)
        self.stdout.write(self.style.SUCCESS(f"{challenge.slug} published"))
