"""Every statistical result in a sentence: what it means and how sure we are.

The numbers on a results page answer an analyst; the sentence under them answers everyone
else (an officer deciding, a member of the public reading the register). They are written
here, once, for the page, the report and its PDF, the region's home page and the evidence of
what works, so all of them say the same thing in the same words, in the reader's language.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.adaption.analysis.results import (
    AnalysisResult,
    NamedEffect,
    excludes_no_effect,
    has_interval,
    result_of,
)
from infuse.adaption.models import AnalysisRun, Outcome
from infuse.core import numbers
from infuse.stats import EstimateResult


def shown_result(run: AnalysisRun | None) -> AnalysisResult | None:
    """A finished analysis as people read it: its outcomes by the names the team registered
    ("Adult wellbeing (WEMWBS)"), not the data's columns ("wellbeing"), in the reader's
    language; the primary by its column if the analysis measured another one than registered
    (the page shows that deviation)."""
    result = result_of(run) if run else None
    if run is None or result is None:
        return None
    registered = list(run.experiment.outcomes.all())
    names = {o.column: o.name for o in registered if o.column and o.name}
    secondary = tuple(replace(row, name=names.get(row.name, row.name)) for row in result.secondary)
    result = replace(result, secondary=secondary)
    if any(d.get("key") == "primary-outcome" for d in run.deviations):
        return result
    primary = next((o for o in registered if o.kind == Outcome.Kind.PRIMARY), None)
    return replace(result, outcome=primary.name) if primary and primary.name else result


def _p_words(p: float | None, *, adjusted: bool) -> str:
    """``p = 0.012``, ``p < 0.001``, or ``adjusted p = 0.036`` for a secondary outcome."""
    shown = numbers.p_value(p)
    relation = shown if shown.startswith(("<", ">")) else f"= {shown}"
    if adjusted:
        return _("adjusted p %(relation)s") % {"relation": relation}
    return f"p {relation}"


def outcome_sentence(
    outcome: str, effect: EstimateResult, *, p_value: float | None = None, adjusted: bool = False
) -> str:
    """One effect in plain words: which way, by how much, and whether chance could explain it.

    ``p_value`` replaces the effect's own (a secondary outcome's Holm-adjusted p-value);
    whether chance is "an unlikely explanation" then follows that p-value, since the interval
    is not adjusted for the number of outcomes tested."""
    p = effect.p_value if p_value is None else p_value
    if not has_interval(effect):
        # Synthetic control: inference by placebos, without a confidence interval.
        return _(
            "The estimated effect on %(outcome)s is %(estimate)s (placebo p-value %(p)s); this "
            "method gives no confidence interval."
        ) % {
            "outcome": outcome,
            "estimate": numbers.number(effect.estimate),
            "p": numbers.p_value(p),
        }
    estimate, low, high = numbers.figures(effect.estimate, effect.ci_low, effect.ci_high)
    values = {
        "outcome": outcome,
        "size": estimate.lstrip("-"),
        "interval": numbers.interval_words(low, high),
        "p": _p_words(p, adjusted=adjusted),
    }
    clear = excludes_no_effect(effect) and (not adjusted or (math.isfinite(p) and p < 0.05))
    if not clear:
        return (
            _(
                "The data do not show a clear difference in %(outcome)s: the best estimate is "
                "%(size)s, but the 95%% confidence interval runs from %(interval)s "
                "(%(p)s), so it could be no effect at all."
            )
            % values
        )
    text = (
        _("With the intervention, %(outcome)s was higher by %(size)s on average")
        if effect.estimate > 0
        else _("With the intervention, %(outcome)s was lower by %(size)s on average")
    ) % values
    return (
        text
        + " "
        + _(
            "(95%% confidence interval %(interval)s; %(p)s). Chance alone is an unlikely "
            "explanation."
        )
        % values
    )


def effect_sentence(result: AnalysisResult) -> str:
    """The primary result in plain words, in the page's language."""
    return outcome_sentence(result.outcome, result.primary)


def secondary_sentence(row: NamedEffect) -> str:
    """A secondary outcome, judged by its p-value adjusted for the outcomes tested."""
    return outcome_sentence(
        row.name, row.effect, p_value=row.p_adjusted, adjusted=row.p_adjusted is not None
    )


def councils_sentence(rows: Sequence[NamedEffect]) -> str:
    """What the effects by council can and cannot say: they were not the planned test."""
    clear = sum(1 for row in rows if excludes_no_effect(row.effect))
    counted = ngettext(
        "In %(clear)s of %(total)s councils the 95%% confidence interval lies wholly on one "
        "side of no effect.",
        "In %(clear)s of %(total)s councils the 95%% confidence interval lies wholly on one "
        "side of no effect.",
        len(rows),
    ) % {"clear": clear, "total": len(rows)}
    return (
        counted
        + " "
        + _(
            "Each council has few units, so its interval is wide, and comparing many councils "
            "finds some differences by chance: read these as questions for the next "
            "experiment, not as findings."
        )
    )
