"""Forms of the catalogue's pages: thin adapters that build the use cases' schemas."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from infuse.core.date_input import DateInputField
from infuse.core.forms import SchemaForm, bilingual, choice_field
from infuse.core.models import Council, Organisation, Theme, WellbeingGoal
from infuse.core.permissions import data_organisations
from infuse.datalab.catalogue.schemas import CatalogueQuery, DatasetChangeIn, DatasetIn
from infuse.datalab.models import Licence, UpdateFrequency, ValidationPolicy, Visibility


def tag_options(kind: str) -> list[tuple[str, str]]:
    """The choices of ``"themes"``, ``"goals"`` or ``"councils"``, from the reference data."""
    if kind == "themes":
        return [(t.code, t.name) for t in Theme.objects.all()]
    if kind == "goals":
        return [(g.code, g.name) for g in WellbeingGoal.objects.all()]
    return [(c.gss_code, c.name) for c in Council.objects.all()]


class DatasetChangeForm(SchemaForm):
    """A dataset's catalogue entry, as its edit page changes it."""

    schema: ClassVar[type[BaseModel]] = DatasetChangeIn
    optional_fields = frozenset(
        {
            "description_en",
            "description_cy",
            "themes",
            "goals",
            "councils",
            "spatial_coverage_en",
            "spatial_coverage_cy",
            "temporal_start",
            "temporal_end",
            "contact_email",
        }
    )

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    description_en, description_cy = bilingual(
        _("Description"),
        textarea=True,
        help_text=_("What the data records, where it comes from, and what to watch out for."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect,
    )
    licence = forms.ChoiceField(
        label=_("Licence"), choices=Licence.choices, initial=Licence.OGL_3, widget=forms.RadioSelect
    )
    update_frequency = forms.ChoiceField(
        label=_("How often it is updated"),
        choices=UpdateFrequency.choices,
        initial=UpdateFrequency.IRREGULAR,
    )
    validation_policy = forms.ChoiceField(
        label=_("When an upload has invalid rows"),
        choices=ValidationPolicy.choices,
        initial=ValidationPolicy.REJECT,
        widget=forms.RadioSelect,
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    councils = forms.MultipleChoiceField(
        label=_("Councils covered"), required=False, widget=forms.CheckboxSelectMultiple
    )
    spatial_coverage_en, spatial_coverage_cy = bilingual(
        _("Area covered"), max_length=200, help_text=_("For example: Cardiff Capital Region")
    )
    temporal_start = DateInputField(label=_("Covers from"), required=False)
    temporal_end = DateInputField(label=_("Covers to"), required=False)
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in ("themes", "goals", "councils"):
            choice_field(self, kind).choices = tag_options(kind)


class DatasetForm(DatasetChangeForm):
    """A new dataset: its catalogue entry and the organisation that publishes it."""

    schema = DatasetIn
    # The publisher comes after the descriptions, as on the page (and in its error summary).
    field_order = ["title_en", "title_cy", "description_en", "description_cy", "publisher"]

    publisher = forms.ChoiceField(label=_("Publisher"))

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        publishers = Organisation.objects.filter(pk__in=data_organisations(person))
        choice_field(self, "publisher").choices = [(o.slug, o.name) for o in publishers]


class CatalogueSearchForm(SchemaForm):
    schema = CatalogueQuery

    q = forms.CharField(label=_("Search datasets"), required=False, max_length=200)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    goal = forms.ChoiceField(label=_("Well-being goal"), required=False)
    council = forms.ChoiceField(label=_("Council"), required=False)
    file_format = forms.ChoiceField(label=_("Format"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything: list[tuple[str, Any]] = [("", _("Any"))]
        for name, kind in (("theme", "themes"), ("goal", "goals"), ("council", "councils")):
            choice_field(self, name).choices = anything + tag_options(kind)
        choice_field(self, "file_format").choices = [
            *anything,
            ("csv", "CSV"),
            ("xlsx", "XLSX"),
            ("parquet", "Parquet"),
            ("json", "JSON"),
            ("ndjson", "NDJSON"),
        ]

    def schema_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["text"] = data.pop("q")
        return data
