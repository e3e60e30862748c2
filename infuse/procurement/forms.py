"""Forms of the Procurement Lab's pages: they parse input (pounds to pence, London dates and
times to instants); the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infuse.core.forms import PoundsField, ServiceForm, choice_field
from infuse.core.models import Council, Organisation, Role, Theme, WellbeingGoal
from infuse.core.permissions import is_programme_admin, memberships_of
from infuse.datalab.catalogue import services as data
from infuse.procurement.models import Criterion, Phase, PriceFormula
from infuse.procurement.services import (
    ChallengeFields,
    CriterionFields,
    PhaseFields,
    SupplierFields,
)
from infuse.procurement.timetable import LONDON


class ChallengeForm(ServiceForm):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    summary_en = forms.CharField(
        label=_("Summary, in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("Two or three sentences a supplier reads first."),
    )
    summary_cy = forms.CharField(
        label=_("Summary, in Welsh"), required=False, widget=forms.Textarea
    )
    problem_en = forms.CharField(
        label=_("Problem statement, in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("The problem, who has it, what is known, and what a solution must do."),
    )
    problem_cy = forms.CharField(
        label=_("Problem statement, in Welsh"), required=False, widget=forms.Textarea
    )
    owner = forms.ChoiceField(label=_("Run by"))
    councils = forms.MultipleChoiceField(
        label=_("Councils the challenge is for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence_datasets = forms.MultipleChoiceField(
        label=_("Evidence: Data Lab datasets"), required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence_indicators = forms.MultipleChoiceField(
        label=_("Evidence: Data Lab indicators"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
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

    def to_fields(self) -> ChallengeFields:
        data = self.cleaned_data
        owner = Organisation.objects.filter(slug=data.get("owner")).first()
        return ChallengeFields(
            title_en=data.get("title_en", ""),
            title_cy=data.get("title_cy", ""),
            owner=owner or Organisation(),
            councils=list(data.get("councils", [])),
            summary_en=data.get("summary_en", ""),
            summary_cy=data.get("summary_cy", ""),
            problem_en=data.get("problem_en", ""),
            problem_cy=data.get("problem_cy", ""),
            themes=list(data.get("themes", [])),
            goals=list(data.get("goals", [])),
            evidence_datasets=list(data.get("evidence_datasets", [])),
            evidence_indicators=list(data.get("evidence_indicators", [])),
        )


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LONDON)


class PhaseForm(ServiceForm):
    """A phase's money and timetable; dates and times are in Wales (Europe/London)."""

    budget = PoundsField(label=_("Budget, in pounds"))
    contracts_planned = forms.IntegerField(
        label=_("Number of contracts"), min_value=1, max_value=50, initial=1
    )
    opens_on = forms.DateField(label=_("Opens on"))
    # Initial values are strings: the templates print a field's value as it is, and the
    # browser's date and time inputs read only ISO forms (2027-03-01, 09:00).
    opens_time = forms.TimeField(label=_("at (24-hour clock)"), initial="09:00")
    clarification_on = forms.DateField(label=_("Questions close on"))
    clarification_time = forms.TimeField(label=_("at (24-hour clock)"), initial="12:00")
    submission_on = forms.DateField(label=_("Bids close on"))
    submission_time = forms.TimeField(label=_("at (24-hour clock)"), initial="12:00")
    evaluation_ends_on = forms.DateField(label=_("Evaluation ends on"))
    award_expected_on = forms.DateField(label=_("Award expected on"))
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

    def to_fields(self, number: int) -> PhaseFields:
        data = self.cleaned_data
        return PhaseFields(
            number=number,
            budget_pence=int(data["budget"] or 0),
            contracts_planned=int(data["contracts_planned"]),
            opens_at=_at(data["opens_on"], data["opens_time"]),
            clarification_deadline=_at(data["clarification_on"], data["clarification_time"]),
            submission_deadline=_at(data["submission_on"], data["submission_time"]),
            evaluation_ends_on=data["evaluation_ends_on"],
            award_expected_on=data["award_expected_on"],
            price_formula=data["price_formula"],
        )


class CriterionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Not used")), *Criterion.Kind.choices], required=False
    )
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    guidance_en = forms.CharField(
        label=_("Guidance for bidders, in English"), required=False, widget=forms.Textarea
    )
    guidance_cy = forms.CharField(
        label=_("Guidance for bidders, in Welsh"), required=False, widget=forms.Textarea
    )
    weight = forms.IntegerField(label=_("Weight (%)"), required=False, min_value=0, max_value=100)
    goal = forms.ChoiceField(label=_("Well-being goal (social value)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "goal").choices = [
            ("", _("None")),
            *((g.code, g.name) for g in WellbeingGoal.objects.all()),
        ]

    def to_fields(self) -> CriterionFields | None:
        data = self.cleaned_data
        if not data.get("kind"):
            return None
        return CriterionFields(
            kind=data["kind"],
            title_en=data.get("title_en", ""),
            title_cy=data.get("title_cy", ""),
            guidance_en=data.get("guidance_en", ""),
            guidance_cy=data.get("guidance_cy", ""),
            weight=int(data.get("weight") or 0),
            goal=data.get("goal", ""),
        )


CriteriaFormSet = forms.formset_factory(CriterionForm, extra=0)


class DocumentForm(ServiceForm):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    file = forms.FileField(label=_("File"))


class QuestionForm(ServiceForm):
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea,
        required=False,
        help_text=_(
            "Only the buyer sees who asked. The question and its answer are published to "
            "every bidder, without your name."
        ),
    )


