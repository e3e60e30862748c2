"""Input and output of the spend use cases."""

from __future__ import annotations

from ninja import Schema

#: The spend shape's fields a mapping names a column for, the required ones first.
REQUIRED_FIELDS = ("paid", "supplier", "amount")
OPTIONAL_FIELDS = ("company_number", "charity_number", "service", "expense_type")


class SpendMappingIn(Schema):
    """Which of the dataset's columns (as its recipe shapes them) holds each part of a payment.

    ``buyer_column`` names the column of the buying body where a file holds several; without
    one, every payment was made by ``buyer`` (the dataset's publisher when empty). ``paid`` is
    the column of the date paid or the period ("July 2010-September 2010")."""

    paid: str
    supplier: str
    amount: str
    buyer: str = ""
    buyer_column: str = ""
    company_number: str = ""
    charity_number: str = ""
    service: str = ""
    expense_type: str = ""


class MergeIn(Schema):
    """Join ``others`` (supplier ids) into ``into``, keeping ``into``'s name and facts."""

    into: int
    others: list[int]


class SplitIn(Schema):
    """Take a spelling away from its supplier to a supplier of its own."""

    spelling: int


class MatchDecisionIn(Schema):
    """``merge`` the proposed pair into one supplier, or ``reject`` it (kept apart)."""

    decision: str


class SupplierFactsIn(Schema):
    """What is known of a supplier; ``None`` where it is not known."""

    is_sme: bool | None = None
    is_vcse: bool | None = None
    is_local: bool | None = None


class CategoryIn(Schema):
    """The CPV division (two digits) an expense type maps to; "" leaves it unmapped."""

    division: str
