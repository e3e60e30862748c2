"""Forms of the core pages (sign-in, API tokens)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from infuse.core.money import pence_from_pounds


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """A form's choice field, to fill its choices from the database when the form is made."""
    return cast(forms.ChoiceField, form.fields[name])


class ServiceForm(forms.Form):
    """A form whose input a service checks: the service's field problems shown on its fields."""

    def add_problems(self, problems: Any) -> None:
        """Field problems on their fields; anything else (a Conflict, say) above the form."""
        for problem in problems:
            field = getattr(problem, "field", None)
            self.add_error(field if field in self.fields else None, str(problem.message))


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
            return pence_from_pounds(text)
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount in pounds, like 25000 or £25,000.50"), code="invalid"
            ) from None
