"""Planning a quasi-experiment from its outcome's past: page, task, service, engine agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from infuse.adaption.design.schemas import HistoryPlanIn
from infuse.adaption.design.services import queue_history_plan
from infuse.adaption.models import Experiment
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.protocol.services import register_protocol
from infuse.adaption.registry.schemas import OutcomeIO
from infuse.adaption.registry.services import move, set_outcomes
from infuse.core.errors import InvalidInput
from infuse.core.models import Council
from infuse.datalab.catalogue.schemas import DatasetIn
from infuse.datalab.catalogue.services import create_dataset
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.indicators.services import create_indicator
from infuse.datalab.ingest import services as data
from infuse.stats import placebo_power
from tests.datalab.indicators.test_indicators import spec

pytestmark = pytest.mark.django_db(transaction=True)
TREATED = ["W06000015", "W06000022"]  # Cardiff, Newport


def _history(make_dataset, officer, *, seed: int = 4, years: int = 12):
    """Yearly past values for all ten councils, written as people write council names."""
    rng = np.random.default_rng(seed)
    councils = list(Council.objects.values_list("gss_code", "name_en"))
    lines = ["council,year,rate"]
    rows = []
    for gss, name in councils:
        base = rng.normal(30, 4)
        written = f"{name} Council" if gss == "W06000022" else name
        for year in range(2012, 2012 + years):
            y = round(base + 0.3 * (year - 2012) + rng.normal(0, 1.0), 3)
            lines.append(f"{written},{year},{y}")
            rows.append((gss, float(year), y))
    lines.append("Swansea,2015,12.0")  # not a council of the region
    dataset = make_dataset("Missed bins", actor=officer)
    data.upload_file(
        actor=officer,
        dataset=dataset,
        chunks=["\n".join(lines).encode() + b"\n"],
        original_name="bins.csv",
    )
    call_command("worker", "--batch")
    return dataset, pd.DataFrame(rows, columns=["council", "time", "y"])


def _quasi(make_experiment, officer, design: str, dataset, councils=TREATED) -> Experiment:
    experiment = make_experiment(design, councils=councils)
    set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[
            OutcomeIO(
                kind="primary", name="Missed bins per 1,000", dataset=dataset.slug, column="rate"
            )
        ],
    )
    return experiment


def test_a_difference_in_differences_is_planned_from_its_past_as_the_engine_would(
    make_experiment, make_dataset, officer
):
    dataset, panel = _history(make_dataset, officer)
    experiment = _quasi(make_experiment, officer, "did", dataset)
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/design/"
    page = web.get(url).content.decode()
    assert "placebo trials" in page and "Missed bins per 1,000" in page
    sent = web.post(
        url + "history/",
        {
            "council_column": "council",
            "period_column": "year",
            "post_periods": "3",
            "effects": "0.5, 1, 2",
            "alpha": "0.05",
            "power": "0.8",
        },
    )
    assert sent.status_code == 302
    assert "The placebo trials are running." in web.get(url).content.decode()
    call_command("worker", "--batch")
    experiment.refresh_from_db()
    result = experiment.design_parameters["result"]
    plan = result["history"]
    expected = placebo_power(
        panel,
        unit="council",
        time="time",
        outcome="y",
        method="did",
        treated_units=TREATED,
        post_periods=3,
        effects=[0.5, 1, 2],
        min_pre_periods=2,
        max_placebos=200,
        seed=result["seed"],
    )
    assert plan["power"] == pytest.approx(list(expected.power))
    assert plan["effects"] == [0.0, 0.5, 1.0, 2.0]
    assert result["effect"] == pytest.approx(expected.minimum_detectable_effect)
    assert result["unmatched"] == ["Swansea"]
    assert result["source"] == {
        "dataset": dataset.slug,
        "column": "rate",
        "version": 1,
        "council_column": "council",
        "period_column": "year",
    }
    assert [c["gss"] for c in result["councils"][:2]] == sorted(TREATED)  # experiment first
    page = web.get(url).content.decode()
    assert "Smallest effect found with the power sought" in page
    assert "Councils in the past data" in page and "Swansea" in page
    assert 'id="power-curve' in page
    welsh = web.get(f"/cy{url}").content.decode()
    assert "Treialon plasebo" in welsh and "Casnewydd" in welsh
    # The experiment page shows the plan's answer.
    summary = web.get(f"/experiments/{experiment.slug}/").content.decode()
    assert "Minimum detectable effect" in summary


def test_a_plan_the_past_cannot_support_is_refused_with_the_field_to_fix(
    make_experiment, make_dataset, officer
):
    dataset, _panel = _history(make_dataset, officer, years=6)
    experiment = _quasi(make_experiment, officer, "did", dataset)
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/design/"
    fields = {
        "council_column": "council",
        "period_column": "year",
        "post_periods": "5",
        "alpha": "0.05",
        "power": "0.8",
    }
    refused = web.post(url + "history/", fields)
    assert refused.status_code == 400
    assert "The past data has 6 periods" in refused.content.decode()
    refused = web.post(url + "history/", {**fields, "post_periods": "2", "period_column": ""})
    assert "Choose the columns with the council and the period" in refused.content.decode()
    refused = web.post(url + "history/", {**fields, "post_periods": "2", "effects": "1, lots"})
    assert "‘lots’ is not a number" in refused.content.decode()
    welsh = web.post(f"/cy{url}history/", fields)
    assert welsh.status_code == 400 and "Mae gan y data blaenorol 6 chyfnod" in (
        welsh.content.decode()
    )
    everyone = [gss for (gss,) in Council.objects.values_list("gss_code")]
    whole_region = _quasi(make_experiment, officer, "did", dataset, councils=everyone)
    with pytest.raises(InvalidInput) as refusal, translation.override("en"):
        queue_history_plan(
            actor=officer,
            experiment=whole_region,
            plan_in=_inputs(post_periods=2),
        )
    assert "compares with councils outside the experiment" in refusal.value.problems[0].message
    experiment.refresh_from_db()
    assert "result" not in experiment.design_parameters  # nothing was kept


def _inputs(**extra):
    return HistoryPlanIn(council_column="council", period_column="year", **extra)


def test_synthetic_control_with_ten_councils_says_it_can_never_find_an_effect(
    make_experiment, make_dataset, officer
):
    dataset, _panel = _history(make_dataset, officer)
    experiment = _quasi(make_experiment, officer, "synthetic_control", dataset, ["W06000015"])
    queue_history_plan(
        actor=officer, experiment=experiment, plan_in=_inputs(post_periods=2, effects=(5.0,))
    )
    call_command("worker", "--batch")
    web = Client()
    web.force_login(officer)
    page = web.get(f"/experiments/{experiment.slug}/design/").content.decode()
    assert "it can never find an effect, however large" in page
    experiment.refresh_from_db()
    assert experiment.design_parameters["result"]["history"]["smallest_p_value"] == 0.1


def test_an_interrupted_time_series_is_planned_from_an_indicator(make_person, make_experiment):
    """An indicator's values are already by council and period (financial years as labels)."""
    officer = make_person("officer")
    bridgend = make_person("evaluator")  # another council: reads the region's experiments
    dataset = create_dataset(
        actor=officer,
        dataset_in=DatasetIn(
            title_en="Smoking survey",
            title_cy="Arolwg ysmygu",
            publisher=officer.memberships.first().organisation.slug,
            visibility="private",
        ),
    )
    rng = np.random.default_rng(2)
    lines = ["council,surveyed_on,smokers,surveyed"]
    for (name,) in Council.objects.values_list("name_en"):
        for year in range(2010, 2024):
            lines.append(f"{name},{year}-06-01,{rng.binomial(400, 0.2)},400")
    data.upload_file(
        actor=officer, dataset=dataset, chunks=["\n".join(lines).encode()], original_name="s.csv"
    )
    call_command("worker", "--batch")
    indicator = create_indicator(
        actor=officer,
        dataset=dataset,
        indicator_in=IndicatorIn(
            title_en="Smoking",
            title_cy="Ysmygu",
            specification=spec(),
        ),
    )
    call_command("worker", "--batch")
    experiment = make_experiment("its", councils=["W06000015"])
    set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name="Smoking", indicator=indicator.slug)],
    )
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/design/"
    form = web.get(url).content.decode()
    assert 'name="council_column"' not in form  # nothing to map for an indicator
    sent = web.post(url + "history/", {"post_periods": "3", "alpha": "0.05", "power": "0.8"})
    assert sent.status_code == 302
    call_command("worker", "--batch")
    experiment.refresh_from_db()
    result = experiment.design_parameters["result"]
    assert result["source"] == {"indicator": indicator.slug}
    assert result["periods"][0] == "2010-11" or result["periods"][0].startswith("2010")
    starts = len(result["periods"]) - 3 - 3 + 1  # 3 periods before each start, 3 after
    assert len(result["history"]["starts"]) == starts
    assert result["history"]["n_placebos"] == starts * 10  # each council's series in turn
    assert result["history"]["effects"][0] == 0.0 and len(result["history"]["effects"]) == 8
    # Someone who may read the experiment but not change it sees the plan, not the form.
    reader = Client()
    reader.force_login(bridgend)
    page = reader.get(url)
    assert page.status_code == 200 and "Smallest effect found" in page.content.decode()
    assert 'name="post_periods"' not in page.content.decode()
    assert reader.post(url + "history/", {"post_periods": "3"}).status_code == 403


