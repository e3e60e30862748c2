"""Adaption Lab fixtures: a Cardiff officer and analyst, and experiments made through services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def officer(make_person: Callable[..., Any]) -> Any:
    return make_person("officer")


@pytest.fixture
def analyst(make_person: Callable[..., Any]) -> Any:
    return make_person("analyst")


@pytest.fixture
def make_experiment(officer: Any) -> Callable[..., Any]:
    from infuse.adaption import services
    from infuse.core.models import Organisation

    def make(design: str = "cluster_rct", *, actor: Any = None, **extra: Any) -> Any:
        fields = services.ExperimentFields(
            title_en=extra.pop("title_en", "Warm hubs"),
            title_cy=extra.pop("title_cy", "Hybiau cynnes"),
            owner=Organisation.objects.get(slug="cardiff"),
            design=design,
            councils=extra.pop("councils", ["W06000015", "W06000022", "W06000020", "W06000013"]),
            **extra,
        )
        return services.create_experiment(actor=actor or officer, fields=fields)

    return make


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
