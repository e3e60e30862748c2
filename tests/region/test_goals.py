"""Goal and theme pages: every figure against the records it sums, as each reader may see
them, in both languages, and the same in the API."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils.html import escape

from infuse.core.models import Person, Theme, WellbeingGoal
from infuse.fund.models import Commitment
from infuse.procurement.models import Challenge, Contract

pytestmark = pytest.mark.django_db(transaction=True)


def committed_and_paid(challenges) -> tuple[int, int]:
    contracts = Contract.objects.filter(award__phase__challenge__in=challenges)
    sums = Commitment.objects.filter(contract__in=contracts).aggregate(
        committed=Sum("amount_pence"), paid=Sum("paid_pence")
    )
    return sums["committed"] or 0, sums["paid"] or 0


def test_each_goal_counts_what_is_tagged_with_it_as_the_public_sees_it(demo):
    from infuse.adaption.models import Experiment
    from infuse.datalab.models import Dataset

    client = Client()
    seen_money = 0
    for goal in WellbeingGoal.objects.all():
        body = client.get(f"/api/v1/goals/{goal.code}").json()
        public_challenges = Challenge.objects.filter(goals=goal, published_at__isnull=False)
        assert {c["slug"] for c in body["work"]["challenges"]} == set(
            public_challenges.values_list("slug", flat=True)
        )
        assert {d["slug"] for d in body["work"]["datasets"]} == set(
            Dataset.objects.filter(goals=goal, visibility="public").values_list("slug", flat=True)
        )
        public = Experiment.objects.filter(
            goals=goal,
            public=True,
            status__in=["registered", "running", "analysed", "decided", "scaling", "closed"],
        )
        assert {e["slug"] for e in body["work"]["experiments"]} == set(
            public.values_list("slug", flat=True)
        )
        committed, paid = committed_and_paid(public_challenges)
        assert (body["work"]["committed_pence"], body["work"]["paid_pence"]) == (committed, paid)
        seen_money += committed
        page = client.get(f"/goals/{goal.code}/")
        assert page.status_code == 200 and escape(goal.name_en) in page.text
        for challenge in body["work"]["challenges"]:
            assert f"/procurement/challenges/{challenge['slug']}/" in page.text
        welsh = client.get(f"/cy/goals/{goal.code}/").text
        assert escape(goal.name_cy) in welsh and "Indicators" not in welsh
    assert seen_money > 0  # the demo's fund money reaches at least one goal


def test_people_of_the_region_also_see_what_is_kept_to_the_region(demo):
    from infuse.datalab.models import Dataset

    officer = Person.objects.get(email="officer@infuse.example")
    client = Client()
    client.force_login(officer)
    for goal in WellbeingGoal.objects.all():
        shown = {
            d["slug"] for d in client.get(f"/api/v1/goals/{goal.code}").json()["work"]["datasets"]
        }
        regional = Dataset.objects.filter(goals=goal, visibility__in=["public", "region"])
        assert set(regional.values_list("slug", flat=True)) <= shown


def test_themes_index_and_unknown_codes(demo):
    client = Client()
    index = client.get("/goals/").text
    for term in [*WellbeingGoal.objects.all(), *Theme.objects.all()]:
        assert escape(term.name_en) in index
    for theme in Theme.objects.all():
        assert client.get(f"/themes/{theme.code}/").status_code == 200
        assert client.get(f"/api/v1/themes/{theme.code}").json()["term"]["code"] == theme.code
    assert client.get("/goals/no-such-goal/").status_code == 404
    assert client.get("/api/v1/goals/no-such-goal").status_code == 404


def test_the_about_page_links_to_every_goal_theme_and_council(demo):
    from infuse.core.models import Council

    home = Client().get("/about/").text
    for goal in WellbeingGoal.objects.all():
        assert f'href="/goals/{goal.code}/"' in home
    for theme in Theme.objects.all():
        assert f'href="/themes/{theme.code}/"' in home
    for council in Council.objects.all():
        assert f'href="/councils/{council.slug}/"' in home
