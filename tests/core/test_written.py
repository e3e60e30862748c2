"""What people write in both languages: the page's language first, the other one shown and
marked (its language for screen readers, a tag in words) when only it was written."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from infuse.core.templatetags.infuse_written import written_text


def test_the_pages_language_first():
    with translation.override("cy"):
        assert written_text("Warm hubs", "Hybiau cynnes") == "Hybiau cynnes"
    with translation.override("en"):
        assert written_text("Warm hubs", "Hybiau cynnes") == "Warm hubs"


def test_only_the_other_language_is_shown_marked():
    with translation.override("cy"):
        shown = written_text("Warm hubs", "")
    assert shown.startswith('<span lang="en">Warm hubs</span>')
    assert "govuk-tag" in shown and "In English only" not in shown  # the tag is in Welsh
    with translation.override("en"):
        shown = written_text(None, "Hybiau cynnes")
    assert '<span lang="cy">Hybiau cynnes</span>' in shown and "In Welsh only" in shown


def test_neither_is_nothing_and_text_is_escaped_with_its_line_breaks_kept():
    with translation.override("en"):
        assert written_text("", "  ") == ""
        assert written_text("a < b\nc", "", lines=True) == "a &lt; b<br>c"
        assert written_text("one two three four", "", words=2) == "one two …"


def test_the_tag_reads_a_models_two_columns():
    experiment = SimpleNamespace(hypothesis_en="", hypothesis_cy="Mae hybiau'n helpu")
    template = Template('{% load infuse_written %}{% written experiment "hypothesis" lines=True %}')
    with translation.override("en"):
        shown = template.render(Context({"experiment": experiment}))
    assert shown.startswith('<span lang="cy">Mae hybiau&#x27;n helpu</span>')
