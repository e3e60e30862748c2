"""An experiment's task list: each step's status from the records, who can take it (by name,
or who can give the role when nobody holds it), and links only where the reader may act."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infuse.adaption.models import Experiment
from infuse.adaption.randomisation.schemas import RandomiseIn
from infuse.adaption.randomisation.services import randomise
from infuse.adaption.registry.services import move
from infuse.adaption.registry.steps import experiment_steps
from infuse.core.tasklist import StepStatus
from tests.adaption.conftest import registered
from tests.clients import signed_in_as as client_for

pytestmark = pytest.mark.django_db


def by_key(person: Any, experiment: Experiment) -> dict[str, Any]:
    return {step.key: step for step in experiment_steps(person, experiment).steps}


def test_a_new_draft_leads_its_team_to_the_first_open_step(
    make_experiment: Callable[..., Any], officer: Any
) -> None:
    experiment = make_experiment()
    tasks = experiment_steps(officer, experiment)
    steps = {step.key: step for step in tasks.steps}
    assert steps["describe"].status == StepStatus.IN_PROGRESS
    assert steps["outcomes"].status == StepStatus.NOT_STARTED
    assert steps["designed"].status == StepStatus.CANNOT_START
    assert "primary outcome" in str(steps["designed"].hint)
    assert steps["designed"].url == ""
    assert tasks.next_step is not None and tasks.next_step.key == "describe"
    assert tasks.next_step.url.endswith(f"/experiments/{experiment.slug}/edit/")
    assert tasks.completed == 0 and tasks.total == 10  # a cluster trial: randomise included


def test_an_officer_sees_the_randomisation_waits_on_a_named_analyst(
    make_experiment: Callable[..., Any], officer: Any, make_person: Callable[..., Any]
) -> None:
    experiment = registered(make_experiment, officer)
    steps = by_key(officer, experiment)
    assert [steps[k].status for k in ("outcomes", "designed", "register")] == [
        StepStatus.COMPLETED
    ] * 3
    randomising = steps["randomise"]
    assert randomising.status == StepStatus.NOT_STARTED and not randomising.yours
    assert randomising.url == ""
    assert "Nobody holds that role there yet" in str(randomising.who)
    assert steps["launch"].status == StepStatus.CANNOT_START
    assert "randomised" in str(steps["launch"].hint)

    analyst = make_person("analyst", full_name="Alys Bevan")
    steps = by_key(officer, experiment)
    assert "Alys Bevan" in str(steps["randomise"].who)
    tasks = experiment_steps(officer, experiment)
    assert tasks.waiting_on_others is not None and tasks.waiting_on_others.key == "randomise"

    as_analyst = by_key(analyst, experiment)
    assert as_analyst["randomise"].url.endswith("/randomise/") and as_analyst["randomise"].yours

    randomise(actor=analyst, experiment=experiment, randomise_in=RandomiseIn(seed=7))
    steps = by_key(officer, experiment)
    assert steps["randomise"].status == StepStatus.COMPLETED
    assert steps["launch"].status == StepStatus.NOT_STARTED
    assert steps["launch"].url.endswith("/move/launch/")


def test_the_public_sees_no_links_and_no_names(
    make_experiment: Callable[..., Any], officer: Any, make_person: Callable[..., Any]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    make_person("analyst", full_name="Alys Bevan")
    experiment = registered(make_experiment, officer, public=True)
    steps = experiment_steps(AnonymousUser(), experiment).steps
    assert all(step.url in ("", f"/experiments/{experiment.slug}/design/") for step in steps)
    assert not any("Alys Bevan" in str(step.who) for step in steps)


def test_a_closed_experiment_keeps_what_it_did_and_nothing_more_can_start(
    make_experiment: Callable[..., Any], officer: Any
) -> None:
    experiment = registered(make_experiment, officer, design="did")
    move(actor=officer, experiment=experiment, transition="close")
    steps = by_key(officer, experiment)
    assert steps["register"].status == StepStatus.COMPLETED
    assert steps["launch"].status == StepStatus.CANNOT_START
    assert "closed" in str(steps["launch"].hint) and steps["launch"].url == ""


def test_launching_asks_first_and_then_says_what_comes_next(
    make_experiment: Callable[..., Any], officer: Any
) -> None:
    experiment = registered(make_experiment, officer, design="did")
    web = client_for(officer)
    url = f"/experiments/{experiment.slug}/"
    page = web.get(url).content.decode()
    assert "govuk-task-list" in page and f'href="{url}move/launch/"' in page
    confirm = web.get(f"{url}move/launch/")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "This cannot be undone." in text
    assert Experiment.objects.get().status == "registered"  # asking changed nothing
    done = web.post(f"{url}move/launch/")
    assert done.status_code == 302 and done["Location"] == f"{url}#steps"
    after = web.get(url).content.decode()
    assert "The experiment is now Running." in after
    assert "What to do next:" in after and "Attach the outcome data" in after
    assert web.get(f"{url}move/no-such-move/").status_code == 404


def test_a_move_that_cannot_be_made_is_never_offered(
    make_experiment: Callable[..., Any], officer: Any
) -> None:
    """A running experiment with no analysis cannot be marked analysed: no button, and the
    confirmation page goes back with the reason instead of offering one."""
    from infuse.adaption.registry.services import can_move

    experiment = registered(make_experiment, officer, design="did")
    move(actor=officer, experiment=experiment, transition="launch")
    assert not can_move(officer, experiment, "analyse")
    web = client_for(officer)
    url = f"/experiments/{experiment.slug}/"
    assert f"{url}move/analyse/" not in web.get(url).content.decode()
    asked = web.get(f"{url}move/analyse/")
    assert asked.status_code == 302 and asked["Location"] == url
    shown = web.get(url).content.decode()
    assert "Run the analysis before marking the experiment analysed." in shown
    assert web.post(f"{url}move/analyse/").status_code == 302
    assert Experiment.objects.get().status == "running"
    draft = make_experiment(title_en="Another")
    refused = web.get(f"/experiments/{draft.slug}/move/launch/", follow=True).content.decode()
    assert "cannot be moved that way (Launch)" in refused


@pytest.mark.django_db(transaction=True)
def test_finished_results_lead_to_marking_them_final_then_the_decision(
    make_experiment: Callable[..., Any], make_dataset: Callable[..., Any], officer: Any
) -> None:
    """Once an analysis has finished the next step is to mark the results final (it used to
    keep pointing at attaching the data again, a dead end before the decision)."""
    from infuse.adaption.models import AnalysisRun

    experiment = registered(make_experiment, officer, design="did")
    move(actor=officer, experiment=experiment, transition="launch")
    steps = by_key(officer, experiment)
    assert steps["final"].status == StepStatus.CANNOT_START
    assert steps["final"].hint == "There are results once an analysis has finished."
    from tests.adaption.conftest import upload

    data = upload(make_dataset, officer, "council,y\nW06000015,1\n")
    AnalysisRun.objects.create(  # as a finished analysis leaves it (its numbers do not matter)
        experiment=experiment,
        protocol=experiment.latest_protocol,
        dataset_version=data.latest_version,
        created_by=officer,
        state=AnalysisRun.State.DONE,
    )
    tasks = experiment_steps(officer, experiment)
    steps = {step.key: step for step in tasks.steps}
    assert steps["analyse"].status == StepStatus.COMPLETED
    assert steps["analyse"].url == f"/experiments/{experiment.slug}/results/"
    assert tasks.next_step is not None and tasks.next_step.key == "final"
    assert steps["final"].url == f"/experiments/{experiment.slug}/move/analyse/"
    move(actor=officer, experiment=experiment, transition="analyse")
    steps = by_key(officer, experiment)
    assert steps["final"].status == StepStatus.COMPLETED
    assert steps["decide"].url == f"/experiments/{experiment.slug}/decision/"
