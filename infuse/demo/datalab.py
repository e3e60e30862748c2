"""Demo data for the Data Lab: realistic, reproducible datasets for the ten councils.

Every file is generated from a fixed seed, so the same bytes come out on every machine and a
second ``infuse demo`` is a no-op (the same bytes are the same version). The numbers are
plausible, not real: populations are the councils' own, rates sit near Welsh figures, and the
councils differ as they do in published statistics (the valleys have higher low-birth-weight
rates than Monmouthshire, for example). One upload breaks its dataset's declared schema on
purpose, so the validation report can be seen.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from infuse.core import lazy
from infuse.core.models import Council

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy.module("numpy")

SEED = 20_261_129
# The indicator the demo's loop runs through: the warm hubs experiment measures it, the warm
# hubs challenge cites it as evidence and its contract reports against it.
LOOP_INDICATOR = "social-prescribing-referrals-per-1000-adults"
# The councils the loop's challenge serves (the five without warm hubs in the experiment).
HUBS_FOR_ALL = frozenset({"W06000015", "W06000022", "W06000013", "W06000014", "W06000021"})
YEARS = range(2019, 2025)  # financial years 2019-20 … 2024-25
SECTORS = {  # share of a council's emissions, per person: (kt CO2e per 1,000 residents)
    "Transport": 1.55,
    "Domestic": 1.25,
    "Industry": 1.10,
    "Commercial": 0.45,
    "Public sector": 0.20,
    "Agriculture": 0.35,
}
# How each council differs from the region (multipliers), so comparisons have something to show.
LOW_BIRTH_WEIGHT = {
    "W06000019": 1.30,  # Blaenau Gwent
    "W06000024": 1.25,  # Merthyr Tydfil
    "W06000016": 1.12,  # Rhondda Cynon Taf
    "W06000018": 1.08,  # Caerphilly
    "W06000022": 1.05,  # Newport
    "W06000015": 0.98,  # Cardiff
    "W06000020": 1.00,  # Torfaen
    "W06000013": 0.95,  # Bridgend
    "W06000014": 0.85,  # Vale of Glamorgan
    "W06000021": 0.78,  # Monmouthshire
}
SUPPLIERS = [
    ("Dragon Data Cyf.", "IT services"),
    ("Valleys Fleet Services Ltd", "Fleet and transport"),
    ("Bae Caerdydd Catering", "Catering"),
    ("Green Homes Wales CIC", "Housing repairs"),
    ("Taff Legal LLP", "Legal services"),
    ("Cwm Care Partnership", "Social care"),
    ("Severn Facilities Management", "Facilities"),
    ("Glamorgan Print & Design", "Printing"),
    ('=HYPERLINK("http://example.invalid")', "Test data"),  # exports must neutralise it
]


@dataclass(frozen=True)
class DemoFile:
    name: str
    content: bytes


@dataclass(frozen=True)
class DemoIndicator:
    title_en: str
    title_cy: str
    specification: dict[str, Any]
    themes: list[str]
    goals: list[str]
    description_en: str = ""
    description_cy: str = ""
    # (English, Welsh) of why it matters and what to be careful of, and where the data is from.
    rationale: tuple[str, str] = ("", "")
    caveats: tuple[str, str] = ("", "")
    source: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class DemoDataset:
    """A catalogue entry, its files (uploaded in order) and the indicators defined over it."""

    title_en: str
    title_cy: str
    description_en: str
    description_cy: str
    publisher: str
    visibility: str
    themes: list[str]
    goals: list[str]
    files: list[DemoFile]
    indicators: list[DemoIndicator] = field(default_factory=list)
    declared_schema: dict[str, Any] | None = None
    validation_policy: str = "reject"
    update_frequency: str = "annually"
    temporal: tuple[date, date] = (date(2019, 4, 1), date(2025, 3, 31))
    # The demo's history: the day its data was uploaded (so a dataset can be overdue).
    uploaded_on: date | None = None


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _financial_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def emissions(councils: list[Council], rng: np.random.Generator) -> DemoDataset:
    rows = []
    for calendar_year in range(2017, 2024):
        trend = 1.0 - 0.035 * (calendar_year - 2017)  # a steady fall, as across Wales
        for council in councils:
            for sector, per_thousand in SECTORS.items():
                value = council.population / 1000 * per_thousand * trend * rng.normal(1.0, 0.08)
                rows.append([council.gss_code, calendar_year, sector, round(value, 2)])
    return DemoDataset(
        title_en="Greenhouse gas emissions by sector",
        title_cy="Allyriadau nwyon tŷ gwydr yn ôl sector",
        description_en=(
            "Territorial emissions (kilotonnes of CO2 equivalent) for each council, year and "
            "sector. Generated for the demo in the shape of the UK local authority statistics."
        ),
        description_cy=(
            "Allyriadau tiriogaethol (cilodunelli o CO2 cyfwerth) ar gyfer pob cyngor, blwyddyn a "
            "sector. Wedi'u cynhyrchu ar gyfer yr arddangosiad ar ffurf ystadegau awdurdodau lleol "
            "y DU."
        ),
        publisher="ccr-programme",
        visibility="public",
        themes=["decarbonisation"],
        goals=["globally-responsible", "resilient"],
        files=[
            DemoFile(
                "emissions-by-sector.csv",
                _csv(["council", "year", "sector", "emissions_kt_co2e"], rows),
            )
        ],
        temporal=(date(2017, 1, 1), date(2023, 12, 31)),
    )


LOW_BIRTH_WEIGHT_INDICATOR = DemoIndicator(
    title_en="Low birth weight",
    title_cy="Pwysau geni isel",
    rationale=(
        "Low birth weight is linked to poorer health in childhood and later life, "
        "and follows deprivation closely: a measure of fair starts in life.",
        "Mae pwysau geni isel yn gysylltiedig ag iechyd gwaeth yn ystod plentyndod "
        "ac yn nes ymlaen, ac mae'n dilyn amddifadedd yn agos: mesur o ddechrau "
        "teg mewn bywyd.",
    ),
    caveats=(
        "Births are counted by the mother's council of residence; small councils "
        "have wide intervals from year to year.",
        "Mae genedigaethau'n cael eu cyfrif yn ôl cyngor preswyl y fam; mae gan "
        "gynghorau bach gyfyngau llydan o flwyddyn i flwyddyn.",
    ),
    source=(
        "InFuSe demo data, shaped like StatsWales's births tables",
        "Data enghreifftiol InFuSe, ar ffurf tablau genedigaethau StatsCymru",
    ),
    description_en="Live births under 2,500g as a percentage of all live births.",
    description_cy=("Genedigaethau byw o dan 2,500g fel canran o'r holl enedigaethau byw."),
    specification={
        "numerator": {"aggregation": "sum", "column": "low_birth_weight"},
        "denominator": {
            "kind": "measure",
            "aggregation": "sum",
            "column": "live_births",
        },
        "council_column": "council",
        "period": {"column": "financial_year", "grain": "as_recorded"},
        "unit": "percentage",
        "polarity": "lower_is_better",
    },
    themes=["improving-public-health"],
    goals=["healthier", "more-equal"],
)


def low_birth_weight(councils: list[Council], rng: np.random.Generator) -> DemoDataset:
    rows = []
    for year in YEARS:
        for council in councils:
            births = int(rng.poisson(council.population * 0.0092))
            rate = 0.058 * LOW_BIRTH_WEIGHT[council.gss_code]
            low = int(rng.binomial(births, rate))
            rows.append([council.name_en, _financial_year(year), births, low])
        # As StatsWales's tables do, a row for Wales as a whole: the benchmark beyond the region.
        births = int(rng.poisson(29_000))
        rows.append(["Wales", _financial_year(year), births, int(rng.binomial(births, 0.056))])
    return DemoDataset(
        title_en="Live births and low birth weight",
        title_cy="Genedigaethau byw a phwysau geni isel",
        description_en="Live births, and those under 2,500g, by council of residence and year.",
        description_cy=(
            "Genedigaethau byw, a'r rhai o dan 2,500g, yn ôl cyngor preswyl a blwyddyn."
        ),
        publisher="ccr-programme",
        visibility="public",
        themes=["improving-public-health"],
        goals=["healthier", "more-equal"],
        files=[
            DemoFile(
                "low-birth-weight.csv",
                _csv(["council", "financial_year", "live_births", "low_birth_weight"], rows),
            )
        ],
        indicators=[LOW_BIRTH_WEIGHT_INDICATOR],
    )


SOCIAL_PRESCRIBING_INDICATOR = DemoIndicator(
    title_en="Social prescribing referrals per 1,000 adults",
    title_cy="Atgyfeiriadau presgripsiynu cymdeithasol fesul 1,000 o oedolion",
    rationale=(
        "Social prescribing links people to community activities that support "
        "their wellbeing; low referral rates suggest people are not being reached.",
        "Mae presgripsiynu cymdeithasol yn cysylltu pobl â gweithgareddau "
        "cymunedol sy'n cefnogi eu llesiant; mae cyfraddau atgyfeirio isel yn "
        "awgrymu nad yw pobl yn cael eu cyrraedd.",
    ),
    caveats=(
        "2021-22 was a pilot in three councils only, with small counts.",
        "Cynllun peilot mewn tri chyngor yn unig oedd 2021-22, gyda chyfrifon bach.",
    ),
    source=("InFuSe demo data", "Data enghreifftiol InFuSe"),
    description_en=(
        "Adults referred to community activities by GPs and link workers, per 1,000 adults."
    ),
    description_cy=(
        "Oedolion a atgyfeiriwyd at weithgareddau cymunedol gan feddygon teulu a gweithwyr "
        "cyswllt, fesul 1,000 o oedolion."
    ),
    specification={
        "numerator": {"aggregation": "sum", "column": "referrals"},
        "denominator": {"kind": "measure", "aggregation": "sum", "column": "adults"},
        "council_column": "council",
        "period": {"column": "financial_year", "grain": "as_recorded"},
        "unit": "rate_per_1000",
        "polarity": "higher_is_better",
    },
    themes=["improving-public-health", "transforming-communities"],
    goals=["healthier"],
)


def social_prescribing(councils: list[Council], rng: np.random.Generator) -> DemoDataset:
    """Referrals per year, from a pilot in three councils (small counts) to all ten."""
    rows = []
    pilots = {"W06000024", "W06000019", "W06000021"}
    for year in range(2021, 2026):
        for council in councils:
            if year == 2021 and council.gss_code not in pilots:
                continue
            adults = int(council.population * 0.79)
            rate = 0.0005 if year == 2021 else 0.004 + 0.002 * (year - 2022)
            if year >= 2024 and council.gss_code in HUBS_FOR_ALL:
                rate += 0.0025  # the loop's contract: warm hubs (and their referrals) arrive
            referrals = int(rng.poisson(adults * rate * rng.uniform(0.8, 1.25)))
            if year == 2021 and council.gss_code == "W06000021":
                referrals = 3  # the pilot's first year: a count the public must not see
            rows.append([council.gss_code, _financial_year(year), referrals, adults])
    return DemoDataset(
        title_en="Social prescribing referrals",
        title_cy="Atgyfeiriadau presgripsiynu cymdeithasol",
        description_en=(
            "Adults referred to community activities by GPs and link workers, by council and "
            "financial year, with each council's adult population."
        ),
        description_cy=(
            "Oedolion a atgyfeiriwyd at weithgareddau cymunedol gan feddygon teulu a gweithwyr "
            "cyswllt, yn ôl cyngor a blwyddyn ariannol, gyda phoblogaeth oedolion pob cyngor."
        ),
        publisher="ccr-programme",
        visibility="public",
        themes=["improving-public-health", "transforming-communities"],
        goals=["healthier", "cohesive-communities"],
        files=[
            DemoFile(
                "social-prescribing.csv",
                _csv(["council", "financial_year", "referrals", "adults"], rows),
            )
        ],
        indicators=[SOCIAL_PRESCRIBING_INDICATOR],
        temporal=(date(2021, 4, 1), date(2025, 3, 31)),
    )


def community_hubs(councils: list[Council], rng: np.random.Generator) -> DemoDataset:
    """Visits to community hubs and libraries by month: the service-use data."""
    rows = []
    for year in range(2022, 2025):
        for month in range(12):
            day = date(year + (month + 3) // 12, (month + 3) % 12 + 1, 1)
            for council in councils:
                hubs = max(2, council.population // 40_000)
                for hub in range(1, hubs + 1):
                    visits = int(rng.poisson(council.population / hubs * 0.012))
                    rows.append([council.gss_code, day.isoformat(), f"Hub {hub}", visits])
    return DemoDataset(
        title_en="Community hub visits",
        title_cy="Ymweliadau â hybiau cymunedol",
        description_en="Visits to each council's community hubs and libraries, month by month.",
        description_cy="Ymweliadau â hybiau cymunedol a llyfrgelloedd pob cyngor, fis wrth fis.",
        publisher="ccr-programme",
        visibility="public",
        themes=["transforming-communities"],
        goals=["cohesive-communities", "culture-and-language"],
        update_frequency="monthly",
        files=[
            DemoFile(
                "community-hub-visits.csv",
                _csv(["council", "month", "hub", "visits"], rows),
            )
        ],
        indicators=[
            DemoIndicator(
                title_en="Community hub visits",
                title_cy="Ymweliadau â hybiau cymunedol",
                specification={
                    "numerator": {"aggregation": "sum", "column": "visits"},
                    "council_column": "council",
                    "period": {"column": "month", "grain": "financial_year"},
                    "unit": "count",
                    "polarity": "higher_is_better",
                },
                themes=["transforming-communities"],
                goals=["cohesive-communities"],
            )
        ],
        temporal=(date(2022, 4, 1), date(2025, 3, 31)),
    )


def spend(rng: np.random.Generator) -> DemoDataset:
    """Cardiff's payments over £500, in the shape councils publish them."""
    rows = []
    start = date(2024, 4, 1).toordinal()
    for number in range(1, 1201):
        supplier, category = SUPPLIERS[int(rng.integers(0, len(SUPPLIERS) - 1))]
        if number == 600:
            supplier, category = SUPPLIERS[-1]
        amount = round(float(500 + rng.lognormal(7.5, 1.2)), 2)
        paid = date.fromordinal(start + int(rng.integers(0, 365)))
        rows.append(
            [f"CC-{number:05d}", paid.strftime("%d/%m/%Y"), supplier, category, f"{amount:.2f}"]
        )
    return DemoDataset(
        title_en="Cardiff spending over £500",
        title_cy="Gwariant Caerdydd dros £500",
        description_en="Every payment to a supplier over £500 in 2024-25.",
        description_cy="Pob taliad i gyflenwr dros £500 yn 2024-25.",
        publisher="cardiff",
        visibility="public",
        themes=["transforming-communities"],
        goals=["prosperous"],
        update_frequency="monthly",
        files=[
            DemoFile(
                "cardiff-spend-2024-25.csv",
                _csv(["transaction", "date_paid", "supplier", "service_area", "amount_gbp"], rows),
            )
        ],
        temporal=(date(2024, 4, 1), date(2025, 3, 31)),
    )


