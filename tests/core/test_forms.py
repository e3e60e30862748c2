"""A service's problems shown on a form: on the field they name, or above the form."""

from django import forms

from infuse.core.errors import Conflict, FieldProblem
from infuse.core.forms import ServiceForm


class Form(ServiceForm):
    name = forms.CharField(required=False)


def test_field_problems_land_on_their_fields_and_the_rest_above_the_form():
    form = Form({"name": "x"})
    assert form.is_valid()
    form.add_problems(
        [
            FieldProblem("name", "Enter a longer name"),
            FieldProblem("elsewhere", "Not a field here"),
            Conflict("The deadline has passed."),
        ]
    )
    assert form.errors["name"] == ["Enter a longer name"]
    assert form.non_field_errors() == ["Not a field here", "The deadline has passed."]
