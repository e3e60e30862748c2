"""A sealed bid whose stored bytes changed is named by `audit verify`, contents unseen."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from infuse.procurement.bids import services as bidding
from infuse.procurement.bids.integrity import damaged_bids
from infuse.procurement.bids.schemas import BidIn
from infuse.procurement.models import Bid
from tests.procurement.flows import answers_for, phase_of

pytestmark = pytest.mark.django_db


def test_a_changed_sealed_bid_is_found_without_showing_it(make_challenge, make_supplier, capsys):
    phase = phase_of(make_challenge())
    bid = bidding.save_bid(
        actor=make_supplier(),
        phase=phase,
        bid_in=BidIn(answers=answers_for(phase), price_pence=123_456),
    )
    assert list(damaged_bids()) == []
    sealed = bytearray(bytes(bid.sealed))
    sealed[-1] ^= 1
    Bid.objects.filter(pk=bid.pk).update(sealed=bytes(sealed))
    with pytest.raises(CommandError, match=f"Bid {bid.pk} .* no longer opens") as raised:
        call_command("audit", "verify")
    assert "123456" not in str(raised.value) + capsys.readouterr().out
