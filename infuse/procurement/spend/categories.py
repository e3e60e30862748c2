"""The standard classification spend is grouped by: the 45 divisions of the Common Procurement
Vocabulary (CPV), the classification OCDS releases, Find a Tender and the councils' contract
registers use, so spend, contracts and challenges meet in one set of categories.

Councils' expense types ("Agency Staff", "DIRECT CHARGES - MATERIALS") are free text; a
suggestion from their words starts the reviewable mapping a procurement officer confirms.
"""

from __future__ import annotations

import re

from infuse.procurement.cpv import BY_DIGITS, Division

# Words in an expense type that point to a division, most specific first: the first rule whose
# pattern is found in the words wins. A suggestion only: a person confirms every mapping.
_RULES: tuple[tuple[str, str], ...] = (
    (r"agency|recruit|temporary staff|interim", "79"),
    (r"legal|solicitor|barrister|counsel|audit|accountan|consultan|professional fee", "79"),
    (r"advertis|marketing|publicity|printing|print\b", "79"),
    (r"security|guard", "79"),
    (r"it services|it support|digital service|software development|web develop", "72"),
    (r"facilit", "79"),
    (r"software|licen[cs]e|saas", "48"),
    (r"\bit\b|ict|computer|hardware|laptop", "30"),
    (r"telephon|mobile|broadband|postage|postal|courier|telecom|line rental", "64"),
    (r"electric|gas\b|fuel|energy|heating oil|diesel|petrol", "09"),
    (r"water", "65"),
    (r"food|catering|provision|meals|kitchen|beverage", "15"),
    (r"hotel|accommodation|subsistence|venue", "55"),
    (
        r"residential care|nursing|home care|domiciliary|care home|supported living|social care|"
        r"care package|respite|day care|health",
        "85",
    ),
    (r"school|education|tuition|training|course|conference", "80"),
    (r"construction|building work|capital work|contractor|civil engineer|highway", "45"),
    (r"architect|surveyor|design fee|engineering|inspection", "71"),
    (r"repair|maintenance|servicing", "50"),
    (r"vehicle|plant hire|transport equipment|tyre", "34"),
    (r"taxi|transport|bus\b|coach|travel|mileage|fares", "60"),
    (r"waste|refuse|recycl|cleaning|hygiene|pest|grounds", "90"),
    (r"rent|rates|lease|property|premises", "70"),
    (r"insurance|bank charge|financial|interest", "66"),
    (r"stationery|office|paper", "30"),
    (r"furniture|equipment|appliance", "39"),
    (r"clothing|uniform|protective", "18"),
    (r"materials|aggregate|timber|concrete|tiles|marble", "44"),
    (r"medical|pharmac|drug|clinical", "33"),
    (r"leisure|sport|cultural|arts|library|museum|recreation", "92"),
    (r"grant|voluntary|community|third party", "98"),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), digits) for pattern, digits in _RULES)


def suggested_division(expense_type: str) -> Division | None:
    """The division an expense type's words suggest, or ``None`` when they suggest none (a
    person chooses: "Employees", "Miscellaneous")."""
    for pattern, digits in _COMPILED:
        if pattern.search(expense_type):
            return BY_DIGITS[digits]
    return None
