"""The experiment page shows what each step's slice keeps; the design's part comes from here,
so the registry's page reads the design without the registry importing the design slice."""

from __future__ import annotations

from django import template

from infuse.adaption.design.answer_words import design_sentence
from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.method_names import arm_name, method_name, size_name
from infuse.adaption.models import Experiment

register = template.Library()


@register.simple_tag
def stored_design(experiment: Experiment) -> StoredDesign:
    """``{% stored_design experiment as design %}``: the experiment's design, typed."""
    return StoredDesign.of(experiment)


# ``{{ result.method|method_words }}`` and ``{{ name|size_words }}``: the engine's codes in words.
register.filter("method_words", method_name)
register.filter("size_words", size_name)
register.filter("arm_words", arm_name)
# ``{{ result|design_words }}``: a power calculation's answer in a sentence.
register.filter("design_words", design_sentence)
