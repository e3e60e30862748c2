"""The contract register: every contract awarded through the platform, as councils publish
them (who buys what from whom, for how much, when, classified by CPV), open to everyone.

A contract is on the register once its award is confirmed (contracts are made only then) and
its challenge is published; nothing sealed or private is read. The same entries feed the page,
the API, the CLI and the CSV/XLSX files, so they never disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from infuse.core.errors import FieldProblem, InvalidInput, NotFound
from infuse.core.models import Council
from infuse.procurement import cpv
from infuse.procurement.models import Award, Contract

PROCEDURE = "Challenge-based competition (SBRI)"


@dataclass(frozen=True)
class Filters:
    """What the register is narrowed to: a council (slug), a CPV division (two digits), a
    status and the calendar year the contract was signed; empty means any."""

    council: str = ""
    division: str = ""
    status: str = ""
    year: int | None = None


def checked(filters: Filters) -> Filters:
    """``filters`` if each names something there is; ``InvalidInput`` saying which does not."""
    problems = []
    if filters.council and not Council.objects.filter(slug=filters.council).exists():
        problems.append(
            FieldProblem("council", _("There is no council ‘%(slug)s’") % {"slug": filters.council})
        )
    if filters.division and (
        not re.fullmatch(r"\d\d", filters.division) or cpv.division_of(filters.division) is None
    ):
        problems.append(
            FieldProblem("division", _("Give a CPV division as its two digits, like 72"))
        )
    if filters.status and filters.status not in Contract.Status.values:
        problems.append(
            FieldProblem(
                "status",
                _("A contract's status is one of: %(statuses)s")
                % {"statuses": ", ".join(Contract.Status.values)},
            )
        )
    if problems:
        raise InvalidInput(problems=problems)
    return filters


def public_contracts() -> QuerySet[Contract]:
    return Contract.objects.filter(
        award__status=Award.Status.CONFIRMED, award__phase__challenge__published_at__isnull=False
    )


def entries(filters: Filters = Filters()) -> QuerySet[Contract]:
    """The register's contracts, newest signed first, narrowed by ``filters``."""
    found = public_contracts()
    if filters.council:
        found = found.filter(award__phase__challenge__councils__slug=filters.council)
    if filters.division:
        # JSON arrays are matched by their text, the same way on SQLite and PostgreSQL.
        found = found.filter(cpv_codes__icontains=f'"{filters.division}')
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.year:
        found = found.filter(signed_at__year=filters.year)
    return (
        found.select_related("supplier__supplier_profile", "award__phase__challenge__owner")
        .prefetch_related("award__phase__challenge__councils")
        .annotate(targets=Count("kpis", distinct=True))
        .distinct()
        .order_by("-signed_at", "-pk")
    )


def of_challenge(challenge: Any) -> QuerySet[Contract]:
    """A challenge's contracts on the register, by phase."""
    return (
        public_contracts()
        .filter(award__phase__challenge=challenge)
        .select_related("supplier", "award__phase")
        .order_by("award__phase__number", "pk")
    )


def entry(pk: int) -> Contract:
    found = entries().filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def years() -> list[int]:
    """The years contracts were signed in, newest first (the year filter's choices)."""
    return sorted(
        {signed.year for signed in public_contracts().values_list("signed_at", flat=True)},
        reverse=True,
    )


def divisions() -> list[cpv.Division]:
    """The CPV divisions the register's contracts fall in (the division filter's choices)."""
    used = {
        code[:2]
        for codes in public_contracts().values_list("cpv_codes", flat=True)
        for code in codes
    }
    return [d for d in cpv.DIVISIONS if d.digits in used]


def reference(contract: Contract) -> str:
    """The contract's identifier, as its open contracting data names it."""
    return f"{contract.award.phase.ocid}-contract-{contract.pk}"


def supplier_facts(contract: Contract) -> dict[str, Any]:
    profile = getattr(contract.supplier, "supplier_profile", None)
    return {
        "company_number": profile.companies_house_number if profile else "",
        "sme": bool(profile and profile.is_sme),
        "vcse": bool(profile and profile.is_vcse),
    }
