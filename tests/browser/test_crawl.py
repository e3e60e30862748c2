"""The loop is reachable: from the home page, by following links alone, a reader reaches every
indicator, dataset, experiment, challenge, goal, theme and council page they may see — in
English and in Welsh, each axe-clean, and none scrolling sideways at 320 px; no Welsh page shows
interface English or an internal code. The same for a signed-in analyst, whose regional pages
join the public ones.

The crawl reads each page's links and opens them (the hrefs come from the pages, never typed),
breadth first, over the pages that show the region's work (not forms, files or the API)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import polib
import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from playwright.sync_api import Page

import infuse
from infuse.adaption.method_names import ESTIMATORS, POWER_METHODS, RANDOMISATIONS
from infuse.adaption.registry.services import visible_experiments
from infuse.core.models import Council, Person, Theme, WellbeingGoal
from infuse.datalab.catalogue.services import visible_datasets, visible_indicators
from infuse.procurement.challenges.services import visible_challenges
from tests.browser.test_shell import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages that show the region's work; everything else (forms, files, the API, admin,
# sub-pages of an experiment or a challenge) is left to the journeys that use it.
SHOWN = re.compile(
    r"/(|about/|goals/|goals/[\w-]+/|themes/[\w-]+/|councils/|councils/[\w-]+/|what-works/"
    r"|data/|data/datasets/[\w-]+/|data/indicators/[\w-]+/|data/comparator-groups/"
    r"|experiments/|experiments/[\w-]+/|procurement/|procurement/challenges/[\w-]+/|fund/)"
)


def _local(href: str | None, welsh: bool) -> str | None:
    """The path a link leads to, when it is one of the crawled pages in the crawl's language
    (query strings dropped, but for the page of a long list)."""
    if not href or href.startswith(("mailto:", "#")):
        return None
    parts = urlsplit(href)
    if parts.netloc and not parts.netloc.startswith(("127.0.0.1", "localhost")):
        return None
    path = parts.path
    if welsh != (path == "/cy/" or path.startswith("/cy/")):
        return None
    if not SHOWN.fullmatch(path.removeprefix("/cy") if welsh else path):
        return None
    kept = [(k, v) for k, v in parse_qsl(parts.query) if k == "page"]
    return path + (f"?{urlencode(kept)}" if kept else "")


def crawl(page: Page, base: str, start: str, check: Callable[[Page], Any]) -> set[str]:
    """Every crawled page reached from ``start`` by links, each opened and checked (every
    page's problems are gathered, so one run lists them all)."""
    welsh = start.startswith("/cy/")
    problems: list[str] = []
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        try:
            check(page)
        except AssertionError as problem:
            problems.append(str(problem))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = _local(href, welsh)
            if target is not None and target not in seen:
                queue.append(target)
    assert not problems, "\n\n".join(problems)
    return {p.split("?")[0] for p in seen}


def expected(person: Any) -> set[str]:
    """The pages of everything ``person`` may see, by the labs' own reading."""
    actor = person or AnonymousUser()
    paths = {
        reverse("datalab:indicator", kwargs={"slug": i.slug}) for i in visible_indicators(actor)
    }
    paths |= {reverse("datalab:dataset", kwargs={"slug": d.slug}) for d in visible_datasets(actor)}
    paths |= {e.get_absolute_url() for e in visible_experiments(actor)}
    paths |= {
        reverse("procurement:challenge", kwargs={"slug": c.slug}) for c in visible_challenges(actor)
    }
    paths |= {reverse("region:goal", kwargs={"code": g.code}) for g in WellbeingGoal.objects.all()}
    paths |= {reverse("region:theme", kwargs={"code": t.code}) for t in Theme.objects.all()}
    paths |= {reverse("region:council", kwargs={"slug": c.slug}) for c in Council.objects.all()}
    return paths


# Each chart's text as drawn: its font size in the chart's units times the chart's scale.
CHART_TEXT_SIZES = """() => [...document.querySelectorAll("svg[viewBox] text")].flatMap((text) => {
  const svg = text.closest("svg[viewBox]");
  const drawn = svg.getBoundingClientRect().width;
  if (!drawn) return [];  // in a closed <details>
  const scale = drawn / svg.viewBox.baseVal.width;
  return [[text.textContent, parseFloat(getComputedStyle(text).fontSize) * scale]];
})"""


def _fits(page: Page) -> None:
    """At 320 px the page never scrolls sideways and no chart draws text below 12 px."""
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    small = [(t, round(px, 1)) for t, px in page.evaluate(CHART_TEXT_SIZES) if px < 12]
    page.set_viewport_size({"width": 1280, "height": 800})
    assert width <= 320, f"{page.url} is {width} px wide at 320 px"
    assert not small, f"{page.url}: chart text under 12 px at 320 px: {small[:5]}"


def test_the_public_reaches_every_page_of_the_loop_by_links(
    page: Page, live_server, demo, axe_check
):
    base = live_server.url

    def check(page: Page) -> None:
        axe_check(page)
        _fits(page)

    english = crawl(page, base, "/", check)
    assert expected(None) <= english, expected(None) - english
    page.goto(base + "/")
    page.get_by_role("link", name="Cymraeg").click()
    phrases, codes = _english_phrases(), _internal_codes()
    # What the check looks for (so it can fail): the engine's and the models' codes, and the
    # interface's English.
    assert {"two_proportions_z", "stepped_wedge", "datalab.ingest"} <= codes
    assert "Check your bid before you submit it" in phrases
    words = in_welsh(phrases, codes)

    def check_welsh(page: Page) -> None:
        axe_check(page)
        words(page)

    welsh = crawl(page, base, "/cy/", check_welsh)
    assert {f"/cy{p}" for p in expected(None)} <= welsh


def test_a_signed_in_analyst_reaches_the_regional_pages_too(
    page: Page, live_server, demo, axe_check
):
    base = live_server.url
    analyst = Person.objects.get(email="analyst@infuse.example")
    sign_in(page, base, analyst.email)
    english = crawl(page, base, "/", axe_check)
    assert expected(analyst) <= english, expected(analyst) - english
    assert expected(analyst) - expected(None), "the analyst should see regional work as well"
    words = in_welsh(_english_phrases(), _internal_codes())

    def check_welsh(page: Page) -> None:
        axe_check(page)
        words(page)

    welsh = crawl(page, base, "/cy/", check_welsh)
    assert {f"/cy{p}" for p in expected(analyst)} <= welsh


def _english_phrases() -> list[str]:
    """Runs of four or more words from the interface's English that Welsh says differently: on
    a Welsh page, any of them is an untranslated string."""
    catalogue = polib.pofile(str(Path(infuse.__file__).parent / "locale/cy/LC_MESSAGES/django.po"))
    phrases = set()
    for entry in catalogue.translated_entries():
        if entry.msgstr.strip() == entry.msgid.strip():
            continue
        for piece in re.split(r"%\(\w+\)s|%s|\{[^}]*\}|<[^>]+>", entry.msgid):
            words = piece.split()
            if sum(word.isalpha() for word in words) >= 4:
                phrases.add(" ".join(words))
    return sorted(phrases, key=len, reverse=True)


def _internal_codes() -> set[str]:
    """The codes behind every choice people read by its label (statuses, designs, kinds…) and
    the engine's method codes: none may show on a page."""
    codes = set(POWER_METHODS) | set(ESTIMATORS) | set(RANDOMISATIONS)
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "flatchoices", None) or ():
                codes.add(str(value))
    return {code for code in codes if re.fullmatch(r"[a-z0-9]+([_.][a-z0-9]+)+", code)}


def in_welsh(phrases: list[str], codes: set[str]) -> Callable[[Page], None]:
    """A check that the page's main text has no untranslated interface English and no code."""

    def check(page: Page) -> None:
        text = " ".join(page.inner_text("main").split())
        english = [phrase for phrase in phrases if phrase in text]
        shown = sorted(
            code for code in codes if re.search(rf"(?<![\w.]){re.escape(code)}(?![\w.])", text)
        )
        assert not english and not shown, f"{page.url}: English {english[:5]}; codes {shown}"

    return check