class AnswerForm(ServiceForm):
    published_question_en = forms.CharField(
        label=_("The question as published, in English"),
        widget=forms.Textarea,
        required=False,
        help_text=_("Reword it so that it does not say who asked."),
    )
    published_question_cy = forms.CharField(
        label=_("The question as published, in Welsh"), widget=forms.Textarea, required=False
    )
    answer_en = forms.CharField(
        label=_("Answer, in English"), widget=forms.Textarea, required=False
    )
    answer_cy = forms.CharField(label=_("Answer, in Welsh"), widget=forms.Textarea, required=False)


class BidForm(ServiceForm):
    """An answer per criterion and the price; the criteria come from the phase."""

    price = PoundsField(label=_("Your price, in pounds (excluding VAT)"), required=False)

    def __init__(self, *args: Any, phase: Phase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(phase.criteria.exclude(kind=Criterion.Kind.PRICE))
        for criterion in self.criteria:
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=criterion.title,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=f"{criterion.weight}% · {criterion.guidance}".strip(" ·"),
            )

    def answer_fields(self) -> list[Any]:
        return [self[f"answer_{c.pk}"] for c in self.criteria]

    def answers(self) -> dict[str, str]:
        return {str(c.pk): self.cleaned_data.get(f"answer_{c.pk}") or "" for c in self.criteria}


class BidDocumentForm(ServiceForm):
    file = forms.FileField(label=_("Add a document to your bid"))


class SupplierRegistrationForm(ServiceForm):
    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email address"), required=False)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("At least 12 characters."),
    )
    name = forms.CharField(label=_("Organisation name"), max_length=200, required=False)
    companies_house_number = forms.CharField(
        label=_("Companies House number (if it has one)"), max_length=8, required=False
    )
    address = forms.CharField(
        label=_("Address"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10, required=False)
    is_sme = forms.BooleanField(
        label=_("We are a small or medium-sized enterprise (fewer than 250 staff)"), required=False
    )
    is_vcse = forms.BooleanField(
        label=_("We are a voluntary, community or social enterprise"), required=False
    )

    def to_fields(self) -> SupplierFields:
        data = self.cleaned_data
        return SupplierFields(
            name=data.get("name", ""),
            address=data.get("address", ""),
            postcode=data.get("postcode", ""),
            companies_house_number=data.get("companies_house_number", ""),
            is_sme=bool(data.get("is_sme")),
            is_vcse=bool(data.get("is_vcse")),
        )


class InviteForm(ServiceForm):
    email = forms.EmailField(label=_("Your colleague's email address"), required=False)


class JoinForm(ServiceForm):
    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    password = forms.CharField(
        label=_("Choose a password"), widget=forms.PasswordInput, required=False
    )


class EvaluatorsForm(ServiceForm):
    evaluators = forms.MultipleChoiceField(
        label=_("Evaluators on the panel"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from infuse.core.models import Person

        super().__init__(*args, **kwargs)
        people = (
            Person.objects.filter(memberships__role=Role.EVALUATOR).distinct().order_by("full_name")
        )
        choice_field(self, "evaluators").choices = [
            (str(p.pk), f"{p.full_name} ({p.email})") for p in people
        ]


class DeclarationForm(ServiceForm):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this bidder?"),
        choices=[
            ("no", pgettext_lazy("a conflict of interest", "No")),
            ("yes", pgettext_lazy("a conflict of interest", "Yes")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "For example: you, a relative or a close friend work for it, own part of it, or "
            "have been promised work by it."
        ),
    )
    details = forms.CharField(
        label=_("What is the conflict?"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


SCALE_CHOICES = [
    ("0", _("0 – unacceptable")),
    ("1", _("1 – poor")),
    ("2", _("2 – satisfactory")),
    ("3", _("3 – good")),
    ("4", _("4 – excellent")),
]


class ScoresForm(ServiceForm):
    """A score (0–4) and a comment per scored criterion."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.title,
                choices=SCALE_CHOICES,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Why this score"),
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            c.pk: (int(data[f"score_{c.pk}"]), data.get(f"comment_{c.pk}") or "")
            for c in self.criteria
            if data.get(f"score_{c.pk}") not in (None, "")
        }


class ModerationForm(ServiceForm):
    score = forms.ChoiceField(
        label=_("Consensus score"), choices=SCALE_CHOICES, widget=forms.RadioSelect, required=False
    )
    rationale = forms.CharField(
        label=_("Why the panel agreed this score"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AwardForm(ServiceForm):
    rationale = forms.CharField(
        label=_("Reasons for the award"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Published with the award notice and given to every bidder."),
    )


class ContractDatesForm(ServiceForm):
    starts_on = forms.DateField(label=_("Contract starts on"))
    ends_on = forms.DateField(label=_("Contract ends on"))


class MilestoneForm(ServiceForm):
    title_en = forms.CharField(label=_("Milestone, in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Milestone, in Welsh"), max_length=200, required=False)
    due_on = forms.DateField(label=_("Due on"))
    amount = PoundsField(label=_("Payment, in pounds"))


class OutcomesForm(ServiceForm):
    indicators = forms.MultipleChoiceField(
        label=_("Data Lab indicators that measure what the contract is for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Results then flow back into the evidence for the next challenge."),
    )

    def __init__(self, *args: Any, person: Any, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        choice_field(self, "indicators").choices = [
            (i.slug, i.title) for i in data.visible_indicators(person)
        ]
