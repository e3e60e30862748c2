"""The Common Procurement Vocabulary (CPV 2008), the classification of what the public sector
buys that OCDS releases, Find a Tender, Sell2Wales and contract registers use: its 45 divisions
by name in both languages, and the codes people type ("72212000-4", "72212000", "72 21 20 00").

The names of the 9,454 individual codes have no Welsh version, so a code is shown with its
division's name (in the page's language) rather than an English-only label: "72212000 (IT
services: consulting, software development, Internet and support)".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.core.errors import FieldProblem, InvalidInput


@dataclass(frozen=True)
class Division:
    """A CPV division: its two digits, its code as the vocabulary writes it (eight digits and
    a check digit) and its name."""

    digits: str
    code: str
    name: Promise

    @property
    def own_code(self) -> str:
        """The division's own code as stored (eight digits, no check digit)."""
        return self.code.split("-")[0]


DIVISIONS: tuple[Division, ...] = (
    Division(
        "03",
        "03000000-1",
        gettext_lazy("Agricultural, farming, fishing, forestry and related products"),
    ),
    Division(
        "09",
        "09000000-3",
        gettext_lazy("Petroleum products, fuel, electricity and other sources of energy"),
    ),
    Division("14", "14000000-1", gettext_lazy("Mining, basic metals and related products")),
    Division("15", "15000000-8", gettext_lazy("Food, beverages, tobacco and related products")),
    Division("16", "16000000-5", gettext_lazy("Agricultural machinery")),
    Division(
        "18", "18000000-9", gettext_lazy("Clothing, footwear, luggage articles and accessories")
    ),
    Division(
        "19",
        "19000000-6",
        gettext_lazy("Leather and textile fabrics, plastic and rubber materials"),
    ),
    Division("22", "22000000-0", gettext_lazy("Printed matter and related products")),
    Division("24", "24000000-4", gettext_lazy("Chemical products")),
    Division(
        "30", "30000000-9", gettext_lazy("Office and computing machinery, equipment and supplies")
    ),
    Division(
        "31",
        "31000000-6",
        gettext_lazy("Electrical machinery, apparatus, equipment and consumables"),
    ),
    Division(
        "32",
        "32000000-3",
        gettext_lazy("Radio, television, communication and telecommunications equipment"),
    ),
    Division(
        "33",
        "33000000-0",
        gettext_lazy("Medical equipments, pharmaceuticals and personal care products"),
    ),
    Division(
        "34",
        "34000000-7",
        gettext_lazy("Transport equipment and auxiliary products to transportation"),
    ),
    Division(
        "35", "35000000-4", gettext_lazy("Security, fire-fighting, police and defence equipment")
    ),
    Division(
        "37",
        "37000000-8",
        gettext_lazy("Musical instruments, sport goods, games, toys and craft materials"),
    ),
    Division("38", "38000000-5", gettext_lazy("Laboratory, optical and precision equipment")),
    Division(
        "39",
        "39000000-2",
        gettext_lazy("Furniture, furnishings, domestic appliances and cleaning products"),
    ),
    Division("41", "41000000-9", gettext_lazy("Collected and purified water")),
    Division("42", "42000000-6", gettext_lazy("Industrial machinery")),
    Division(
        "43",
        "43000000-3",
        gettext_lazy("Machinery for mining, quarrying and construction equipment"),
    ),
    Division("44", "44000000-0", gettext_lazy("Construction structures and materials")),
    Division("45", "45000000-7", gettext_lazy("Construction work")),
    Division("48", "48000000-8", gettext_lazy("Software package and information systems")),
    Division("50", "50000000-5", gettext_lazy("Repair and maintenance services")),
    Division("51", "51000000-9", gettext_lazy("Installation services (except software)")),
    Division("55", "55000000-0", gettext_lazy("Hotel, restaurant and retail trade services")),
    Division("60", "60000000-8", gettext_lazy("Transport services (excluding waste transport)")),
    Division(
        "63",
        "63000000-9",
        gettext_lazy("Supporting and auxiliary transport services; travel agencies"),
    ),
    Division("64", "64000000-6", gettext_lazy("Postal and telecommunications services")),
    Division("65", "65000000-3", gettext_lazy("Public utilities")),
    Division("66", "66000000-0", gettext_lazy("Financial and insurance services")),
    Division("70", "70000000-1", gettext_lazy("Real estate services")),
    Division(
        "71",
        "71000000-8",
        gettext_lazy("Architectural, construction, engineering and inspection services"),
    ),
    Division(
        "72",
        "72000000-5",
        gettext_lazy("IT services: consulting, software development, Internet and support"),
    ),
    Division(
        "73",
        "73000000-2",
        gettext_lazy("Research and development services and related consultancy"),
    ),
    Division(
        "75", "75000000-6", gettext_lazy("Administration, defence and social security services")
    ),
    Division("76", "76000000-3", gettext_lazy("Services related to the oil and gas industry")),
    Division(
        "77",
        "77000000-0",
        gettext_lazy(
            "Agricultural, forestry, horticultural, aquacultural and apicultural services"
        ),
    ),
    Division(
        "79",
        "79000000-4",
        gettext_lazy(
            "Business services: law, marketing, consulting, recruitment, printing and security"
        ),
    ),
    Division("80", "80000000-4", gettext_lazy("Education and training services")),
    Division("85", "85000000-9", gettext_lazy("Health and social work services")),
    Division(
        "90", "90000000-7", gettext_lazy("Sewage, refuse, cleaning and environmental services")
    ),
    Division("92", "92000000-1", gettext_lazy("Recreational, cultural and sporting services")),
    Division("98", "98000000-3", gettext_lazy("Other community, social and personal services")),
)

