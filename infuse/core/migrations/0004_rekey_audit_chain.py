"""Re-key an intact legacy audit chain with the audit key (HMAC), once, at upgrade.

Events written before keys were hashed with plain SHA-256, which anyone with database access
could recompute after an edit. If the legacy chain verifies, every event is given its MAC under
the current key (the links are rebuilt in order) and the head is checkpointed outside the
database. A legacy chain that does not verify is left exactly as it is, so that
`infuse audit verify` still names where it was broken; nothing tampered with is laundered.
"""

from django.conf import settings
from django.db import migrations

from infuse.core import audit


def _fields(event, **changes):
    fields = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at,
        "actor_label": event.actor_label,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "previous_hash": event.previous_hash,
        "scheme": event.scheme,
        "key_id": event.key_id,
    }
    return fields | changes


def _legacy_chain_intact(events, head) -> bool:
    previous, sequence = audit.GENESIS_HASH, 1
    for event in events.iterator():
        if event.sequence != sequence or event.previous_hash != previous:
            return False
        if audit.event_hash(**_fields(event, scheme=audit.PLAIN)) != event.hash:
            return False
        previous, sequence = event.hash, sequence + 1
    return head is None or head.hash == previous


def rekey(apps, schema_editor):
    event_model = apps.get_model("core", "AuditEvent")
    head = apps.get_model("core", "AuditHead").objects.filter(id=1).first()
    events = event_model.objects.order_by("sequence")
    if not events.filter(scheme=audit.PLAIN).exists():
        return
    if not _legacy_chain_intact(events, head):
        return
    key_id = settings.AUDIT_KEYS[0][0]
    previous = audit.GENESIS_HASH
    for event in events.iterator():
        fields = _fields(event, scheme=audit.KEYED, key_id=key_id, previous_hash=previous)
        event.scheme, event.key_id, event.previous_hash = audit.KEYED, key_id, previous
        event.hash = audit.event_hash(**fields)
        event.save(update_fields=["scheme", "key_id", "previous_hash", "hash"])
        previous = event.hash
    if head is not None:
        head.hash = previous
        head.save(update_fields=["hash"])
        audit.write_checkpoint(head.sequence, previous)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_events_keyed")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
