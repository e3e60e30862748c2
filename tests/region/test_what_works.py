"""The what-works page and its API: each decided experiment with its finding, decision,
standard of evidence, cost and councils, filtered; and a pooled forest plot where
experiments share an outcome."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from infuse.adaption.decisions.evidence import decided
from infuse.adaption.models import Decision

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_and_the_api_show_every_decided_experiment_the_public_may_read(demo):
    client = Client()
    rows = decided(None)
    assert rows  # the demo has a decided experiment
    page = client.get("/what-works/")
    body = client.get("/api/v1/what-works").json()
    assert [r["experiment"] for r in body["experiments"]] == [r.experiment.slug for r in rows]
    for row, out in zip(rows, body["experiments"], strict=True):
        decision = Decision.objects.filter(experiment=row.experiment).first()
        assert out["decision"] == decision.choice
        assert out["evidence_level"] == decision.evidence_level
        assert out["cost_per_unit_pence"] == decision.cost_per_unit_pence
        assert sorted(out["tried"]) == sorted(c.slug for c in row.experiment.councils.all())
        assert row.experiment.get_absolute_url() in page.text
        assert escape(decision.get_choice_display()) in page.text
        assert "95% confidence interval" in page.text  # the finding in words
    welsh = client.get("/cy/what-works/").text
    assert "What it found" not in welsh and 'lang="cy"' in welsh


def test_filters_narrow_the_evidence(demo):
    client = Client()
    row = decided(None)[0]
    tried, other = row.tried[0].slug, "cardiff"
    assert other not in [c.slug for c in row.tried]
    shown = client.get(f"/what-works/?council={tried}").text
    assert row.experiment.get_absolute_url() in shown
    hidden = client.get(f"/what-works/?council={other}").text
    assert row.experiment.get_absolute_url() not in hidden and "No decided experiments" in hidden
    api = client.get("/api/v1/what-works", {"design": row.experiment.design}).json()
    assert row.experiment.slug in [r["experiment"] for r in api["experiments"]]
    goal = row.experiment.goals.first()
    if goal is not None:
        assert client.get("/api/v1/what-works", {"goal": goal.code}).json()["experiments"]


def test_filters_and_codes_that_are_not_codes_are_not_found_not_errors(demo):
    client = Client()
    assert client.get("/what-works/?goal=%00&council=<b>").status_code == 200
    assert client.get("/api/v1/what-works?goal=%00").status_code == 400
    for path in ("/api/v1/goals/%00", "/api/v1/councils/%00", "/goals/a%00b/"):
        assert client.get(path).status_code == 404


def test_a_draft_scale_up_is_not_yet_a_council_that_took_it_up(demo):
    from infuse.adaption.decisions import services as decisions
    from infuse.adaption.decisions.schemas import ScaleUpIn
    from infuse.core.models import Council, Person

    row = next(r for r in decided(None) if r.decision.choice == "scale")
    owner = Person.objects.filter(
        memberships__organisation=row.experiment.owner, memberships__role="analyst"
    ).first() or Person.objects.get(email="data@infuse.example")
    councils = [c.gss_code for c in Council.objects.exclude(experiments=row.experiment)[:2]]
    decisions.scale_up(
        actor=owner, experiment=row.experiment, scale_up_in=ScaleUpIn(councils=councils)
    )
    after = next(r for r in decided(None) if r.experiment == row.experiment)
    assert after.adopted == []
