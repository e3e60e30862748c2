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
    """Take a spelling away from its supplier to a supplier of its own (``supplier``, when
    given, must be the one it belongs to now)."""

    spelling: int
    supplier: int | None = None


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


class DraftIn(Schema):
    """A collaboration opportunity to draft a challenge from: ``kind`` "category" (``key`` a
    CPV division's two digits) or "supplier" (``key`` the supplier's id)."""

    kind: str
    key: str


class TotalOut(Schema):
    key: str
    label: str
    pence: int
    payments: int
    suppliers: int = 0


class ShareOut(Schema):
    """Money paid to named suppliers that are, are not, or are not known to be SMEs, VCSEs or
    in the region (pence), and the share of the known that are (0–1, null when none known)."""

    yes: int
    no: int
    unknown: int
    known_fraction: float | None


class ConcentrationOut(Schema):
    division: str
    label: str
    hhi: float
    top_five_share: float
    suppliers: int
    total_pence: int


class SpendSummaryOut(Schema):
    total_pence: int
    payments: int
    buyers: list[TotalOut]
    categories: list[TotalOut]
    suppliers: list[TotalOut]
    shares: dict[str, ShareOut]
    concentration: list[ConcentrationOut]


class SpendDatasetOut(Schema):
    dataset: str
    mapping: dict[str, object]
    loaded_version: int | None
    summary: dict[str, object]
    progress: str | None


class SupplierOut(Schema):
    id: int
    name: str
    company_number: str
    charity_number: str
    is_sme: bool | None
    is_vcse: bool | None
    is_local: bool | None
    facts_from: str
    spellings: list[str]


class MatchOut(Schema):
    id: int
    supplier: int
    supplier_name: str
    similar: int
    similar_name: str
    score: int
    status: str


class ExpenseTypeOut(Schema):
    id: int
    name: str
    division: str
    category: str
    status: str


class OpportunityOut(Schema):
    kind: str
    key: str
    label: str
    pence: int
    suppliers: int
    buyers: list[TotalOut]
