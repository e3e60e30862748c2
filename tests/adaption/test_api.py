"""The Adaption Lab through its API alone: create → outcomes → design → register → amend →
randomise → launch, with the refusals a client must see as problem details."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.adaption.conftest import PROTOCOL
from tests.clients import api_for

pytestmark = pytest.mark.django_db


def test_the_flow_through_the_api(officer, analyst):
    api = api_for(officer)
    created = api.post(
        "/api/v1/experiments",
        {
            "title_en": "Warm hubs",
            "title_cy": "Hybiau cynnes",
            "owner": "cardiff",
            "design": "cluster_rct",
            "councils": ["W06000015", "W06000022", "W06000020", "W06000013"],
            "public": True,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    slug = created.json()["slug"]
    base = f"/api/v1/experiments/{slug}"
    early = api.post(f"{base}/transitions/launch")
    assert early.status_code == 409 and early["Content-Type"].startswith("application/problem+json")
    outcomes = api.put(
        f"{base}/outcomes",
        [{"kind": "primary", "name": "GP visits"}],
        content_type="application/json",
    )
    assert outcomes.json()["outcomes"][0]["name"] == "GP visits"
    assert api.post(f"{base}/transitions/design").json()["status"] == "designed"
    incomplete = api.post(f"{base}/protocol", {"hypotheses": "H"}, content_type="application/json")
    assert incomplete.status_code == 400
    registered = api.post(f"{base}/protocol", PROTOCOL, content_type="application/json")
    assert registered.status_code == 201 and registered.json()["version"] == 1
    digest = registered.json()["sha256"]
    assert Client().get(f"{base}/protocol/1").json()["sha256"] == digest  # public now
    no_reason = api.post(
        f"{base}/protocol", {**PROTOCOL, "exclusions": "More."}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    amended = api.post(
        f"{base}/protocol",
        {**PROTOCOL, "exclusions": "More.", "reason": "Clearer exclusions."},
        content_type="application/json",
    )
    assert amended.json()["version"] == 2

    assert (
        api.post(f"{base}/randomise", {"seed": 3}, content_type="application/json").status_code
        == 403
    )
    lab = api_for(analyst)
    allocation = lab.post(f"{base}/randomise", {"seed": 3}, content_type="application/json")
    assert allocation.status_code == 201
    body = allocation.json()
    assert body["seed"] == 3 and sorted(body["counts"].values()) == [2, 2]
    assert api.get(f"{base}/allocation").status_code == 403  # hidden until launch
    again = lab.post(f"{base}/randomise", {}, content_type="application/json")
    assert again.status_code == 409
    assert api.post(f"{base}/transitions/launch").json()["status"] == "running"
    assert api.get(f"{base}/allocation").json()["allocation_digest"] == body["allocation_digest"]
    listed = Client().get("/api/v1/experiments?design=cluster_rct").json()
    assert [e["slug"] for e in listed] == [slug]


@pytest.mark.django_db(transaction=True)
def test_analysis_decision_and_scale_up_through_the_api(
    officer, analyst, make_dataset, settings, tmp_path
):
    from django.core.management import call_command

    from infuse.datalab.ingest import services as data

    settings.DATA_DIR = tmp_path / "data"
    api = api_for(officer)
    slug = api.post(
        "/api/v1/experiments",
        {
            "title_en": "Warm hubs",
            "title_cy": "Hybiau cynnes",
            "owner": "cardiff",
            "design": "cluster_rct",
            "councils": ["W06000015", "W06000022", "W06000020", "W06000013"],
        },
        content_type="application/json",
    ).json()["slug"]
    base = f"/api/v1/experiments/{slug}"
    api.put(
        f"{base}/outcomes", [{"kind": "primary", "name": "Score"}], content_type="application/json"
    )
    api.post(f"{base}/transitions/design")
    api.post(f"{base}/protocol", PROTOCOL, content_type="application/json")
    allocation = (
        api_for(analyst)
        .post(f"{base}/randomise", {"seed": 4}, content_type="application/json")
        .json()
    )
    api.post(f"{base}/transitions/launch")
    arm = dict(zip(allocation["units"], allocation["arms"], strict=True))
    rows = "council,score\n" + "".join(
        f"{gss},{60 + (9 if arm[gss] == 'treatment' else 0) + (i % 5)}\n"
        for gss in arm
        for i in range(20)
    )
    dataset = make_dataset("Scores", actor=officer)
    data.upload_file(actor=officer, dataset=dataset, chunks=[rows.encode()], original_name="s.csv")
    call_command("worker", "--batch")
    queued = api.post(
        f"{base}/analyses",
        {"dataset": dataset.slug, "outcome": "score", "cluster": "council"},
        content_type="application/json",
    )
    assert queued.status_code == 202 and queued.json()["progress_id"]
    call_command("worker", "--batch")
    latest = api.get(f"{base}/analyses/latest").json()
    assert latest["state"] == "done" and latest["result"]["primary"]["estimate"] == pytest.approx(9)
    api.post(f"{base}/transitions/analyse")
    decision = api.post(
        f"{base}/decision",
        {"choice": "scale", "rationale": "Nine points better."},
        content_type="application/json",
    )
    assert decision.status_code == 201 and decision.json()["evidence_level"] == 3
    child = api.post(
        f"{base}/scale-up",
        {"councils": ["W06000024", "W06000019"]},
        content_type="application/json",
    )
    assert child.status_code == 201 and child.json()["design"] == "stepped_wedge"
    assert api.get(base).json()["status"] == "scaling"


def test_the_design_through_the_api(officer, make_experiment):
    from infuse.stats import power_two_means

    experiment = make_experiment("individual_rct", councils=[])
    base = f"/api/v1/experiments/{experiment.slug}"
    inputs = {"solve_for": "size", "effect": 2.0, "sd": 8.0, "power": 0.8}
    public = Client().post(f"{base}/design", inputs, content_type="application/json")
    assert public.status_code == 404  # a private draft is not there for the public
    api = api_for(officer)
    answer = api.post(f"{base}/design", inputs, content_type="application/json")
    assert answer.status_code == 200, answer.content
    expected = power_two_means(effect=2.0, sd=8.0, power=0.8, alpha=0.05)
    assert answer.json()["result"]["sample_size"]["n_control"] == pytest.approx(
        expected.sample_size["n_control"]
    )
    assert answer.json()["saved"] is False and len(answer.json()["curve"]) > 3
    wrong = api.post(f"{base}/design", {"sd": -1, "effect": 1}, content_type="application/json")
    assert wrong.status_code == 400 and "standard deviation" in wrong.content.decode()
    api.post(f"{base}/design", {**inputs, "save": True}, content_type="application/json")
    experiment.refresh_from_db()
    assert experiment.design_parameters["inputs"]["effect"] == 2.0
    queued = api.post(f"{base}/design/simulation")
    assert queued.status_code == 202 and queued.json()["progress_id"]
    history = api.post(f"{base}/design/history", {}, content_type="application/json")
    assert history.status_code == 409  # a randomised design is not planned from past data


@pytest.mark.django_db(transaction=True)
def test_a_quasi_experiment_planned_and_analysed_through_the_api(
    officer, make_experiment, make_dataset
):
    from django.core.management import call_command

    from infuse.adaption.analysis import services
    from infuse.datalab.ingest import services as data

    lines = ["council,year,rate"]
    for i, gss in enumerate(
        ["W06000015", "W06000022", "W06000013", "W06000014", "W06000020", "W06000019"]
    ):
        for year in range(2010, 2022):
            bump = 4 if gss == "W06000015" and year >= 2019 else 0
            lines.append(f"{gss},{year},{20 + i + 0.1 * year + ((year * 7 + i) % 3) + bump}")
    dataset = make_dataset("Rates", actor=officer)
    data.upload_file(
        actor=officer, dataset=dataset, chunks=["\n".join(lines).encode()], original_name="r.csv"
    )
    call_command("worker", "--batch")
    experiment = make_experiment("did", councils=["W06000015"])
    api = api_for(officer)
    base = f"/api/v1/experiments/{experiment.slug}"
    api.put(
        f"{base}/outcomes",
        [{"kind": "primary", "name": "Rate", "dataset": dataset.slug, "column": "rate"}],
        content_type="application/json",
    )
    plan = {"council_column": "council", "period_column": "year", "post_periods": 30}
    refused = api.post(f"{base}/design/history", plan, content_type="application/json")
    assert refused.status_code == 400 and "post_periods" in refused.content.decode()
    queued = api.post(
        f"{base}/design/history", {**plan, "post_periods": 3}, content_type="application/json"
    )
    assert queued.status_code == 202
    call_command("worker", "--batch")
    task = api.get(f"/api/v1/tasks/{queued.json()['progress_id']}").json()
    assert task["state"] == "succeeded", task
    designed = api.get(base).json()["design_parameters"]
    assert designed["result"]["history"]["n_placebos"] > 0
    api.post(f"{base}/transitions/design")
    fields = {**PROTOCOL, "randomisation_method": "", "randomisation_unit": ""}
    assert api.post(f"{base}/protocol", fields, content_type="application/json").status_code == 201
    api.post(f"{base}/transitions/launch")
    attach = {"dataset": dataset.slug, "outcome": "rate", "cluster": "council", "period": "year"}
    no_start = api.post(f"{base}/analyses", attach, content_type="application/json")
    assert no_start.status_code == 400
    queued = api.post(
        f"{base}/analyses", {**attach, "start": "2019"}, content_type="application/json"
    )
    assert queued.status_code == 202
    call_command("worker", "--batch")
    latest = api.get(f"{base}/analyses/latest").json()
    assert latest["state"] == "done", latest["error"]
    assert latest["result"]["primary"]["estimate"] == pytest.approx(
        services.get_analysis(actor=officer, experiment=experiment).result["primary"]["estimate"]
    )
    assert 2 < latest["result"]["primary"]["estimate"] < 6
