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


def _legacy_chain(apps, count: int) -> None:
    """Events as they were written before keys: plain SHA-256, scheme 1."""
    from django.utils import timezone

    from infuse.core import audit

    event_model = apps.get_model("core", "AuditEvent")
    head_model = apps.get_model("core", "AuditHead")
    event_model.objects.all().delete()
    previous = audit.GENESIS_HASH
    for sequence in range(1, count + 1):
        fields = {
            "sequence": sequence,
            "occurred_at": timezone.now(),
            "actor_label": "system",
            "action": "legacy.event",
            "object_type": "test",
            "object_id": str(sequence),
            "object_label": "",
            "before": {},
            "after": {"n": sequence},
            "previous_hash": previous,
        }
        digest = audit.event_hash(**fields, scheme=audit.PLAIN)
        event_model.objects.create(hash=digest, scheme=audit.PLAIN, **fields)
        previous = digest
    head_model.objects.update_or_create(id=1, defaults={"sequence": count, "hash": previous})


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tampered", [False, True])
def test_an_intact_legacy_audit_chain_is_rekeyed_and_a_tampered_one_left_to_be_found(tampered):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from infuse.core import audit
    from infuse.core.models import AuditEvent

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0003_audit_events_keyed")])
    apps = executor.loader.project_state([("core", "0003_audit_events_keyed")]).apps
    _legacy_chain(apps, 5)
    if tampered:
        apps.get_model("core", "AuditEvent").objects.filter(sequence=3).update(action="edited")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    result = audit.verify_chain()
    if tampered:
        assert (result.first_break.sequence, result.first_break.reason) == (3, "content-changed")
        assert set(AuditEvent.objects.values_list("scheme", flat=True)) == {audit.PLAIN}
    else:
        assert result.ok and result.checked == 5 and result.unkeyed == 0
        assert set(AuditEvent.objects.values_list("scheme", flat=True)) == {audit.KEYED}


@pytest.mark.django_db(transaction=True)
def test_task_pages_kept_as_addresses_become_url_names_and_back():
    import uuid

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.urls import reverse
    from django.utils import translation

    from infuse.core.models import TaskProgress

    before, after = (
        [("core", "0011_content_generation")],
        [("core", "0012_task_subject_by_view_name")],
    )
    upload = str(uuid.uuid4())
    with translation.override("cy"):
        welsh = reverse("datalab:upload_status", kwargs={"upload_id": upload})
    with translation.override("en"):
        contract = reverse("procurement:contract", kwargs={"pk": 7})
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("core", "TaskProgress")
    made = {
        address: old.objects.create(kind="datalab.ingest", subject_url=address).pk
        for address in (welsh, f"{contract}#evaluations", "/no/such/page/", "")
    }
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    kept = {
        address: TaskProgress.objects.values_list(
            "subject_view", "subject_kwargs", "subject_anchor"
        ).get(pk=pk)
        for address, pk in made.items()
    }
    assert kept[welsh] == ("datalab:upload_status", {"upload_id": upload}, "")
    assert kept[f"{contract}#evaluations"] == ("procurement:contract", {"pk": 7}, "evaluations")
    assert kept["/no/such/page/"] == kept[""] == ("", {}, "")
    with translation.override("cy"):
        assert TaskProgress.objects.get(pk=made[welsh]).subject_path() == welsh

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("core", "TaskProgress")
    assert old.objects.get(pk=made[welsh]).subject_url == welsh.removeprefix("/cy")
    assert old.objects.get(pk=made[f"{contract}#evaluations"]).subject_url == (
        f"{contract}#evaluations"
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_higher_is_worse_becomes_lower_is_better_and_back(make_dataset, make_person):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    dataset = make_dataset("Births", actor=make_person("officer"))
    before, after = [("datalab", "0011_disclosed_periods")], [("datalab", "0012_polarity_in_words")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("datalab", "Indicator")
    made = {
        polarity: old.objects.create(
            dataset_id=dataset.pk,
            slug=f"births-{polarity}".replace("_", "-"),
            title="Low birth weight",
            unit="percentage",
            polarity=polarity,
            specification={"polarity": polarity, "unit": "percentage"},
        ).pk
        for polarity in ("higher_is_worse", "higher_is_better")
    }
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("datalab", "Indicator")
    moved = new.objects.get(pk=made["higher_is_worse"])
    assert (moved.polarity, moved.specification["polarity"]) == ("lower_is_better",) * 2
    kept = new.objects.get(pk=made["higher_is_better"])
    assert (kept.polarity, kept.specification["polarity"]) == ("higher_is_better",) * 2

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("datalab", "Indicator")
    moved = back.objects.get(pk=made["higher_is_worse"])
    assert (moved.polarity, moved.specification["polarity"]) == ("higher_is_worse",) * 2
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
