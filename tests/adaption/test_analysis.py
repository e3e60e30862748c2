"""The registered analysis on Data Lab data matches the engine (and scipy) on the same rows."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from scipy import stats

from infuse.adaption import services
from infuse.adaption.models import AnalysisRun
from infuse.core.errors import Conflict, InvalidInput
from infuse.datalab.ingest import services as data
from infuse.stats import cluster_randomised_effect
from tests.adaption.conftest import PROTOCOL

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


def running(make_experiment, officer, analyst, design, **extra):
    experiment = make_experiment(design, **extra)
    services.set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[services.OutcomeFields(kind="primary", name="Visits")],
    )
    services.move(actor=officer, experiment=experiment, transition="design")
    services.register_protocol(
        actor=officer, experiment=experiment, fields=services.ProtocolFields(**PROTOCOL)
    )
    return experiment


def upload(make_dataset, officer, text):
    dataset = make_dataset("Outcomes", actor=officer)
    data.upload_file(actor=officer, dataset=dataset, chunks=[text.encode()], original_name="o.csv")
    call_command("worker", "--batch")
    return dataset


def test_individual_trial_matches_welch_and_flags_deviations(
    make_experiment, make_dataset, officer, analyst
):
    units = "".join(f"P{i:03d}\n" for i in range(40))
    frame = upload(make_dataset, officer, "person\n" + units)
    experiment = running(make_experiment, officer, analyst, "individual_rct", councils=[])
    services.randomise(
        actor=analyst,
        experiment=experiment,
        fields=services.RandomiseFields(seed=9, dataset=frame.slug, unit_column="person"),
    )
    services.move(actor=officer, experiment=experiment, transition="launch")
    allocation = experiment.latest_allocation.result
    rng = np.random.default_rng(4)
    arm = dict(zip(allocation["unit_ids"], allocation["assignment"], strict=True))
    rows = ["person,visits,lonely"]
    for unit in sorted(arm):
        y = rng.normal(10 - (2 if arm[unit] == "treatment" else 0), 3)
        rows.append(f"{unit},{y:.4f},{rng.normal(5, 1):.4f}")
    rows.append("P999,,")  # not randomised: refused below
    outcomes = make_dataset("Visits", actor=officer)
    data.upload_file(
        actor=officer,
        dataset=outcomes,
        chunks=["\n".join(rows[:-1]).encode()],
        original_name="v.csv",
    )
    call_command("worker", "--batch")
    with pytest.raises(InvalidInput):
        services.attach_data(
            actor=officer,
            experiment=experiment,
            fields=services.MappingFields(dataset=outcomes.slug, outcome="nope", unit="person"),
        )
    run = services.attach_data(
        actor=officer,
        experiment=experiment,
        fields=services.MappingFields(
            dataset=outcomes.slug, outcome="visits", unit="person", secondary=["lonely"]
        ),
    )
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.state == AnalysisRun.State.DONE, run.error
    y = np.array([float(r.split(",")[1]) for r in rows[1:-1]])
    z = np.array([arm[r.split(",")[0]] == "treatment" for r in rows[1:-1]])
    primary = run.result["primary"]
    assert primary["estimate"] == pytest.approx(y[z].mean() - y[~z].mean())
    welch = stats.ttest_ind(y[z], y[~z], equal_var=False)
    assert primary["p_value"] == pytest.approx(welch.pvalue, rel=1e-6)
    assert run.result["secondary"][0]["p_adjusted"] >= run.result["secondary"][0]["p_value"]
    assert [a["analysed"] for a in run.result["flow"]["arms"]] == [20, 20]
    assert run.result["sample_ratio"]["mismatch"] is False
    assert 0 < run.result["randomisation_p"] <= 1
    assert {d["key"] for d in run.deviations} == set()  # no column was registered


def test_cluster_trial_matches_the_engine_and_reads_council_names(
    make_experiment, make_dataset, officer, analyst
):
    experiment = running(make_experiment, officer, analyst, "cluster_rct")
    services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=2)
    )
    with pytest.raises(Conflict):  # not launched yet
        services.attach_data(
            actor=officer,
            experiment=experiment,
            fields=services.MappingFields(dataset="x", outcome="y"),
        )
    services.move(actor=officer, experiment=experiment, transition="launch")
    allocation = experiment.latest_allocation.result
    arm = dict(zip(allocation["unit_ids"], allocation["assignment"], strict=True))
    names = {  # as people write them: the Data Lab's reading of council names
        "W06000015": "Caerdydd",
        "W06000022": "Newport City Council",
        "W06000020": "Tor-faen",
        "W06000013": "Bridgend County Borough Council",
    }
    rng = np.random.default_rng(8)
    rows, ys, zs, cs = ["council,score"], [], [], []
    for gss, name in names.items():
        for _ in range(30):
            y = rng.normal(50 + (3 if arm[gss] == "treatment" else 0), 8)
            rows.append(f"{name},{y:.4f}")
            ys.append(round(y, 4))
            zs.append(1 if arm[gss] == "treatment" else 0)
            cs.append(gss)
    outcomes = upload(make_dataset, officer, "\n".join(rows) + "\n")
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/"
    wrong = web.post(
        f"{url}data/", {"dataset": outcomes.slug, "outcome": "mark", "cluster": "council"}
    )
    assert wrong.status_code == 400 and "The dataset has no column ‘mark’" in wrong.content.decode()
    sent = web.post(
        f"{url}data/", {"dataset": outcomes.slug, "outcome": "score", "cluster": "council"}
    )
    assert sent.status_code == 302
    assert "The analysis is running." in web.get(f"{url}results/").content.decode()
    call_command("worker", "--batch")
    run = AnalysisRun.objects.get(experiment=experiment)
    page = web.get(f"{url}results/").content.decode()
    assert "Flow of units" in page and "Confirmatory" in page
    assert "cluster_robust_regression_cr2" in page and "Randomisation-inference p-value" in page
    assert "Covariates at randomisation" in page and "population" in page  # the balance
    welsh = web.get(f"/cy{url}results/").content.decode()
    assert "Llif yr unedau" in welsh and "Canlyniad sylfaenol" in welsh
    assert Client().get(f"{url}results/").status_code == 404  # not public
    assert run.state == AnalysisRun.State.DONE, run.error
    engine = cluster_randomised_effect(
        np.array(ys), np.array(zs), np.array(cs), n_permutations=2_000, seed=2
    )
    assert run.result["primary"]["estimate"] == pytest.approx(engine.estimate)
    assert run.result["primary"]["std_error"] == pytest.approx(engine.std_error)
    assert run.result["flow"]["unit"] == "council"
    assert [a["allocated"] for a in run.result["flow"]["arms"]] == [2, 2]


def test_a_mapping_the_data_cannot_follow_fails_with_its_reason(
    make_experiment, make_dataset, officer, analyst
):
    experiment = running(make_experiment, officer, analyst, "cluster_rct")
    services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=2)
    )
    services.move(actor=officer, experiment=experiment, transition="launch")
    outcomes = upload(make_dataset, officer, "council,score\nSwansea,3\nCardiff,4\n")
    run = services.attach_data(
        actor=officer,
        experiment=experiment,
        fields=services.MappingFields(dataset=outcomes.slug, outcome="score", cluster="council"),
    )
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.state == AnalysisRun.State.FAILED and "Swansea" in run.error_text
    from django.utils import translation

    with translation.override("cy"):
        assert "Swansea" in run.error_text and run.error_text != run.error % run.error_params


def test_decide_and_scale_up_in_one_step(make_experiment, make_dataset, officer, analyst):
    experiment = running(make_experiment, officer, analyst, "cluster_rct")
    services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=2)
    )
    services.move(actor=officer, experiment=experiment, transition="launch")
    with pytest.raises(Conflict):  # not analysed yet
        services.decide(
            actor=officer,
            experiment=experiment,
            fields=services.DecisionFields(choice="scale", rationale="Worked."),
        )
    allocation = experiment.latest_allocation.result
    arm = dict(zip(allocation["unit_ids"], allocation["assignment"], strict=True))
    rng = np.random.default_rng(1)
    rows = ["council,score"] + [
        f"{gss},{rng.normal(50 + (8 if arm[gss] == 'treatment' else 0), 2):.4f}"
        for gss in arm
        for _ in range(40)
    ]
    outcomes = upload(make_dataset, officer, "\n".join(rows) + "\n")
    services.attach_data(
        actor=officer,
        experiment=experiment,
        fields=services.MappingFields(dataset=outcomes.slug, outcome="score", cluster="council"),
    )
    call_command("worker", "--batch")
    services.move(actor=officer, experiment=experiment, transition="analyse")
    with pytest.raises(Conflict):  # decisions have their own service
        services.move(actor=officer, experiment=experiment, transition="decide")
    assert services.suggest_evidence_level(experiment) == (3, "causal")
    web = Client()
    web.force_login(officer)
    url = f"/experiments/{experiment.slug}/"
    refused = web.post(f"{url}decision/", {"choice": "", "rationale": "", "cost_per_unit": "4.50"})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Choose scale, adapt or stop" in html and "Say what the cost is per" in html
    decided = web.post(
        f"{url}decision/",
        {
            "choice": "scale",
            "rationale": "Scores rose by 8 points in treated councils.",
            "evidence_level": "3",
            "cost_per_unit": "4.50",
            "cost_unit": "per point gained",
        },
    )
    assert decided.status_code == 302
    decision = experiment.decisions.get()
    experiment.refresh_from_db()
    assert (decision.cost_per_unit_pence, decision.suggested_level) == (450, 3)
    assert "£4.50 per point gained" in web.get(url).content.decode()
    with pytest.raises(InvalidInput):
        services.scale_up(actor=officer, experiment=experiment, councils=["W06000015"])
    order = {"order_W06000024": "1", "order_W06000019": "2", "order_W06000021": "3"}
    created = web.post(f"{url}scale-up/", order)
    assert created.status_code == 302
    experiment.refresh_from_db()
    child = experiment.scale_ups.get()
    assert experiment.status == "scaling" and child.design == "stepped_wedge"
    assert child.design_parameters["roll_out_order"] == ["W06000024", "W06000019", "W06000021"]
    assert child.status == "draft" and child.outcomes.count() == 1
    assert child.title_en == "Scale-up: Warm hubs"


def test_the_trial_report_as_a_page_and_a_tagged_pdf(make_experiment, officer, analyst):
    import io

    from pypdf import PdfReader

    experiment = running(make_experiment, officer, analyst, "cluster_rct", public=True)
    services.randomise(
        actor=analyst, experiment=experiment, fields=services.RandomiseFields(seed=5)
    )
    web = Client()
    page = web.get(f"/experiments/{experiment.slug}/report/").content.decode()
    assert "Trial report" in page and experiment.latest_protocol.sha256 in page
    response = web.get(f"/cy/experiments/{experiment.slug}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Hybiau cynnes" in text and experiment.latest_protocol.sha256[:16] in text
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "cy" and "/StructTreeRoot" in catalog  # tagged, in Welsh
    metadata = catalog["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid" in metadata  # identifies itself as PDF/UA


@pytest.mark.parametrize("design", ["did", "its", "synthetic_control"])
def test_quasi_experiments_match_the_engine(design, make_experiment, make_dataset, officer):
    import pandas as pd

    from infuse.stats import interrupted_time_series, synthetic_control, twfe_did

    treated = ["W06000015", "W06000022"]
    experiment = make_experiment(design, councils=treated)
    services.set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[services.OutcomeFields(kind="primary", name="Rate")],
    )
    services.move(actor=officer, experiment=experiment, transition="design")
    services.register_protocol(
        actor=officer,
        experiment=experiment,
        fields=services.ProtocolFields(
            **{**PROTOCOL, "randomisation_method": "", "randomisation_unit": ""}
        ),
    )
    services.move(actor=officer, experiment=experiment, transition="launch")
    rng = np.random.default_rng(3)
    others = ["W06000013", "W06000014", "W06000020", "W06000021", "W06000019"]
    rows = []
    for council in treated + others:
        base = rng.normal(20, 2)
        for t in range(1, 13):
            effect = 3.0 if council in treated and t >= 8 else 0.0
            rows.append((council, t, round(base + 0.2 * t + effect + rng.normal(0, 0.5), 4)))
    text = "council,month,rate\n" + "".join(f"{c},{t},{y}\n" for c, t, y in rows)
    outcomes = upload(make_dataset, officer, text)
    with pytest.raises(InvalidInput):  # the start is needed
        services.attach_data(
            actor=officer,
            experiment=experiment,
            fields=services.MappingFields(
                dataset=outcomes.slug, outcome="rate", cluster="council", period="month"
            ),
        )
    web = Client()
    web.force_login(officer)
    sent = web.post(
        f"/experiments/{experiment.slug}/data/",
        {
            "dataset": outcomes.slug,
            "outcome": "rate",
            "cluster": "council",
            "period": "month",
            "start": "8",
        },
    )
    assert sent.status_code == 302
    call_command("worker", "--batch")
    run = AnalysisRun.objects.get(experiment=experiment)
    assert run.state == AnalysisRun.State.DONE, run.error_text
    assert "Primary outcome" in web.get(f"/experiments/{experiment.slug}/results/").content.decode()
    frame = pd.DataFrame(rows, columns=["council", "time", "y"])
    frame["D"] = (frame["council"].isin(treated) & (frame["time"] >= 8)).astype(int)
    if design == "did":
        expected = twfe_did(frame, unit="council", time="time", outcome="y", treatment="D").estimate
    elif design == "its":
        series = frame[frame["council"].isin(treated)].groupby("time", as_index=False)["y"].mean()
        expected = interrupted_time_series(
            series["y"].to_numpy(float), series["time"].to_numpy(float), interruption=8
        ).level_change.estimate
    else:
        expected = synthetic_control(
            frame,
            unit="council",
            time="time",
            outcome="y",
            treated_unit="W06000015",
            intervention_time=8,
            donors=others,  # the other treated council is never a donor
        ).effect.estimate
    assert run.result["primary"]["estimate"] == pytest.approx(expected)
    assert abs(run.result["primary"]["estimate"] - 3.0) < 1.5
