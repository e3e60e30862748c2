"""A dataset's steps, as its page's task list: describe it, (optionally) declare its columns,
upload the data and read the report, (optionally) shape it with a recipe, make indicators from
it, share it.

Statuses come from the records: a rejected or failed last upload keeps the upload step "in
progress" and links to its report, so a person never has to hunt for why a file was refused.
The publisher's officers and analysts take every step.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from infuse.core.permissions import DATA_ROLES, can
from infuse.core.tasklist import Step, TaskList, status_of, who_can
from infuse.datalab.models import Dataset, DatasetUpload, Visibility

WAITING = (DatasetUpload.Status.QUEUED, DatasetUpload.Status.PROCESSING)
REFUSED = (DatasetUpload.Status.REJECTED, DatasetUpload.Status.FAILED)


def _upload_step(dataset: Dataset, changes: bool, who: str) -> Step:
    last = dataset.uploads.order_by("-created_at").first()
    has_version = dataset.versions.exists()
    upload_url = reverse("datalab:upload", kwargs={"slug": dataset.slug}) if changes else ""
    if last is not None and last.status == DatasetUpload.Status.WAITING:
        hint = _("Check how the latest file is read, then convert it.")
        url = reverse("datalab:upload_check", kwargs={"upload_id": last.pk}) if changes else ""
    elif last is not None and last.status in WAITING:
        hint = _("The latest file is being checked.")
        url = reverse("datalab:upload_status", kwargs={"upload_id": last.pk}) if changes else ""
    elif last is not None and last.status in REFUSED:
        hint = _("The latest file was not accepted: its report says why and how to fix it.")
        url = reverse("datalab:upload_status", kwargs={"upload_id": last.pk}) if changes else ""
    else:
        hint, url = "", upload_url
    return Step(
        "upload",
        _("Upload the data and read the checks"),
        status_of(done=has_version and not hint, started=last is not None),
        who=who,
        hint=hint,
        url=url,
        yours=changes,
    )


def _recipe_step(dataset: Dataset, changes: bool, who: str, has_version: bool) -> Step:
    return Step(
        "recipe",
        _("Shape the data for indicators: one area column, the year (optional)"),
        status_of(done=bool(dataset.recipe), ready=has_version),
        who=who,
        hint="" if has_version else _("Upload the data first."),
        url=reverse("datalab:recipe", kwargs={"slug": dataset.slug})
        if changes and has_version
        else "",
        yours=changes,
        optional=True,
    )


def dataset_steps(person: Any, dataset: Dataset) -> TaskList:
    """The dataset's task list as ``person`` sees it (links only where they may act)."""
    changes = can(person, "datalab.change_dataset", dataset)
    who = who_can(person, _("Officers and analysts"), dataset.publisher, DATA_ROLES)
    edit = reverse("datalab:dataset_edit", kwargs={"slug": dataset.slug}) if changes else ""
    has_version = dataset.versions.exists()
    described = bool((dataset.description_en or "").strip()) and (
        dataset.themes.exists() or dataset.goals.exists()
    )
    shared = dataset.visibility != Visibility.PRIVATE
    return TaskList(
        (
            Step(
                "describe",
                _("Describe it and tag its goals and themes"),
                status_of(done=described, started=True),
                who=who,
                url=edit,
                yours=changes,
            ),
            Step(
                "schema",
                _("Declare its columns and their checks (optional)"),
                status_of(done=dataset.declared_schema is not None),
                who=who,
                url=reverse("datalab:dataset_schema", kwargs={"slug": dataset.slug})
                if changes
                else "",
                yours=changes,
                optional=True,
            ),
            _upload_step(dataset, changes, who),
            _recipe_step(dataset, changes, who, has_version),
            Step(
                "indicators",
                _("Make an indicator from it (optional)"),
                status_of(done=dataset.indicators.exists(), ready=has_version),
                who=who,
                hint="" if has_version else _("Upload the data first."),
                url=reverse("datalab:indicator_create", kwargs={"slug": dataset.slug})
                if changes and has_version
                else "",
                yours=changes,
                optional=True,
            ),
            Step(
                "share",
                _("Share it with the region or the public"),
                status_of(done=shared, ready=has_version),
                who=who,
                hint=""
                if has_version or shared
                else _("Share it once its data has passed the checks."),
                url=edit if has_version else "",
                yours=changes,
            ),
        )
    )
