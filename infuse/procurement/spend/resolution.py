"""One supplier across spellings and councils: company and charity numbers first, then names
with their spelling set aside; alike-but-different names go to a person as proposed matches.

Rules, in order, for a payee not seen before:
1. A Companies House or charity number already known names its supplier.
2. With a number not yet known, the payee joins the one supplier of the same name key that has
   no number yet (and that supplier takes the number); otherwise it is a new supplier.
3. Without numbers, it joins the one supplier its name key belongs to — or, where suppliers
   with different numbers share that key, the one of them with no number; otherwise it is a
   new supplier. Two suppliers with different numbers are never joined by their names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from infuse.procurement.models import ResolvedSupplier, SupplierProfile, SupplierSpelling
from infuse.procurement.spend import names

How = SupplierSpelling.How


@dataclass(frozen=True)
class Payee:
    """A payee as one row of a file gives it."""

    name: str
    company_number: str = ""
    charity_number: str = ""

    @property
    def key(self) -> str:
        return names.name_key(self.name)


class Resolver:
    """Resolves payees to spellings and suppliers, reading what is stored once and keeping
    what it adds in memory, so a file of 100,000 payments asks the database a few times, not
    once a row."""

    def __init__(self) -> None:
        self.spellings: dict[tuple[str, str, str], SupplierSpelling] = {}
        self.by_company: dict[str, ResolvedSupplier] = {}
        self.by_charity: dict[str, ResolvedSupplier] = {}
        self.by_key: dict[str, dict[int, ResolvedSupplier]] = defaultdict(dict)
        for spelling in SupplierSpelling.objects.select_related("supplier"):
            self._remember(spelling)

    def _remember(self, spelling: SupplierSpelling) -> None:
        supplier = spelling.supplier
        triple = (spelling.key, spelling.company_number, spelling.charity_number)
        self.spellings[triple] = spelling
        self.by_key[spelling.key][supplier.pk] = supplier
        if supplier.company_number:
            self.by_company[supplier.company_number] = supplier
        if supplier.charity_number:
            self.by_charity[supplier.charity_number] = supplier

    def spelling_of(self, payee: Payee) -> SupplierSpelling:
        company = names.company_number(payee.company_number)
        charity = names.charity_number(payee.charity_number)
        key = payee.key
        known = self.spellings.get((key, company, charity))
        if known is not None:
            return known
        supplier, how = self._supplier_for(key, company, charity, payee.name)
        spelling = SupplierSpelling.objects.create(
            key=key,
            company_number=company,
            charity_number=charity,
            name=payee.name[:300],
            supplier=supplier,
            how=how,
        )
        self._remember(spelling)
        return spelling

    def _supplier_for(
        self, key: str, company: str, charity: str, name: str
    ) -> tuple[ResolvedSupplier, str]:
        if company and company in self.by_company:
            return self.by_company[company], How.COMPANY_NUMBER
        if charity and charity in self.by_charity:
            return self.by_charity[charity], How.CHARITY_NUMBER
        candidates = list(self.by_key.get(key, {}).values())
        unnumbered = [s for s in candidates if not s.company_number and not s.charity_number]
        if company or charity:
            if len(unnumbered) == 1:
                supplier = unnumbered[0]
                supplier.company_number, supplier.charity_number = company, charity
                supplier.save(update_fields=["company_number", "charity_number"])
                return supplier, How.COMPANY_NUMBER if company else How.CHARITY_NUMBER
            how = How.COMPANY_NUMBER if company else How.CHARITY_NUMBER
            return self._new(name, company, charity), how
        if len(candidates) == 1:
            return candidates[0], How.SAME_NAME
        if len(unnumbered) == 1:
            return unnumbered[0], How.SAME_NAME
        return self._new(name, "", ""), How.SAME_NAME

    def _new(self, name: str, company: str, charity: str) -> ResolvedSupplier:
        return ResolvedSupplier.objects.create(
            name=name[:300], company_number=company, charity_number=charity
        )


def facts_from_register(suppliers: Iterable[ResolvedSupplier]) -> int:
    """Take SME, VCSE and local from the Procurement Lab's supplier register for suppliers
    whose facts nobody has entered: matched by Companies House number, else by name key.
    Returns how many suppliers changed."""
    profiles = SupplierProfile.objects.select_related("organisation")
    by_number = {p.companies_house_number: p for p in profiles if p.companies_house_number}
    by_key = {names.name_key(p.organisation.name): p for p in profiles}
    changed = 0
    for supplier in suppliers:
        if supplier.facts_from == ResolvedSupplier.Facts.ENTERED:
            continue
        profile = by_number.get(supplier.company_number) or by_key.get(
            names.name_key(supplier.name)
        )
        if profile is None:
            continue
        supplier.organisation = profile.organisation
        supplier.is_sme, supplier.is_vcse = profile.is_sme, profile.is_vcse
        supplier.is_local = names.postcode_in_region(profile.postcode)
        supplier.facts_from = ResolvedSupplier.Facts.REGISTER
        supplier.save(update_fields=["organisation", "is_sme", "is_vcse", "is_local", "facts_from"])
        changed += 1
    return changed


def suppliers_without_facts() -> Iterable[ResolvedSupplier]:
    return ResolvedSupplier.objects.filter(~Q(facts_from=ResolvedSupplier.Facts.ENTERED))
