"""Data Lab use cases: the catalogue, uploads and versions.

Every function takes the acting person first, checks permission, makes its change with its audit
event in one transaction, and raises ``infuse.core.errors`` types with field detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Council, Organisation, Person, Theme, WellbeingGoal
from infuse.core.permissions import can, data_organisations, is_region_member, memberships_of
from infuse.core.permissions import is_programme_admin as _is_programme_admin
from infuse.datalab.models import (
    Dataset,
    DatasetVersion,
    Licence,
    UpdateFrequency,
    ValidationPolicy,
    Visibility,
)


@dataclass
class DatasetFields:
    """What a person writes about a dataset (the catalogue entry)."""

    title_en: str
    title_cy: str
    publisher: Organisation
    description_en: str = ""
    description_cy: str = ""
    themes: list[str] = field(default_factory=list)  # theme codes
    goals: list[str] = field(default_factory=list)  # goal codes
    councils: list[str] = field(default_factory=list)  # GSS codes
    licence: str = Licence.OGL_3
    update_frequency: str = UpdateFrequency.IRREGULAR
    spatial_coverage: str = ""
    temporal_start: date | None = None
    temporal_end: date | None = None
    contact_email: str = ""
    visibility: str = Visibility.PRIVATE
    validation_policy: str = ValidationPolicy.REJECT


def _check_fields(fields: DatasetFields) -> tuple[list[Theme], list[WellbeingGoal], list[Council]]:
    problems: list[FieldProblem] = []
    if not fields.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not fields.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    for name, value in (("title_en", fields.title_en), ("title_cy", fields.title_cy)):
        if len(value) > 200:
            problems.append(FieldProblem(name, _("The title must be 200 characters or fewer")))
    choices = (
        ("licence", fields.licence, Licence.values, _("Choose a licence")),
        (
            "update_frequency",
            fields.update_frequency,
            UpdateFrequency.values,
            _("Choose how often the data is updated"),
        ),
        ("visibility", fields.visibility, Visibility.values, _("Choose who can see the dataset")),
        (
            "validation_policy",
            fields.validation_policy,
            ValidationPolicy.values,
            _("Choose what happens to invalid rows"),
        ),
    )
    for name, value, allowed, message in choices:
        if value not in allowed:
            problems.append(FieldProblem(name, message))
    if (
        fields.temporal_start
        and fields.temporal_end
        and fields.temporal_start > fields.temporal_end
    ):
        problems.append(
            FieldProblem(
                "temporal_end", _("The end of the period covered must be on or after its start")
            )
        )
    if fields.visibility == Visibility.PUBLIC and fields.licence == Licence.RESTRICTED:
        problems.append(
            FieldProblem(
                "licence", _("A public dataset needs an open licence, not a restricted one")
            )
        )
    themes = list(Theme.objects.filter(code__in=fields.themes))
    goals = list(WellbeingGoal.objects.filter(code__in=fields.goals))
    councils = list(Council.objects.filter(gss_code__in=fields.councils))
    if len(themes) != len(set(fields.themes)):
        problems.append(FieldProblem("themes", _("Choose themes from the list")))
    if len(goals) != len(set(fields.goals)):
        problems.append(FieldProblem("goals", _("Choose well-being goals from the list")))
    if len(councils) != len(set(fields.councils)):
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    if problems:
        raise InvalidInput(problems=problems)
    return themes, goals, councils


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100] or "dataset"
    slug, n = base, 1
    while Dataset.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _summary(dataset: Dataset) -> dict[str, Any]:
    return {
        "title_en": dataset.title_en,
        "title_cy": dataset.title_cy,
        "publisher": dataset.publisher.slug,
        "visibility": dataset.visibility,
        "licence": dataset.licence,
        "validation_policy": dataset.validation_policy,
        "themes": sorted(t.code for t in dataset.themes.all()),
        "goals": sorted(g.code for g in dataset.goals.all()),
        "councils": sorted(c.gss_code for c in dataset.councils.all()),
    }


def _apply(dataset: Dataset, fields: DatasetFields) -> None:
    for name in (
        "title_en",
        "title_cy",
        "description_en",
        "description_cy",
        "licence",
        "update_frequency",
        "spatial_coverage",
        "temporal_start",
        "temporal_end",
        "contact_email",
        "visibility",
        "validation_policy",
    ):
        value = getattr(fields, name)
        setattr(dataset, name, value.strip() if isinstance(value, str) else value)


def create_dataset(*, actor: Person, fields: DatasetFields) -> Dataset:
    """Add a catalogue entry published by one of the actor's organisations."""
    if not can(actor, "datalab.add_dataset"):
        raise PermissionDenied()
    if fields.publisher.pk not in data_organisations(actor):
        raise InvalidInput(
            problems=[FieldProblem("publisher", _("Choose an organisation you publish data for"))]
        )
    themes, goals, councils = _check_fields(fields)
    with transaction.atomic():
        dataset = Dataset(
            publisher=fields.publisher, created_by=actor, slug=_unique_slug(fields.title_en)
        )
        _apply(dataset, fields)
        dataset.save()
        dataset.themes.set(themes)
        dataset.goals.set(goals)
        dataset.councils.set(councils)
        audit.record_event(
            actor=actor, action="dataset.created", obj=dataset, after=_summary(dataset)
        )
    return dataset


