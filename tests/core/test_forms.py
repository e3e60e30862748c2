"""The form side of a use case: bilingual field pairs made once, forms that build the schema."""

from __future__ import annotations

import pytest
from django import forms
from django.utils import translation
from ninja import Schema

from infuse.core.errors import InvalidInput
from infuse.core.forms import PoundsField, SchemaForm, TypedNumberField, bilingual


class NoteIn(Schema):
    title_en: str
    title_cy: str = ""
    pages: int


class NoteForm(SchemaForm):
    schema = NoteIn

    title_en, title_cy = bilingual("Title", max_length=20, help_text="What it is called.")
    pages = forms.CharField()


def test_bilingual_pairs_say_which_language_and_keep_their_order():
    form = NoteForm()
    assert list(form.fields) == ["title_en", "title_cy", "pages"]
    assert str(form.fields["title_en"].label) == "Title, in English"
    assert str(form.fields["title_cy"].label) == "Title, in Welsh"
    assert form.fields["title_en"].help_text == "What it is called."
    assert not form.fields["title_cy"].required
    with translation.override("cy"):
        assert str(form.fields["title_cy"].label) == "Title, yn Gymraeg"


def test_the_form_builds_the_schema_and_its_type_errors_name_the_field():
    good = NoteForm({"title_en": "Minutes", "pages": "3"})
    assert good.is_valid()
    assert good.to_schema() == NoteIn(title_en="Minutes", title_cy="", pages=3)
    bad = NoteForm({"title_en": "Minutes", "pages": "three"})
    assert bad.is_valid()
    with pytest.raises(InvalidInput) as refused:
        bad.to_schema()
    assert [p.field for p in refused.value.problems] == ["pages"]
    assert NoteForm.initial_from(NoteIn(title_en="A", pages=1)) == {
        "title_en": "A",
        "title_cy": "",
        "pages": 1,
    }


class _Price(forms.Form):
    price = PoundsField(label="Price")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("£10,000,000,000", None),
        ("10000000000.01", "Rhowch swm o £10,000,000,000 neu lai"),
        ("9" * 30, "Rhowch swm o £10,000,000,000 neu lai"),
    ],
)
def test_an_amount_in_pounds_has_a_ceiling_said_on_its_field(typed, error):
    with translation.override("cy"):
        form = _Price(data={"price": typed})
        assert form.is_valid() is (error is None)
        if error:
            assert form.errors["price"] == [error]


@pytest.mark.parametrize(
    ("typed", "number"),
    [("80%", 0.8), (" 7.5 % ", 0.075), ("0.8", 0.8), ("1,200", 1200.0), ("1 200", 1200.0)],
)
def test_numbers_are_read_as_people_type_them(typed: str, number: float) -> None:
    assert TypedNumberField(percent=True, label="Power").clean(typed) == pytest.approx(number)


@pytest.mark.parametrize("typed", ["eighty", "80%%", "nan", "inf", "1.2.3"])
def test_a_number_that_is_not_one_says_what_to_type(typed: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        TypedNumberField(percent=True, label="Power").clean(typed)
    assert refused.value.messages == ["Enter power as a number, like 0.8 or 80%"]
    with translation.override("cy"), pytest.raises(forms.ValidationError) as welsh:
        TypedNumberField(percent=True, label="Pŵer").clean(typed)
    assert "80%" in welsh.value.messages[0] and "Enter" not in welsh.value.messages[0]


def test_a_percentage_where_none_is_meant_is_refused() -> None:
    with pytest.raises(forms.ValidationError) as refused:
        TypedNumberField(label="Standard deviation").clean("12%")
    assert refused.value.messages == ["Enter standard deviation as a number, like 12.5 or 1,200"]
    assert TypedNumberField(required=False, label="Size").clean("") is None
