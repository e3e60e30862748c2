"""The demo region: one person per role, each at a fitting organisation.

Loading is idempotent: people and roles that exist are kept, so ``make demo`` can run again
without duplicating anything. ``load_demo_data`` adds the Data Lab's datasets (see
``infuse.demo.datalab``) through the same services and background tasks a person would use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import transaction

from infuse.core import services
from infuse.core.models import Council, Membership, Organisation, Person, Role
from infuse.datalab.catalogue import services as catalogue
from infuse.datalab.catalogue.schemas import DatasetIn
from infuse.datalab.comparators import services as comparators
from infuse.datalab.comparators.schemas import ComparatorGroupIn
from infuse.datalab.indicators import services as indicators
from infuse.datalab.indicators.schemas import IndicatorIn
from infuse.datalab.ingest import services as ingest
from infuse.datalab.ingest.schemas import SchemaIn
from infuse.datalab.models import (
    ComparatorGroup,
    Dataset,
    DatasetUpload,
    DatasetVersion,
    Indicator,
    SavedQuery,
)
from infuse.datalab.sql import services as sql_services
from infuse.datalab.sql.schemas import SavedQueryIn
from infuse.demo.adaption import load_demo_trials
from infuse.demo.datalab import demo_datasets
from infuse.demo.procurement import load_demo_challenges
from infuse.demo.spend import load_demo_spend

SUPPLIER = ("dragon-data", "Dragon Data Cyf.", "Dragon Data Cyf.")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    organisation_slug: str


DEMO_PEOPLE = [
    DemoPerson("officer@infuse.example", "Ceri Jones", Role.OFFICER, "cardiff"),
    DemoPerson("analyst@infuse.example", "Dafydd Evans", Role.ANALYST, "newport"),
    # Cardiff's officer runs experiments for Cardiff; randomising them is an analyst's step in
    # the same council, so the demo has one there (the task list names her).
    DemoPerson("analyst.cardiff@infuse.example", "Alys Bevan", Role.ANALYST, "cardiff"),
    DemoPerson(
        "procurement@infuse.example", "Eleri Morgan", Role.PROCUREMENT_OFFICER, "rhondda-cynon-taf"
    ),
    DemoPerson(
        "procurement2@infuse.example", "Iolo Williams", Role.PROCUREMENT_OFFICER, "ccr-programme"
    ),
    DemoPerson("evaluator@infuse.example", "Gareth Price", Role.EVALUATOR, "bridgend"),
    DemoPerson("evaluator2@infuse.example", "Lowri Pugh", Role.EVALUATOR, "caerphilly"),
    DemoPerson("fund@infuse.example", "Siân Davies", Role.FUND_MANAGER, "ccr-programme"),
    DemoPerson("admin@infuse.example", "Rhian Thomas", Role.PROGRAMME_ADMIN, "ccr-programme"),
    DemoPerson("data@infuse.example", "Nia Roberts", Role.ANALYST, "ccr-programme"),
    DemoPerson("supplier@infuse.example", "Owen Hughes", Role.SUPPLIER, SUPPLIER[0]),
]


def load_demo_region(password: str | None = None) -> list[DemoPerson]:
    """Create (or keep) the demo organisations and people; returns who can sign in."""
    password = password or settings.INFUSE_DEMO_PASSWORD
    with transaction.atomic():
        slug, en, cy = SUPPLIER
        Organisation.objects.get_or_create(
            slug=slug,
            defaults={"kind": Organisation.Kind.SUPPLIER, "name": en, "name_en": en, "name_cy": cy},
        )
        for demo in DEMO_PEOPLE:
            person = Person.objects.filter(email=demo.email).first()
            if person is None:
                person = services.create_person(
                    actor=None, email=demo.email, full_name=demo.full_name, password=password
                )
            organisation = Organisation.objects.get(slug=demo.organisation_slug)
            if not Membership.objects.filter(
                person=person, organisation=organisation, role=demo.role
            ).exists():
                services.grant_membership(
                    actor=None, person=person, organisation=organisation, role=demo.role
                )
    return DEMO_PEOPLE


# Who uploads each demo publisher's data: a demo person holding a data role there.
PUBLISHERS = {
    "ccr-programme": "data@infuse.example",
    "cardiff": "officer@infuse.example",
    "newport": "analyst@infuse.example",
}
SAVED_QUERY = (
    "Emissions by sector in the region, latest year",
    "SELECT sector, round(sum(emissions_kt_co2e), 1) AS kt_co2e\n"
    "FROM greenhouse_gas_emissions_by_sector\n"
    "WHERE year = (SELECT max(year) FROM greenhouse_gas_emissions_by_sector)\n"
    "GROUP BY sector ORDER BY kt_co2e DESC",
)


# The Valleys councils: a group councils in the north of the region compare themselves with.
VALLEYS = ComparatorGroupIn(
    name_en="Valleys councils",
    name_cy="Cynghorau'r Cymoedd",
    councils=["W06000019", "W06000018", "W06000024", "W06000016", "W06000020"],
)


def run_tasks() -> None:
    """Run every queued task now (ingests, then the indicators they trigger)."""
    loggers = [logging.getLogger(name) for name in ("django_tasks_db", "django.tasks")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)  # the worker's per-task lines would drown the report
    try:
        call_command("worker", "--batch", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _dataset(demo: Any, actor: Person, report: Callable[[str], None]) -> None:
    """One demo dataset: made (with its declared schema), its files uploaded in order, its
    indicators defined — each only if not there already."""
    publisher = Organisation.objects.get(slug=demo.publisher)
    dataset = Dataset.objects.filter(publisher=publisher, title_en=demo.title_en).first()
    if dataset is None:
        dataset = catalogue.create_dataset(
            actor=actor,
            dataset_in=DatasetIn(
                title_en=demo.title_en,
                title_cy=demo.title_cy,
                description_en=demo.description_en,
                description_cy=demo.description_cy,
                publisher=publisher.slug,
                themes=demo.themes,
                goals=demo.goals,
                visibility=demo.visibility,
                validation_policy=demo.validation_policy,
                update_frequency=demo.update_frequency,
                spatial_coverage_en="Cardiff Capital Region",
                spatial_coverage_cy="Prifddinas-Ranbarth Caerdydd",
                temporal_start=demo.temporal[0],
                temporal_end=demo.temporal[1],
                contact_email=actor.email,
            ),
        )
        if demo.declared_schema is not None:
            ingest.set_declared_schema(
                actor=actor, dataset=dataset, schema_in=SchemaIn(schema=demo.declared_schema)
            )
    for file in demo.files:
        digest = hashlib.sha256(file.content).hexdigest()
        if DatasetUpload.objects.filter(dataset=dataset, sha256=digest).exists():
            continue  # loaded before (accepted or rejected)
        report(f"{demo.title_en}: {file.name}")
        ingest.upload_file(
            actor=actor, dataset=dataset, chunks=[file.content], original_name=file.name
        )
        run_tasks()  # in order: each file is a version on top of the last
    if demo.uploaded_on is not None:
        uploaded = dt.datetime.combine(demo.uploaded_on, dt.time(10), tzinfo=dt.UTC)
        DatasetVersion.objects.filter(dataset=dataset).update(created_at=uploaded)
    _indicators(demo, dataset, actor, report)


def _indicators(demo: Any, dataset: Dataset, actor: Person, report: Callable[[str], None]) -> None:
    """The demo dataset's indicators, each defined only if not there already."""
    for indicator in demo.indicators:
        if Indicator.objects.filter(dataset=dataset, title_en=indicator.title_en).exists():
            continue
        report(f"{demo.title_en}: {indicator.title_en}")
        indicators.create_indicator(
            actor=actor,
            dataset=dataset,
            indicator_in=IndicatorIn(
                title_en=indicator.title_en,
                title_cy=indicator.title_cy,
                description_en=indicator.description_en,
                description_cy=indicator.description_cy,
                rationale_en=indicator.rationale[0],
                rationale_cy=indicator.rationale[1],
                caveats_en=indicator.caveats[0],
                caveats_cy=indicator.caveats[1],
                source_en=indicator.source[0],
                source_cy=indicator.source[1],
                specification=indicator.specification,
                themes=indicator.themes,
                goals=indicator.goals,
            ),
        )


def load_demo_data(report: Callable[[str], None] = lambda _message: None) -> None:
    """Load the demo datasets, their indicators, the trials, the challenges and a saved query;
    idempotent."""
    people = {email: Person.objects.get(email=email) for email in PUBLISHERS.values()}
    for demo in demo_datasets(list(Council.objects.all())):
        _dataset(demo, people[PUBLISHERS[demo.publisher]], report)
    run_tasks()
    load_demo_trials(run_tasks, report)
    load_demo_challenges(settings.INFUSE_DEMO_PASSWORD, report)
    run_tasks()  # the loop's contract evaluation
    load_demo_spend(run_tasks, report)
    analyst = people[PUBLISHERS["ccr-programme"]]
    if not ComparatorGroup.objects.filter(name_en=VALLEYS.name_en).exists():
        comparators.create_group(actor=analyst, group_in=VALLEYS)
    title, sql = SAVED_QUERY
    if not SavedQuery.objects.filter(owner=analyst, title=title).exists():
        sql_services.save_query(actor=analyst, saved_query_in=SavedQueryIn(title=title, sql=sql))
