"""The whole API, fuzzed from its own OpenAPI document (schemathesis): every operation, called
anonymously and as several roles with generated valid and invalid input, must never answer 5xx
and must answer only what the document says (status, content type, body shape); input the
document rejects must be rejected.

Bounded: ``INFUSE_FUZZ_EXAMPLES`` examples per operation and identity (default 4; a deeper run
sets more). Requests go through the WSGI application in this process, so the database is the
test's own and rolled back afterwards.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from infuse.wsgi import application

EXAMPLES = int(os.environ.get("INFUSE_FUZZ_EXAMPLES", "4"))
IDENTITIES = [
    "anonymous",
    "officer",
    "procurement_officer",
    "supplier",
    "unconfirmed supplier",
    "programme_admin",
]
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]

SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = sorted(
    (operation.ok().method.upper(), operation.ok().path)
    for operation in SCHEMA.get_all_operations()
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


@pytest.fixture
def headers_for(make_person: Any, settings: Any) -> Any:
    """Each identity's request headers (an API token for a role); rate limits off, as the
    fuzz sends far more than any person would and 429 is not what it is testing. The test's
    database connection stays open across requests, as Django's own test client keeps it."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from infuse.core import services

    settings.RATE_LIMITS_ENABLED = False
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def headers(identity: str) -> dict[str, str]:
        if identity == "anonymous":
            return {}
        person = make_person(identity.split()[-1])
        secret = services.create_api_token(actor=person, name="fuzz").secret
        if identity.startswith("unconfirmed"):  # registered, the emailed link not yet opened
            person.email_confirmed_at = None
            person.save(update_fields=["email_confirmed_at"])
        return {"Authorization": f"Bearer {secret}"}

    yield headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize(
    ("method", "path"), [pytest.param(*op, id=" ".join(op)) for op in OPERATIONS]
)
def test_the_api_answers_as_documented(headers_for: Any, identity: str, method: str, path: str):
    operation = SCHEMA[path][method]
    headers = headers_for(identity)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()


def test_every_route_of_the_api_is_fuzzed():
    """The fuzz covers what the document lists: the document must list every route."""
    import re

    from infuse.api import api

    routed = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        for pattern in api.urls[0]
        if pattern.name not in {"openapi-json", "openapi-view", "api-root"}
    }
    assert routed == {path for _method, path in OPERATIONS}
