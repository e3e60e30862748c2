"""What people write in both languages, shown in the page's language.

Officers write a title, a rationale or a protocol's answers in English, in Welsh or in both.
A page shows the version in its own language; when only the other language has one, that
text is shown, marked: its ``lang`` attribute (so a screen reader reads it in the right
voice, WCAG 3.1.2) and a tag saying it is in English (or Welsh) only — never silently.

``{% written experiment "hypothesis" %}`` reads ``hypothesis_en`` and ``hypothesis_cy``;
``{% written_pair english welsh %}`` takes the two texts (a protocol's answers, kept in its
registered JSON). ``lines=True`` keeps the writer's line breaks; ``words=N`` shortens it.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import linebreaksbr, truncatewords
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _shown(text: str, *, lines: bool, words: int | None) -> SafeString:
    if words:
        text = truncatewords(text, words)
    shown = conditional_escape(text)
    return SafeString(linebreaksbr(shown, autoescape=False)) if lines else SafeString(shown)


def written_text(
    english: str | None, welsh: str | None, *, lines: bool = False, words: int | None = None
) -> SafeString:
    """The text in the active language, or the other one marked as such ("" for neither)."""
    texts = {"en": (english or "").strip(), "cy": (welsh or "").strip()}
    language = "cy" if (get_language() or "en").startswith("cy") else "en"
    if texts[language]:
        return _shown(texts[language], lines=lines, words=words)
    other = "en" if language == "cy" else "cy"
    if not texts[other]:
        return SafeString("")
    only = _("In English only") if other == "en" else _("In Welsh only")
    return format_html(
        '<span lang="{}">{}</span> <strong class="govuk-tag govuk-tag--grey">{}</strong>',
        other,
        _shown(texts[other], lines=lines, words=words),
        only,
    )


@register.simple_tag
def written(obj: Any, field: str, lines: bool = False, words: int | None = None) -> SafeString:
    """A translated field of ``obj`` (``field_en`` / ``field_cy``) in the page's language."""
    return written_text(
        getattr(obj, f"{field}_en", ""),
        getattr(obj, f"{field}_cy", ""),
        lines=lines,
        words=words,
    )


@register.simple_tag
def written_pair(
    english: str | None, welsh: str | None, lines: bool = False, words: int | None = None
) -> SafeString:
    """Two texts, English and Welsh, in the page's language."""
    return written_text(english, welsh, lines=lines, words=words)