def test_no_plan_without_a_linked_primary_outcome(make_experiment, officer):
    experiment = make_experiment("did")
    web = Client()
    web.force_login(officer)
    page = web.get(f"/experiments/{experiment.slug}/design/").content.decode()
    assert "Link the primary outcome to a Data Lab indicator or dataset column first" in page
    assert 'name="post_periods"' not in page
    with pytest.raises(InvalidInput):
        queue_history_plan(actor=officer, experiment=experiment, plan_in=_inputs(post_periods=2))


def test_a_plan_finished_after_registration_is_not_kept(make_experiment, make_dataset, officer):
    from infuse.core.models import TaskProgress
    from tests.adaption.conftest import PROTOCOL

    dataset, _panel = _history(make_dataset, officer)
    experiment = _quasi(make_experiment, officer, "did", dataset)
    progress = queue_history_plan(
        actor=officer, experiment=experiment, plan_in=_inputs(post_periods=2)
    )
    move(actor=officer, experiment=experiment, transition="design")
    register_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(
            **{**PROTOCOL, "randomisation_method": "", "randomisation_unit": ""}
        ),
    )
    call_command("worker", "--batch")
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.FAILED
    experiment.refresh_from_db()
    assert "result" not in experiment.design_parameters
    web = Client()
    web.force_login(officer)
    page = web.get(f"/experiments/{experiment.slug}/design/").content.decode()
    assert "The placebo trials could not run" in page
    assert "The experiment can no longer be changed" in page