# Newport's names for some of the same suppliers (and one misspelt), and suppliers of its own:
# spend analysis resolves the first, proposes the misspelling, and finds what both councils buy.
NEWPORT_SUPPLIERS = [
    ("DRAGON DATA CYFYNGEDIG", "IT Services"),
    ("Valleys Fleet Services Limited", "Vehicle Hire"),
    ("Bae Caerdydd Catering Ltd", "School Meals"),
    ("Green Homes Wales C.I.C.", "Housing Repairs"),
    ("Taff Legal", "Legal Fees"),
    ("Cwm Care Partnership", "Residential Care"),
    ("Severn Facilities Managment", "Facilities Management"),
    ("Usk Valley Waste Ltd", "Waste Collection"),
    ("Gwent Energy Co-operative", "Electricity"),
    ("REDACTED PERSONAL DATA", "Residential Care"),
]


def newport_spend(rng: np.random.Generator) -> DemoDataset:
    """Newport's payments over £500, shaped as Newport publishes them: its own column names,
    dates written "14-Jan-2025" and amounts with the pound sign."""
    rows = []
    start = date(2024, 4, 1).toordinal()
    for _number in range(1, 801):
        supplier, expense = NEWPORT_SUPPLIERS[int(rng.integers(0, len(NEWPORT_SUPPLIERS)))]
        amount = round(float(500 + rng.lognormal(7.3, 1.1)), 2)
        paid = date.fromordinal(start + int(rng.integers(0, 365)))
        rows.append([paid.strftime("%d-%b-%Y"), supplier, expense, f"£{amount:,.2f}"])
    return DemoDataset(
        title_en="Newport payments over £500",
        title_cy="Taliadau Casnewydd dros £500",
        description_en="Every payment over £500 in 2024-25, as Newport City Council publishes it.",
        description_cy=(
            "Pob taliad dros £500 yn 2024-25, fel y mae Cyngor Dinas Casnewydd yn ei gyhoeddi."
        ),
        publisher="newport",
        visibility="public",
        themes=["transforming-communities"],
        goals=["prosperous"],
        update_frequency="monthly",
        files=[
            DemoFile(
                "newport-payments-2024-25.csv",
                _csv(["Payment Date", "Beneficiary", "Expense Type", "Amount"], rows),
            )
        ],
        temporal=(date(2024, 4, 1), date(2025, 3, 31)),
    )


