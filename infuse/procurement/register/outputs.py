"""The register's entries as data: one flat row per contract (the CSV/XLSX files, the API and
the CLI), in English field names and open formats (dates ISO 8601, money in pence and pounds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone, translation

from infuse.core import lazy
from infuse.datalab.catalogue import exports
from infuse.procurement.models import Contract
from infuse.procurement.register.queries import PROCEDURE, reference, supplier_facts

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
COLUMNS = [
    "reference",
    "ocid",
    "title",
    "buyer",
    "councils",
    "supplier",
    "supplier_company_number",
    "supplier_sme",
    "supplier_vcse",
    "value_pence",
    "value_gbp",
    "signed_on",
    "starts_on",
    "ends_on",
    "status",
    "closed_on",
    "close_reason",
    "cpv_main",
    "cpv_additional",
    "procedure",
    "social_value_targets",
]


def _pounds(pence: int) -> str:
    whole, part = divmod(pence, 100)
    return f"{whole}.{part:02d}"


def row(contract: Contract) -> dict[str, Any]:
    """One contract as the register's files and API give it."""
    challenge = contract.award.phase.challenge
    facts = supplier_facts(contract)
    codes = list(contract.cpv_codes)
    with translation.override("en"):
        phase_name = str(contract.award.phase.get_number_display())
    return {
        "reference": reference(contract),
        "ocid": contract.award.phase.ocid,
        "title": f"{challenge.title_en} – {phase_name}",
        "buyer": challenge.owner.name_en,
        "councils": "; ".join(c.name_en for c in challenge.councils.all()),
        "supplier": contract.supplier.name_en,
        "supplier_company_number": facts["company_number"],
        "supplier_sme": facts["sme"],
        "supplier_vcse": facts["vcse"],
        "value_pence": contract.value_pence,
        "value_gbp": _pounds(contract.value_pence),
        "signed_on": timezone.localdate(contract.signed_at).isoformat(),
        "starts_on": contract.starts_on.isoformat(),
        "ends_on": contract.ends_on.isoformat(),
        "status": contract.status,
        "closed_on": timezone.localdate(contract.closed_at).isoformat()
        if contract.closed_at
        else "",
        "close_reason": contract.close_reason_en,
        "cpv_main": codes[0] if codes else "",
        "cpv_additional": "; ".join(codes[1:]),
        "procedure": PROCEDURE,
        "social_value_targets": contract.targets,  # type: ignore[attr-defined]  # entries() counts
    }


def register_file(contracts: QuerySet[Contract], file_format: str) -> tuple[bytes, str, str]:
    """The register as CSV or XLSX: its bytes, content type and file name; ``KeyError`` for a
    format there is not (the page and the API answer 404)."""
    content_type = CONTENT_TYPES[file_format]
    rows = [row(c) for c in contracts]
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(
        {} if rows else dict.fromkeys(COLUMNS, "string")
    )
    return (
        exports.export_frame(frame, file_format),
        content_type,
        f"contract-register.{file_format}",
    )
