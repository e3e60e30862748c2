"""Migrations apply from empty (the test database is built by them) and none are missing."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_core_migrations_reverse_and_reapply():
    # Reversing core's data migration also unapplies the apps that depend on it (the labs), so
    # the whole project is migrated forward again afterwards.
    call_command("migrate", "core", "0001", verbosity=0)
    call_command("migrate", verbosity=0)
    from infuse.core.models import Council

    assert Council.objects.count() == 10
