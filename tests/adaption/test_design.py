"""The design page's calculations against the engine, and the page itself."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse import stats as engine
from infuse.adaption import design
from infuse.adaption.design import DesignInputs
from infuse.core.errors import InvalidInput


def test_individual_trial_size_matches_the_engine_and_a_textbook_value():
    calc = design.calculate(
        "individual_rct", DesignInputs(effect=0.5, sd=1.0, power=0.8), n_councils=0
    )
    # Two-sample t test, d = 0.5, 80% power, 5% two-sided: 64 per group (Cohen 1988, table 2.4.1).
    assert calc.result["sample_size_rounded_up"]["n_control"] == 64
    assert calc.curve and all(0 < p < 1 for _size, p in calc.curve)
    powers = [p for _size, p in calc.curve]
    assert powers == sorted(powers)  # more people, more power


def test_cluster_and_stepped_wedge_use_the_engine_with_the_councils():
    cluster = design.calculate(
        "cluster_rct",
        DesignInputs(solve_for="power", effect=0.3, sd=1.0, size=5, cluster_size=200, icc=0.02),
        n_councils=10,
    )
    expected = engine.power_cluster_means(
        effect=0.3, n_clusters_per_arm=5, cluster_size=200, icc=0.02, total_variance=1.0
    )
    assert cluster.result["power"] == pytest.approx(expected.power)
    wedge = design.calculate(
        "stepped_wedge",
        DesignInputs(solve_for="effect", sd=1.0, size=100, icc=0.05, n_steps=2, power=0.8),
        n_councils=4,
    )
    expected = engine.power_stepped_wedge(
        n_clusters=4,
        n_steps=2,
        cluster_period_size=100,
        power=0.8,
        icc=0.05,
        within_cluster_variance=1.0,
    )
    assert wedge.result["effect"] == pytest.approx(expected.effect)
    assert wedge.schedule == [[0, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 1]]


def test_missing_or_impossible_inputs_name_the_box_to_fix():
    with pytest.raises(InvalidInput) as raised:
        design.calculate("cluster_rct", DesignInputs(effect=0.3, sd=-1), n_councils=4)
    fields = {p.field for p in raised.value.problems}
    assert {"sd", "icc", "cluster_size"} <= fields
    with pytest.raises(InvalidInput) as raised:
        design.calculate("its", DesignInputs(), n_councils=4)
    assert raised.value.problems[0].field == "design"


@pytest.mark.django_db
def test_the_design_page_calculates_and_saves(make_experiment, officer):
    experiment = make_experiment("stepped_wedge")
    url = f"/experiments/{experiment.slug}/design/"
    form = {
        "action": "calculate",
        "outcome": "binary",
        "solve_for": "size",
        "alpha": "0.05",
        "power": "0.8",
        "p_control": "0.30",
        "p_treatment": "0.22",
        "icc": "0.02",
        "n_steps": "2",
    }
    public = Client().post(url, form)
    assert public.status_code == 404  # a draft is not public
    web = Client()
    web.force_login(officer)
    page = web.post(url, form).content.decode()
    assert "Power curve" in page and "Roll-out schedule" in page and "cluster_period_size" in page
    welsh = web.post("/cy" + url, {**form, "icc": ""}).content.decode()
    assert "Rhowch y cydberthyniad o fewn clwstwr" in welsh
    assert web.post(url, {**form, "action": "save"}).status_code == 302
    experiment.refresh_from_db()
    assert experiment.design_parameters["inputs"]["p_treatment"] == 0.22
    assert experiment.design_parameters["result"]["method"].startswith("stepped_wedge")


@pytest.mark.django_db(transaction=True)
def test_simulated_power_agrees_with_the_formula(make_experiment, officer):
    from django.core.management import call_command

    experiment = make_experiment(
        "cluster_rct",
        councils=[
            "W06000015",
            "W06000022",
            "W06000020",
            "W06000013",
            "W06000019",
            "W06000024",
            "W06000016",
            "W06000018",
            "W06000021",
            "W06000014",
        ],
    )
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/design/"
    form = {
        "action": "save",
        "outcome": "continuous",
        "solve_for": "power",
        "alpha": "0.05",
        "effect": "0.3",
        "sd": "1",
        "size": "5",
        "cluster_size": "100",
        "icc": "0.05",
    }
    assert web.post(url, form).status_code == 302
    assert web.post(url, {"action": "simulate"}).status_code == 302
    assert "The simulation is running." in web.get(url).content.decode()
    call_command("worker", "--batch")
    experiment.refresh_from_db()
    simulated = experiment.design_parameters["simulation"]
    formula = experiment.design_parameters["result"]["power"]
    # 2,000 simulated trials: the formula's power lies inside the simulation's 95% interval
    # (or within 0.03 of it: the t approximation of the formula is not exact either).
    assert simulated["ci_low"] - 0.03 <= formula <= simulated["ci_high"] + 0.03
    assert "Simulated power of the saved design" in web.get(url).content.decode()
