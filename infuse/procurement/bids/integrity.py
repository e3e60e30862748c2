"""A sealed bid never changes: its sealed contents must still open under their own label."""

from __future__ import annotations

from collections.abc import Iterator

from infuse.procurement import sealing
from infuse.procurement.bids.sealed import unsealed
from infuse.procurement.models import Bid


def damaged_bids() -> Iterator[str]:
    """Why: AES-GCM authenticates each bid with its label, so a sealed value that was edited,
    swapped with another bid's or damaged no longer opens. Checking opens each in memory and
    keeps nothing: no content is shown, logged or stored."""
    bids = Bid.objects.select_related("phase__challenge", "supplier").order_by("pk")
    for bid in bids.iterator(chunk_size=200):
        if not bid.sealed:
            continue
        try:
            unsealed(bid)
        except sealing.SealError:
            yield (
                f"Bid {bid.pk} ({bid.supplier.name}, challenge "
                f"'{bid.phase.challenge.slug}') no longer opens: its sealed contents changed."
            )
