"""Council names as people write them → GSS codes, one way for every lab.

Data arrives with "Cardiff", "Caerdydd", "Cardiff Council", "The Vale of Glamorgan",
"Vale of Glamorgan Council" or "W06000014"; all must land on the same council, in the Data
Lab's validation and indicators and in the Adaption Lab's analyses alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

COUNCIL_SUFFIX = r" (county borough |city and county |county |city |borough )?council$"


def normalise_council_name(text: str) -> str:
    """How a council name is compared: case, spacing, hyphens, "&"/"and", a leading "The" and a
    trailing "(County Borough|City|County) Council" do not matter ("The Vale of Glamorgan" =
    "Vale of Glamorgan Council"; "City of Cardiff Council" = "Cardiff"; "Tor-faen" = "tor
    faen")."""
    text = text.lower().replace("&", " and ").replace("-", " ")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"^(city and county|city|county borough|county) of ", "", text)
    return re.sub(COUNCIL_SUFFIX, "", text)


def council_lookup(councils: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Every way a council may be written (GSS code, English, Welsh) → its GSS code."""
    lookup: dict[str, str] = {}
    for gss, name_en, name_cy in councils:
        lookup[gss.lower()] = gss
        for name in (name_en, name_cy):
            if name:
                lookup[normalise_council_name(name)] = gss
    return lookup


def resolve_council(value: Any, lookup: Mapping[str, str]) -> str | None:
    """The GSS code a cell names, or None (empty cells and names of anywhere else)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return lookup.get(text.lower()) or lookup.get(normalise_council_name(text))


# Wales as a whole, the benchmark beyond the region that public data usually carries a row for.
WALES_CODE = "W92000004"
_WALES_SPELLINGS = frozenset({"wales", "cymru", "w92000004", "all wales", "wales total"})


def names_wales(value: Any) -> bool:
    """True when a cell names Wales as a whole ("Wales", "Cymru", "W92000004", "All Wales")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return normalise_council_name(str(value)) in _WALES_SPELLINGS
