"""The append-only, tamper-evident audit log.

Each event's hash is an HMAC-SHA256, under a key kept outside the database (``AUDIT_KEYS``,
rotatable: the key's id is stored with the event), over a canonical JSON of every field of the
event (the actor's id included) and the previous event's hash. Editing a stored event breaks its
own MAC and deleting one breaks the next event's link; and because the key is not in the
database, someone with write access to the database alone cannot re-hash the chain after an
edit. The single ``AuditHead`` row holds the latest sequence and hash: appending locks it
(concurrent writers queue), and comparing it with the last event reveals a deleted tail.

After each commit the new head is written as a signed checkpoint to a file outside the database
(``AUDIT_CHECKPOINT_FILE``) and to the ``infuse.audit.checkpoint`` log, for the operator to ship
elsewhere; a rewrite even by someone holding the key is caught against checkpoints kept off
this machine. Events written before keys existed (scheme 1, plain SHA-256) still verify, and
are counted as unkeyed.

``record_event`` must be called inside the same transaction as the change it describes; services
do that, so a change and its audit event are committed together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from infuse.core.models import AuditEvent, AuditHead, Person

GENESIS_HASH = "0" * 64
PLAIN = 1  # the scheme of events written before keys: SHA-256 with no secret
KEYED = 2  # HMAC-SHA256 under AUDIT_KEYS[key_id]
checkpoint_log = logging.getLogger("infuse.audit.checkpoint")


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


def _content(fields: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: a canonical JSON of the event's fields."""
    content = {
        "sequence": fields["sequence"],
        "occurred_at": _canonical(fields["occurred_at"]),
        "actor": fields["actor_label"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "object_label": fields["object_label"],
        "before": _canonical(fields["before"]),
        "after": _canonical(fields["after"]),
        "previous_hash": fields["previous_hash"],
    }
    if fields.get("scheme", PLAIN) == KEYED:
        content |= {"actor_id": fields["actor_id"], "scheme": KEYED, "key_id": fields["key_id"]}
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return encoded.encode("utf-8")


def audit_key(key_id: str) -> bytes | None:
    """The audit key with this id, if the service still holds it."""
    return dict(settings.AUDIT_KEYS).get(key_id)


def event_hash(**fields: Any) -> str:
    """The event's hash: HMAC-SHA256 under its key (scheme 2), or plain SHA-256 (scheme 1).

    Raises ``KeyError`` when the event names a key the service does not hold."""
    content = _content(fields)
    if fields.get("scheme", PLAIN) != KEYED:
        return hashlib.sha256(content).hexdigest()
    key = audit_key(fields["key_id"])
    if key is None:
        raise KeyError(fields["key_id"])
    return hmac.new(key, content, hashlib.sha256).hexdigest()


def _hash_of(event: AuditEvent) -> str:
    return event_hash(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_label=event.actor_label,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_label=event.object_label,
        before=event.before,
        after=event.after,
        previous_hash=event.previous_hash,
        scheme=event.scheme,
        key_id=event.key_id,
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
        "scheme": KEYED,
        "key_id": settings.AUDIT_KEYS[0][0],
    }
    digest = event_hash(actor_id=actor.pk if actor is not None else None, **fields)
    event = AuditEvent.objects.create(actor=actor, hash=digest, **fields)
    head.sequence = event.sequence
    head.hash = digest
    head.save(update_fields=["sequence", "hash"])
    transaction.on_commit(lambda: write_checkpoint(event.sequence, digest))
    return event


def _checkpoint_mac(key: bytes, sequence: int, digest: str, at: str) -> str:
    return hmac.new(key, f"{sequence}:{digest}:{at}".encode(), hashlib.sha256).hexdigest()


def write_checkpoint(sequence: int, digest: str) -> None:
    """Append the signed head to the checkpoint file and the checkpoint log (after commit).

    A failure to write is logged, never raised: the change it follows is already committed."""
    key_id, key = settings.AUDIT_KEYS[0]
    at = timezone.now().astimezone(UTC).isoformat()
    line = json.dumps(
        {
            "sequence": sequence,
            "hash": digest,
            "at": at,
            "key_id": key_id,
            "mac": _checkpoint_mac(key, sequence, digest, at),
        },
        separators=(",", ":"),
    )
    checkpoint_log.info(line)
    path = settings.AUDIT_CHECKPOINT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    except OSError:
        checkpoint_log.exception("Could not write the audit checkpoint for event %s", sequence)


def after_restore(source: str) -> Any:
    """Start the checkpoints afresh after the database was restored from a backup.

    A restore takes the chain back to the backup's head, so the checkpoints written since
    name events the database no longer has. They are kept beside, renamed with the time of the
    restore (for comparison), and the restore itself is the first event of the new file.
    """
    path = settings.AUDIT_CHECKPOINT_FILE
    archived = None
    if path.exists():
        stamp = timezone.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        archived = path.with_name(f"{path.name}.until-restore-{stamp}")
        os.replace(path, archived)
    with transaction.atomic():
        record_event(
            actor=None,
            action="database.restored",
            object_type="database",
            after={"from": source, "checkpoints_kept_as": archived.name if archived else ""},
        )
    return archived


@dataclass(frozen=True)
class CheckpointResult:
    """What the checkpoints kept outside the database say of the chain in it."""

    checked: int
    problem: str | None  # the first, described; None when every checkpoint matches
    found: bool  # whether there was a checkpoint file at all
    latest: int = 0  # the highest event a checkpoint names

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class _Checkpoint:
    sequence: int
    digest: str
    at: str
    key_id: str
    mac: str


def _read_checkpoint(line: str) -> _Checkpoint | None:
    """One line of the checkpoint file, or None when it cannot be read as one."""
    try:
        point = json.loads(line)
        return _Checkpoint(
            int(point["sequence"]),
            str(point["hash"]),
            str(point["at"]),
            str(point["key_id"]),
            str(point.get("mac", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _checkpoint_problem(point: _Checkpoint, stored: Mapping[int, str]) -> str | None:
    key = audit_key(point.key_id)
    expected = _checkpoint_mac(key, point.sequence, point.digest, point.at) if key else ""
    if not key or not hmac.compare_digest(expected, point.mac):
        return f"the checkpoint of event #{point.sequence} is not signed by a key of this service"
    if point.sequence not in stored:
        return f"event #{point.sequence} is in a checkpoint but not in the database (deleted)"
    if stored[point.sequence] != point.digest:
        return f"event #{point.sequence} differs from its checkpoint (the chain was rewritten)"
    return None


def verify_checkpoints(path: Any = None, batch_size: int = 2000) -> CheckpointResult:
    """Check every checkpoint in the file against the event it names, in batches."""
    path = path or settings.AUDIT_CHECKPOINT_FILE
    if not path.exists():
        return CheckpointResult(0, None, found=False)
    checked = latest = 0
    with open(path, encoding="utf-8") as handle:
        while batch := [line.strip() for _, line in zip(range(batch_size), handle, strict=False)]:
            lines = [line for line in batch if line]
            points = [_read_checkpoint(line) for line in lines]
            wanted = {point.sequence for point in points if point is not None}
            stored = dict(
                AuditEvent.objects.filter(sequence__in=wanted).values_list("sequence", "hash")
            )
            for line, point in zip(lines, points, strict=True):
                if point is None:
                    problem: str | None = f"an unreadable checkpoint line: {line[:80]!r}"
                else:
                    problem = _checkpoint_problem(point, stored)
                if problem is not None:
                    return CheckpointResult(checked, problem, found=True, latest=latest)
                checked += 1
            latest = max([latest, *wanted])
    return CheckpointResult(checked, None, found=True, latest=latest)


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
            "downgraded": "it claims the unkeyed scheme after keyed events (re-hashed without "
            "the key)",
            "unknown-key": "it names an audit key this service does not hold (add it back to "
            "INFUSE_AUDIT_KEYS)",
        }
        return f"event #{self.sequence}: {explanations.get(self.reason, self.reason)}"


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    unkeyed: int = 0  # events from before keys (scheme 1): intact, but re-hashable by anyone

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
    checked = unkeyed = 0
    for event in iter_chain(head_sequence):
        if event.sequence != expected_sequence:
            return VerifyResult(checked, ChainBreak(expected_sequence, "sequence-gap"), unkeyed)
        if event.previous_hash != expected_previous:
            return VerifyResult(checked, ChainBreak(event.sequence, "link-broken"), unkeyed)
        try:
            expected = _hash_of(event)
        except KeyError:
            return VerifyResult(checked, ChainBreak(event.sequence, "unknown-key"), unkeyed)
        if not hmac.compare_digest(expected, event.hash):
            return VerifyResult(checked, ChainBreak(event.sequence, "content-changed"), unkeyed)
        if event.scheme != KEYED and checked > unkeyed:
            # Plain events only ever come before the first keyed one (written before keys).
            return VerifyResult(checked, ChainBreak(event.sequence, "downgraded"), unkeyed)
        unkeyed += event.scheme != KEYED
        expected_previous = event.hash
        expected_sequence += 1
        checked += 1
        if progress is not None and checked % 500 == 0:
            progress(checked, head_sequence)
    if checked < head_sequence:
        return VerifyResult(checked, ChainBreak(checked + 1, "tail-missing"), unkeyed)
    if head_hash != expected_previous:
        return VerifyResult(checked, ChainBreak(head_sequence, "head-mismatch"), unkeyed)
    if progress is not None:
        progress(checked, head_sequence)
    return VerifyResult(checked, None, unkeyed)
