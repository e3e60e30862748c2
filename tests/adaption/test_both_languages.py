"""What officers write is kept in English and in Welsh: outcome names, a protocol's answers and
a decision's rationale may be written in either language or both, and pages show the reader's
language, or the other one marked."""

from __future__ import annotations

import pytest
from django.test import Client

from infuse.adaption.decisions.schemas import DecisionIn
from infuse.adaption.decisions.services import _decision_problems
from infuse.adaption.protocol import services
from infuse.adaption.protocol.content import protocol_changes, protocol_digest
from infuse.adaption.protocol.schemas import ProtocolIn
from infuse.adaption.registry.schemas import OutcomeIO
from infuse.adaption.registry.services import move, set_outcomes
from infuse.core.errors import InvalidInput
from tests.adaption.conftest import PROTOCOL

pytestmark = pytest.mark.django_db

WELSH = {
    "hypotheses_cy": "Mae hybiau cynnes yn lleihau ymweliadau â'r meddyg teulu yn y gaeaf.",
    "missing_data_cy": "Dadansoddiad achosion cyflawn.",
}


def test_an_outcome_named_in_welsh_only_is_kept_and_a_nameless_one_refused(
    make_experiment, officer
):
    experiment = make_experiment("cluster_rct")
    with pytest.raises(InvalidInput) as refused:
        set_outcomes(actor=officer, experiment=experiment, outcomes=[OutcomeIO(kind="primary")])
    assert "in English or in Welsh" in str(refused.value.problems[0].message)
    [outcome] = set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name_cy="Ymweliadau â meddyg teulu")],
    )
    assert outcome.name_cy == "Ymweliadau â meddyg teulu" and not outcome.name_en
    assert OutcomeIO.of(outcome).name_cy == "Ymweliadau â meddyg teulu"


def test_a_welsh_answer_registers_and_an_english_only_protocol_keeps_its_digest(
    make_experiment, officer
):
    experiment = make_experiment("cluster_rct", public=True)
    set_outcomes(
        actor=officer, experiment=experiment, outcomes=[OutcomeIO(kind="primary", name="Visits")]
    )
    move(actor=officer, experiment=experiment, transition="design")
    # the hypotheses are answered in Welsh only: registration accepts that
    answers = {**PROTOCOL, "hypotheses": "", **WELSH}
    protocol = services.register_protocol(
        actor=officer, experiment=experiment, protocol_in=ProtocolIn(**answers)
    )
    assert protocol.content["hypotheses_cy"] == WELSH["hypotheses_cy"]
    assert protocol.sha256 == protocol_digest(protocol.content)
    # English only: no Welsh keys, so the content is what it was before Welsh answers existed
    english = ProtocolIn(**PROTOCOL).answers()
    assert not any(key.endswith("_cy") for key in english)
    # an amendment that empties a Welsh answer removes it, and the change is labelled in words
    amended = services.amend_protocol(
        actor=officer,
        experiment=experiment,
        protocol_in=ProtocolIn(**{**answers, "missing_data_cy": ""}, reason="Wedi'i gywiro."),
    )
    assert "missing_data_cy" not in amended.content
    [change] = protocol_changes(protocol, amended)
    assert change["label"] == "Missing data, in Welsh"
    # the English page shows the Welsh-only answer, marked as Welsh
    page = Client().get(f"/experiments/{experiment.slug}/protocol/1/").content.decode()
    assert f'<span lang="cy">{WELSH["hypotheses_cy"]}</span>'.replace("'", "&#x27;") in page
    assert "In Welsh only" in page


def test_a_rationale_in_either_language_is_enough():
    assert _decision_problems(DecisionIn(choice="scale", rationale_cy="Gweithiodd."), 3) == []
    [problem] = _decision_problems(DecisionIn(choice="scale"), 3)
    assert problem.field == "rationale"
