"""Forms of the Adaption Lab's pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.adaption.models import Decision, Design, Outcome, Status
from infuse.adaption.services import (
    PROTOCOL_LABELS,
    ExperimentFields,
    OutcomeFields,
    ProtocolFields,
    RandomiseFields,
)
from infuse.core.forms import ServiceForm, choice_field
from infuse.core.models import Council, Organisation, Theme, WayOfWorking, WellbeingGoal
from infuse.core.permissions import data_organisations


class ExperimentForm(ServiceForm):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)
    problem_en = forms.CharField(
        label=_("The problem, in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("The regional problem the experiment is about, and the evidence for it."),
    )
    problem_cy = forms.CharField(
        label=_("The problem, in Welsh"), required=False, widget=forms.Textarea
    )
    hypothesis_en = forms.CharField(
        label=_("Hypothesis, in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("What you expect to happen, and why."),
    )
    hypothesis_cy = forms.CharField(
        label=_("Hypothesis, in Welsh"), required=False, widget=forms.Textarea
    )
    intervention_en = forms.CharField(
        label=_("Intervention, in English"),
        required=False,
        widget=forms.Textarea,
        help_text=_("What is done differently, by whom, for whom."),
    )
    intervention_cy = forms.CharField(
        label=_("Intervention, in Welsh"), required=False, widget=forms.Textarea
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
        for way in self.ways:
            self.fields[f"way_{way.code}"] = forms.CharField(
                label=way.name,
                required=False,
                max_length=1000,
                help_text=way.description or "",
            )

    def way_fields(self) -> list[Any]:
        return [self[f"way_{way.code}"] for way in self.ways]

    def to_fields(self) -> ExperimentFields:
        data = self.cleaned_data
        return ExperimentFields(
            title_en=data.get("title_en", ""),
            title_cy=data.get("title_cy", ""),
            owner=Organisation.objects.filter(slug=data.get("owner")).first(),
            design=data.get("design", ""),
            problem_en=data.get("problem_en", ""),
            problem_cy=data.get("problem_cy", ""),
            hypothesis_en=data.get("hypothesis_en", ""),
            hypothesis_cy=data.get("hypothesis_cy", ""),
            intervention_en=data.get("intervention_en", ""),
            intervention_cy=data.get("intervention_cy", ""),
            councils=list(data.get("councils", [])),
            themes=list(data.get("themes", [])),
            goals=list(data.get("goals", [])),
            ways_of_working={way.code: data.get(f"way_{way.code}", "") for way in self.ways},
            public=bool(data.get("public")),
        )


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Outcome.Kind.choices)
    name = forms.CharField(label=_("Outcome"), max_length=200, required=False)
    source = forms.ChoiceField(
        label=_("Measured by"),
        required=False,
        help_text=_("A dataset's column, or an indicator, from the Data Lab."),
    )

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "source").choices = [("", _("Not chosen yet")), *sources]

    def to_fields(self) -> OutcomeFields | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        source = data.get("source") or ""
        kind, _sep, rest = source.partition(":")
        dataset, _sep, column = rest.partition(":")
        return OutcomeFields(
            kind=data["kind"],
            name=data["name"],
            dataset=dataset if kind == "column" else "",
            column=column if kind == "column" else "",
            indicator=rest if kind == "indicator" else "",
        )


OutcomeFormSet = forms.formset_factory(OutcomeForm, extra=0)


class ProtocolForm(ServiceForm):
    """The pre-registration's questions (AEA RCT Registry and OSF preregistration)."""

    def __init__(self, *args: Any, randomised: bool, amending: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hints = {
            "hypotheses": _("Each hypothesis, with the direction you expect."),
            "sample": _("Who or what is studied, how many, and the power calculation behind it."),
            "stopping_rule": _("When the experiment ends, and any rule for stopping early."),
            "randomisation_method": _("For example: cluster randomisation of councils, seeded."),
            "randomisation_unit": _("People, households, schools, councils…"),
            "analysis_plan": _(
                "The estimator, covariates, standard errors and tests, decided now."
            ),
            "exclusions": _("Who or what is left out of the analysis, and why."),
            "missing_data": _("How missing outcomes will be handled."),
        }
        for name, label in PROTOCOL_LABELS.items():
            if not randomised and name.startswith("randomisation"):
                continue
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=hints[name],
            )
        if amending:
            self.fields["reason"] = forms.CharField(
                label=_("Why the protocol is amended"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text=_("Shown with the amendment, beside the registered version."),
            )
            if randomised:
                self.fields["allows_rerandomisation"] = forms.BooleanField(
                    label=_("This amendment allows the randomisation to be run again"),
                    required=False,
                )

    def to_fields(self) -> ProtocolFields:
        data = self.cleaned_data
        return ProtocolFields(**{name: data.get(name, "") for name in PROTOCOL_LABELS})


class RandomiseForm(ServiceForm):
    seed = forms.IntegerField(
        label=_("Seed (optional)"),
        required=False,
        min_value=0,
        max_value=2**62,
        help_text=_("Leave empty for a random seed; either way it is stored with the allocation."),
    )
    n_steps = forms.IntegerField(
        label=_("Number of steps"),
        required=False,
        min_value=1,
        max_value=10,
        help_text=_("Stepped wedge: councils switch over in this many steps (default: one each)."),
    )
    dataset = forms.ChoiceField(label=_("Dataset with one row per unit"), required=False)
    unit_column = forms.CharField(
        label=_("Column of unit identifiers"), required=False, max_length=200
    )
    strata_column = forms.CharField(
        label=_("Stratify by this column (optional)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dataset").choices = [("", _("Not chosen")), *datasets]

    def to_fields(self) -> RandomiseFields:
        data = self.cleaned_data
        return RandomiseFields(
            seed=data.get("seed"),
            n_steps=data.get("n_steps"),
            dataset=data.get("dataset") or "",
            unit_column=(data.get("unit_column") or "").strip(),
            strata_column=(data.get("strata_column") or "").strip(),
        )


class LibraryForm(forms.Form):
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


class DesignForm(ServiceForm):
    """The design page's inputs; the calculation checks which ones each question needs."""

    outcome = forms.ChoiceField(
        label=_("The primary outcome is"),
        choices=[
            ("continuous", _("a measurement (a mean)")),
            ("binary", _("yes or no (a proportion)")),
        ],
        widget=forms.RadioSelect,
        initial="continuous",
    )
    solve_for = forms.ChoiceField(
        label=_("Work out"),
        choices=[
            ("size", _("the size needed")),
            ("effect", _("the smallest effect it can detect")),
            ("power", _("the power of a given size")),
        ],
        widget=forms.RadioSelect,
        initial="size",
    )
    alpha = forms.FloatField(label=_("Significance level (two-sided)"), initial=0.05)
    power = forms.FloatField(label=_("Power"), required=False, initial=0.8)
    effect = forms.FloatField(label=_("Effect to detect (difference in means)"), required=False)
    sd = forms.FloatField(label=_("Standard deviation of the outcome"), required=False)
    p_control = forms.FloatField(label=_("Proportion without the intervention"), required=False)
    p_treatment = forms.FloatField(label=_("Proportion with the intervention"), required=False)
    size = forms.FloatField(label=_("Size"), required=False)
    cluster_size = forms.FloatField(label=_("People per council"), required=False)
    icc = forms.FloatField(
        label=_("Intracluster correlation"),
        required=False,
        help_text=_(
            "How alike people in one council are; 0.01 to 0.05 is common for health outcomes."
        ),
    )
    n_steps = forms.IntegerField(label=_("Number of steps"), required=False, min_value=1)

    def __init__(self, *args: Any, size_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["size"].label = size_label

    def to_inputs(self) -> Any:
        from infuse.adaption.design import DesignInputs

        data = self.cleaned_data
        return DesignInputs(
            outcome=data.get("outcome") or "continuous",
            solve_for=data.get("solve_for") or "size",
            alpha=float(data["alpha"]) if data.get("alpha") is not None else 0.05,
            power=data.get("power"),
            effect=data.get("effect"),
            sd=data.get("sd"),
            p_control=data.get("p_control"),
            p_treatment=data.get("p_treatment"),
            size=data.get("size"),
            cluster_size=data.get("cluster_size"),
            icc=data.get("icc"),
            n_steps=data.get("n_steps"),
        )


class AttachDataForm(ServiceForm):
    """Which dataset holds the outcomes, and which of its columns hold what."""

    dataset = forms.ChoiceField(label=_("Dataset with the outcome data"))
    outcome = forms.CharField(
        label=_("Column of the primary outcome"), max_length=200, required=False
    )
    unit = forms.CharField(
        label=_("Column of unit identifiers"),
        max_length=200,
        required=False,
        help_text=_("Individual designs: matched to the allocation. Or give the arm column."),
    )
    arm = forms.CharField(
        label=_("Column of the arm (treatment or control)"), max_length=200, required=False
    )
    cluster = forms.CharField(
        label=_("Column that names the council"),
        max_length=200,
        required=False,
        help_text=_("GSS codes or English or Welsh names."),
    )
    period = forms.CharField(label=_("Column of the period"), max_length=200, required=False)
    start = forms.CharField(
        label=_("First period of the intervention"),
        max_length=50,
        required=False,
        help_text=_(
            "A number, as in the period column: the first period the councils were treated."
        ),
    )
    secondary = forms.CharField(
        label=_("Columns of secondary outcomes (separate with commas)"),
        max_length=1000,
        required=False,
    )
    covariates = forms.CharField(
        label=_("Columns of covariates (separate with commas)"), max_length=1000, required=False
    )

    def __init__(self, *args: Any, datasets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "dataset").choices = datasets

    def to_fields(self) -> Any:
        from infuse.adaption.services import MappingFields

        data = self.cleaned_data

        def names(text: str) -> list[str]:
            return [part.strip() for part in (text or "").split(",") if part.strip()]

        return MappingFields(
            dataset=data["dataset"],
            outcome=(data.get("outcome") or "").strip(),
            unit=(data.get("unit") or "").strip(),
            arm=(data.get("arm") or "").strip(),
            cluster=(data.get("cluster") or "").strip(),
            period=(data.get("period") or "").strip(),
            secondary=names(data.get("secondary", "")),
            covariates=names(data.get("covariates", "")),
            start=(data.get("start") or "").strip(),
        )


class DecisionForm(ServiceForm):
    choice = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Choice.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the results show, what else was weighed, and why this decision."),
    )
    evidence_level = forms.TypedChoiceField(
        label=_("Standard of evidence reached (Nesta)"),
        choices=Decision.EvidenceLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )
    cost_per_unit = forms.DecimalField(
        label=_("Cost per unit of outcome, in pounds (optional)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
    )
    cost_unit = forms.CharField(
        label=_("Per what"),
        required=False,
        max_length=200,
        help_text=_("For example: per GP visit avoided."),
    )

    def to_fields(self) -> Any:
        from infuse.adaption.services import DecisionFields

        data = self.cleaned_data
        cost = data.get("cost_per_unit")
        return DecisionFields(
            choice=data.get("choice") or "",
            rationale=data.get("rationale") or "",
            evidence_level=data.get("evidence_level") or None,
            cost_per_unit_pence=int(cost * 100) if cost is not None else None,
            cost_unit=data.get("cost_unit") or "",
        )


class ScaleUpForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, required=False)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.councils = list(Council.objects.all())
        for council in self.councils:
            self.fields[f"order_{council.gss_code}"] = forms.IntegerField(
                label=council.name, required=False, min_value=1, max_value=10
            )

    def council_fields(self) -> list[Any]:
        return [self[f"order_{c.gss_code}"] for c in self.councils]

    def order(self) -> list[str]:
        data = self.cleaned_data
        chosen = [
            (data[f"order_{c.gss_code}"], c.gss_code)
            for c in self.councils
            if data.get(f"order_{c.gss_code}")
        ]
        return [gss for _position, gss in sorted(chosen)]


class QuasiDesignForm(ServiceForm):
    """Planning a quasi-experiment from the primary outcome's past values."""

    council_column = forms.ChoiceField(label=_("Column naming the council"), required=False)
    period_column = forms.ChoiceField(label=_("Column with the period"), required=False)
    post_periods = forms.IntegerField(
        label=_("Periods the analysis will use after the intervention starts"),
        min_value=1,
        max_value=240,
        initial=4,
    )
    effects = forms.CharField(
        label=_("Effects to try (optional)"),
        required=False,
        help_text=_(
            "In the outcome's own units, separated by commas, for example 0.5, 1, 2. Leave "
            "empty to try multiples of how much the outcome varies by itself."
        ),
    )
    alpha = forms.FloatField(label=_("Significance level (two-sided)"), initial=0.05)
    power = forms.FloatField(label=_("Power sought"), initial=0.8)

    def __init__(self, *args: Any, columns: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Choose a column")), *((c, c) for c in columns or [])]
        for name in ("council_column", "period_column"):
            choice_field(self, name).choices = choices
        if columns is None:  # an indicator: its values are already by council and period
            del self.fields["council_column"]
            del self.fields["period_column"]

    def clean_effects(self) -> tuple[float, ...]:
        text = str(self.cleaned_data.get("effects") or "")
        values = []
        for part in text.replace(";", ",").split(","):
            if part.strip():
                try:
                    values.append(float(part.strip()))
                except ValueError:
                    raise forms.ValidationError(
                        _("‘%(value)s’ is not a number: give the effects as numbers with commas"),
                        params={"value": part.strip()},
                    ) from None
        return tuple(values)

    def to_inputs(self) -> Any:
        from infuse.adaption.quasi_design import QuasiInputs

        data = self.cleaned_data
        return QuasiInputs(
            council_column=data.get("council_column") or "",
            period_column=data.get("period_column") or "",
            post_periods=int(data["post_periods"]),
            effects=data.get("effects") or (),
            alpha=float(data["alpha"]),
            power=float(data["power"]),
        )
