from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infuse.core import audit, services
from infuse.core.console import follow_progress, progress_bar
from infuse.core.models import TaskProgress


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` walks the hash chain and names the first broken event."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="Verify the audit chain.")
        verify.add_argument(
            "--queue",
            action="store_true",
            help="Run as a background task (needs `infuse worker`) and follow its progress.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            started = services.start_audit_verification(actor=None)
            progress = follow_progress(started.pk, "Verifying audit chain (background)")
            if progress.state == TaskProgress.State.FAILED:
                raise CommandError(f"Verification failed: {progress.message}")
            ok = progress.result["ok"]
            checked = progress.result["checked"]
            where = progress.result["first_break"]
        else:
            with progress_bar() as bar:
                task = bar.add_task("Verifying audit chain", total=None)
                result = audit.verify_chain(
                    progress=lambda done, total: bar.update(task, completed=done, total=total)
                )
            ok, checked = result.ok, result.checked
            where = result.first_break.describe() if result.first_break else None
        if not ok:
            raise CommandError(f"Audit chain broken at {where} ({checked} events intact before it)")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
