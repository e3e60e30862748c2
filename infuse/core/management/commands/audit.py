from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infuse.core import audit, integrity, keyring, services
from infuse.core.console import follow_progress, progress_bar
from infuse.core.models import AuditHead, TaskProgress


class Command(BaseCommand):
    help = (
        "Audit log tools. `audit verify` walks the keyed chain and its checkpoints and re-checks "
        "what the labs keep unchangeable, naming the first problem; `audit new-key` makes a key."
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        new_key = sub.add_parser(
            "new-key", help="Print a new key for INFUSE_AUDIT_KEYS (put it first to rotate)."
        )
        new_key.add_argument("key_id", help="A short id for the key, e.g. k2.")
        verify = sub.add_parser(
            "verify",
            help="Verify the audit chain, its checkpoints, protocols, dataset files and bids.",
        )
        verify.add_argument(
            "--queue",
            action="store_true",
            help="Run as a background task (needs `infuse worker`) and follow its progress.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new-key":
            self.stdout.write(keyring.new_key(options["key_id"]))
            return
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
            if result.unkeyed:
                self.stdout.write(
                    self.style.WARNING(
                        f"{result.unkeyed} events from before audit keys are hashed without a "
                        "key: the checkpoints are their only anchor."
                    )
                )
        if not ok:
            raise CommandError(f"Audit chain broken at {where} ({checked} events intact before it)")
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {checked} events verified."))
        problems = self._checkpoints() + self._records()
        if problems:
            raise CommandError("\n".join(problems))

    def _checkpoints(self) -> list[str]:
        """The chain against the signed checkpoints kept outside the database. A missing file
        while there are events is a failure; a file that stops before the head is said (a
        process killed between its commit and its checkpoint leaves such a gap; a truncated
        file does too: compare with the copy shipped elsewhere)."""
        result = audit.verify_checkpoints()
        head = AuditHead.objects.filter(id=1).values_list("sequence", flat=True).first() or 0
        if not result.found:
            return (
                [
                    f"Audit checkpoints: no file at {settings.AUDIT_CHECKPOINT_FILE} although the "
                    f"chain has {head} events; restore it from the copy shipped off this machine "
                    "(see INFUSE_AUDIT_CHECKPOINT_FILE in the README)."
                ]
                if head
                else []
            )
        if not result.ok:
            return [f"Audit checkpoints: {result.problem}"]
        self.stdout.write(self.style.SUCCESS(f"Audit checkpoints match: {result.checked}."))
        if result.latest < head:
            self.stdout.write(
                self.style.WARNING(
                    f"The checkpoints end at event #{result.latest}; the chain goes on to "
                    f"#{head}. Events after #{result.latest} are anchored only by the copy "
                    "shipped elsewhere, if it has them."
                )
            )
        return []

    def _records(self) -> list[str]:
        """What the labs keep unchangeable: protocols, dataset files, sealed bids."""
        problems = []
        for name, found in integrity.run_checks().items():
            if found:
                problems += [f"{name}: {problem}" for problem in found]
            else:
                self.stdout.write(self.style.SUCCESS(f"Checked {name}: all intact."))
        return problems
