"""`infuse serve`: gunicorn, and with ``--with-worker`` the task worker, as one service."""

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infuse.core import web_server
from infuse.core.supervisor import Child, Supervisor, console_script
from infuse.core.web_server import default_workers


class Command(BaseCommand):
    help = (
        "Serve InFuSe with gunicorn (optionally with the task worker alongside, restarted if it "
        "stops). SIGTERM or Ctrl+C stops everything it started. In production put a reverse "
        "proxy in front and set INFUSE_BEHIND_PROXY=1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--bind", default="127.0.0.1:8000", help="Address (default %(default)s)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="Web worker processes (default: one per core, at least two: %(default)s).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="Threads per web worker: a request waiting on a sandboxed query holds one thread, "
            "not the worker (default %(default)s).",
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Also run the background task worker."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if gunicorn is None:
            raise CommandError("gunicorn is not installed: run `make install` first.")
        # Preloaded, gthread workers that warm up before taking traffic: see core/web_server.py.
        web = [gunicorn, "infuse.wsgi", "--config", f"python:{web_server.__name__}"]
        web += ["--bind", options["bind"], "--access-logfile", "-"]
        web += ["--workers", str(options["workers"]), "--threads", str(options["threads"])]
        children = [Child("web server", web, restart=False)]
        if options["with_worker"]:
            children.append(Child("task worker", [*console_script(), "worker"], restart=True))
        supervisor = Supervisor(children)
        code = supervisor.run(
            on_started=lambda: self.stdout.write(
                f"InFuSe is at http://{options['bind']}/  (Ctrl+C to stop)"
            )
        )
        if code:
            raise CommandError(f"The web server stopped with exit code {code}.")
