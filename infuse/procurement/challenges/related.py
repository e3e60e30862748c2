"""The challenges that cite a Data Lab dataset or indicator as evidence, for the Data Lab's
pages (registered with :mod:`infuse.datalab.related` at start-up)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from infuse.datalab.related import RelatedWork
from infuse.procurement.challenges.services import visible_challenges


def _challenge_links(challenges: Any) -> list[RelatedWork]:
    return [
        RelatedWork(
            "challenges",
            c.title,
            reverse("procurement:challenge", kwargs={"slug": c.slug}),
            c.published_at.date() if c.published_at else None,
        )
        for c in challenges.distinct()
    ]


def citing_indicator(actor: Any, indicator: Any) -> list[RelatedWork]:
    return _challenge_links(visible_challenges(actor).filter(evidence_indicators=indicator))


def citing_dataset(actor: Any, dataset: Any) -> list[RelatedWork]:
    return _challenge_links(visible_challenges(actor).filter(evidence_datasets=dataset))
