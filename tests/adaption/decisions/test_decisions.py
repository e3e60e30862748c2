"""Decisions on the analysed evidence: the suggested evidence level, the decision, the
scale-up in one step, and the trial report as a page and a tagged PDF."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client

from infuse.adaption.analysis.schemas import AttachIn
from infuse.adaption.analysis.services import attach_data
from infuse.adaption.decisions.schemas import DecisionIn, ScaleUpIn
from infuse.adaption.decisions.services import decide, scale_up, suggest_evidence_level
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.randomisation.services import randomise
from infuse.adaption.registry.services import move
from infuse.core.errors import Conflict, InvalidInput
from tests.adaption.conftest import registered, upload

pytestmark = pytest.mark.django_db(transaction=True)


def running(make_experiment, officer, analyst, design, **extra):
    return registered(make_experiment, officer, design, outcome="Visits", **extra)


def test_decide_and_scale_up_in_one_step(make_experiment, make_dataset, officer, analyst):
    experiment = running(make_experiment, officer, analyst, "cluster_rct")
    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=2))
    move(actor=officer, experiment=experiment, transition="launch")
    with pytest.raises(Conflict):  # not analysed yet
        decide(
            actor=officer,
            experiment=experiment,
            decision_in=DecisionIn(choice="scale", rationale="Worked."),
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
    attach_data(
        actor=officer,
        experiment=experiment,
        attach_in=AttachIn(dataset=outcomes.slug, outcome="score", cluster="council"),
    )
    call_command("worker", "--batch")
    move(actor=officer, experiment=experiment, transition="analyse")
    with pytest.raises(Conflict):  # decisions have their own service
        move(actor=officer, experiment=experiment, transition="decide")
    assert suggest_evidence_level(experiment) == (3, "causal")
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
        scale_up(
            actor=officer, experiment=experiment, scale_up_in=ScaleUpIn(councils=["W06000015"])
        )
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
    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=5))
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


def test_a_stepped_wedge_report_pdf_shows_the_pages_charts_in_words_not_codes(demo):
    """The report used to draw its flow as black boxes, print "stepped_wedge" and
    "step_1 1; step_2 1", show "Allocated –" and leave out the forest plot."""
    from infuse.adaption.models import Experiment
    from tests.pdf_pages import page_problems, page_text

    hubs = Experiment.objects.get(design="stepped_wedge")
    for prefix, words in (("", ("Step 1: 1", "Effect by council", "was higher by")), ("/cy", ())):
        pdf = Client().get(f"{prefix}/experiments/{hubs.slug}/report.pdf").content
        assert page_problems(pdf) == []
        text = page_text(pdf)
        assert all(word in text for word in words), text
        for code in ("stepped_wedge", "step_1", "treatment", "Allocated", "Dyrannwyd"):
            assert code not in text
        # the outcome by the name the team registered (not the data's column), and the
        # councils of the forest plot
        assert "Adult wellbeing (WEMWBS)" in text and "Merthyr" in text
