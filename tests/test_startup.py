"""Starting a process imports what it uses: the web server, the URL map and every command's help
load none of the statistical engine's or the analytics stack's heavy libraries (each costs
hundreds of milliseconds and tens of megabytes per process). Seen from fresh interpreters."""

from __future__ import annotations

from pathlib import Path

import pytest

from infuse.cli import COMMANDS
from tests.imports import HEAVY_LIBRARIES, loaded_after

ROOT = Path(__file__).resolve().parents[1]


def test_the_web_application_and_its_url_map_load_no_heavy_library():
    code = "import infuse.wsgi, infuse.urls"
    assert loaded_after(code, HEAVY_LIBRARIES) == []


def test_the_background_tasks_load_no_heavy_library_until_they_run():
    """The worker imports every task module to find its work; the work imports what it needs."""
    modules = sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for path in (ROOT / "infuse").rglob("*tasks.py")
    )
    assert modules, "no task modules found"
    code = "import infuse.wsgi\n" + "".join(f"import {name}\n" for name in modules)
    assert loaded_after(code, HEAVY_LIBRARIES) == []


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_loads_no_heavy_library(command):
    argv = ["infuse", command, "--help"] if command else ["infuse", "--help"]
    code = (
        "import sys\n"
        f"sys.argv = {argv!r}\n"
        "from infuse.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    assert loaded_after(code, HEAVY_LIBRARIES) == []


def test_a_stand_in_imports_its_module_only_when_first_used():
    named = "from infuse.core import lazy\nminidom = lazy.module('xml.dom.minidom')\n"
    assert loaded_after(named, {"xml.dom.minidom"}) == []
    used = named + "print(minidom.parseString('<a/>').documentElement.tagName)\n"
    assert loaded_after(used, {"xml.dom.minidom"}) == ["xml.dom.minidom"]
