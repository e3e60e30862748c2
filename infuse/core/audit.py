"""The append-only, tamper-evident audit log.

Each event's hash is SHA-256 over a canonical JSON of its content and the previous event's hash,
so editing any stored event breaks its own hash and deleting one breaks the next event's link.
The single ``AuditHead`` row holds the latest sequence and hash: appending locks it (concurrent
writers queue), and comparing it with the last event reveals a deleted tail.

``record_event`` must be called inside the same transaction as the change it describes; services
do that, so a change and its audit event are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from infuse.core.models import AuditEvent, AuditHead, Person

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """JSON-safe, order-stable form of a value (dates as ISO strings, models as their pk)."""
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_canonical(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def event_hash(
    *,
    sequence: int,
    occurred_at: datetime,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    before: Any,
    after: Any,
    previous_hash: str,
) -> str:
    """SHA-256 hex digest of an event's content chained to the previous hash."""
    content = {
        "sequence": sequence,
        "occurred_at": _canonical(occurred_at),
        "actor": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label,
        "before": _canonical(before),
        "after": _canonical(after),
        "previous_hash": previous_hash,
    }
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_label=event.object_label,
        before=event.before,
        after=event.after,
        previous_hash=event.previous_hash,
    )


def record_event(
    *,
    actor: Person | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction that makes the change")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = str(obj)[:300]
    else:
        object_label = ""
    AuditHead.objects.get_or_create(id=1, defaults={"hash": GENESIS_HASH})
    head = AuditHead.objects.select_for_update().get(id=1)
    occurred_at = timezone.now()
    fields = {
        "sequence": head.sequence + 1,
        "occurred_at": occurred_at,
        "actor_label": actor.email if actor is not None else "system",
        "action": action,
        "object_type": object_type or "",
        "object_id": object_id or "",
        "object_label": object_label,
        "before": _canonical(dict(before or {})),
        "after": _canonical(dict(after or {})),
        "previous_hash": head.hash,
    }
    digest = event_hash(**fields)
    event = AuditEvent.objects.create(actor=actor, hash=digest, **fields)
    head.sequence = event.sequence
    head.hash = digest
    head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first fails and why (``reason`` is a stable code)."""

    sequence: int
    reason: str

    def describe(self) -> str:
        explanations = {
            "content-changed": "its stored content no longer matches its hash (edited)",
            "link-broken": "it does not link to the event before it (an event was deleted)",
            "sequence-gap": "the event before it is missing (deleted)",
            "tail-missing": "the chain ends before the recorded head (latest events deleted)",
            "head-mismatch": "the recorded head does not match the last event",
        }
        return f"event #{self.sequence}: {explanations.get(self.reason, self.reason)}"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def iter_chain(up_to: int, batch_size: int = 2000) -> Iterator[AuditEvent]:
    """Events 1..``up_to`` in sequence order, in batches so a long log needs bounded memory."""
    last = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(sequence__gt=last, sequence__lte=up_to).order_by("sequence")[
                :batch_size
            ]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].sequence


def verify_chain(progress: Callable[[int, int], None] | None = None) -> VerifyResult:
    """Walk the chain up to the head as it stands now; return the first broken event, if any.

    Events appended while the walk runs are left for the next check, so verifying a busy log
    never reports a false break. ``progress(done, total)`` is called every few hundred events.
    """
    head = AuditHead.objects.filter(id=1).first()
    head_sequence = head.sequence if head is not None else 0
    head_hash = head.hash if head is not None else GENESIS_HASH
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in iter_chain(head_sequence):
        if event.sequence != expected_sequence:
            return VerifyResult(checked, ChainBreak(expected_sequence, "sequence-gap"))
        if event.previous_hash != expected_previous:
            return VerifyResult(checked, ChainBreak(event.sequence, "link-broken"))
        if _hash_of(event) != event.hash:
            return VerifyResult(checked, ChainBreak(event.sequence, "content-changed"))
        expected_previous = event.hash
        expected_sequence += 1
        checked += 1
        if progress is not None and checked % 500 == 0:
            progress(checked, head_sequence)
    if checked < head_sequence:
        return VerifyResult(checked, ChainBreak(checked + 1, "tail-missing"))
    if head_hash != expected_previous:
        return VerifyResult(checked, ChainBreak(head_sequence, "head-mismatch"))
    if progress is not None:
        progress(checked, head_sequence)
    return VerifyResult(checked, None)
