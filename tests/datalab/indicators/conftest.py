"""A public indicator over a small survey (shared by the publishing and metadata tests)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from infuse.datalab.indicators import services
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest.services import upload_file
from tests.datalab.indicators.test_indicators import spec

# 2024-25: Newport has 3 smokers (fewer than 5): the public must not learn it, from any route.
SURVEY = (
    "council,surveyed_on,smokers,surveyed\n"
    "Cardiff,2023-05-01,30,200\n"
    "Newport,2023-06-01,12,150\n"
    "Torfaen,2023-06-01,20,110\n"
    "Cardiff,2024-05-01,36,210\n"
    "Newport,2024-05-01,3,100\n"
    "Torfaen,2024-06-01,40,150\n"
    "Bridgend,2024-06-01,25,120\n"
)
HIDDEN = {"W06000022", "W06000013"}  # Newport (3) and its complement Bridgend (25, the smallest)


@pytest.fixture
def indicator(make_dataset, make_person):
    officer = make_person("officer")
    dataset = make_dataset("Adult smoking", actor=officer, visibility="public")
    upload_file(actor=officer, dataset=dataset, chunks=[SURVEY.encode()], original_name="s.csv")
    call_command("worker", "--batch")
    made = services.create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Smoking",
            title_cy="Ysmygu",
            specification=spec(),
        ),
    )
    call_command("worker", "--batch")
    made.officer = officer
    return made
