"""The ``infuse`` console script: the platform's management commands under one name.

``infuse demo``, ``infuse serve``, ``infuse worker``, ``infuse migrate``, ``infuse createuser``,
``infuse audit verify``, ``infuse data …``, ``infuse trials …``, ``infuse procurement …``,
``infuse fund …``, ``infuse reference national FILE``, ``infuse backup PATH``,
``infuse restore PATH``, ``infuse check --deploy`` and every other Django management command;
``infuse COMMAND --help`` explains each.
"""

from __future__ import annotations

import os
import sys

import django

from infuse.core import collector

COMMANDS = {
    "demo": "load the demo region and print demo sign-ins",
    "serve": "serve the web application (gunicorn), optionally with the worker",
    "worker": "run the background task worker",
    "migrate": "create or update the database tables",
    "createuser": "create a person, optionally with a role",
    "audit": "audit log tools: `infuse audit verify`",
    "data": "Data Lab tools: `infuse data ingest FILE --dataset SLUG --as EMAIL`, sql, export…",
    "trials": "Adaption Lab tools: `infuse trials list`, create, protocol, randomise…",
    "procurement": "Procurement Lab tools: `infuse procurement list`, create, publish, bid…",
    "fund": "Challenge Fund tools: `infuse fund report`, allocations, allocate…",
    "reference": "reference data: `infuse reference national FILE.csv --as EMAIL`",
    "backup": "back up the database to a file",
    "restore": "restore the database from a backup",
    "check": "check the configuration (`--deploy` for production)",
}


def usage() -> str:
    lines = ["Usage: infuse COMMAND [OPTIONS]", "", "Commands:"]
    lines += [f"  {name:<11} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Any Django management command also works. `infuse COMMAND --help` for details."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infuse.settings")
    from django.core.management import execute_from_command_line

    # Set up here, with the collector paused (see infuse.core.collector); the command's own
    # set-up then finds everything loaded. A broken configuration raises here as it would there.
    with collector.loading():
        django.setup()
    try:
        execute_from_command_line(["infuse", *args])
    finally:
        collector.before_exit()


if __name__ == "__main__":
    main()
