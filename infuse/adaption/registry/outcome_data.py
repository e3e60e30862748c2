"""An experiment's data in the Data Lab, read the same way by every slice.

Outcomes name a Data Lab dataset's column (or an indicator); the randomisation reads its units,
the design page the outcome's past and the analysis the outcomes, each from a dataset's latest
version as the person may see it. This module says which version that is (refusing, with the
field to change, a dataset with no data yet), which columns it has, and how councils are named
in data. A mapping the data cannot follow is a :class:`MappingError`: it names the form field
and keeps its message untranslated, because a background task stores it and the page shows it
later in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils.translation import gettext as _

from infuse.core.errors import FieldProblem, InvalidInput
from infuse.core.models import Council
from infuse.datalab.catalogue import services as data


@dataclass
class MappingError(Exception):
    """A mapping the data cannot follow. ``message`` is the untranslated text (with
    ``%(name)s`` placeholders filled from ``params``), translated when it is shown."""

    field: str
    message: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def text(self) -> str:
        return _(self.message) % self.params if self.params else _(self.message)

    def problem(self) -> InvalidInput:
        """The same refusal for a person waiting on a page (or the API): the field to change."""
        return InvalidInput(problems=[FieldProblem(self.field, self.text())])


def latest_version(actor: Any, slug: str, *, field: str = "dataset") -> tuple[Any, Any]:
    """The dataset ``slug`` as ``actor`` may see it, and its latest version.

    Raises NotFound for a dataset the person may not see, and InvalidInput on ``field`` when it
    has no data yet.
    """
    dataset = data.get_dataset(actor=actor, slug=slug)
    version = dataset.latest_version
    if version is None:
        raise InvalidInput(problems=[FieldProblem(field, _("The dataset has no data yet"))])
    return dataset, version


def column_names(version: Any) -> set[str]:
    """The names of a dataset version's columns."""
    return {column["name"] for column in version.fields}


def unknown_columns(version: Any, wanted: Iterable[tuple[str, str]]) -> list[FieldProblem]:
    """A problem on each form field (``(field, column)`` pairs) naming a column the version
    does not have; empty names are not asked for and pass."""
    columns = column_names(version)
    return [
        FieldProblem(field, _("The dataset has no column ‘%(column)s’") % {"column": column})
        for field, column in wanted
        if column and column not in columns
    ]


def council_names() -> list[tuple[str, str, str]]:
    """Every council as (GSS code, English name, Welsh name), the Welsh falling back to the
    English: the names people write in data, for :func:`infuse.core.councils.council_lookup`."""
    return [
        (gss, english, welsh or english)
        for gss, english, welsh in Council.objects.values_list("gss_code", "name_en", "name_cy")
    ]
