"""Input and output of the bid use cases: a sealed bid's answers, price and documents, and the
two-person opening."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Schema

from infuse.core.bounds import Pence
from infuse.procurement.bids.sealed import BidContent
from infuse.procurement.models import Bid, Opening


class BidIn(Schema):
    """What a supplier says in a bid: an answer per scored criterion (by criterion id), the
    price in pence, and the social value it promises (measure code → quantity in the
    measure's unit; the phase's social value criteria say which measures). Documents come
    beside it, as files."""

    answers: dict[str, str] = {}
    price_pence: Pence | None = None
    commitments: dict[str, Decimal] = {}


class BidOut(Schema):
    id: int
    supplier: str
    submitted_at: datetime | None
    withdrawn_at: datetime | None
    answers: dict[str, str]
    price_pence: int | None
    documents: list[dict[str, Any]]
    commitments: dict[str, Decimal]

    @classmethod
    def of(cls, bid: Bid, content: BidContent) -> BidOut:
        return cls(
            id=bid.pk,
            supplier=bid.supplier.name,
            submitted_at=bid.submitted_at,
            withdrawn_at=bid.withdrawn_at,
            answers=content.answers,
            price_pence=content.price_pence,
            documents=content.documents,
            commitments={k: Decimal(v) for k, v in content.commitments.items()},
        )


class OpeningOut(Schema):
    requested_by: str
    requested_at: datetime
    confirmed_by: str | None
    confirmed_at: datetime | None

    @classmethod
    def of(cls, opening: Opening) -> OpeningOut:
        return cls(
            requested_by=opening.requested_by.email,
            requested_at=opening.requested_at,
            confirmed_by=opening.confirmed_by.email if opening.confirmed_by else None,
            confirmed_at=opening.confirmed_at,
        )
