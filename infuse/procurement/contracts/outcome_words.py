"""A contract's outcome evaluation said plainly, in the reader's language: what changed in the
councils with the contract against the others, on the indicator's own scale."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from infuse.procurement.models import OutcomeEvaluation

UNITS = {
    "percentage": lambda n: _("%(n)s percentage points") % {"n": n},
    "rate_per_1000": lambda n: _("%(n)s per 1,000") % {"n": n},
    "rate_per_100000": lambda n: _("%(n)s per 100,000") % {"n": n},
}


def _amount(value: float, unit: str) -> str:
    number = f"{abs(value):,.1f}"
    return UNITS[unit](number) if unit in UNITS else number


def _signed(value: float, unit: str) -> str:
    return ("+" if value >= 0 else "−") + _amount(value, unit)


def describe(evaluation: OutcomeEvaluation) -> str:
    """The finished evaluation in a sentence or two; "" while it runs or when it failed."""
    if evaluation.estimate is None:
        return ""
    unit = evaluation.indicator.unit
    words = {
        "change": _signed(evaluation.estimate, unit),
        "period": evaluation.first_period_after,
        "treated": len(evaluation.treated),
        "comparison": len(evaluation.comparison),
    }
    said = (
        _(
            "From %(period)s, the %(treated)s councils with the contract changed by %(change)s "
            "relative to the %(comparison)s without it."
        )
        % words
    )
    if evaluation.ci_low is not None and evaluation.ci_high is not None:
        said += " " + _("The %(level)s confidence interval runs from %(low)s to %(high)s.") % {
            "level": "95%",
            "low": _signed(evaluation.ci_low, unit),
            "high": _signed(evaluation.ci_high, unit),
        }
        clear = evaluation.ci_low > 0 or evaluation.ci_high < 0
    else:
        return said + " " + _placebo_words(evaluation)
    said += " " + (
        _("The data show a clear change.") if clear else _("The data do not show a clear change.")
    )
    return said


def _placebo_words(evaluation: OutcomeEvaluation) -> str:
    """A synthetic control's placebo test, with what it can and cannot show with so few
    councils to compare with."""
    donors = len(evaluation.comparison)
    said = _(
        "%(share)s of the councils, each treated as if it had had the contract, show a gap as "
        "large as this (the placebo test)."
    ) % {"share": f"{evaluation.p_value or 0:.0%}"}
    if 1 / (donors + 1) >= 0.05:  # its smallest p-value cannot go below the 5% level
        said += " " + _(
            "With %(count)s councils to compare with, this test cannot reach the usual 5%% "
            "level: read it beside difference in differences."
        ) % {"count": donors}
    elif evaluation.p_value is not None and evaluation.p_value < 0.05:
        said += " " + _("The data show a clear change.")
    return said


def problem(evaluation: OutcomeEvaluation) -> str:
    """Why the evaluation could not be done ("" unless it failed)."""
    message = evaluation.result.get("problem") if evaluation.estimate is None else None
    if not message:
        return ""
    params = dict(evaluation.result.get("params", {}))
    if "day" in params:  # kept as an ISO date, said as people write dates
        params["day"] = date_format(dt.date.fromisoformat(params["day"]), "j F Y")
    return _(message) % params
