"""The audit chain: appended in the change's transaction, and tampering is caught."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from infuse.core import audit
from infuse.core.models import AuditEvent, AuditHead, Council

pytestmark = pytest.mark.django_db


def _append(n: int, actor=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(
                audit.record_event(
                    actor=actor,
                    action="test.event",
                    object_type="test",
                    object_id=str(i),
                    before={"value": i},
                    after={"value": i + 1, "when": "now", "ok": True},
                )
            )
    return events


def test_events_chain_by_hash_and_verify():
    events = _append(5)
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]
    assert events[0].previous_hash == audit.GENESIS_HASH
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(events))
    result = audit.verify_chain()
    assert result.ok and result.checked == 5
    assert AuditHead.objects.get().hash == events[-1].hash


@pytest.mark.django_db(transaction=True)
def test_record_event_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record_event(actor=None, action="x", object_type="t", object_id="1")


def test_an_edited_event_is_named():
    _append(6)
    # Tamper directly in the database, as an attacker with SQL access would.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET action = %s WHERE sequence = %s", ["test.forged", 4]
        )
    result = audit.verify_chain()
    assert not result.ok
    assert result.first_break.sequence == 4
    assert result.first_break.reason == "content-changed"
    assert result.checked == 3


def test_an_edited_json_summary_is_caught():
    _append(3)
    AuditEvent.objects.filter(sequence=2).update(after={"value": 999})
    assert audit.verify_chain().first_break.sequence == 2


def test_a_rehashed_edit_still_breaks_the_next_link():
    events = _append(4)
    forged = events[1]
    forged.action = "test.forged"
    forged.hash = audit._hash_of(forged)
    AuditEvent.objects.filter(pk=forged.pk).update(action=forged.action, hash=forged.hash)
    result = audit.verify_chain()
    assert (result.first_break.sequence, result.first_break.reason) == (3, "link-broken")


def test_a_deleted_event_is_named():
    _append(5)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE sequence = %s", [3])
    result = audit.verify_chain()
    assert (result.first_break.sequence, result.first_break.reason) == (3, "sequence-gap")


def test_a_deleted_tail_is_caught_by_the_head():
    _append(5)
    AuditEvent.objects.filter(sequence__gte=4).delete()
    result = audit.verify_chain()
    assert (result.first_break.sequence, result.first_break.reason) == (4, "tail-missing")


def test_cli_verify_exits_non_zero_naming_the_event():
    _append(3)
    AuditEvent.objects.filter(sequence=2).update(object_id="99")
    with pytest.raises(CommandError, match="event #2"):
        call_command("audit", "verify")


def test_a_change_and_its_event_commit_or_roll_back_together():
    council = Council.objects.get(slug="cardiff")
    before = AuditEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        council.population = 1
        council.save()
        audit.record_event(actor=None, action="council.changed", obj=council)
        1 / 0  # noqa: B018  the change fails after the event was written
    assert AuditEvent.objects.count() == before
    assert Council.objects.get(slug="cardiff").population == 362_312
    assert audit.verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(10):
                with transaction.atomic():
                    audit.record_event(actor=None, action="t", object_type="t", object_id="1")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.count() == 40
    assert audit.verify_chain().ok
