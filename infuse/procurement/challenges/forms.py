"""Forms of the challenge pages: they parse what people type (pounds to pence, Wales dates and
times to instants) into the use cases' schemas; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.core.date_input import DateInputField
from infuse.core.forms import PoundsField, SchemaForm, ServiceFormSet, bilingual, choice_field
from infuse.core.models import Council, Organisation, Role, Theme, WellbeingGoal
from infuse.core.permissions import is_programme_admin, memberships_of
from infuse.datalab.catalogue import services as data
from infuse.procurement import cpv
from infuse.procurement.challenges.schemas import (
    ChallengeIn,
    CriterionIn,
    DeadlineChangeIn,
    DocumentIn,
    PhaseIn,
)
from infuse.procurement.models import Criterion, Phase, PriceFormula
from infuse.procurement.timetable import LONDON


def _checkboxes(label: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, widget=forms.CheckboxSelectMultiple
    )


class ChallengeForm(SchemaForm):
    schema = ChallengeIn
    optional_fields = frozenset(
        {"themes", "goals", "evidence_datasets", "evidence_indicators", "cpv_codes"}
    )

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    summary_en, summary_cy = bilingual(
        _("Summary"), textarea=True, help_text=_("Two or three sentences a supplier reads first.")
    )
    problem_en, problem_cy = bilingual(
        _("Problem statement"),
        textarea=True,
        help_text=_("The problem, who has it, what is known, and what a solution must do."),
    )
    owner = forms.ChoiceField(label=_("Run by"))
    councils = _checkboxes(_("Councils the challenge is for"))
    themes = _checkboxes(_("Themes"))
    goals = _checkboxes(_("Well-being goals"))
    evidence_datasets = _checkboxes(_("Evidence: Data Lab datasets"))
    evidence_indicators = _checkboxes(_("Evidence: Data Lab indicators"))
    cpv_codes = forms.CharField(
        label=_("What it buys, as CPV codes"),
        required=False,
        help_text=_(
            "Common Procurement Vocabulary codes, the main one first, separated by commas: for "
            "example 72212000 for software development or 34144900 for electric vehicles. "
            "Needed before the challenge is published."
        ),
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = {org for org, _k, role in memberships_of(person) if role == Role.PROCUREMENT_OFFICER}
        owners = Organisation.objects.filter(pk__in=ids)
        if is_programme_admin(person):
            owners = owners | Organisation.objects.filter(kind=Organisation.Kind.PROGRAMME)
        choice_field(self, "owner").choices = [(o.slug, o.name) for o in owners.distinct()]
        choice_field(self, "councils").choices = [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]
        choice_field(self, "themes").choices = [(t.code, t.name) for t in Theme.objects.all()]
        choice_field(self, "goals").choices = [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        choice_field(self, "evidence_datasets").choices = [
            (d.slug, d.title) for d in data.visible_datasets(person)
        ]
        choice_field(self, "evidence_indicators").choices = [
            (i.slug, i.title) for i in data.visible_indicators(person)
        ]

    def schema_data(self) -> dict[str, Any]:
        return {
            **self.cleaned_data,
            "cpv_codes": cpv.split(self.cleaned_data.get("cpv_codes") or ""),
        }

    @staticmethod
    def initial_from(value: Any) -> dict[str, Any]:
        return {**value.model_dump(), "cpv_codes": ", ".join(value.cpv_codes)}


NOON = dt.time(12, 0)


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LONDON)


class PhaseForm(SchemaForm):
    """A phase's money and timetable; dates and times are in Wales (Europe/London)."""

    schema = PhaseIn

    budget = PoundsField(label=_("Budget, in pounds"))
    contracts_planned = forms.IntegerField(
        label=_("Number of contracts"), min_value=1, max_value=50, initial=1
    )
    opens_on = DateInputField(label=_("Opens on"))
    # Initial values are strings, printed in the boxes as they are (dates split into day,
    # month and year).
    opens_time = forms.TimeField(label=_("at (24-hour clock)"), initial="09:00")
    clarification_on = DateInputField(label=_("Questions close on"))
    clarification_time = forms.TimeField(label=_("at (24-hour clock)"), initial="12:00")
    submission_on = DateInputField(label=_("Bids close on"))
    submission_time = forms.TimeField(label=_("at (24-hour clock)"), initial="12:00")
    evaluation_ends_on = DateInputField(label=_("Evaluation ends on"))
    award_expected_on = DateInputField(label=_("Award expected on"))
    price_formula = forms.ChoiceField(
        label=_("Price formula"),
        choices=PriceFormula.choices,
        widget=forms.RadioSelect,
        initial=PriceFormula.LOWEST_OVER_BID,
    )

    @classmethod
    def initial_for(cls, phase: Phase | None) -> dict[str, Any]:
        if phase is None:
            return {}
        local = {
            name: getattr(phase, name).astimezone(LONDON)
            for name in ("opens_at", "clarification_deadline", "submission_deadline")
        }
        return {
            "budget": f"{phase.budget_pence / 100:.2f}",
            "contracts_planned": phase.contracts_planned,
            "opens_on": local["opens_at"].date().isoformat(),
            "opens_time": local["opens_at"].strftime("%H:%M"),
            "clarification_on": local["clarification_deadline"].date().isoformat(),
            "clarification_time": local["clarification_deadline"].strftime("%H:%M"),
            "submission_on": local["submission_deadline"].date().isoformat(),
            "submission_time": local["submission_deadline"].strftime("%H:%M"),
            "evaluation_ends_on": phase.evaluation_ends_on.isoformat(),
            "award_expected_on": phase.award_expected_on.isoformat(),
            "price_formula": phase.price_formula,
        }

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "budget_pence": int(data["budget"] or 0),
            "contracts_planned": int(data["contracts_planned"]),
            "opens_at": _at(data["opens_on"], data["opens_time"]),
            "clarification_deadline": _at(data["clarification_on"], data["clarification_time"]),
            "submission_deadline": _at(data["submission_on"], data["submission_time"]),
            "evaluation_ends_on": data["evaluation_ends_on"],
            "award_expected_on": data["award_expected_on"],
            "price_formula": data["price_formula"],
        }


