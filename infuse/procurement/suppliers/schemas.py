"""Input of the supplier use cases: registering a company and its first person, inviting and
joining colleagues."""

from __future__ import annotations

from ninja import Schema


class SupplierIn(Schema):
    """A company registering itself, and the person doing it (who becomes its first bidder)."""

    email: str
    full_name: str
    password: str
    name: str
    address: str
    postcode: str
    companies_house_number: str = ""
    is_sme: bool = False
    is_vcse: bool = False


class InvitationIn(Schema):
    email: str


class JoinIn(Schema):
    """What a new colleague gives when joining by an invitation link."""

    full_name: str = ""
    password: str = ""
