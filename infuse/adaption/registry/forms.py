"""Forms of the registry's pages: thin adapters that build the registry's schemas."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from infuse.adaption.models import Design, Outcome, Status
from infuse.adaption.registry.schemas import ExperimentIn, LibraryQuery, OutcomeIO
from infuse.core.forms import SchemaForm, ServiceForm, bilingual, choice_field
from infuse.core.models import Council, Organisation, Theme, WayOfWorking, WellbeingGoal
from infuse.core.permissions import data_organisations


class ExperimentForm(SchemaForm):
    """The registry entry; each way of working gets its own box (``way_<code>``)."""

    schema = ExperimentIn
    optional_fields = frozenset(
        {
            "problem_en",
            "problem_cy",
            "hypothesis_en",
            "hypothesis_cy",
            "intervention_en",
            "intervention_cy",
            "councils",
            "themes",
            "goals",
        }
    )

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    problem_en, problem_cy = bilingual(
        _("The problem"),
        textarea=True,
        help_text=_("The regional problem the experiment is about, and the evidence for it."),
    )
    hypothesis_en, hypothesis_cy = bilingual(
        _("Hypothesis"), textarea=True, help_text=_("What you expect to happen, and why.")
    )
    intervention_en, intervention_cy = bilingual(
        _("Intervention"),
        textarea=True,
        help_text=_("What is done differently, by whom, for whom."),
    )
    owner = forms.ChoiceField(label=_("Owned by"))
    design = forms.ChoiceField(
        label=_("Design"), choices=Design.choices, widget=forms.RadioSelect, required=False
    )
    councils = forms.MultipleChoiceField(
        label=_("Councils involved"), required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    public = forms.BooleanField(
        label=_("Publish the experiment once it is registered"), required=False
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = Organisation.objects.filter(pk__in=data_organisations(person))
        choice_field(self, "owner").choices = [(o.slug, o.name) for o in owners]
        choice_field(self, "councils").choices = [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]
        choice_field(self, "themes").choices = [(t.code, t.name) for t in Theme.objects.all()]
        choice_field(self, "goals").choices = [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        self.ways = list(WayOfWorking.objects.all())
        self.optional_fields = self.optional_fields | {f"way_{way.code}" for way in self.ways}
        for way in self.ways:
            self.fields[f"way_{way.code}"] = forms.CharField(
                label=way.name,
                required=False,
                max_length=1000,
                help_text=way.description or "",
            )

    def way_fields(self) -> list[Any]:
        return [self[f"way_{way.code}"] for way in self.ways]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **data,
            "ways_of_working": {way.code: data.get(f"way_{way.code}", "") for way in self.ways},
        }

    @staticmethod
    def initial_from(value: BaseModel) -> dict[str, Any]:
        """The stored entry, each way of working in its own box."""
        stored = value.model_dump()
        ways = stored.pop("ways_of_working")
        return {**stored, **{f"way_{code}": text for code, text in ways.items()}}


class OutcomeForm(SchemaForm):
    """One outcome; its source is a dataset's column (``column:DATASET:COLUMN``) or an
    indicator (``indicator:SLUG``), from the Data Lab."""

    schema = OutcomeIO

    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices)
    name, name_cy = bilingual(_("Outcome"), max_length=200)
    source = forms.ChoiceField(
        label=_("Measured by"),
        required=False,
        help_text=_("A dataset's column, or an indicator, from the Data Lab."),
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "source").choices = [("", _("Not chosen yet")), *sources]

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _sep, rest = (data.get("source") or "").partition(":")
        dataset, _sep, column = rest.partition(":")
        return {
            "kind": data["kind"],
            "name": data["name"],
            "name_cy": data["name_cy"],
            "dataset": dataset if kind == "column" else "",
            "column": column if kind == "column" else "",
            "indicator": rest if kind == "indicator" else "",
        }

    @staticmethod
    def initial_from(value: BaseModel) -> dict[str, Any]:
        outcome = OutcomeIO.model_validate(value)
        source = (
            f"indicator:{outcome.indicator}"
            if outcome.indicator
            else f"column:{outcome.dataset}:{outcome.column}"
            if outcome.dataset
            else ""
        )
        return {
            "kind": outcome.kind,
            "name": outcome.name,
            "name_cy": outcome.name_cy,
            "source": source,
        }


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=0)


class OutcomesForm(ServiceForm):
    """The outcomes page: a row per outcome (a formset) that builds the list of outcomes the
    service replaces them with; rows left without a name are dropped.

    The rows' own problems (a choice that is not offered) are shown on the rows; they also make
    this form invalid, so the page answers 400 as any refused form does.
    """

    ROWS = 5

    def __init__(
        self, data: Any, *, outcomes: list[OutcomeIO], sources: list[tuple[str, str]]
    ) -> None:
        super().__init__(data)
        rows = [OutcomeForm.initial_from(o) for o in outcomes]
        more = {"kind": "primary" if not rows else "secondary"}
        self.formset = OutcomeFormSet(
            data,
            initial=rows + [more] * (self.ROWS - len(rows)),
            prefix="outcome",
            form_kwargs={"sources": sources},
        )

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and not self.formset.is_valid():
            rows = [
                f"{index + 1}: {row.errors.as_text()}"
                for index, row in enumerate(self.formset.forms)
                if row.errors
            ]
            self.errors["outcomes"] = self.error_class(
                [*rows, *(str(e) for e in self.formset.non_form_errors())]
            )

    def outcomes(self) -> list[OutcomeIO]:
        return [
            row.to_schema()
            for row in self.formset.forms
            if row.cleaned_data.get("name") or row.cleaned_data.get("name_cy")
        ]


class LibraryForm(SchemaForm):
    """The learning library's filters (a GET form: nothing changes)."""

    schema = LibraryQuery

    q = forms.CharField(label=_("Search experiments"), required=False, max_length=200)
    design = forms.ChoiceField(label=_("Design"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    goal = forms.ChoiceField(label=_("Well-being goal"), required=False)
    council = forms.ChoiceField(label=_("Council"), required=False)
    result = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[
            ("", _("Any")),
            ("effect", _("A clear effect")),
            ("no-clear-effect", _("No clear effect")),
            ("not-analysed", _("Not analysed yet")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        anything = [("", _("Any"))]
        choice_field(self, "design").choices = anything + list(Design.choices)
        choice_field(self, "status").choices = anything + list(Status.choices)
        choice_field(self, "theme").choices = anything + [
            (t.code, t.name) for t in Theme.objects.all()
        ]
        choice_field(self, "goal").choices = anything + [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        choice_field(self, "council").choices = anything + [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]
