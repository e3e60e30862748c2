"""Pages: sign-in and lockout, password reset by email, language switch, errors, home pages."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import OperationalError
from django.test import Client
from django.utils import translation

from infuse.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GENERIC_LOGIN_ERROR = "Enter a correct email address and password"


def test_the_about_page_explains_the_councils_goals_and_themes():
    assert 'href="/about/"' in Client().get("/").content.decode()
    html = Client().get("/about/").content.decode()
    assert '<html lang="en"' in html
    for text in (
        "Innovation of Future Public Services",
        "Blaenau Gwent",
        "Vale of Glamorgan",
        "W06000015",
        "362,312",
        "1,523,911",
        "A globally responsible Wales",
        "Decarbonisation",
        "Long term",
        "Data Lab",
        "Challenge Fund",
    ):
        assert text in html, text


def test_every_english_page_links_straight_to_its_welsh_version():
    html = Client().get("/accessibility/?x=1").content.decode()
    assert 'href="/cy/accessibility/?x=1" lang="cy" hreflang="cy" rel="alternate"' in html
    welsh = Client().get("/cy/accessibility/?x=1").content.decode()
    assert '<html lang="cy"' in welsh
    assert 'href="/accessibility/?x=1" lang="en" hreflang="en" rel="alternate"' in welsh


def test_welsh_about_page_is_in_welsh():
    html = Client().get("/cy/about/").content.decode()
    assert "Caerdydd" in html and "Cymru lewyrchus" in html and "Datgarboneiddio" in html
    assert "Neidio i&#x27;r prif gynnwys" in html or "Neidio i'r prif gynnwys" in html


def test_sign_in_and_out_are_audited(make_person):
    person = make_person("officer", email="ceri@cardiff.example")
    client = Client()
    response = client.post(
        "/account/sign-in/", {"username": "CERI@cardiff.example", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/").content.decode()
    assert "Your work" in home and "Officer at Cardiff" in home
    client.post("/account/sign-out/")
    assert "Sign in" in client.get("/").content.decode()
    actions = set(AuditEvent.objects.filter(actor=person).values_list("action", flat=True))
    assert {"person.signed_in", "person.signed_out"} <= actions


def test_wrong_password_and_unknown_email_get_the_same_message(make_person):
    make_person(email="known@cardiff.example")
    wrong = Client().post(
        "/account/sign-in/", {"username": "known@cardiff.example", "password": "nope-nope-nope"}
    )
    unknown = Client().post(
        "/account/sign-in/", {"username": "nobody@cardiff.example", "password": "nope-nope-nope"}
    )
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert GENERIC_LOGIN_ERROR in response.content.decode()
        assert "govuk-error-summary" in response.content.decode()


def test_repeated_failures_lock_the_account_even_with_the_right_password(make_person, settings):
    make_person(email="target@cardiff.example")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/account/sign-in/",
            {"username": "target@cardiff.example", "password": "wrong-guess-123"},
        )
    locked = Client().post(
        "/account/sign-in/",
        {"username": "target@cardiff.example", "password": PASSWORD},
        HTTP_USER_AGENT="another browser",
    )
    assert locked.status_code == 429
    assert "Too many attempts to sign in" in locked.content.decode()


def test_behind_a_proxy_one_clients_failures_lock_out_that_client_only(make_person, settings):
    """Every request came from the proxy's address, so one person guessing passwords locked
    out everyone else using the same browser."""
    settings.PROXY_COUNT = 1
    make_person(email="someone@cardiff.example")
    proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_USER_AGENT": "Firefox"}
    guesser = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        guesser.post("/account/sign-in/", {"username": f"x{n}@example.org", "password": "no"})
    right = {"username": "someone@cardiff.example", "password": PASSWORD}
    assert guesser.post("/account/sign-in/", right).status_code == 429
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert colleague.post("/account/sign-in/", right).status_code == 302


def test_password_reset_by_emailed_link(make_person):
    person = make_person(email="forgot@cardiff.example")
    response = Client().post("/account/password-reset/", {"email": "forgot@cardiff.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/account/password-reset/\S+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    client = Client()
    form_page = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("brand-new-secret-77")


def test_password_reset_does_not_reveal_whether_an_account_exists():
    response = Client().post("/account/password-reset/", {"email": "ghost@nowhere.example"})
    assert response.status_code == 302 and response["Location"].endswith("/sent/")
    assert len(mail.outbox) == 0


def test_404_is_a_bilingual_govuk_page():
    english = Client().get("/no-such-page/")
    welsh = Client().get("/cy/no-such-page/")
    assert english.status_code == welsh.status_code == 404
    assert "Page not found" in english.content.decode()
    assert 'lang="cy"' in welsh.content.decode()
    assert (
        "Heb ddod o hyd i&#x27;r dudalen" in welsh.content.decode()
        or "Heb ddod o hyd i'r dudalen" in welsh.content.decode()
    )


def test_403_is_a_govuk_page(signed_in):
    response = signed_in("officer").get("/audit/")
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()


def test_account_page_creates_shows_once_and_revokes_a_token(signed_in):
    client = signed_in("analyst")
    response = client.post("/account/", {"name": "Indicators script"})
    html = response.content.decode()
    secret = re.search(r'value="(infuse_[^"]+)"', html).group(1)
    assert "it will not be shown again" in html
    assert secret not in client.get("/account/").content.decode()
    api = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200
    token_id = re.search(r"/account/tokens/(\d+)/revoke/", html).group(1)
    client.post(f"/account/tokens/{token_id}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_account_token_form_error_is_a_govuk_error_summary(signed_in):
    response = signed_in("analyst").post("/account/", {"name": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and 'href="#id_name"' in html
    assert "Enter a name for the token" in html


def test_audit_page_lists_events_and_starts_a_check(signed_in):
    client = signed_in("programme_admin")
    html = client.get("/audit/").content.decode()
    assert "membership.granted" in html
    response = client.post("/audit/verify/")
    assert response.status_code == 302 and "/tasks/" in response["Location"]


def test_programme_admin_reaches_the_django_admin_and_others_do_not(signed_in):
    assert signed_in("programme_admin").get("/admin/core/person/").status_code == 200
    assert signed_in("officer").get("/admin/core/person/").status_code == 302


def test_500_page_is_bilingual_govuk_and_survives_a_broken_database(rf, monkeypatch):
    from infuse.core import views

    request = rf.get("/cy/")
    request.user = AnonymousUser()
    with translation.override("cy"):
        response = views.server_error(request)
    assert response.status_code == 500
    assert "govuk-template" in response.content.decode()

    def broken(*args, **kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(views, "render_error", broken)
    plain = views.server_error(request)
    assert plain.status_code == 500
    html = plain.content.decode()
    assert "Sorry, there is a problem with the service" in html and 'lang="cy"' in html


def test_oversized_form_post_is_413_page_not_500(signed_in, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = signed_in("officer").post("/account/", {"name": "x" * 5000})
    assert response.status_code == 413
    assert "The request is too large" in response.content.decode()
