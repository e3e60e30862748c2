"""The experiment page shows what each step's slice keeps; the design's part comes from here,
so the registry's page reads the design without the registry importing the design slice."""

from __future__ import annotations

from django import template

from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.method_names import method_name, size_name
from infuse.adaption.models import Experiment

register = template.Library()


@register.simple_tag
def stored_design(experiment: Experiment) -> StoredDesign:
    """``{% stored_design experiment as design %}``: the experiment's design, typed."""
    return StoredDesign.of(experiment)


@register.filter
def method_words(code: str) -> str:
    """``{{ result.method|method_words }}``: the engine's method, in words."""
    return method_name(code)


@register.filter
def size_words(code: str) -> str:
    """``{{ name|size_words }}``: which size a number is, in words."""
    return size_name(code)