def update_dataset(*, actor: Person, dataset: Dataset, fields: DatasetFields) -> Dataset:
    """Change a catalogue entry (the publisher stays; versions are untouched)."""
    if not can(actor, "datalab.change_dataset", dataset):
        raise PermissionDenied()
    fields.publisher = dataset.publisher
    themes, goals, councils = _check_fields(fields)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        before = _summary(dataset)
        _apply(dataset, fields)
        dataset.updated_at = timezone.now()
        dataset.save()
        dataset.themes.set(themes)
        dataset.goals.set(goals)
        dataset.councils.set(councils)
        after = _summary(dataset)
        changed = {k for k in after if after[k] != before[k]}
        audit.record_event(
            actor=actor,
            action="dataset.changed",
            obj=dataset,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return dataset


def visible_datasets(actor: Any) -> QuerySet[Dataset]:
    """Every dataset ``actor`` may see (the public sees public ones only)."""
    datasets = Dataset.objects.select_related("publisher")
    if _is_programme_admin(actor):
        return datasets
    condition = Q(visibility=Visibility.PUBLIC)
    if is_region_member(actor):
        condition |= Q(visibility=Visibility.REGION)
    own = {org for org, _kind, _role in memberships_of(actor)}
    if own:
        condition |= Q(publisher_id__in=own)
    return datasets.filter(condition)


@dataclass(frozen=True)
class CatalogueQuery:
    text: str = ""
    theme: str = ""
    goal: str = ""
    council: str = ""  # GSS code
    file_format: str = ""
    publisher: str = ""  # organisation slug


def search_datasets(actor: Any, query: CatalogueQuery) -> QuerySet[Dataset]:
    """Visible datasets matching a text search and facet filters."""
    datasets = visible_datasets(actor)
    text = query.text.strip()
    if text:
        for word in text.split()[:8]:
            datasets = datasets.filter(
                Q(title_en__icontains=word)
                | Q(title_cy__icontains=word)
                | Q(description_en__icontains=word)
                | Q(description_cy__icontains=word)
            )
    if query.theme:
        datasets = datasets.filter(themes__code=query.theme)
    if query.goal:
        datasets = datasets.filter(goals__code=query.goal)
    if query.council:
        datasets = datasets.filter(councils__gss_code=query.council)
    if query.publisher:
        datasets = datasets.filter(publisher__slug=query.publisher)
    if query.file_format:
        datasets = datasets.filter(versions__upload__file_format=query.file_format)
    return datasets.distinct()


def get_dataset(*, actor: Any, slug: str) -> Dataset:
    """A dataset the actor may see; NotFound otherwise (its existence is not revealed)."""
    dataset = Dataset.objects.select_related("publisher").filter(slug=slug).first()
    if dataset is None or not can(actor, "datalab.view_dataset", dataset):
        raise NotFound()
    return dataset


def get_version(*, actor: Any, dataset: Dataset, number: int) -> DatasetVersion:
    if not can(actor, "datalab.view_dataset", dataset):
        raise NotFound()
    version = dataset.versions.filter(number=number).first()
    if version is None:
        raise NotFound()
    return version
