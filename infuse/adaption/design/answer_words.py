"""A power calculation's answer in a sentence: what the experiment can find, and how sure.

The design page shows the engine's numbers; this says what they promise an officer who is
not a statistician ("an 80% chance of finding an effect of 0.05, if it is real") and what
"finding" means (testing at the 5% level), whichever quantity was solved for.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.core import numbers
from infuse.core.words import listed
from infuse.stats import PowerResult


def _counted(code: str, count: int) -> str:
    """A size with its count, in words that agree with it (Welsh has four plural forms)."""
    values = {"count": numbers.number(count)}
    if code == "n_control":
        return (
            ngettext(
                "%(count)s unit in the control group", "%(count)s units in the control group", count
            )
            % values
        )
    if code == "n_treatment":
        return (
            ngettext(
                "%(count)s unit in the intervention group",
                "%(count)s units in the intervention group",
                count,
            )
            % values
        )
    if code == "n_clusters_per_arm":
        return (
            ngettext("%(count)s cluster in each arm", "%(count)s clusters in each arm", count)
            % values
        )
    if code == "n_clusters":
        return ngettext("%(count)s cluster", "%(count)s clusters", count) % values
    if code == "cluster_size":
        return (
            ngettext("%(count)s unit in each cluster", "%(count)s units in each cluster", count)
            % values
        )
    if code == "cluster_period_size":
        return (
            ngettext(
                "%(count)s unit in each cluster in each period",
                "%(count)s units in each cluster in each period",
                count,
            )
            % values
        )
    return numbers.number(count)


def sizes_words(answer: PowerResult) -> str:
    """The experiment's sizes (solved sizes rounded up to whole units), joined in words."""
    sizes = {**answer.sample_size, **answer.sample_size_rounded_up}
    return listed(_counted(code, round(value)) for code, value in sizes.items())


def design_sentence(answer: PowerResult) -> str:
    """What the design can find, read the way round it was solved ("an 80% chance" is
    avoided: its article would depend on the number)."""
    values = {
        "power": numbers.percent(answer.power),
        "effect": numbers.number(abs(answer.effect)),
        "alpha": numbers.percent(answer.alpha),
        "sizes": sizes_words(answer),
    }
    if answer.solved_for == "power":
        text = _(
            "With %(sizes)s, the experiment would find an effect of %(effect)s, if there is "
            "one, %(power)s of the time (testing at the %(alpha)s significance level)."
        )
    elif answer.solved_for == "effect":
        text = _(
            "With %(sizes)s, the smallest effect the experiment would find %(power)s of the "
            "time is %(effect)s (testing at the %(alpha)s significance level): a smaller real "
            "effect would often be missed."
        )
    else:
        text = _(
            "To find an effect of %(effect)s, if there is one, %(power)s of the time (testing "
            "at the %(alpha)s significance level), the experiment needs %(sizes)s."
        )
    return text % values
