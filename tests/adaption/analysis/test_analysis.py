"""The registered analysis on Data Lab data matches the engine (and scipy) on the same rows."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from scipy import stats

from infuse.adaption.analysis.schemas import AttachIn
from infuse.adaption.analysis.services import attach_data
from infuse.adaption.models import AnalysisRun
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.protocol.services import register_protocol
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.randomisation.services import randomise
from infuse.adaption.registry.schemas import OutcomeIO
from infuse.adaption.registry.services import move, set_outcomes
from infuse.core.errors import Conflict, InvalidInput
from infuse.datalab.ingest import services as data
from infuse.stats import cluster_randomised_effect
from tests.adaption.conftest import PROTOCOL, registered, upload

pytestmark = pytest.mark.django_db(transaction=True)


def running(make_experiment, officer, analyst, design, **extra):
    return registered(make_experiment, officer, design, outcome="Visits", **extra)


def test_individual_trial_matches_welch_and_flags_deviations(
    make_experiment, make_dataset, officer, analyst
):
    units = "".join(f"P{i:03d}\n" for i in range(40))
    frame = upload(make_dataset, officer, "person\n" + units)
    experiment = running(make_experiment, officer, analyst, "individual_rct", councils=[])
    randomise(
        actor=analyst,
        experiment=experiment,
        randomise_in=RandomiseIn(seed=9, dataset=frame.slug, unit_column="person"),
    )
    move(actor=officer, experiment=experiment, transition="launch")
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
        attach_data(
            actor=officer,
            experiment=experiment,
            attach_in=AttachIn(dataset=outcomes.slug, outcome="nope", unit="person"),
        )
    run = attach_data(
        actor=officer,
        experiment=experiment,
        attach_in=AttachIn(
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
    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=2))
    with pytest.raises(Conflict):  # not launched yet
        attach_data(
            actor=officer,
            experiment=experiment,
            attach_in=AttachIn(dataset="x", outcome="y"),
        )
    move(actor=officer, experiment=experiment, transition="launch")
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
    assert (
        "cluster-robust standard errors (CR2" in page and "Randomisation-inference p-value" in page
    )
    assert "cluster_robust_regression_cr2" not in page  # named, not coded
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
    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=2))
    move(actor=officer, experiment=experiment, transition="launch")
    outcomes = upload(make_dataset, officer, "council,score\nSwansea,3\nCardiff,4\n")
    run = attach_data(
        actor=officer,
        experiment=experiment,
        attach_in=AttachIn(dataset=outcomes.slug, outcome="score", cluster="council"),
    )
    call_command("worker", "--batch")
    run.refresh_from_db()
    assert run.state == AnalysisRun.State.FAILED and "Swansea" in run.error_text
    from django.utils import translation

    with translation.override("cy"):
        assert "Swansea" in run.error_text and run.error_text != run.error % run.error_params


@pytest.mark.parametrize("design", ["did", "its", "synthetic_control"])
def test_quasi_experiments_match_the_engine(design, make_experiment, make_dataset, officer):
    import pandas as pd

    from infuse.stats import interrupted_time_series, synthetic_control, twfe_did

    treated = ["W06000015", "W06000022"]
    experiment = make_experiment(design, councils=treated)
    set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name="Rate")],
    )
    move(actor=officer, experiment=experiment, transition="design")
    register_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(
            **{**PROTOCOL, "randomisation_method": "", "randomisation_unit": ""}
        ),
    )
    move(actor=officer, experiment=experiment, transition="launch")
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
        attach_data(
            actor=officer,
            experiment=experiment,
            attach_in=AttachIn(
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