BY_DIGITS = {division.digits: division for division in DIVISIONS}


def division_of(code: str) -> Division | None:
    """The division a CPV code ("72212000-4", "72") falls in, or ``None``."""
    digits = code.strip()[:2]
    return BY_DIGITS.get(digits) if digits.isdigit() else None


MOST = 20  # codes on one challenge or contract: a main code and the most specific others
_CODE = re.compile(r"(\d{8})(?:-(\d))?")


def code_of(text: str) -> str:
    """A CPV code as stored (eight digits, no check digit), from what a person typed; raises
    ``ValueError`` with a sentence that says what is wrong."""
    compact = re.sub(r"[\s.]", "", text)
    match = _CODE.fullmatch(compact)
    if match is None:
        raise ValueError(
            _("‘%(code)s’ is not a CPV code: enter eight digits, like 72212000 or 72212000-4")
            % {"code": text.strip()}
        )
    digits = match.group(1)
    if division_of(digits) is None:
        raise ValueError(
            _(
                "‘%(code)s’ is not in any CPV division: a code starts with a division's two "
                "digits, like 72 for IT services"
            )
            % {"code": text.strip()}
        )
    return digits


def checked_codes(codes: Iterable[str], *, field: str = "cpv_codes") -> list[str]:
    """The CPV codes as stored (main code first, each once), from a list people or scripts
    gave; raises ``InvalidInput`` naming the first that is not a code, on ``field``."""
    found: list[str] = []
    for typed in codes:
        if not typed.strip():
            continue
        if len(found) == MOST:
            raise InvalidInput(
                problems=[
                    FieldProblem(field, _("Give at most %(most)s CPV codes") % {"most": MOST})
                ]
            )
        try:
            code = code_of(typed)
        except ValueError as error:
            raise InvalidInput(problems=[FieldProblem(field, str(error))]) from None
        if code not in found:
            found.append(code)
    return found


def split(text: str) -> list[str]:
    """The codes in a list typed with commas, semicolons or new lines."""
    return [part for part in re.split(r"[,;\n]+", text) if part.strip()]


def english(code: str) -> str:
    """A code's description in English, for open data (OCDS releases are in English): a
    division's own name, or for a more specific code (whose own name the platform does not
    hold) the division it is in, said as such."""
    division = division_of(code)
    if division is None:
        return ""
    with translation.override("en"):
        name = str(division.name)
    if code == division.own_code:
        return name
    return f"In CPV division {division.digits}: {name}"


def described(code: str) -> str:
    """A code with its division's name in the page's language, as pages show it."""
    division = division_of(code)
    if division is None:
        return code
    if code == division.own_code:
        return f"{code} ({division.name})"
    return _("%(code)s (in the division %(division)s)") % {
        "code": code,
        "division": division.name,
    }
