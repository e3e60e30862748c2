"""The standard classification spend is grouped by: the 45 divisions of the Common Procurement
Vocabulary (CPV), the classification OCDS releases, Find a Tender and the councils' contract
registers use, so spend, contracts and challenges meet in one set of categories.

Councils' expense types ("Agency Staff", "DIRECT CHARGES - MATERIALS") are free text; a
suggestion from their words starts the reviewable mapping a procurement officer confirms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Division:
    """A CPV division: its two digits, its code as the vocabulary writes it (eight digits and
    a check digit) and its name."""

    digits: str
    code: str
    name: Promise


DIVISIONS: tuple[Division, ...] = (
    Division(
        "03", "03000000-1", _("Agricultural, farming, fishing, forestry and related products")
    ),
    Division(
        "09", "09000000-3", _("Petroleum products, fuel, electricity and other sources of energy")
    ),
    Division("14", "14000000-1", _("Mining, basic metals and related products")),
    Division("15", "15000000-8", _("Food, beverages, tobacco and related products")),
    Division("16", "16000000-5", _("Agricultural machinery")),
    Division("18", "18000000-9", _("Clothing, footwear, luggage articles and accessories")),
    Division("19", "19000000-6", _("Leather and textile fabrics, plastic and rubber materials")),
    Division("22", "22000000-0", _("Printed matter and related products")),
    Division("24", "24000000-4", _("Chemical products")),
    Division("30", "30000000-9", _("Office and computing machinery, equipment and supplies")),
    Division("31", "31000000-6", _("Electrical machinery, apparatus, equipment and consumables")),
    Division(
        "32", "32000000-3", _("Radio, television, communication and telecommunications equipment")
    ),
    Division(
        "33", "33000000-0", _("Medical equipments, pharmaceuticals and personal care products")
    ),
    Division("34", "34000000-7", _("Transport equipment and auxiliary products to transportation")),
    Division("35", "35000000-4", _("Security, fire-fighting, police and defence equipment")),
    Division(
        "37", "37000000-8", _("Musical instruments, sport goods, games, toys and craft materials")
    ),
    Division("38", "38000000-5", _("Laboratory, optical and precision equipment")),
    Division(
        "39", "39000000-2", _("Furniture, furnishings, domestic appliances and cleaning products")
    ),
    Division("41", "41000000-9", _("Collected and purified water")),
    Division("42", "42000000-6", _("Industrial machinery")),
    Division("43", "43000000-3", _("Machinery for mining, quarrying and construction equipment")),
    Division("44", "44000000-0", _("Construction structures and materials")),
    Division("45", "45000000-7", _("Construction work")),
    Division("48", "48000000-8", _("Software package and information systems")),
    Division("50", "50000000-5", _("Repair and maintenance services")),
    Division("51", "51000000-9", _("Installation services (except software)")),
    Division("55", "55000000-0", _("Hotel, restaurant and retail trade services")),
    Division("60", "60000000-8", _("Transport services (excluding waste transport)")),
    Division("63", "63000000-9", _("Supporting and auxiliary transport services; travel agencies")),
    Division("64", "64000000-6", _("Postal and telecommunications services")),
    Division("65", "65000000-3", _("Public utilities")),
    Division("66", "66000000-0", _("Financial and insurance services")),
    Division("70", "70000000-1", _("Real estate services")),
    Division(
        "71", "71000000-8", _("Architectural, construction, engineering and inspection services")
    ),
    Division(
        "72", "72000000-5", _("IT services: consulting, software development, Internet and support")
    ),
    Division("73", "73000000-2", _("Research and development services and related consultancy")),
    Division("75", "75000000-6", _("Administration, defence and social security services")),
    Division("76", "76000000-3", _("Services related to the oil and gas industry")),
    Division(
        "77",
        "77000000-0",
        _("Agricultural, forestry, horticultural, aquacultural and apicultural services"),
    ),
    Division(
        "79",
        "79000000-4",
        _("Business services: law, marketing, consulting, recruitment, printing and security"),
    ),
    Division("80", "80000000-4", _("Education and training services")),
    Division("85", "85000000-9", _("Health and social work services")),
    Division("90", "90000000-7", _("Sewage, refuse, cleaning and environmental services")),
    Division("92", "92000000-1", _("Recreational, cultural and sporting services")),
    Division("98", "98000000-3", _("Other community, social and personal services")),
)

BY_DIGITS = {division.digits: division for division in DIVISIONS}

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


def division_of(code: str) -> Division | None:
    """The division a CPV code ("72212000-4", "72") falls in, or ``None``."""
    digits = code.strip()[:2]
    return BY_DIGITS.get(digits) if digits.isdigit() else None
