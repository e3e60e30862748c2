"""Reading a compiled OCDS release as the red flags need it: each part in its OCDS shape
(``clean``), who bought and who won, the bids (OCDS bid extension) and the CPV divisions
awarded. Pure functions, no Django."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Release = dict[str, Any]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _classified(items: object) -> list[dict[str, Any]]:
    return [{**i, "classification": _dict(i.get("classification"))} for i in _dicts(items)]


def clean(release: object) -> Release:
    """The release with every part a flag reads in the shape OCDS gives it (objects where
    objects belong, lists of objects where lists do); a malformed part is dropped, so a flag
    that needs it is not computable rather than the run failing."""
    found = _dict(release)
    tender = _dict(found.get("tender"))
    bids_part = _dict(found.get("bids"))
    details = bids_part.get("details")
    return {
        **found,
        "ocid": str(found.get("ocid") or ""),
        "buyer": _dict(found.get("buyer")),
        "tender": {
            **tender,
            "tenderPeriod": _dict(tender.get("tenderPeriod")),
            "classification": _dict(tender.get("classification")),
            "items": _classified(tender.get("items")),
            "value": _dict(tender.get("value")),
        },
        "awards": [
            {
                **a,
                "suppliers": _dicts(a.get("suppliers")),
                "items": _classified(a.get("items")),
                "value": _dict(a.get("value")),
            }
            for a in _dicts(found.get("awards"))
        ],
        "bids": {
            "details": [
                {**b, "tenderers": _dicts(b.get("tenderers")), "value": _dict(b.get("value"))}
                for b in _dicts(details)
            ]
        }
        if isinstance(details, list)
        else {},
    }


def instant(text: object) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _amount(value: object) -> tuple[float, str] | None:
    if not isinstance(value, dict):
        return None
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    return float(amount), str(value.get("currency") or "")


def method(release: Release) -> str:
    return str((release.get("tender") or {}).get("procurementMethod") or "")


def buyer_of(release: Release) -> tuple[str, str]:
    buyer = release.get("buyer") or {}
    return str(buyer.get("id") or ""), str(buyer.get("name") or "")


def active_awards(release: Release) -> list[dict[str, Any]]:
    return [a for a in release.get("awards") or [] if a.get("status") == "active"]


def one_final_award(release: Release) -> bool:
    """Exactly one active award, to one supplier, and none still pending: the comparisons of
    a winner with the others need to know who won, once (lots and call-offs are left out)."""
    awards = release.get("awards") or []
    active = [a for a in awards if a.get("status") == "active"]
    pending = any(a.get("status") in ("pending", "") or not a.get("status") for a in awards)
    return len(active) == 1 and len(active[0].get("suppliers") or []) == 1 and not pending


def award_suppliers(release: Release) -> dict[str, str]:
    """The party id → name of every supplier of an active award."""
    return {
        str(s["id"]): str(s.get("name") or "")
        for award in active_awards(release)
        for s in award.get("suppliers") or []
        if s.get("id")
    }


@dataclass(frozen=True)
class Bid:
    tenderers: tuple[str, ...]
    names: tuple[str, ...]
    status: str
    amount: float | None
    currency: str
    date: dt.datetime | None


def bids(release: Release) -> list[Bid] | None:
    """The bids of ``bids/details`` (the OCDS bid extension), or ``None`` when the release
    publishes none."""
    details = (release.get("bids") or {}).get("details")
    if not isinstance(details, list):
        return None
    found = []
    for bid in details:
        tenderers = [t for t in bid.get("tenderers") or [] if t.get("id")]
        amount = _amount(bid.get("value"))
        found.append(
            Bid(
                tuple(str(t["id"]) for t in tenderers),
                tuple(str(t.get("name") or "") for t in tenderers),
                str(bid.get("status") or ""),
                amount[0] if amount else None,
                amount[1] if amount else "",
                instant(bid.get("date")),
            )
        )
    return found


def number_of_tenderers(release: Release) -> int | None:
    tender = release.get("tender") or {}
    stated = tender.get("numberOfTenderers")
    if isinstance(stated, int) and not isinstance(stated, bool):
        return stated
    found = bids(release)
    if found is None:
        return None
    submitted = ("valid", "disqualified")  # invited or pending bids were never submitted
    return len({t for bid in found if bid.status in submitted for t in bid.tenderers})


def _cpv(items: Iterable[dict[str, Any]]) -> set[str]:
    return {
        str(c["id"])[:2]
        for item in items
        for c in [item.get("classification") or {}]
        if c.get("scheme") == "CPV" and str(c.get("id") or "")[:2].isdigit()
    }


def divisions_awarded(release: Release) -> dict[str, set[str]]:
    """Each sole supplier of an active award → the CPV divisions it was awarded: the award's
    items, else (one award only) the tender's items and main classification. Awards shared by
    several suppliers say nothing of one supplier and are left out."""
    awards = active_awards(release)
    tender = release.get("tender") or {}
    found: dict[str, set[str]] = defaultdict(set)
    for award in awards:
        suppliers = [s for s in award.get("suppliers") or [] if s.get("id")]
        if len(suppliers) != 1:
            continue
        kinds = _cpv(award.get("items") or [])
        if not kinds and len(awards) == 1:
            kinds = _cpv([*(tender.get("items") or []), tender])
        if kinds:
            found[str(suppliers[0]["id"])] |= kinds
    return found
