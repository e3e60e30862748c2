"""Supplier names and numbers as councils write them, made comparable.

Councils spell one supplier many ways ("Experian  Ltd", "EXPERIAN LIMITED", "Brake Bros &
Co") and withhold the names of people they pay ("REDACTED PERSONAL DATA"). A supplier's key is
its name folded to what does not vary between spellings; company and charity numbers are
folded to their registers' forms so the same number always compares equal.
"""

from __future__ import annotations

import re
import unicodedata

# Words that say what legal form a supplier has, not who it is. Only forms: "UK", "Group",
# "Services" and the like tell suppliers apart ("Capita" and "Capita Business Services").
_LEGAL_FORMS = {
    "ltd",
    "limited",
    "plc",
    "llp",
    "lp",
    "cic",
    "cio",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "cyf",
    "cyfyngedig",
    "ccc",
}
_LEADING_THE = re.compile(r"^the\s+")
_PUNCTUATION = re.compile(r"[^\w\s]")

# How councils mark a payment whose payee they may not name (an individual, a foster carer, a
# personal budget): the row is kept in every total and shown as withheld, never as a supplier.
_REDACTED = re.compile(
    r"redacted|withheld|personal data|personal information|private individual|"
    r"^individual$|^name withheld|^not disclosed|^data protection",
    re.IGNORECASE,
)


def is_redacted(name: str) -> bool:
    """Whether a payee name is a council's marker for a name it withholds."""
    return bool(_REDACTED.search(name.strip()))


def name_key(name: str) -> str:
    """The part of a supplier's name that does not change between spellings: letters and
    digits in lower case, "&" read as "and", accents and punctuation gone, a leading "The" and
    legal forms ("Ltd", "Limited", "PLC", "Cyf") dropped, spaces single.

    ``name_key("The Experian  Ltd.") == name_key("EXPERIAN LIMITED") == "experian"``.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    folded = folded.casefold().replace("&", " and ").replace("+", " and ")
    # Dots and apostrophes join ("A.B.C." is "abc", "Children's" is "childrens"); any other
    # mark separates words ("Smith/Jones", "Care-Line").
    folded = _PUNCTUATION.sub(" ", re.sub(r"[.'’`]", "", folded))
    words = _LEADING_THE.sub("", " ".join(folded.split())).split()
    kept = [word for word in words if word not in _LEGAL_FORMS]
    # A name of only marks or another script folds to nothing: keep it as written instead,
    # so such names never all become one supplier.
    return " ".join(kept or words) or " ".join(name.casefold().split())


def company_number(value: str) -> str:
    """A Companies House number as the register writes it: eight characters, digits padded
    with leading zeros ("1234567" → "01234567", "sc123456" → "SC123456"); "" when the cell
    holds nothing that could be one."""
    cleaned = re.sub(r"\s", "", value).upper()
    if re.fullmatch(r"0+", cleaned):  # what some files write for "none"
        return ""
    if re.fullmatch(r"\d{1,8}", cleaned):
        return cleaned.zfill(8)
    if re.fullmatch(r"[A-Z]{2}\d{1,6}", cleaned):
        return cleaned[:2] + cleaned[2:].zfill(6)
    return ""


def charity_number(value: str) -> str:
    """A charity number as the Charity Commission (six or seven digits, an optional "-n"
    subsidiary suffix) or OSCR ("SC" and six digits) writes it; "" otherwise."""
    cleaned = re.sub(r"\s", "", value).upper()
    if re.fullmatch(r"0+(-\d+)?", cleaned):
        return ""
    if re.fullmatch(r"\d{6,7}(-\d{1,2})?", cleaned) or re.fullmatch(r"SC\d{6}", cleaned):
        return cleaned
    return ""


# Postcode districts of the ten councils: the CF area and the NP area but for NP8 (Crickhowell,
# in Powys). Close enough to say "based in the region" from a registered address; a person can
# set it either way on the supplier's page.
_REGION_POSTCODE = re.compile(r"^(CF\d{1,2}|NP(?!8\b)\d{1,2})\b", re.IGNORECASE)


def postcode_in_region(postcode: str) -> bool:
    """Whether a postcode lies in the Cardiff Capital Region's postcode districts."""
    compact = "".join(postcode.split()).upper()
    # The inward part is always three characters: "NP81AA" is "NP8 1AA".
    spaced = f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact
    return bool(_REGION_POSTCODE.match(spaced))
