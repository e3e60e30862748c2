"""The JSON API: public reference data, token auth, RFC 9457 problems in both languages."""

import json

import pytest
from django.test import Client

from infuse.core import services

pytestmark = pytest.mark.django_db


def test_councils_are_public_with_both_names():
    response = Client().get("/api/v1/councils")
    assert response.status_code == 200
    councils = response.json()
    assert len(councils) == 10
    cardiff = next(c for c in councils if c["gss_code"] == "W06000015")
    assert cardiff["name_cy"] == "Caerdydd" and cardiff["population"] == 362_312


@pytest.mark.parametrize(
    ("path", "count"), [("/api/v1/goals", 7), ("/api/v1/ways-of-working", 5), ("/api/v1/themes", 3)]
)
def test_reference_vocabularies_are_public(path, count):
    items = Client().get(path).json()
    assert len(items) == count and all(i["name_cy"] for i in items)


def test_me_with_a_token(make_person):
    person = make_person("evaluator")
    issued = services.create_api_token(actor=person, name="test")
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}").json()
    assert me["email"] == person.email
    assert me["roles"] == ["evaluator"]
    assert me["memberships"] == [
        {"organisation": "bridgend", "organisation_kind": "council", "role": "evaluator"}
    ]


def test_me_with_a_browser_session(signed_in):
    assert signed_in("officer").get("/api/v1/me").json()["roles"] == ["officer"]


def _authorization(make_person, header):
    """The Authorization header to send; "Bearer infuse_revoked" stands for a real token that
    its owner has revoked."""
    if header == "Bearer infuse_revoked":
        person = make_person("officer")
        issued = services.create_api_token(actor=person, name="t")
        services.revoke_api_token(actor=person, token_id=issued.token.pk)
        header = f"Bearer {issued.secret}"
    return {"HTTP_AUTHORIZATION": header} if header else {}


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer infuse_revoked", "Basic abc"])
def test_missing_bad_or_revoked_token_is_401_problem_json(make_person, header):
    kwargs = _authorization(make_person, header)
    response = Client().get("/api/v1/me", **kwargs)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 401 and body["key"] == "not-authenticated"
    assert body["type"].endswith("/not-authenticated") and body["title"]


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer infuse_revoked"])
def test_unsafe_request_without_valid_credentials_is_401_not_a_csrf_failure(make_person, header):
    """Unsafe methods are checked for CSRF only when a signed-in session is there to protect."""
    kwargs = _authorization(make_person, header)
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", **kwargs
    )
    assert response.status_code == 401
    assert response.json()["key"] == "not-authenticated"


def test_a_supplier_registers_through_the_api_anonymously():
    client = Client(enforce_csrf_checks=True)
    registration = {
        "email": "owner@example.org",
        "full_name": "Rhian Owen",
        "password": "a long and unusual passphrase 42",
        "name": "Owen Analytics Ltd",
        "address": "1 Stryd Fawr, Pontypridd",
        "postcode": "CF37 1AA",
    }
    response = client.post(
        "/api/v1/procurement/suppliers", registration, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_a_signed_in_session_still_needs_its_csrf_token_for_unsafe_requests(make_person):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_person("officer"))
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    client.get("/")  # the page sets the CSRF cookie, as a browser would receive it
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201


def test_problem_messages_follow_accept_language():
    english = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()
    welsh = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="cy").json()
    assert english["key"] == welsh["key"] == "not-authenticated"
    assert english["title"] != welsh["title"]


def test_unknown_api_route_is_404_problem_json():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_unknown_task_is_404_and_malformed_id_is_400(signed_in):
    client = signed_in("officer")
    missing = client.get("/api/v1/tasks/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["key"] == "not-found"
    malformed = client.get("/api/v1/tasks/not-a-uuid")
    assert malformed.status_code == 400 and malformed.json()["key"] == "invalid-input"
    assert malformed.json()["errors"][0]["field"] == "progress_id"


def test_oversized_request_is_413_not_500(settings, make_person):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    person = make_person("officer")
    issued = services.create_api_token(actor=person, name="t")
    response = Client().post(
        "/api/v1/tokens",
        data=json.dumps({"name": "y" * 5000}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 413
    assert response.json()["key"] == "payload-too-large"


@pytest.mark.parametrize("body", ["{not json", "[]", '{"name": 5}', '{"other": "x"}'])
def test_malformed_body_is_400_problem_json(make_person, body):
    person = make_person("officer")
    issued = services.create_api_token(actor=person, name="t")
    response = Client().post(
        "/api/v1/tokens",
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_tokens_by_api_create_list_and_revoke(make_person):
    person = make_person("officer")
    first = services.create_api_token(actor=person, name="bootstrap")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {first.secret}"}
    created = Client().post(
        "/api/v1/tokens", data={"name": "second"}, content_type="application/json", **auth
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = Client().get("/api/v1/tokens", **auth).json()
    assert {t["name"] for t in listed} == {"bootstrap", "second"}
    assert all("secret" not in t for t in listed)
    revoked = Client().delete(f"/api/v1/tokens/{created.json()['id']}", **auth)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_blank_token_name_by_api_names_the_field(make_person):
    person = make_person("officer")
    issued = services.create_api_token(actor=person, name="t")
    response = Client().post(
        "/api/v1/tokens",
        data={"name": " "},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {issued.secret}",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "name", "message": "Enter a name for the token of up to 100 characters"}
    ]


def test_openapi_schema_and_docs_are_served():
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/councils" in schema["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_the_openapi_document_says_what_the_api_really_answers():
    """Every error is documented as problem+json; every operation documents 400 and 429, those
    with an id in the path 404, those needing sign-in 401; public endpoints say no credentials
    are needed (an empty security requirement)."""
    schema = Client().get("/api/v1/openapi.json").json()
    assert "ProblemOut" in schema["components"]["schemas"]
    for path, method, operation in _operations(schema):
        responses = {int(status): body for status, body in operation["responses"].items()}
        where = f"{method.upper()} {path}"
        assert {400, 429} <= set(responses), where
        if "{" in path:
            assert 404 in responses, where
        for status, body in responses.items():
            if status >= 400:
                assert list(body["content"]) == ["application/problem+json"], (where, status)
        security = operation.get("security")
        if security and {} not in security:
            assert 401 in responses, where
    public = {
        (path, method)
        for path, method, operation in _operations(schema)
        if {} in operation.get("security", [{}])
    }
    assert ("/api/v1/procurement/suppliers", "post") in public
    assert ("/api/v1/data/datasets", "get") in public
    assert ("/api/v1/fund/allocations", "post") not in public
    # and the public really may: anonymous calls to them are not refused for want of credentials
    assert Client().get("/api/v1/data/datasets").status_code == 200
