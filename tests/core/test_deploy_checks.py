"""`infuse check --deploy` refuses a site address that only this machine can open."""

from __future__ import annotations

from infuse.core.deploy_checks import site_url_is_public


def test_a_loopback_site_url_is_an_error_and_plain_http_a_warning(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    [error] = site_url_is_public()
    assert error.id == "infuse.E002" and "INFUSE_SITE_URL" in error.hint
    settings.SITE_URL = "http://infuse.example"
    [warning] = site_url_is_public()
    assert warning.id == "infuse.W002"
    settings.SITE_URL = "https://infuse.example"
    assert site_url_is_public() == []


def test_the_check_runs_with_the_deploy_checks_only(settings):
    from django.core import checks

    settings.SITE_URL = "http://localhost:8000"
    security = [checks.Tags.security]
    assert "infuse.E002" not in {m.id for m in checks.run_checks(tags=security)}
    deploy = checks.run_checks(tags=security, include_deployment_checks=True)
    assert "infuse.E002" in {m.id for m in deploy}
