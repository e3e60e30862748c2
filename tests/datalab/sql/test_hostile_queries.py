"""Hostile queries against the real service: gunicorn as `infuse serve` runs it, a signed-in
person sending queries built to exhaust it, and another person's page still answering."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.processes import run, serving

HOSTILE = "select len(list_sort(range(50000000)))"


def _post_sql(port: int, token: str, sql: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/data/sql",
        data=json.dumps({"sql": sql}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def service(migrated_env):
    migrated_env["INFUSE_SQL_TIMEOUT_SECONDS"] = "8"
    run(
        migrated_env,
        "createuser",
        "analyst@example.org",
        "--name",
        "Analyst",
        "--role",
        "analyst",
        "--organisation",
        "cardiff",
    )
    made = run(
        migrated_env,
        "shell",
        "-c",
        "from infuse.core import services; from infuse.core.models import Person; "
        "p = Person.objects.get(email='analyst@example.org'); "
        "print(services.create_api_token(actor=p, name='t').secret)",
    )
    token = made.stdout.strip().splitlines()[-1]
    with serving(migrated_env, "--workers", "1") as (_process, port):
        yield port, token


def test_pages_answer_while_one_person_runs_hostile_queries(service):
    port, token = service
    outcomes: list[tuple[int, dict]] = []
    attackers = [
        threading.Thread(target=lambda: outcomes.append(_post_sql(port, token, HOSTILE)))
        for _ in range(3)
    ]
    for attacker in attackers:
        attacker.start()
    time.sleep(1.0)  # the queries are running
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
        assert page.status == 200
    assert time.monotonic() - started < 5.0
    for attacker in attackers:
        attacker.join(60)
    keys = sorted(problem["key"] for _status, problem in outcomes)
    assert all(status == 400 for status, _ in outcomes)
    # Two at once for one person; the third is told to wait. Each says what stopped it.
    assert keys.count("invalid-input") == 3
    messages = [problem["errors"][0]["message"] for _status, problem in outcomes]
    assert any("already have work running" in m for m in messages), messages
    assert all("memory" in m or "seconds" in m or "already" in m for m in messages), messages
    # The service is whole: a plain query runs.
    status, body = _post_sql(port, token, "select 42 as answer")
    assert status == 200 and body["rows"] == [[42]]
