"""The statistical glossary: every term explained in Welsh and English, one page listing them
all with anchors, and "What does ‘…’ mean?" under results naming only terms that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

import infuse
from infuse.core.glossary import TERMS, term


def test_every_term_is_explained_in_welsh_and_english():
    for item in TERMS:
        with translation.override("en"):
            english = (str(item.name), str(item.meaning))
        with translation.override("cy"):
            welsh = (str(item.name), str(item.meaning))
        assert welsh[1] != english[1], f"{item.code} has no Welsh explanation"
        assert len(english[1].split()) >= 12, f"{item.code} is explained too briefly"


@pytest.mark.django_db
def test_the_glossary_page_lists_every_term_with_its_anchor_in_both_languages():
    for prefix, sample in (("", "funnel plot"), ("/cy", "plot twmffat")):
        page = Client().get(f"{prefix}/glossary/").text
        assert sample.capitalize() in page
        for item in TERMS:
            assert f'id="{item.code}"' in page
    assert 'href="/glossary/"' in Client().get("/").text  # from every page's footer


def test_the_details_explain_the_term_and_link_to_the_glossary():
    html = Template('{% load infuse_glossary %}{% whatis "confidence-interval" %}').render(
        Context({})
    )
    assert "What does ‘confidence interval’ mean?" in html
    assert 'href="/glossary/#confidence-interval"' in html and "95 of 100" in html
    with pytest.raises(KeyError, match="No glossary term"):
        term("confidence-intervals")


def test_every_page_names_only_terms_the_glossary_has():
    root = Path(infuse.__file__).parent
    used = {
        code
        for path in root.rglob("*.html")
        for code in re.findall(r'\{% whatis "([^"]+)" %\}', path.read_text())
    }
    assert used and used <= {item.code for item in TERMS}
