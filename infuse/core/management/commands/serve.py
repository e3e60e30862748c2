import os
import shutil
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Serve InFuSe with gunicorn (optionally with the task worker alongside). "
        "In production put a reverse proxy in front and set INFUSE_BEHIND_PROXY=1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="Address (default %(default)s)."
        )
        parser.add_argument("--workers", type=int, default=2, help="Web worker processes.")
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run the background task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed: run `make install` first.")
        worker = None
        if options["with_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "infuse.cli", "worker"])
        self.stdout.write(f"InFuSe is at http://{options['bind']}/  (Ctrl+C to stop)")
        try:
            subprocess.run(  # noqa: S603
                [
                    gunicorn,
                    "infuse.wsgi",
                    "--bind",
                    options["bind"],
                    "--workers",
                    str(options["workers"]),
                    "--access-logfile",
                    "-",
                ],
                check=False,
            )
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
