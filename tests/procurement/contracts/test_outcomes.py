"""A contract's outcome evaluated after delivery: the panel, the engine's answer on data with a
known effect, the reasons it cannot answer, and the use case from the page to what works."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.management import call_command
from django.test import Client

from infuse.core.errors import InvalidInput, PermissionDenied
from infuse.datalab.indicators.publishing import shown_periods
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.indicators.services import create_indicator
from infuse.datalab.ingest import services as data
from infuse.procurement.contracts import outcome_evaluation, outcome_words
from infuse.procurement.contracts.outcomes import EvaluationProblem, build_panel, evaluate
from infuse.procurement.contracts.schemas import EvaluationIn
from infuse.procurement.models import Contract
from tests.clients import signed_in_as
from tests.datalab.indicators.test_indicators import spec
from tests.procurement.flows import POUND, bids_in, signed_contract

LABELS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]
LEVEL = {"A": 10.0, "B": 14.0, "C": 9.0, "D": 13.0, "E": 11.5}
TREND = [0.0, 1.0, 1.5, 3.0, 3.5]


def rows(effect: float, treated: set[str], start: int) -> list[tuple[str, str, float]]:
    """Council level + year + ``effect`` once treated: two-way fixed effects exactly."""
    return [
        (
            council,
            LABELS[t],
            LEVEL[council] + TREND[t] + (effect if council in treated and t >= start else 0),
        )
        for council, t in itertools.product(LEVEL, range(len(LABELS)))
    ]


def test_difference_in_differences_recovers_a_known_effect():
    panel = build_panel(
        rows(5.0, {"A", "B"}, 3), treated={"A", "B"}, began=dt.date(2022, 5, 1), grain="as_recorded"
    )
    assert panel.start == 3 and panel.labels[panel.start] == "2022-23"
    assert panel.treated == ["A", "B"] and panel.comparison == ["C", "D", "E"]
    effect, whole = evaluate(panel, "did", seed=1)
    assert effect.estimate == pytest.approx(5.0, abs=1e-9)
    assert "wild_bootstrap" in whole.extra


def test_synthetic_control_recovers_a_known_effect():
    donors = {"C": [1, 2, 3, 4, 5], "D": [3, 3, 4, 6, 6], "E": [9, 7, 8, 6, 5]}
    both = [(c, LABELS[t], float(v)) for c, series in donors.items() for t, v in enumerate(series)]
    for council in ("A", "B"):  # each halfway between C and D, then 5 higher from 2022-23
        both += [
            (council, LABELS[t], (donors["C"][t] + donors["D"][t]) / 2 + (5 if t >= 3 else 0))
            for t in range(5)
        ]
    panel = build_panel(both, treated={"A", "B"}, began=dt.date(2022, 4, 1), grain="as_recorded")
    effect, whole = evaluate(panel, "synthetic_control", seed=1)
    assert effect.estimate == pytest.approx(5.0, abs=1e-4)
    assert whole.weights == pytest.approx({"C": 0.5, "D": 0.5}, abs=1e-4)


@pytest.mark.parametrize(
    ("began", "treated", "says"),
    [
        (dt.date(2025, 1, 1), {"A"}, "no values yet from after the contract began"),
        (dt.date(2018, 1, 1), {"A"}, "no values from before"),
        (dt.date(2022, 5, 1), {"Z"}, "None of the contract's councils"),
        (dt.date(2022, 5, 1), set(LEVEL), "none is left to compare with"),
    ],
)
def test_the_reasons_it_cannot_answer(began, treated, says):
    with pytest.raises(EvaluationProblem) as refused:
        build_panel(rows(0, treated, 3), treated=treated, began=began, grain="as_recorded")
    assert says in refused.value.message % refused.value.params
    with pytest.raises(EvaluationProblem):
        build_panel([("A", "Winter", 1.0)], treated={"A"}, began=began, grain="as_recorded")


# --- The use case -------------------------------------------------------------------------------

COUNCILS = ["Cardiff", "Newport", "Torfaen", "Bridgend", "Caerphilly", "Monmouthshire"]


def referrals_csv() -> bytes:
    """Referrals per 1,000 adults: Cardiff and Newport (the challenge's councils) 4 per 1,000
    higher from 2022-23, when the contract began."""
    lines = ["council,referred_on,referrals,adults"]
    for (i, council), year in itertools.product(enumerate(COUNCILS), range(2019, 2024)):
        rate = (
            10
            + i
            + 0.5 * (year - 2019)
            + (4 if council in ("Cardiff", "Newport") and year >= 2022 else 0)
        )
        lines.append(f"{council},{year}-06-01,{round(rate * 100)},100000")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def contract(make_challenge, make_supplier, make_person, buyer, make_dataset):
    officer = make_person("officer")
    dataset = make_dataset("Referrals", actor=officer, visibility="public")
    data.upload_file(
        actor=officer, dataset=dataset, chunks=[referrals_csv()], original_name="r.csv"
    )
    call_command("worker", "--batch")
    indicator = create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Referrals",
            title_cy="Atgyfeiriadau",
            specification=spec(
                numerator={"aggregation": "sum", "column": "referrals"},
                denominator={"kind": "measure", "aggregation": "sum", "column": "adults"},
                period={"column": "referred_on", "grain": "financial_year"},
                unit="rate_per_1000",
                polarity="higher_is_better",
            ),
        ),
    )
    call_command("worker", "--batch")
    manager = make_person("fund_manager", email="money@ccr.example")
    phase, bids = bids_in(make_challenge, make_supplier, manager, [50_000 * POUND])
    made = signed_contract(
        phase,
        bids[0],
        buyer,
        value_pence=1,
        starts_on=dt.date(2022, 4, 20),
        ends_on=dt.date(2023, 3, 31),
    )
    made.outcome_indicators.set([indicator])
    made.indicator = indicator
    return made


@pytest.mark.django_db(transaction=True)
def test_an_evaluation_runs_in_the_background_and_shows_where_the_work_is_read(contract, buyer):
    web = signed_in_as(buyer)
    page = web.get(f"/procurement/contracts/{contract.pk}/").text
    assert "Did it work?" in page and "Difference in differences" in page
    started = web.post(
        f"/procurement/contracts/{contract.pk}/evaluations/",
        {"indicator": contract.indicator.slug, "method": "did"},
    )
    assert started.status_code == 302 and "/tasks/" in started["Location"]
    call_command("worker", "--batch")
    found = contract.evaluations.get()
    assert found.estimate == pytest.approx(4.0, abs=0.05)  # rounding of the counts only
    assert found.ci_low > 0 and found.first_period_after == "2022-23"
    assert found.treated == ["W06000015", "W06000022"]
    said = outcome_words.describe(found)
    assert "+4.0 per 1,000" in said and "clear change" in said
    assert said in web.get(f"/procurement/contracts/{contract.pk}/").text
    public = Client()
    assert "Evaluated:" in public.get(f"/data/indicators/{contract.indicator.slug}/").text
    works = public.get("/api/v1/what-works").json()["contracts"]
    assert [c["indicator"] for c in works] == [contract.indicator.slug]
    assert works[0]["effect"]["estimate"] == pytest.approx(found.estimate)
    assert "Referrals" in public.get("/what-works/?design=did").text
    assert public.get("/api/v1/what-works?design=synthetic_control").json()["contracts"] == []


@pytest.mark.django_db(transaction=True)
def test_an_evaluation_that_cannot_answer_says_why(contract, buyer):
    Contract.objects.filter(pk=contract.pk).update(starts_on=dt.date(2026, 5, 1))
    contract.refresh_from_db()
    outcome_evaluation.evaluate_outcome(
        actor=buyer,
        contract=contract,
        evaluation_in=EvaluationIn(indicator=contract.indicator.slug, method="synthetic_control"),
    )
    call_command("worker", "--batch")
    found = contract.evaluations.get()
    assert found.estimate is None and found.progress.state == "failed"
    assert "after the contract began on 1 May 2026" in outcome_words.problem(found)
    page = signed_in_as(buyer).get(f"/procurement/contracts/{contract.pk}/").text
    assert "Could not be done:" in page
    assert Client().get("/api/v1/what-works").json()["contracts"] == []


@pytest.mark.django_db(transaction=True)
def test_who_may_ask_and_what_they_may_ask_for(contract, buyer, make_person):
    with pytest.raises(PermissionDenied):
        outcome_evaluation.evaluate_outcome(
            actor=make_person("analyst"),
            contract=contract,
            evaluation_in=EvaluationIn(indicator=contract.indicator.slug),
        )
    with pytest.raises(InvalidInput) as refused:
        outcome_evaluation.evaluate_outcome(
            actor=buyer, contract=contract, evaluation_in=EvaluationIn(indicator="x", method="y")
        )
    assert {p.field for p in refused.value.problems} == {"indicator", "method"}
    api = signed_in_as(buyer)
    url = f"/api/v1/procurement/contracts/{contract.pk}/evaluations"
    made = api.post(url, {"indicator": contract.indicator.slug}, "application/json")
    assert made.status_code == 202 and made.json()["status"] == "queued"
    assert Client().post(url, {"indicator": "x"}, "application/json").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_published_effect_is_fitted_on_the_public_values_only(contract, buyer):
    """A council's hidden small count would be given away by an effect fitted on it (solve the
    model for the one unknown): the evaluation uses what the public may see, nothing else."""
    from infuse.datalab.models import IndicatorValue

    hidden = IndicatorValue.objects.filter(
        indicator=contract.indicator, council__name_en="Torfaen", period="2019-20"
    )
    hidden.update(numerator=3, value=0.03)  # fewer than 5: the public never sees it
    outcome_evaluation.evaluate_outcome(
        actor=buyer,
        contract=contract,
        evaluation_in=EvaluationIn(indicator=contract.indicator.slug),
    )
    call_command("worker", "--batch")
    found = contract.evaluations.get()
    public = {
        (v.council.gss_code, p.period)
        for p in shown_periods(contract.indicator, None)
        for v in p.councils
        if not v.suppressed
    }
    assert ("W06000020", "2019-20") not in public
    panel_rows = build_panel(
        [
            (v.council.gss_code, p.period, v.value)
            for p in shown_periods(contract.indicator, None)
            for v in p.councils
            if not v.suppressed and v.value is not None
        ],
        treated={"W06000015", "W06000022"},
        began=contract.starts_on,
        grain="financial_year",
    )
    expected, _whole = evaluate(panel_rows, "did", seed=found.pk)
    assert found.estimate == pytest.approx(expected.estimate, rel=1e-12)


@pytest.mark.django_db(transaction=True)
def test_only_the_newest_run_of_each_method_is_read_and_only_by_those_who_see_the_indicator(
    contract, buyer
):
    for _ in range(2):
        outcome_evaluation.evaluate_outcome(
            actor=buyer,
            contract=contract,
            evaluation_in=EvaluationIn(indicator=contract.indicator.slug),
        )
        call_command("worker", "--batch")
    assert contract.evaluations.count() == 2
    newest = contract.evaluations.order_by("-pk").first()
    assert [e.pk for e in outcome_evaluation.evaluations(None)] == [newest.pk]
    dataset = contract.indicator.dataset
    dataset.visibility = "region"
    dataset.save()
    assert outcome_evaluation.evaluations(None) == []
    assert Client().get("/api/v1/what-works").json()["contracts"] == []
    assert [e.pk for e in outcome_evaluation.evaluations(buyer)] == [newest.pk]
