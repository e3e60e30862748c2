"""Following long work from a terminal: the bar hears work in this process as it reports."""

from __future__ import annotations

import time

import pytest

from infuse.core.commands import in_thread
from infuse.core.console import follow_progress
from infuse.core.models import TaskProgress
from infuse.core.progress import ProgressReporter
from tests.imports import loaded_after

pytestmark = pytest.mark.django_db(transaction=True)


def test_work_in_this_process_is_seen_as_it_ends_not_at_the_next_poll() -> None:
    progress = TaskProgress.objects.create(kind="datalab.ingest")

    def work() -> None:
        reporter = ProgressReporter(progress.pk)
        reporter.start(total=3, message="Reading the file")
        time.sleep(0.2)
        reporter.advance(3, 3)
        reporter.succeed({"rows": 3})

    started = time.monotonic()
    worker = in_thread(work)
    final = follow_progress(
        progress.pk, "Ingesting", poll_seconds=60, still_running=worker.is_alive
    )
    worker.join()
    assert final.state == TaskProgress.State.SUCCEEDED
    assert time.monotonic() - started < 30  # a poll would have waited 60 s


def test_work_that_ends_without_a_word_stops_the_bar_at_once() -> None:
    progress = TaskProgress.objects.create(kind="datalab.ingest")
    started = time.monotonic()
    worker = in_thread(lambda: time.sleep(0.2))
    final = follow_progress(
        progress.pk, "Ingesting", poll_seconds=60, still_running=worker.is_alive
    )
    assert final.state == TaskProgress.State.QUEUED
    assert time.monotonic() - started < 30


def test_a_lab_command_leaves_the_url_map_unloaded() -> None:
    """System checks load every URL and API schema; a lab command leaves them to `infuse
    check`, `migrate` and `serve`."""
    code = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'infuse.settings')\n"
        "django.setup()\n"
        "from infuse.core.commands import Actions, LabCommand\n"
        "class Hello(Actions):\n"
        "    @classmethod\n"
        "    def add_actions(cls, action):\n"
        "        action('hello', 'Say hello.', who='nobody')\n"
        "    def _hello(self, actor, options):\n"
        "        self.stdout.write('hello')\n"
        "class Command(Hello, LabCommand):\n"
        "    pass\n"
        "command = Command()\n"
        "options = vars(command.create_parser('infuse', 'hello').parse_args(['hello']))\n"
        "command.execute(**options)\n"
    )
    assert loaded_after(code, {"infuse.urls", "infuse.api"}) == []
