"""Forms of the core pages (sign-in, API tokens, what a person hears)."""

from __future__ import annotations

import math
from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ValidationError

from infuse.core.bounds import MAX_PENCE
from infuse.core.errors import Message, invalid_input_from
from infuse.core.models import Council, Notification, Theme, WellbeingGoal
from infuse.core.money import pence_from_pounds, pounds


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, to fill its choices from the database when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


class ServiceForm(forms.Form):
    """A form whose input a service checks: the service's field problems shown on its fields.

    ``optional_fields`` names the fields a person may leave empty: their labels say
    "(optional)". It is declared, not inferred: many fields are ``required=False`` only so
    that the service (in the API's words) says what is missing."""

    optional_fields: frozenset[str] = frozenset()

    def add_problems(self, problems: Any) -> None:
        """Field problems on their fields; anything else (a Conflict, say) above the form."""
        for problem in problems:
            field = getattr(problem, "field", None)
            self.add_error(field if field in self.fields else None, str(problem.message))

    def has_problems(self) -> bool:
        return bool(self.errors)


class ServiceFormSet(forms.BaseFormSet):
    """Rows of one form (criteria, say) that a service checks together: its problems, which
    name a row and a field, are listed above the rows (``problems`` in the template)."""

    problems: list[Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems = []

    def add_problems(self, problems: Any) -> None:
        self.problems = list(problems)

    def has_problems(self) -> bool:
        return bool(self.problems) or (self.is_bound and self.total_error_count() > 0)


class SchemaForm(ServiceForm):
    """A page's form for one use case: a thin adapter that builds the use case's input schema.

    The schema (``schema``) is the type the service takes, the same one the API receives and
    the CLI builds; the form only parses what people type (pounds, Wales dates) and lays out
    labels and hints. ``schema_data`` maps cleaned fields onto the schema's fields (by name,
    unless a form says otherwise); ``initial_from`` gives an edit page the stored values.
    """

    schema: ClassVar[type[BaseModel]]

    def schema_data(self) -> dict[str, Any]:
        """The cleaned values the schema is built from; override to convert or rename."""
        return dict(self.cleaned_data)

    def to_schema(self, **extra: Any) -> Any:
        """The use case's input, from the cleaned form and ``extra`` values the page knows."""
        data = {**self.schema_data(), **extra}
        fields = self.schema.model_fields
        try:
            return self.schema.model_validate({k: v for k, v in data.items() if k in fields})
        except ValidationError as error:
            raise invalid_input_from(error.errors()) from error

    @staticmethod
    def initial_from(value: BaseModel) -> dict[str, Any]:
        """Initial form values from a schema (an edit page shows what is stored)."""
        return value.model_dump()


def bilingual(
    label: Message,
    *,
    field: type[forms.Field] = forms.CharField,
    textarea: bool = False,
    help_text: Any = "",
    **options: Any,
) -> tuple[forms.Field, forms.Field]:
    """The English and Welsh fields of one piece of content people write in both languages.

    Use as ``title_en, title_cy = bilingual(_("Title"), max_length=200)``: the labels say which
    language each field is for ("Title, in English" / "Title, in Welsh"), the hint sits on the
    English field, and both are optional unless ``required=True`` (the service decides which
    language is needed, and says so with the field's name).
    """
    options.setdefault("required", False)
    if textarea:
        options.setdefault("widget", forms.Textarea)
    english = field(
        label=format_lazy(_("{label}, in English"), label=label), help_text=help_text, **options
    )
    welsh = field(label=format_lazy(_("{label}, in Welsh"), label=label), **options)
    return english, welsh


class SignInForm(AuthenticationForm):
    """Email and password, with one message for every failure (no account enumeration)."""

    error_messages = {
        "invalid_login": _(
            "Enter a correct email address and password. If you have forgotten your password, "
            "reset it."
        ),
        "inactive": _(
            "Enter a correct email address and password. If you have forgotten your password, "
            "reset it."
        ),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Email address")
        self.fields["password"].label = _("Password")
        self.fields["username"].error_messages["required"] = _("Enter your email address")
        self.fields["password"].error_messages["required"] = _("Enter your password")


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("Say what will use it, for example ‘Monthly indicators script’."),
        error_messages={
            "required": _("Enter a name for the token"),
            "max_length": _("The token name must be 100 characters or fewer"),
        },
    )


class PoundsField(forms.CharField):
    """An amount in pounds as people type it (£1,250.50), cleaned to pence."""

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            pence = pence_from_pounds(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount in pounds, like 25000 or £25,000.50"), code="invalid"
            ) from None
        if pence > MAX_PENCE:
            raise forms.ValidationError(
                _("Enter an amount of %(bound)s or less") % {"bound": pounds(MAX_PENCE)},
                code="max_value",
            )
        return pence


class TypedNumberField(forms.FloatField):
    """A number as people type it: "1,200", "1 200" and, where the field is a share
    (``percent=True``), "80%" for 0.8. A plain number is taken as written ("0.8"): the service
    checks its range and says what it expects."""

    def __init__(self, *, percent: bool = False, **kwargs: Any) -> None:
        self.percent = percent
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> float | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        text = str(value).strip().replace(",", "").replace(" ", "").replace("\u00a0", "")
        share = text.endswith("%")
        if share:
            text = text[:-1]
        try:
            number = float(text)
        except ValueError:
            raise forms.ValidationError(self._example(), code="invalid") from None
        if share and not self.percent:
            raise forms.ValidationError(self._example(), code="invalid")
        if not math.isfinite(number):
            raise forms.ValidationError(self._example(), code="invalid")
        return number / 100 if share else number

    def _example(self) -> str:
        if self.percent:
            return str(
                _("Enter %(label)s as a number, like 0.8 or 80%%") % {"label": self._label()}
            )
        return str(_("Enter %(label)s as a number, like 12.5 or 1,200") % {"label": self._label()})

    def _label(self) -> str:
        label = str(self.label or "")
        return label[:1].lower() + label[1:] if label[1:2].islower() else label


class MessageChoicesForm(ServiceForm):
    """What a person hears by email and in which language, and their alert for new
    challenges (themes, goals and councils by code; an empty choice means any)."""

    optional_fields = frozenset({"emails", "themes", "goals", "councils"})

    language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=[("en", "English"), ("cy", "Cymraeg")],
        widget=forms.RadioSelect,
    )
    emails = forms.MultipleChoiceField(
        label=_("Email me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Everything reaches your messages in InFuSe. Untick what you do not want by email too."
        ),
    )
    alert = forms.ChoiceField(
        label=_("Tell me about new challenges when they are published?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for any theme."),
    )
    goals = forms.MultipleChoiceField(
        label=_("Well-being goals"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for any goal."),
    )
    councils = forms.MultipleChoiceField(
        label=_("Councils"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked for any council."),
    )

    def __init__(self, *args: Any, topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "emails").choices = [
            (topic, Notification.Topic(topic).label) for topic in topics
        ]
        choice_field(self, "themes").choices = [(t.code, t.name) for t in Theme.objects.all()]
        choice_field(self, "goals").choices = [
            (g.code, g.name) for g in WellbeingGoal.objects.all()
        ]
        choice_field(self, "councils").choices = [
            (c.gss_code, c.name) for c in Council.objects.all()
        ]
