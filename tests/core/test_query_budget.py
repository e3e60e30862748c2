"""No page's database work grows with the data: over the demo region, every page a person
reaches by links from the home page (as the public and as each role) answers in a bounded number
of queries, and no statement runs again and again for each row of a list (an N+1).

The crawl follows the pages' own links, breadth first, with Django's test client; forms are
not submitted, files and the API are left to their own tests."""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infuse.core.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

#: Queries one page may make, however much data the region holds (the most the crawl finds is
#: 34, a challenge page with an award and contracts, read by a procurement officer).
BUDGET = 45
#: How often one statement (its text with the values left out) may run for one page: more is
#: a query per row of a list. Three allows one for each of a challenge's (at most three)
#: phases, or the same question put about three different things (who can act on a step:
#: the owner's buyers, the programme's buyers, its fund managers).
REPEATS = 3
#: Pages crawled per person (the demo region has fewer; a bound keeps a mistake from looping).
PAGES = 400

SKIPPED = re.compile(
    r"^/(cy/|api/|admin/|static/|media/|account/sign-out/)|/(download|export)|\.(csv|xlsx|json|pdf|zip)$"
)
PEOPLE = [
    None,
    "officer@infuse.example",
    "analyst@infuse.example",
    "procurement@infuse.example",
    "evaluator@infuse.example",
    "fund@infuse.example",
    "admin@infuse.example",
    "supplier@infuse.example",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def _paths(html: str) -> list[str]:
    """The site's own pages a page links to (fragments and other sites left out)."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        if parts.scheme in {"mailto", "tel"} or (parts.netloc and parts.netloc != "testserver"):
            continue
        if not parts.path.startswith("/") or SKIPPED.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def shape(sql: str) -> str:
    """A statement with its values left out, so the same query for different rows matches."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\s*\?\s*,)+\s*\?\s*\)", "(?)", sql)


def _crawl(client: Client, who: str) -> tuple[list[str], int]:
    """Every page reached from the home page; the problems found and how many pages."""
    problems: list[str] = []
    seen: set[str] = set()
    queue = deque(["/"])
    while queue and len(seen) < PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        # The connection keeps at most 9,000 queries, and the capture stops it emptying the
        # log at each request: once full, every later page would count none. Each page starts
        # from an empty log instead (so a page past 9,000 still counts over the budget).
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        count = len(queries.captured_queries)
        if count == 0 and who != "the public":  # a signed-in page reads its session at least
            problems.append(f"{who} {path}: no query counted, so nothing was checked")
        if count > BUDGET:
            problems.append(f"{who} {path}: {count} queries (budget {BUDGET})")
        shapes = Counter(shape(query["sql"]) for query in queries.captured_queries)
        statement, times = shapes.most_common(1)[0] if shapes else ("", 0)
        if times > REPEATS:
            problems.append(f"{who} {path}: one statement {times} times: {statement[:160]}")
        queue.extend(p for p in _paths(response.content.decode()) if p not in seen)
    return problems, len(seen)


def test_no_page_makes_a_query_per_row(demo):
    problems: list[str] = []
    for email in PEOPLE:
        client = Client()
        if email is not None:
            client.force_login(Person.objects.get(email=email))
        found, pages = _crawl(client, email or "the public")
        assert pages > 20, f"{email or 'the public'} reached only {pages} pages"
        problems += found
    assert not problems, "\n".join(problems)
