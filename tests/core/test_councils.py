"""One reading of council names for every lab."""

from __future__ import annotations

import math

from infuse.core.councils import (
    council_lookup,
    names_wales,
    normalise_council_name,
    resolve_council,
)

COUNCILS = [
    ("W06000014", "Vale of Glamorgan", "Bro Morgannwg"),
    ("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    ("W06000020", "Torfaen", "Tor-faen"),
    ("W06000015", "Cardiff", "Caerdydd"),
]


def test_council_name_normalisation() -> None:
    assert normalise_council_name("The Vale of Glamorgan") == "vale of glamorgan"
    assert normalise_council_name(" Vale  of Glamorgan Council") == "vale of glamorgan"
    assert normalise_council_name("Rhondda Cynon Taf County Borough Council") == (
        "rhondda cynon taf"
    )
    assert normalise_council_name("Tor-faen") == normalise_council_name("tor faen")
    # Cardiff's formal names (the emissions data's "official-name") are Cardiff too.
    assert normalise_council_name("City and County of Cardiff") == "cardiff"
    assert normalise_council_name("City of Cardiff Council") == "cardiff"
    assert normalise_council_name("Cardiff City") == "cardiff city"  # a football club, not it


def test_every_spelling_lands_on_the_gss_code() -> None:
    lookup = council_lookup(COUNCILS)
    for spelling, gss in [
        ("w06000014", "W06000014"),
        ("The Vale of Glamorgan", "W06000014"),
        ("Bro  Morgannwg", "W06000014"),
        ("Cardiff Council", "W06000015"),
        ("CAERDYDD", "W06000015"),
        ("Tor faen", "W06000020"),
        ("Rhondda Cynon Taf County Borough Council", "W06000016"),
    ]:
        assert resolve_council(spelling, lookup) == gss, spelling


def test_empty_cells_and_elsewhere_resolve_to_nothing() -> None:
    lookup = council_lookup(COUNCILS)
    assert resolve_council(None, lookup) is None
    assert resolve_council(math.nan, lookup) is None
    assert resolve_council("Swansea", lookup) is None


def test_wales_as_a_whole_is_recognised_however_written() -> None:
    for spelling in ("Wales", "CYMRU", " W92000004 ", "All Wales", "wales total"):
        assert names_wales(spelling), spelling
    for other in ("Cardiff", "Wales and England", None, float("nan"), "W06000015"):
        assert not names_wales(other), other
