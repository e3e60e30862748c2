from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from infuse.demo.loader import load_demo_data, load_demo_region


class Command(BaseCommand):
    help = "Load the demo region (idempotent) and print one demo sign-in per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--password", help="Password for new demo people (default: INFUSE_DEMO_PASSWORD)."
        )
        parser.add_argument(
            "--people-only",
            action="store_true",
            help="Load the demo people and organisations but no datasets.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or settings.INFUSE_DEMO_PASSWORD
        people = load_demo_region(password)
        if not options["people_only"]:
            self.stdout.write("Loading the demo datasets and indicators…")
            load_demo_data(report=lambda message: self.stdout.write(f"  {message}"))
        self.stdout.write(self.style.SUCCESS("Demo region loaded. Sign in with any of these:"))
        width = max(len(p.email) for p in people)
        for person in people:
            self.stdout.write(
                f"  {person.email:<{width}}  {person.role:<20} {person.organisation_slug}"
            )
        self.stdout.write(f"  password for each: {password}")
