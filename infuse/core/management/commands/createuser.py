import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infuse.core import services
from infuse.core.errors import DomainError
from infuse.core.models import Organisation, Role


class Command(BaseCommand):
    help = (
        "Create a person who can sign in, optionally with a role at an organisation. "
        "Without a password the person sets one with the 'forgotten password' link."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", required=True, help="Full name.")
        parser.add_argument("--language", choices=["en", "cy"], default="en")
        parser.add_argument("--role", choices=Role.values, help="Role to grant.")
        parser.add_argument(
            "--organisation", help="Organisation slug for --role (for example: cardiff)."
        )
        parser.add_argument(
            "--password-stdin", action="store_true", help="Read the password from standard input."
        )
        parser.add_argument(
            "--prompt-password", action="store_true", help="Ask for the password (not echoed)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif options["prompt_password"]:
            password = getpass.getpass("Password: ")
        organisation = None
        if options["role"]:
            if not options["organisation"]:
                raise CommandError("--role needs --organisation (an organisation slug).")
            organisation = Organisation.objects.filter(slug=options["organisation"]).first()
            if organisation is None:
                slugs = ", ".join(Organisation.objects.values_list("slug", flat=True))
                raise CommandError(f"No organisation '{options['organisation']}'. Known: {slugs}")
        try:
            person = services.create_person(
                actor=None,
                email=options["email"],
                full_name=options["name"],
                password=password,
                preferred_language=options["language"],
            )
            if organisation is not None:
                services.grant_membership(
                    actor=None, person=person, organisation=organisation, role=options["role"]
                )
        except DomainError as error:
            details = "; ".join(f"{p.field}: {p.message}" for p in error.problems)
            raise CommandError(
                f"{error.message}{' (' + details + ')' if details else ''}"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"Created {person.email}"))
