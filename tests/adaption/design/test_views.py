"""The design page: it calculates for anyone who may read the experiment; its team keeps the
design (its own POST) and checks it by simulation (another)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_design_page_calculates_and_saves(make_experiment, officer):
    experiment = make_experiment("stepped_wedge")
    url = f"/experiments/{experiment.slug}/design/"
    form = {
        "outcome": "binary",
        "solve_for": "size",
        "alpha": "0.05",
        "power": "80%",  # as people type it
        "p_control": "0.30",
        "p_treatment": "22%",
        "icc": "0.02",
        "n_steps": "2",
    }
    public = Client().post(url, form)
    assert public.status_code == 404  # a draft is not public
    web = Client()
    web.force_login(officer)
    page = web.post(url, form).content.decode()
    assert (
        "Power curve" in page
        and "Roll-out schedule" in page
        and "Units in each cluster in each period" in page
    )
    welsh = web.post("/cy" + url, {**form, "icc": ""}).content.decode()
    assert "Rhowch y cydberthyniad o fewn clwstwr" in welsh
    assert web.post(url + "save/", form).status_code == 302
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
        "outcome": "continuous",
        "solve_for": "power",
        "alpha": "0.05",
        "effect": "0.3",
        "sd": "1",
        "size": "5",
        "cluster_size": "100",
        "icc": "0.05",
    }
    assert web.post(url + "save/", form).status_code == 302
    assert web.post(url + "simulate/").status_code == 302
    assert "The simulation is running." in web.get(url).content.decode()
    call_command("worker", "--batch")
    experiment.refresh_from_db()
    simulated = experiment.design_parameters["simulation"]
    formula = experiment.design_parameters["result"]["power"]
    # 2,000 simulated trials: the formula's power lies inside the simulation's 95% interval
    # (or within 0.03 of it: the t approximation of the formula is not exact either).
    assert simulated["ci_low"] - 0.03 <= formula <= simulated["ci_high"] + 0.03
    page = web.get(url).content.decode()
    assert "simulated trials of the saved design, analysed as planned" in page
    # in people's words: "2,000 simulated trials", power as a percentage
    assert "In 2,000 simulated trials" in page
    assert f"{100 * simulated['power']:.0f}%" in page


@pytest.mark.django_db
def test_a_design_too_large_to_simulate_is_refused_before_it_is_queued(
    make_experiment, officer, settings
):
    """A cluster trial solved to about 37,000 clusters per arm (a tiny effect) used to be
    simulated in the task worker with every cluster of 250 trials in memory at once."""
    from infuse.core.models import TaskProgress

    experiment = make_experiment("cluster_rct")
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/design/"
    form = {
        "outcome": "continuous",
        "solve_for": "size",
        "alpha": "0.05",
        "power": "0.8",
        "effect": "0.005",
        "sd": "1",
        "cluster_size": "100",
        "icc": "0.05",
    }
    assert web.post(url + "save/", form).status_code == 302
    refused = web.post(url + "simulate/", follow=True).content.decode()
    assert "too large to check by simulation" in refused and "The calculated answer" in refused
    assert not TaskProgress.objects.filter(kind="adaption.simulation").exists()
    welsh = web.post("/cy" + url + "simulate/", follow=True).content.decode()
    assert "too large" not in welsh and "govuk-notification-banner" in welsh
    settings.SIMULATION_MAX_VALUES_PER_TRIAL = 10**9
    assert web.post(url + "simulate/").status_code == 302
