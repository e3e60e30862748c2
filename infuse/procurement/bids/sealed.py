"""A bid as it is kept: its content and documents sealed with its challenge's key.

Nobody reads a bid before the two-person opening: what a supplier writes is encrypted (AES-GCM)
with the challenge's data key, itself kept wrapped by the master key (``procurement.sealing``),
and each piece is bound to its row by a label so a sealed blob cannot be moved to another bid.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from infuse.core import files
from infuse.procurement import sealing
from infuse.procurement.models import Bid, BidDocument, Challenge


@dataclass
class BidContent:
    """What a bid says: the answers (by criterion id), the price, its documents' names, and
    the social value it promises (measure code → quantity, exact decimal text)."""

    answers: dict[str, str] = field(default_factory=dict)
    price_pence: int | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)  # id, name, content_type
    commitments: dict[str, str] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> BidContent:
        return cls(**json.loads(data))


def _data_key(challenge: Challenge) -> bytes:
    return sealing.unwrap(bytes(challenge.wrapped_key), challenge.key_id)


def seal(bid: Bid, content: BidContent) -> bytes:
    return sealing.seal(_data_key(bid.phase.challenge), content.to_bytes(), bid.label)


def unsealed(bid: Bid) -> BidContent:
    return BidContent.from_bytes(
        sealing.open_sealed(_data_key(bid.phase.challenge), bytes(bid.sealed), bid.label)
    )


def store_document(bid: Bid, document: BidDocument, data: bytes) -> str:
    """Seal a document's bytes and store them; returns the stored file's relative path."""
    sealed = sealing.seal(_data_key(bid.phase.challenge), data, document.label)
    return files.store_stream([sealed], kind="sealed-bids").relative_path


def open_document(document: BidDocument) -> bytes:
    sealed = files.resolve(document.path).read_bytes()
    return sealing.open_sealed(_data_key(document.bid.phase.challenge), sealed, document.label)
