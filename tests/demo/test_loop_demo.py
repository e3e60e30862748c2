"""The demo walks the loop: an indicator shows the gap, an experiment measures the solution in
five councils and decides to scale, a challenge cites the indicator, its contract reports
against it and the fund has paid — and the indicator's page shows all of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from infuse.adaption.models import Experiment
from infuse.core.models import Council
from infuse.datalab.models import Indicator
from infuse.demo.adaption import HUBS_LAUNCHED
from infuse.demo.datalab import LOOP_INDICATOR
from infuse.demo.procurement import HUBS
from infuse.fund.models import Payment
from infuse.procurement.models import Challenge, Contract

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_loop_runs_through_one_indicator(demo):
    indicator = Indicator.objects.get(slug=LOOP_INDICATOR)
    experiment = Experiment.objects.get(outcomes__indicator=indicator)
    assert experiment.status == "decided" and experiment.decisions.get().choice == "scale"
    assert experiment.councils.count() == 5 and experiment.launched_at == HUBS_LAUNCHED
    challenge = Challenge.objects.get(slug=HUBS, evidence_indicators=indicator)
    assert set(challenge.councils.all()).isdisjoint(experiment.councils.all())
    contract = Contract.objects.get(outcome_indicators=indicator)
    assert contract.award.phase.challenge == challenge
    assert Payment.objects.filter(milestone__contract=contract).count() == 2
    assert contract.status == "complete" and contract.closed_at.date() == dt.date(2025, 3, 31)
    worse = indicator.values.filter(comparison="worse").values_list("council", flat=True)
    assert Council.objects.filter(pk__in=worse).exists()  # the problem the data shows
    # Delivered, and evaluated against the councils without it: a clear rise.
    evaluation = contract.evaluations.get()
    assert evaluation.method == "did" and evaluation.ci_low > 0
    assert sorted(evaluation.treated) == sorted(c.gss_code for c in challenge.councils.all())


def test_the_indicator_page_shows_the_loop_to_the_public(demo):
    page = Client().get(f"/data/indicators/{LOOP_INDICATOR}/").text
    assert "Community warm hubs roll-out" in page
    assert "Warm hubs for every council" in page
    assert "experiment launched on 2 October 2023" in page
    assert page.count('class="infuse-chart__work"') == 3  # experiment, challenge, contract
    assert f'href="/procurement/challenges/{HUBS}/"' in page  # the public is sent to the challenge
    assert "Evaluated: Difference in differences: From 2024-25" in page
    works = Client().get("/what-works/").text
    assert "Contracts evaluated after delivery" in works and "Warm hubs for every council" in works
