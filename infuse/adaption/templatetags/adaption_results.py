"""Results pages and the report read each effect's sentence from here, so the page, the PDF
and the evidence of what works say the same thing (``infuse.adaption.analysis.result_words``)."""

from __future__ import annotations

from django import template

from infuse.adaption.analysis.result_words import (
    councils_sentence,
    effect_sentence,
    outcome_sentence,
    secondary_sentence,
)
from infuse.stats import EstimateResult

register = template.Library()

# ``{{ result|effect_words }}``, ``{{ row|secondary_words }}``,
# ``{{ result.by_council|councils_words }}``
register.filter("effect_words", effect_sentence)
register.filter("secondary_words", secondary_sentence)
register.filter("councils_words", councils_sentence)


@register.filter
def outcome_words(effect: EstimateResult, outcome: str) -> str:
    """``{{ group.overall|outcome_words:group.outcome }}``: any effect on a named outcome."""
    return outcome_sentence(outcome, effect)