class CriterionForm(SchemaForm):
    schema = CriterionIn

    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Not used")), *Criterion.Kind.choices], required=False
    )
    title_en, title_cy = bilingual(_("Title"), max_length=200)
    guidance_en, guidance_cy = bilingual(_("Guidance for bidders"), textarea=True)
    weight = forms.IntegerField(label=_("Weight (%)"), required=False, min_value=0, max_value=100)
    goal = forms.ChoiceField(label=_("Well-being goal (social value)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "goal").choices = [
            ("", _("None")),
            *((g.code, g.name) for g in WellbeingGoal.objects.all()),
        ]

    def schema_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "weight": int(self.cleaned_data.get("weight") or 0)}

    def used(self) -> bool:
        """A row with no kind chosen is an empty row of the page, not a criterion."""
        return bool(self.cleaned_data.get("kind"))


CriteriaFormSet = cast(
    type[ServiceFormSet],
    forms.formset_factory(CriterionForm, formset=ServiceFormSet, extra=0),
)


class DocumentForm(SchemaForm):
    schema = DocumentIn

    title_en, title_cy = bilingual(_("Title"), max_length=200)
    file = forms.FileField(label=_("File"))


class DeadlineForm(SchemaForm):
    """A later deadline for bids (and optionally for questions), in Wales time, with why."""

    schema = DeadlineChangeIn
    optional_fields = frozenset({"clarification_on", "clarification_time", "reason_cy"})

    submission_on = DateInputField(label=_("New closing date for bids"))
    submission_time = forms.TimeField(label=_("at (24-hour clock)"), initial="12:00")
    clarification_on = DateInputField(
        label=_("New closing date for questions"),
        required=False,
        help_text=_("Leave empty to keep the date questions close."),
    )
    clarification_time = forms.TimeField(
        label=_("at (24-hour clock)"), initial="12:00", required=False
    )
    reason_en, reason_cy = bilingual(
        _("Why the deadline moves"),
        textarea=True,
        help_text=_("Bidders read this with the new deadline."),
    )

    def schema_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        questions = data.get("clarification_on")
        return {
            "submission_deadline": _at(data["submission_on"], data["submission_time"]),
            "clarification_deadline": _at(questions, data.get("clarification_time") or NOON)
            if questions
            else None,
            "reason_en": data.get("reason_en") or "",
            "reason_cy": data.get("reason_cy") or "",
        }
