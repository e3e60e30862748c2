"""The statistical words the pages use, each explained briefly in Welsh and English.

Why one list: a term explained the same way wherever it appears ("What is a confidence
interval?" under a result, on a design page and in the glossary page) is a term people learn
once; and a page that names a term not in this list fails when it is drawn, so no explanation
is ever missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    code: str  # the anchor on the glossary page
    name: Promise
    meaning: Promise


TERMS: tuple[Term, ...] = (
    Term(
        "confidence-interval",
        _("confidence interval"),
        _(
            "The range of values the data are consistent with. It is usually made so that, in "
            "95 of 100 studies like this one, it would contain the true value (“95%”). "
            "A narrow interval means we are fairly sure of the size; a wide one that we are not."
        ),
    ),
    Term(
        "p-value",
        _("p-value"),
        _(
            "How surprising the result would be if the change made no difference at all. A "
            "small p-value (below 0.05, say) means a result this large would rarely happen by "
            "chance alone. It does not say how large or how useful the effect is."
        ),
    ),
    Term(
        "power",
        _("power"),
        _(
            "The chance that the study finds an effect of the size you planned for, if that "
            "effect is real. 80% power means that, four times in five, the study would show it; "
            "too little power risks missing a change that works."
        ),
    ),
    Term(
        "significance-level",
        _("significance level"),
        _(
            "The chance you accept of concluding the change works when it does not (usually "
            "5%). A result counts as clear when its p-value is below this level."
        ),
    ),
    Term(
        "minimum-detectable-effect",
        _("minimum detectable effect"),
        _(
            "The smallest effect the study is likely to find with its planned size and power. "
            "A real effect smaller than this may be missed, so it should be smaller than the "
            "effect worth acting on."
        ),
    ),
    Term(
        "icc",
        _("intra-cluster correlation (ICC)"),
        _(
            "How alike people in the same group (a school, a ward, a council) are, from 0 (no "
            "more alike than strangers) to 1 (identical). Even a small ICC means each extra "
            "person in a group adds less information, so a cluster trial needs more people."
        ),
    ),
    Term(
        "design-effect",
        _("design effect"),
        _(
            "How many times more people a cluster trial needs than a trial that randomises "
            "people one by one, because people in the same group are alike."
        ),
    ),
    Term(
        "cluster-randomisation",
        _("cluster randomisation"),
        _(
            "Randomising whole groups (schools, wards, councils) rather than people, when the "
            "change is delivered to a group at once or people in a group would influence each "
            "other."
        ),
    ),
    Term(
        "stepped-wedge",
        _("stepped wedge"),
        _(
            "A roll-out in which every council starts the change, in a random order at set "
            "steps. Comparing councils that have switched with those that have not yet, step by "
            "step, shows the effect while everyone gets the change in the end."
        ),
    ),
    Term(
        "intention-to-treat",
        _("intention to treat"),
        _(
            "Comparing people as they were allocated, whether or not they took part as planned. "
            "It keeps the fairness randomisation gives, and answers what offering the change "
            "achieves in practice."
        ),
    ),
    Term(
        "cr2",
        _("cluster-robust standard errors (CR2)"),
        _(
            "A way of working out how uncertain an effect is that allows for people in the same "
            "group being alike. CR2 is the version that stays accurate with few groups, as a "
            "trial across ten councils has."
        ),
    ),
    Term(
        "randomisation-inference",
        _("randomisation inference"),
        _(
            "A p-value found by re-running the random allocation many times on the same data: "
            "how often would chance alone give a difference as large as the one seen? It relies "
            "only on the randomisation, not on assumptions about the data's shape."
        ),
    ),
    Term(
        "holm",
        _("adjustment for several outcomes (Holm)"),
        _(
            "Testing many outcomes makes a chance finding more likely. Holm's method raises each "
            "p-value to keep the chance of any false finding at the chosen level."
        ),
    ),
    Term(
        "difference-in-differences",
        _("difference in differences"),
        _(
            "When randomising is impossible: the change over time where the new approach "
            "started, minus the change over the same time where it did not. It assumes both "
            "would have moved in parallel without the new approach."
        ),
    ),
    Term(
        "synthetic-control",
        _("synthetic control"),
        _(
            "When one council makes a change: a weighted blend of other councils that tracked "
            "it closely before the change stands in for what would have happened without it."
        ),
    ),
    Term(
        "interrupted-time-series",
        _("interrupted time series"),
        _(
            "When randomising is impossible: the trend before a change, carried on, is compared "
            "with what happened after it, to see whether the level or the trend moved."
        ),
    ),
    Term(
        "funnel-plot",
        _("funnel plot"),
        _(
            "A chart that compares councils fairly: each council's value against its size, with "
            "limits that are wide for small councils (whose values vary more by chance) and "
            "narrow for large ones. A council outside the limits differs by more than chance."
        ),
    ),
    Term(
        "control-limits",
        _("control limits"),
        _(
            "The edges of the funnel: where 95% (inner) and 99.8% (outer) of councils would fall "
            "if they differed from the benchmark only by chance."
        ),
    ),
    Term(
        "wilson-interval",
        _("Wilson interval"),
        _(
            "A confidence interval for a rate or a share that stays sensible for small numbers "
            "and for values near 0% or 100%."
        ),
    ),
    Term(
        "disclosure-control",
        _("disclosure control"),
        _(
            "Steps taken before anything is published so that nobody can be identified from the "
            "figures: small counts are hidden (or rounded), along with any figure that would let "
            "someone work a hidden one out."
        ),
    ),
)

BY_CODE: dict[str, Term] = {term.code: term for term in TERMS}


def term(code: str) -> Term:
    """The term ``code``; an unknown code is a mistake in a page, and fails loudly."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"No glossary term {code!r}: add it to infuse/core/glossary.py") from None
