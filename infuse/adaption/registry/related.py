"""The experiments that measure a Data Lab dataset or indicator, for the Data Lab's pages
(registered with :mod:`infuse.datalab.related` at start-up)."""

from __future__ import annotations

from typing import Any

from infuse.adaption.registry.services import visible_experiments
from infuse.datalab.related import RelatedWork


def _links(experiments: Any) -> list[RelatedWork]:
    return [
        RelatedWork(
            "experiments",
            experiment.title,
            experiment.get_absolute_url(),
            experiment.launched_at.date() if experiment.launched_at else None,
        )
        for experiment in experiments.distinct()
    ]


def measuring_indicator(actor: Any, indicator: Any) -> list[RelatedWork]:
    return _links(visible_experiments(actor).filter(outcomes__indicator=indicator))


def measuring_dataset(actor: Any, dataset: Any) -> list[RelatedWork]:
    return _links(visible_experiments(actor).filter(outcomes__dataset=dataset))
