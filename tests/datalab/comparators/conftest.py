"""An indicator over five financial years with a row for Wales, for the comparator tests."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from infuse.datalab.indicators import services
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from tests.datalab.indicators.test_indicators import spec

# Cardiff's share rises every year (a real trend); Newport's is flat; in 2024-25 Newport has
# 3 (fewer than 5), so the public never sees it (and Torfaen, the next smallest, is hidden
# beside it).
ROWS = {
    "Cardiff": [(20, 200), (26, 200), (32, 200), (38, 200), (44, 200)],
    "Newport": [(15, 150), (16, 150), (14, 150), (15, 150), (3, 30)],
    "Torfaen": [(11, 110), (12, 110), (10, 110), (11, 110), (12, 110)],
    "Bridgend": [(12, 120), (13, 120), (12, 120), (13, 120), (25, 120)],
    "Wales": [(900, 10_000), (920, 10_000), (940, 10_000), (960, 10_000), (980, 10_000)],
}
YEARS = [2020, 2021, 2022, 2023, 2024]


def survey() -> bytes:
    lines = ["council,surveyed_on,smokers,surveyed"]
    for council, counts in ROWS.items():
        for year, (smokers, surveyed) in zip(YEARS, counts, strict=True):
            lines.append(f"{council},{year}-06-01,{smokers},{surveyed}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def indicator(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Adult smoking", actor=officer, visibility="public")
    upload_file(actor=officer, dataset=dataset, chunks=[survey()], original_name="s.csv")
    call_command("worker", "--batch")
    made = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Smoking", title_cy="Ysmygu", specification=spec(), goals=["healthier"]
        ),
    )
    call_command("worker", "--batch")
    made.officer = officer
    return made
