"""Adaption Lab fixtures: a Cardiff officer and analyst, and experiments made through services
(``registered``: with a primary outcome and its protocol; ``upload``: a dataset's rows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

PROTOCOL = {
    "hypotheses": "Warm hubs reduce winter GP visits among older residents.",
    "sample": "Four councils, all residents over 65; 80% power for a 10% reduction.",
    "stopping_rule": "None: the trial runs for one winter.",
    "randomisation_method": "Cluster randomisation of councils, seeded.",
    "randomisation_unit": "Council",
    "analysis_plan": "Difference in means with CR2 standard errors by council.",
    "exclusions": "Care home residents.",
    "missing_data": "Complete-case analysis, with multiple imputation as a sensitivity check.",
}


@pytest.fixture
def officer(make_person: Callable[..., Any]) -> Any:
    return make_person("officer")


@pytest.fixture
def analyst(make_person: Callable[..., Any]) -> Any:
    return make_person("analyst")


@pytest.fixture
def make_experiment(officer: Any) -> Callable[..., Any]:
    from infuse.adaption.registry.schemas import ExperimentIn
    from infuse.adaption.registry.services import create_experiment

    def make(design: str = "cluster_rct", *, actor: Any = None, **extra: Any) -> Any:
        experiment_in = ExperimentIn(
            title_en=extra.pop("title_en", "Warm hubs"),
            title_cy=extra.pop("title_cy", "Hybiau cynnes"),
            owner="cardiff",
            design=design,
            councils=extra.pop("councils", ["W06000015", "W06000022", "W06000020", "W06000013"]),
            **extra,
        )
        return create_experiment(actor=actor or officer, experiment_in=experiment_in)

    return make


def registered(
    make_experiment: Callable[..., Any],
    officer: Any,
    design: str = "cluster_rct",
    outcome: str = "GP visits per 1,000",
    **extra: Any,
) -> Any:
    """An experiment with its primary outcome, designed, its protocol registered."""
    from infuse.adaption.protocol.schemas import ProtocolIn
    from infuse.adaption.protocol.services import register_protocol
    from infuse.adaption.registry.schemas import OutcomeIO
    from infuse.adaption.registry.services import move, set_outcomes

    experiment = make_experiment(design, **extra)
    set_outcomes(
        actor=officer,
        experiment=experiment,
        outcomes=[OutcomeIO(kind="primary", name=outcome)],
    )
    move(actor=officer, experiment=experiment, transition="design")
    register_protocol(actor=officer, experiment=experiment, protocol_in=ProtocolIn(**PROTOCOL))
    return experiment


def upload(
    make_dataset: Callable[..., Any], officer: Any, text: str, title: str = "Outcomes"
) -> Any:
    """A dataset of ``text`` (CSV) in the Data Lab, ingested by the worker."""
    from django.core.management import call_command

    from infuse.datalab.ingest import services as data

    dataset = make_dataset(title, actor=officer)
    data.upload_file(actor=officer, dataset=dataset, chunks=[text.encode()], original_name="o.csv")
    call_command("worker", "--batch")
    return dataset
