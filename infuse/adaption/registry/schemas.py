"""Input and output of the registry's use cases: an experiment's entry, its outcomes and the
learning library's filters. The pages' forms, the API and the CLI all build these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from infuse.adaption.models import Experiment, Outcome


class ExperimentIn(Schema):
    """What a person writes about an experiment (the registry entry); ``owner`` is the slug of
    one of the organisations they work with data for, councils are GSS codes."""

    title_en: str
    title_cy: str
    owner: str
    design: str
    problem_en: str = ""
    problem_cy: str = ""
    hypothesis_en: str = ""
    hypothesis_cy: str = ""
    intervention_en: str = ""
    intervention_cy: str = ""
    councils: list[str] = []
    themes: list[str] = []
    goals: list[str] = []
    ways_of_working: dict[str, str] = {}
    public: bool = False

    @classmethod
    def of(cls, experiment: Experiment, **changes: Any) -> ExperimentIn:
        """The entry as stored (an edit page's starting values; a scale-up's template)."""
        stored = {
            "title_en": experiment.title_en,
            "title_cy": experiment.title_cy or "",
            "owner": experiment.owner.slug,
            "design": experiment.design,
            "problem_en": experiment.problem_en or "",
            "problem_cy": experiment.problem_cy or "",
            "hypothesis_en": experiment.hypothesis_en or "",
            "hypothesis_cy": experiment.hypothesis_cy or "",
            "intervention_en": experiment.intervention_en or "",
            "intervention_cy": experiment.intervention_cy or "",
            "councils": [c.gss_code for c in experiment.councils.all()],
            "themes": [t.code for t in experiment.themes.all()],
            "goals": [g.code for g in experiment.goals.all()],
            "ways_of_working": dict(experiment.ways_of_working),
            "public": experiment.public,
        }
        return cls(**{**stored, **changes})


class OutcomeIO(Schema):
    """One outcome: primary or secondary, and the Data Lab dataset column or indicator that
    measures it (slugs; either may be empty while the experiment is a draft). ``name`` is the
    outcome's name in English, ``name_cy`` in Welsh: one of them is needed."""

    kind: str
    name: str = ""
    name_cy: str = ""
    dataset: str = ""
    column: str = ""
    indicator: str = ""

    @classmethod
    def of(cls, outcome: Outcome) -> OutcomeIO:
        return cls(
            kind=outcome.kind,
            name=outcome.name_en or "",
            name_cy=outcome.name_cy or "",
            dataset=outcome.dataset.slug if outcome.dataset else "",
            column=outcome.column,
            indicator=outcome.indicator.slug if outcome.indicator else "",
        )


class LibraryQuery(Schema):
    """The learning library's filters; ``result`` is "effect" (the interval excludes no effect),
    "no-clear-effect" or "not-analysed"."""

    q: str = ""
    design: str = ""
    status: str = ""
    theme: str = ""
    goal: str = ""
    council: str = ""
    result: str = ""


class ProtocolVersionOut(Schema):
    version: int
    sha256: str
    registered_at: datetime
    reason: str
    allows_rerandomisation: bool


class ExperimentOut(Schema):
    slug: str
    title_en: str
    title_cy: str
    owner: str
    design: str
    status: str
    public: bool
    problem_en: str
    hypothesis_en: str
    intervention_en: str
    councils: list[str]
    themes: list[str]
    goals: list[str]
    ways_of_working: dict[str, str]
    outcomes: list[OutcomeIO]
    design_parameters: dict
    protocols: list[ProtocolVersionOut]
    randomised: bool

    @classmethod
    def of(cls, experiment: Experiment) -> ExperimentOut:
        return cls(
            slug=experiment.slug,
            title_en=experiment.title_en,
            title_cy=experiment.title_cy or "",
            owner=experiment.owner.slug,
            design=experiment.design,
            status=experiment.status,
            public=experiment.public,
            problem_en=experiment.problem_en or "",
            hypothesis_en=experiment.hypothesis_en or "",
            intervention_en=experiment.intervention_en or "",
            councils=[c.gss_code for c in experiment.councils.all()],
            themes=[t.code for t in experiment.themes.all()],
            goals=[g.code for g in experiment.goals.all()],
            ways_of_working=experiment.ways_of_working,
            outcomes=[
                OutcomeIO.of(o) for o in experiment.outcomes.select_related("dataset", "indicator")
            ],
            design_parameters=experiment.design_parameters,
            protocols=[
                ProtocolVersionOut.from_orm(p) for p in experiment.protocols.order_by("version")
            ],
            randomised=experiment.allocations.exists(),
        )
