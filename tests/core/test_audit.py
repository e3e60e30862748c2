"""The audit chain: appended in the change's transaction, and tampering is caught."""

import itertools
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from infuse.core import audit, keyring
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


def _rehash_from(sequence: int, change: dict, *, scheme: int) -> None:
    """What someone with database write access could do: edit an event, then re-hash it and
    every later one (and the head) so every link holds again."""
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash
    for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
        if event.sequence == sequence:
            for name, value in change.items():
                setattr(event, name, value)
        event.previous_hash = previous
        event.scheme = scheme
        event.hash = audit._hash_of(event)
        AuditEvent.objects.filter(pk=event.pk).update(
            **change if event.sequence == sequence else {},
            previous_hash=event.previous_hash,
            hash=event.hash,
            scheme=scheme,
        )
        previous = event.hash
    AuditHead.objects.filter(id=1).update(hash=previous)


@pytest.mark.parametrize(
    ("scheme", "reason"), [(audit.PLAIN, "downgraded"), (audit.KEYED, "content-changed")]
)
def test_an_edit_rehashed_without_the_key_is_caught(settings, scheme, reason):
    _append(4)
    keys = settings.AUDIT_KEYS
    if scheme == audit.KEYED:  # the attacker's own key, under the service's key id
        settings.AUDIT_KEYS = [(keys[0][0], b"x" * 32)]
    _rehash_from(2, {"after": {"value": 999}}, scheme=scheme)
    settings.AUDIT_KEYS = keys
    result = audit.verify_chain()
    assert (result.first_break.sequence, result.first_break.reason) == (2, reason)


def test_the_actor_is_covered_by_the_mac(make_person):
    _append(2)
    AuditEvent.objects.filter(sequence=2).update(actor=make_person("officer"))
    assert audit.verify_chain().first_break.sequence == 2


def test_keys_rotate_and_old_events_still_verify(settings):
    _append(2)
    settings.AUDIT_KEYS = [
        tuple(keyring.parse_keys(keyring.new_key("k2"), "X")[0]),
        *settings.AUDIT_KEYS,
    ]
    _append(2)
    assert AuditEvent.objects.get(sequence=4).key_id == "k2"
    assert audit.verify_chain().ok
    settings.AUDIT_KEYS = settings.AUDIT_KEYS[:1]
    result = audit.verify_chain()
    assert (result.first_break.sequence, result.first_break.reason) == (1, "unknown-key")


@pytest.mark.django_db(transaction=True)
def test_checkpoints_outside_the_database_catch_a_rewrite_even_with_the_key():
    """Holding the key, one could re-MAC the whole chain; the checkpoints shipped elsewhere
    still name the first rewritten event."""
    _append(3)
    assert audit.verify_checkpoints().ok
    assert audit.verify_checkpoints().checked == 3
    _rehash_from(2, {"action": "test.rewritten"}, scheme=audit.KEYED)
    assert audit.verify_chain().ok  # the chain itself is consistent again...
    result = audit.verify_checkpoints()
    assert not result.ok and "event #2 differs from its checkpoint" in result.problem


@pytest.mark.django_db(transaction=True)
def test_a_forged_checkpoint_or_a_deleted_event_is_named(settings):
    _append(2)
    path = settings.AUDIT_CHECKPOINT_FILE
    forged = '{"sequence":1,"hash":"00","at":"2026-01-01T00:00:00+00:00","key_id":"k1","mac":"0"}'
    path.write_text(path.read_text() + forged + "\n")
    assert "not signed" in audit.verify_checkpoints().problem
    path.write_text(path.read_text().splitlines()[0] + "\n")
    AuditEvent.objects.filter(sequence=1).delete()
    assert "deleted" in audit.verify_checkpoints().problem


@pytest.mark.django_db(transaction=True)
def test_verify_fails_without_the_checkpoint_file_and_says_when_it_stops_short(settings, capsys):
    _append(3)
    path = settings.AUDIT_CHECKPOINT_FILE
    first = path.read_text().splitlines()[0]
    path.write_text(first + "\n")  # truncated to its first checkpoint
    call_command("audit", "verify")
    assert "The checkpoints end at event #1; the chain goes on to #3" in capsys.readouterr().out
    path.unlink()
    with pytest.raises(CommandError, match=r"no file at .* although the chain has 3 events"):
        call_command("audit", "verify")