FLY_TIPPING_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "council", "type": "string", "council": True, "constraints": {"required": True}},
        {"name": "reported_on", "type": "date", "constraints": {"required": True}},
        {
            "name": "waste_type",
            "type": "string",
            "constraints": {
                "required": True,
                "enum": ["Household", "Garden", "Construction", "White goods", "Tyres"],
            },
        },
        {"name": "incidents", "type": "integer", "constraints": {"required": True, "minimum": 0}},
    ]
}


def fly_tipping(councils: list[Council], rng: np.random.Generator) -> DemoDataset:
    """A clean first version, then an upload with planted faults that the schema rejects."""
    types = FLY_TIPPING_SCHEMA["fields"][2]["constraints"]["enum"]
    rows: list[list[Any]] = []
    for quarter_start in (date(2023, 4, 1), date(2023, 7, 1), date(2023, 10, 1), date(2024, 1, 1)):
        for council in councils:
            for waste in types:
                incidents = int(rng.poisson(council.population / 2_000 / len(types)))
                rows.append([council.name_en, quarter_start.isoformat(), waste, incidents])
    header = ["council", "reported_on", "waste_type", "incidents"]
    faulty = [list(r) for r in rows[:40]]
    faulty[3][0] = "Swansea"  # not one of the ten councils
    faulty[7][3] = -4  # below the minimum
    faulty[12][1] = "31/02/2024"  # not a date
    faulty[18][2] = "Sofas"  # not an allowed waste type
    faulty[25][1] = ""  # required
    faulty[33][3] = "lots"  # not a whole number
    return DemoDataset(
        title_en="Fly-tipping incidents",
        title_cy="Digwyddiadau tipio anghyfreithlon",
        description_en="Fly-tipping incidents reported to each council, by quarter and type.",
        description_cy=(
            "Digwyddiadau tipio anghyfreithlon a adroddwyd i bob cyngor, yn ôl chwarter a math."
        ),
        publisher="newport",
        visibility="region",
        themes=["transforming-communities", "decarbonisation"],
        goals=["resilient", "cohesive-communities"],
        update_frequency="quarterly",
        declared_schema=FLY_TIPPING_SCHEMA,
        files=[
            DemoFile("fly-tipping-2023-24.csv", _csv(header, rows)),
            DemoFile("fly-tipping-2024-25-q1-draft.csv", _csv(header, faulty)),
        ],
        temporal=(date(2023, 4, 1), date(2024, 3, 31)),
        uploaded_on=date(2024, 7, 15),  # quarterly, and nothing since: overdue
    )


def demo_datasets(councils: list[Council]) -> list[DemoDataset]:
    """Every demo dataset, generated afresh from the seed (the same bytes every time)."""
    ordered = sorted(councils, key=lambda c: c.gss_code)
    makers: list[Callable[[np.random.Generator], DemoDataset]] = [
        lambda rng: emissions(ordered, rng),
        lambda rng: low_birth_weight(ordered, rng),
        lambda rng: social_prescribing(ordered, rng),
        lambda rng: community_hubs(ordered, rng),
        spend,
        lambda rng: fly_tipping(ordered, rng),
        newport_spend,
    ]
    # One generator per dataset, so changing one never changes another's bytes.
    return [make(np.random.default_rng([SEED, index])) for index, make in enumerate(makers)]
