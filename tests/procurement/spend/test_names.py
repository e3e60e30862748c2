"""Supplier names and numbers made comparable, and the hard cases of resolution: one supplier
across spellings, never two companies joined by a name."""

from __future__ import annotations

import pytest

from infuse.procurement.spend.names import (
    charity_number,
    company_number,
    is_redacted,
    name_key,
    postcode_in_region,
)
from infuse.procurement.spend.resolution import Payee, Resolver


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Experian Ltd", "EXPERIAN LIMITED"),
        ("Experian  Ltd", "Experian Ltd "),
        ("Smith & Jones", "SMITH AND JONES"),
        ("The Childrens Place Limited", "CHILDRENS PLACE LTD"),
        ("Barnardo's", "BARNARDOS"),
        ("Children’s Place", "CHILDRENS PLACE"),
        ("Café Cymru Cyf", "CAFE CYMRU CYFYNGEDIG"),
        ("A.B.C. Plc", "ABC PLC"),
    ],
)
def test_spellings_of_one_supplier_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Capita", "Capita Business Services"),
        ("Larchwood Care Homes (North) Ltd", "Larchwood Care Homes (South) Ltd"),
        ("Dixons Trinity Academy", "Dixons Unity Academy"),
    ],
)
def test_different_suppliers_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_a_name_of_only_a_legal_form_is_kept():
    assert name_key("Ltd") == "ltd"


def test_names_that_fold_to_nothing_stay_apart():
    assert name_key("株式会社") != name_key("—") != ""


def test_numbers_take_their_registers_forms():
    assert company_number(" 1234567 ") == "01234567"
    assert company_number("sc123456") == "SC123456"
    assert company_number("n/a") == ""
    assert company_number("0") == company_number("00000000") == ""  # "none", not a company
    assert charity_number("0000000") == ""
    assert charity_number("1 123 456") == "1123456"
    assert charity_number("SC012345") == "SC012345"
    assert charity_number("12") == ""


@pytest.mark.parametrize(
    "name",
    ["REDACTED PERSONAL DATA", "Redacted Personal Information", "Redacted Data", "Withheld"],
)
def test_the_councils_redaction_markers_are_recognised(name):
    assert is_redacted(name)


def test_a_supplier_is_not_taken_for_a_redaction():
    assert not is_redacted("Personal Finance Ltd")
    assert not is_redacted("United Response")


def test_region_postcodes():
    assert postcode_in_region("CF10 1AA") and postcode_in_region("np20 1aa")
    assert postcode_in_region("CF471AA")
    assert not postcode_in_region("NP8 1AA")  # Crickhowell, Powys
    assert not postcode_in_region("SA1 1AA")


@pytest.mark.django_db
class TestResolution:
    def test_spellings_resolve_to_one_supplier(self):
        resolver = Resolver()
        ids = {
            resolver.spelling_of(Payee(name)).supplier_id
            for name in ("Experian Ltd", "EXPERIAN LIMITED", "Experian  Ltd ", "the experian ltd.")
        }
        assert len(ids) == 1

    def test_different_company_numbers_never_join_however_alike_the_names(self):
        resolver = Resolver()
        north = resolver.spelling_of(Payee("Acme Care Ltd", company_number="01111111"))
        south = resolver.spelling_of(Payee("ACME CARE LIMITED", company_number="02222222"))
        assert north.supplier_id != south.supplier_id

    def test_a_number_joins_spellings_whatever_their_names(self):
        resolver = Resolver()
        first = resolver.spelling_of(Payee("Acme Care Ltd", company_number="1111111"))
        renamed = resolver.spelling_of(Payee("Acme Healthcare", company_number="01111111"))
        assert first.supplier_id == renamed.supplier_id

    def test_a_name_without_a_number_joins_the_one_supplier_of_that_name(self):
        resolver = Resolver()
        numbered = resolver.spelling_of(Payee("Acme Care Ltd", company_number="01111111"))
        bare = resolver.spelling_of(Payee("ACME CARE"))
        assert bare.supplier_id == numbered.supplier_id

    def test_a_number_given_later_is_taken_by_the_unnumbered_supplier(self):
        resolver = Resolver()
        bare = resolver.spelling_of(Payee("Acme Care"))
        numbered = resolver.spelling_of(Payee("Acme Care Ltd", company_number="01111111"))
        assert bare.supplier_id == numbered.supplier_id
        assert numbered.supplier.company_number == "01111111"

    def test_a_bare_name_shared_by_two_numbered_companies_is_not_guessed(self):
        resolver = Resolver()
        one = resolver.spelling_of(Payee("Acme Care", company_number="01111111"))
        two = resolver.spelling_of(Payee("Acme Care", company_number="02222222"))
        bare = resolver.spelling_of(Payee("ACME CARE LTD"))
        assert len({one.supplier_id, two.supplier_id, bare.supplier_id}) == 3

    def test_what_is_stored_is_read_back_by_a_new_resolver(self):
        first = Resolver().spelling_of(Payee("Experian Ltd"))
        again = Resolver().spelling_of(Payee("EXPERIAN LIMITED"))
        assert first.supplier_id == again.supplier_id


@pytest.mark.django_db
class TestNumbersAcrossPayees:
    def test_placeholder_numbers_never_join_suppliers(self):
        resolver = Resolver()
        one = resolver.spelling_of(Payee("Acme", company_number="0"))
        two = resolver.spelling_of(Payee("Bryn", company_number="00000000"))
        assert one.supplier_id != two.supplier_id

    def test_a_charity_number_brings_its_company_number_along(self):
        resolver = Resolver()
        first = resolver.spelling_of(Payee("Hope Trust", charity_number="1123456"))
        second = resolver.spelling_of(
            Payee("HOPE TRUST LTD", company_number="01111111", charity_number="1123456")
        )
        assert first.supplier_id == second.supplier_id
        assert second.supplier.company_number == "01111111"
        third = resolver.spelling_of(Payee("Hope", company_number="01111111"))
        assert third.supplier_id == first.supplier_id

    def test_a_charity_number_never_joins_another_company(self):
        resolver = Resolver()
        first = resolver.spelling_of(
            Payee("Hope Trust", company_number="01111111", charity_number="1123456")
        )
        other = resolver.spelling_of(
            Payee("Hope Trading", company_number="02222222", charity_number="1123456")
        )
        assert first.supplier_id != other.supplier_id

    def test_a_number_given_to_a_supplier_is_seen_by_all_its_spellings(self):
        resolver = Resolver()
        a = resolver.spelling_of(Payee("Severn Facilities Management"))
        b = resolver.spelling_of(Payee("Severn Facilities Managment"))
        ResolvedSupplierModel = type(a.supplier)
        # A person joins them; a fresh resolver holds both spellings of one supplier.
        from infuse.procurement.models import SupplierSpelling

        SupplierSpelling.objects.filter(pk=b.pk).update(supplier=a.supplier)
        ResolvedSupplierModel.objects.filter(pk=b.supplier_id).delete()
        resolver = Resolver()
        numbered = resolver.spelling_of(
            Payee("Severn Facilities Management Ltd", company_number="111")
        )
        other = resolver.spelling_of(Payee("Severn Facilities Managment Ltd", company_number="222"))
        assert numbered.supplier_id == a.supplier_id
        assert other.supplier_id != a.supplier_id  # 222 is not 111's company
        assert type(a.supplier).objects.get(pk=a.supplier_id).company_number == "00000111"
