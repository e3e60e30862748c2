"""A registered protocol never changes: its stored content must still have its digest."""

from __future__ import annotations

from collections.abc import Iterator

from infuse.adaption.models import Protocol
from infuse.adaption.protocol.content import protocol_digest


def changed_protocols() -> Iterator[str]:
    """Why: a protocol's digest is published when it is registered; content edited afterwards
    (even by raw SQL) would no longer match it, and must be found."""
    protocols = Protocol.objects.select_related("experiment").order_by("pk")
    for protocol in protocols.iterator(chunk_size=500):
        if protocol_digest(protocol.content) != protocol.sha256:
            yield (
                f"Protocol version {protocol.version} of experiment "
                f"'{protocol.experiment.slug}' no longer matches its registered digest."
            )
