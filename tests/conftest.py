"""Shared fixtures: people in every role and signed-in clients.

Django is imported inside the fixtures, so the pure statistical engine's tests (tests/stats)
also run with the Django plugin disabled (`pytest -p no:django tests/stats`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.processes import (  # noqa: F401 - fixtures, shared by process tests
    _migrated_installation,
    cli_env,
    migrated_env,
)

PASSWORD = "correct-horse-battery"

# Where each role is held in tests: council roles at councils, programme roles at the programme
# team, the supplier role at a new supplier company (None).
ROLE_ORGANISATION = {
    "officer": "cardiff",
    "analyst": "cardiff",
    "procurement_officer": "newport",
    "evaluator": "bridgend",
    "fund_manager": "ccr-programme",
    "programme_admin": "ccr-programme",
    "supplier": None,
}
ROLES = list(ROLE_ORGANISATION)


@pytest.fixture
def make_person(db: None) -> Callable[..., Any]:
    """Create a person (password PASSWORD), optionally holding ``role``."""
    from infuse.core import services
    from infuse.core.models import Organisation
    from tests.factories import PersonFactory, SupplierFactory

    def make(role: str | None = None, **fields: object) -> Any:
        person = PersonFactory(**fields)
        if role is not None:
            slug = ROLE_ORGANISATION[role]
            organisation = (
                SupplierFactory() if slug is None else Organisation.objects.get(slug=slug)
            )
            services.grant_membership(
                actor=None, person=person, organisation=organisation, role=role
            )
        return person

    return make


@pytest.fixture
def admin_person(make_person: Callable[..., Any]) -> Any:
    return make_person("programme_admin", email="admin@ccr.example")


@pytest.fixture
def signed_in(make_person: Callable[..., Any]) -> Callable[..., Any]:
    """A Django test client signed in as a new person holding ``role`` (None: no role)."""
    from django.test import Client

    def sign_in(role: str | None = None) -> Any:
        client = Client()
        client.force_login(make_person(role))
        return client

    return sign_in


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing(request: pytest.FixtureRequest) -> Any:
    """Passwords made in tests are hashed with a fast (insecure) hasher, as Django advises for
    tests: Argon2 is slow on purpose and the suite makes thousands of people. Argon2 stays
    second, so hashes made by the real commands the tests run still verify."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.conf import settings
    from django.test.utils import override_settings

    fast = "django.contrib.auth.hashers.MD5PasswordHasher"
    with override_settings(PASSWORD_HASHERS=[fast, *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def _private_files(request: pytest.FixtureRequest, tmp_path: Any) -> None:
    """Each test's data files, audit checkpoints and sandbox slots in its own directory: the
    test databases each have their own chain and records, and housekeeping at a worker's start
    must never see (and remove) a developer's own var/data. Skipped for the engine's tests run
    without Django (`-p no:django`)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.DATA_DIR = tmp_path / "data"
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "audit-checkpoints.jsonl"
    settings.SANDBOX_DIR = tmp_path / "sandbox"


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Make sure the migration-made reference data is present for every database test.

    Transactional tests (the worker, concurrency, live servers) end with a flush that empties
    every table, reference data included; this puts it back before the next test needs it.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from importlib import import_module

    from django.apps import apps

    from infuse.core.models import Council

    if not Council.objects.exists():
        import_module("infuse.core.migrations.0002_reference_data").load(apps, None)
    from infuse.fund.models import Fund

    if not Fund.objects.exists():
        import_module("infuse.fund.migrations.0003_challenge_fund").create(apps, None)
    from infuse.procurement.models import SocialValueMeasure

    if not SocialValueMeasure.objects.exists():
        import_module("infuse.procurement.migrations.0009_social_value_measures").load(apps, None)


@pytest.fixture(autouse=True)
def _no_kept_pages(request: pytest.FixtureRequest) -> None:
    """Each test starts with no public page kept by another (a test's writes roll back with
    it, and so would the content generation that recorded them)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_dataset(make_person: Callable[..., Any]) -> Callable[..., Any]:
    """Create a dataset through the service, published by a Cardiff officer by default."""
    from infuse.datalab.catalogue import services
    from infuse.datalab.catalogue.schemas import DatasetIn

    publisher_person = None

    def make(
        title: str = "Fly-tipping reports",
        *,
        visibility: str = "private",
        publisher: str = "cardiff",
        actor: Any = None,
        **extra: Any,
    ) -> Any:
        nonlocal publisher_person
        if actor is None:
            if publisher_person is None:
                publisher_person = make_person("officer")
            actor = publisher_person
        dataset_in = DatasetIn(
            title_en=title,
            title_cy=extra.pop("title_cy", f"{title} (cy)"),
            publisher=publisher,
            visibility=visibility,
            **extra,
        )
        return services.create_dataset(actor=actor, dataset_in=dataset_in)

    return make


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> None:
    """The demo region: every lab's records at once (people's password: PASSWORD)."""
    from infuse.demo.loader import load_demo_data, load_demo_region

    settings.DATA_DIR = tmp_path / "data"
    load_demo_region(PASSWORD)
    load_demo_data()


@pytest.fixture(autouse=True)
def _language_reset() -> Any:
    """Each test starts in English: a page requested in Welsh leaves Welsh active in the
    thread (Django activates the request's language and never switches back), which used to
    leak into whichever test ran next."""
    yield
    from django.utils import translation

    translation.activate("en")


@pytest.fixture
def smtp_inbox(settings: Any) -> Any:
    """A real SMTP server on loopback (aiosmtpd) that the site's mail goes to; its
    ``messages`` are what arrived, parsed. ``refuse`` set to an SMTP reply refuses every
    recipient with it."""
    import email
    import email.policy
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[Any] = []
            self.refuse = ""

        async def handle_RCPT(
            self, server: Any, session: Any, envelope: Any, address: str, options: Any
        ) -> str:
            if self.refuse:
                return self.refuse
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    inbox.port = port
    yield inbox
    controller.stop()
