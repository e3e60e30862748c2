"""Browser tests: Playwright driving Debian's Chromium, axe-core from the npm registry.

Where Chromium is missing (a laptop without it) the tests are skipped with a reason that says
how to enable them; CI sets INFUSE_REQUIRE_BROWSER=1, which turns a missing browser into a
failure instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = (
    os.environ.get("INFUSE_CHROMIUM")
    or shutil.which("chromium")
    or shutil.which("chromium-browser")
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    if CHROMIUM is None:
        problems.append("Chromium not found (apt-get install chromium, or set INFUSE_CHROMIUM)")
    if not AXE.exists():
        problems.append("axe-core not installed (run `npm install`)")
    if not problems:
        return
    if os.environ.get("INFUSE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError("Browser tests are required here: " + "; ".join(problems))
    skip = pytest.mark.skip(reason="; ".join(problems))
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _database_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in the test thread, which Django reads as
    an async context; the browser tests' own database set-up and teardown are plain synchronous
    code. Set from the first browser test to the end of the session (the flush that ends the
    last transactional test runs after function-scoped fixtures have gone)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], django_db_setup: None
) -> dict[str, Any]:
    # Depending on django_db_setup builds the test database before Playwright starts its event
    # loop, so Django never sees the set-up as running in an async context.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _axe_results(page: Any) -> dict[str, Any]:
    """axe-core's results for the page a click has opened. A click that navigates returns before
    the new document exists, so the run waits for the page to load and, if the navigation still
    swept the document away under it, runs again on the page that arrived."""
    from playwright.sync_api import Error

    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            # Evaluated through the DevTools protocol, not added as a <script>: the pages' own
            # Content-Security-Policy (no inline scripts without the nonce) stays in force.
            page.evaluate(AXE.read_text(encoding="utf-8"))
            return page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
            )
        except Error as error:
            navigated = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigated or attempt == 2:
                raise
    raise AssertionError("unreachable")


@pytest.fixture
def axe_check() -> Any:
    """Run axe-core on the current page; fail on any serious or critical WCAG 2.2 AA violation."""

    def check(page: Any) -> list[dict[str, Any]]:
        results = _axe_results(page)
        bad = [v for v in results["violations"] if v["impact"] in {"serious", "critical"}]
        summary = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(n["target"][0] for n in v["nodes"][:3])
            for v in bad
        ]
        assert not bad, f"{page.url}\n" + "\n".join(summary)
        return results["violations"]

    return check


@pytest.fixture
def page(page: Any) -> Iterator[Any]:
    """Every page a browser test opens: anything the Content-Security-Policy blocked (an inline
    script or style that slipped into a template) fails the test."""
    blocked: list[str] = []

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    page.on("console", watch)
    yield page
    assert not blocked, blocked
