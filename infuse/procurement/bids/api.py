"""Bid endpoints: a supplier saves and submits its sealed bid; the two-person opening."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from infuse.core.api_auth import caller
from infuse.core.errors import NotFound
from infuse.core.schemas import PROBLEMS
from infuse.procurement.bids import services
from infuse.procurement.bids.schemas import BidIn, BidOut, OpeningOut
from infuse.procurement.challenges.services import phase_at
from infuse.procurement.models import Bid

router = Router()


def _out(actor: object, bid: Bid) -> BidOut:
    content = services.read_bid(actor=actor, bid=bid)
    bid.refresh_from_db()
    return BidOut.of(bid, content)


@router.put(
    "/challenges/{slug}/phases/{number}/bid",
    response={200: BidOut, **PROBLEMS},
    summary="Save your organisation's bid (sealed; until the deadline)",
)
def save_bid(request: HttpRequest, slug: str, number: int, payload: BidIn) -> BidOut:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    return _out(actor, services.save_bid(actor=actor, phase=phase, bid_in=payload))


@router.post(
    "/challenges/{slug}/phases/{number}/bid/submit",
    response={200: BidOut, **PROBLEMS},
    summary="Submit your organisation's bid (it stays changeable until the deadline)",
)
def submit_bid(request: HttpRequest, slug: str, number: int) -> BidOut:
    actor = caller(request)
    bid = services.own_bid(actor=actor, phase=phase_at(actor=actor, slug=slug, number=number))
    if bid is None:
        raise NotFound()
    return _out(actor, services.submit_bid(actor=actor, bid=bid))


@router.get(
    "/bids/{pk}",
    response={200: BidOut, **PROBLEMS},
    summary="A bid: its supplier always; after the two-person opening, those evaluating it",
)
def get_bid(request: HttpRequest, pk: int) -> BidOut:
    actor = caller(request)
    return _out(actor, services.bid_known_to(actor, pk))


@router.post(
    "/challenges/{slug}/phases/{number}/opening",
    response={200: OpeningOut, **PROBLEMS},
    summary="Ask to open the bids after the deadline, or confirm a colleague's request",
)
def open_bids(request: HttpRequest, slug: str, number: int) -> OpeningOut:
    actor = caller(request)
    phase = phase_at(actor=actor, slug=slug, number=number)
    return OpeningOut.of(services.open_bids(actor=actor, phase=phase))
