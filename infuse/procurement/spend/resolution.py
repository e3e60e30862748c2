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
        # One object per supplier: a number one spelling gives it is seen by every other.
        self.suppliers: dict[int, ResolvedSupplier] = {}
        self.by_company: dict[str, ResolvedSupplier] = {}
        self.by_charity: dict[str, ResolvedSupplier] = {}
        self.by_key: dict[str, dict[int, ResolvedSupplier]] = defaultdict(dict)
        for spelling in SupplierSpelling.objects.select_related("supplier"):
            self._remember(spelling)

    def _remember(self, spelling: SupplierSpelling) -> None:
        supplier = self.suppliers.setdefault(spelling.supplier_id, spelling.supplier)
        spelling.supplier = supplier
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
        key = payee.key[:300]
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
            return self._numbered(self.by_company[company], "", charity), How.COMPANY_NUMBER
        if charity and charity in self.by_charity:
            found = self.by_charity[charity]
            # A charity number never joins a payee to a supplier with another company number.
            if not (company and found.company_number and found.company_number != company):
                return self._numbered(found, company, ""), How.CHARITY_NUMBER
        candidates = list(self.by_key.get(key, {}).values())
        unnumbered = [s for s in candidates if not s.company_number and not s.charity_number]
        if company or charity:
            if len(unnumbered) == 1:
                supplier = self._numbered(unnumbered[0], company, charity)
                return supplier, How.COMPANY_NUMBER if company else How.CHARITY_NUMBER
            how = How.COMPANY_NUMBER if company else How.CHARITY_NUMBER
            return self._new(name, company, charity), how
        if len(candidates) == 1:
            return candidates[0], How.SAME_NAME
        if len(unnumbered) == 1:
            return unnumbered[0], How.SAME_NAME
        return self._new(name, "", ""), How.SAME_NAME

    def _numbered(self, supplier: ResolvedSupplier, company: str, charity: str) -> ResolvedSupplier:
        """The supplier a number found, taking the payee's other number when it has none and
        no other supplier holds it (a charity that is also a company)."""
        changed = []
        if company and not supplier.company_number and company not in self.by_company:
            supplier.company_number = company
            self.by_company[company] = supplier
            changed.append("company_number")
        if charity and not supplier.charity_number and charity not in self.by_charity:
            supplier.charity_number = charity
            self.by_charity[charity] = supplier
            changed.append("charity_number")
        if changed:
            supplier.save(update_fields=changed)
        return supplier

    def _new(self, name: str, company: str, charity: str) -> ResolvedSupplier:
        supplier = ResolvedSupplier.objects.create(
            name=name[:300], company_number=company, charity_number=charity
        )
        self.suppliers[supplier.pk] = supplier
        return supplier


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
        profile = by_number.get(supplier.company_number)
        if profile is None:
            named = by_key.get(names.name_key(supplier.name))
            # By name only where no numbers say they are different companies.
            if named is not None and not (
                supplier.company_number
                and named.companies_house_number
                and supplier.company_number != named.companies_house_number
            ):
                profile = named
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
