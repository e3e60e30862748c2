"""What each red flag is called, means and needs, in English and Welsh, for pages, the API and
the command line; and why a flag could not be computed or does not apply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.procurement.redflags.flags import Thresholds


@dataclass(frozen=True)
class FlagWords:
    name: Promise
    definition: Promise
    threshold: Callable[[Thresholds], str]
    needs: tuple[str, ...]  # the OCDS fields it reads
    about: str  # "process", "supplier" or "tenderer"


def _fence(value: float | None, computed: str) -> str:
    return (
        computed if value is None else _("%(value)s, set in the configuration") % {"value": value}
    )


FLAGS: dict[str, FlagWords] = {
    "short_submission": FlagWords(
        gettext_lazy("Short submission period"),
        gettext_lazy(
            "Suppliers had too little time to bid: the whole days from the start of the "
            "tender period to its deadline are fewer than the threshold. A buyer who has told "
            "a favoured supplier early gains from a short period. Direct awards have no "
            "submission period."
        ),
        lambda t: _("fewer than %(days)s days") % {"days": t.short_submission_days},
        ("tender/tenderPeriod/startDate", "tender/tenderPeriod/endDate"),
        "process",
    ),
    "single_bid": FlagWords(
        gettext_lazy("Single bid received"),
        gettext_lazy(
            "Only one supplier bid in a competitive procedure (open or selective), where a "
            "lack of competition may mean competition was suppressed."
        ),
        lambda t: (
            _("one tenderer, in a %(methods)s procedure")
            % {"methods": " / ".join(t.competitive_methods)}
        ),
        ("tender/procurementMethod", "tender/numberOfTenderers or bids/details"),
        "process",
    ),
    "close_price": FlagWords(
        gettext_lazy("Price close to the winning bid"),
        gettext_lazy(
            "The second-lowest valid bid is unusually close to the winning bid, compared with "
            "the other procedures: a colluding bidder can mimic competition with a bid just "
            "above its partner's."
        ),
        lambda t: _fence(
            t.close_price, _("difference at or below Q1 − 1.5 × IQR of all procedures")
        ),
        ("bids/details (value, status, tenderers)", "awards (status, suppliers)"),
        "process",
    ),
    "heavily_discounted": FlagWords(
        gettext_lazy("Heavily discounted bid"),
        gettext_lazy(
            "The winning bid is unusually far below the second-lowest valid bid, compared with "
            "the other procedures: it may not be able to deliver what was asked at that price."
        ),
        lambda t: _fence(
            t.heavy_discount, _("difference at or above Q3 + 1.5 × IQR of all procedures")
        ),
        ("bids/details (value, status, tenderers)", "awards (status, suppliers)"),
        "process",
    ),
    "unsuccessful_bids": FlagWords(
        gettext_lazy("Excessive unsuccessful bids"),
        gettext_lazy(
            "A supplier among those who bid most wins an unusually small share of its bids: "
            "deliberately losing bids can mimic competition for a colluding partner."
        ),
        lambda t: _fence(
            t.unsuccessful_ratio,
            _(
                "among tenderers at or above the %(percentile)sth percentile of bids, a share "
                "won at or below Q1 − 1.5 × IQR"
            )
            % {"percentile": t.top_tenderer_percentile},
        ),
        ("bids/details (status, tenderers)", "awards (status, suppliers)"),
        "tenderer",
    ),
    "identical_prices": FlagWords(
        gettext_lazy("Identical bid prices"),
        gettext_lazy(
            "Different suppliers bid exactly the same price, which can happen when one was told "
            "another's price."
        ),
        lambda t: _("two or more tenderers at one price"),
        ("bids/details (value, tenderers)",),
        "process",
    ),
    "late_bid_won": FlagWords(
        gettext_lazy("Late bid won"),
        gettext_lazy("The winning bid was received after the deadline for bids."),
        lambda t: _("a winning valid bid dated after the deadline"),
        ("bids/details (date, status, tenderers)", "tender/tenderPeriod/endDate", "awards"),
        "process",
    ),
    "all_but_winner_disqualified": FlagWords(
        gettext_lazy("All but the winner disqualified"),
        gettext_lazy(
            "Every bid but the winner's was disqualified: a buyer can favour a supplier by "
            "disqualifying the others."
        ),
        lambda t: (
            _("one valid tenderer, the winner, and at least %(count)s disqualified")
            % {"count": t.disqualified_others}
        ),
        ("bids/details (status, tenderers)", "awards (status, suppliers)"),
        "process",
    ),
    "lowest_disqualified": FlagWords(
        gettext_lazy("Lowest bid disqualified"),
        gettext_lazy("The lowest-priced bid was disqualified and another won."),
        lambda t: _("the lowest bid's status is disqualified"),
        ("bids/details (value, status)", "awards (status)"),
        "process",
    ),
    "heterogeneous_supplier": FlagWords(
        gettext_lazy("Heterogeneous supplier"),
        gettext_lazy(
            "A supplier wins contracts for an unusually wide range of things (CPV divisions), "
            "compared with other regular suppliers: it may not be suited to all of them."
        ),
        lambda t: _fence(
            t.heterogeneous_variety,
            _(
                "divisions at or above Q3 + 1.5 × IQR among suppliers awarded in %(count)s "
                "procedures or more"
            )
            % {"count": t.heterogeneous_min_processes},
        ),
        ("awards/items/classification or tender classification (CPV)", "awards/suppliers"),
        "supplier",
    ),
    "above_estimate": FlagWords(
        gettext_lazy("Contract value far above the estimate"),
        gettext_lazy("The value awarded is well above the value the buyer estimated."),
        lambda t: (
            _("%(percent)s%% or more above the estimate")
            % {"percent": round(t.above_estimate * 100)}
        ),
        ("tender/value", "awards/value (status active)"),
        "process",
    ),
    "repeated_direct_awards": FlagWords(
        gettext_lazy("Repeated direct awards to one supplier"),
        gettext_lazy(
            "One buyer awarded the same supplier directly, without competition, again and again "
            "within a year."
        ),
        lambda t: (
            _("%(count)s or more direct awards within %(days)s days")
            % {"count": t.direct_awards, "days": t.direct_award_days}
        ),
        ("tender/procurementMethod", "buyer", "awards (date, status, suppliers)"),
        "supplier",
    ),
}

REASONS: dict[str, Promise] = {
    "direct_award": gettext_lazy("Does not apply: a direct award has no competition."),
    "not_competitive": gettext_lazy("Does not apply: the procedure was not competitive."),
    "no_method": gettext_lazy("Not computable: the procedure's method is not published."),
    "no_tender_period": gettext_lazy("Not computable: the tender's dates are not published."),
    "no_bids": gettext_lazy("Not computable: the bids are not published."),
    "no_bid_prices": gettext_lazy("Not computable: the bids' prices are not published."),
    "no_bid_dates": gettext_lazy(
        "Not computable: the bids' dates or the deadline are not published."
    ),
    "no_values": gettext_lazy(
        "Not computable: the estimate or the value awarded is not published."
    ),
    "currencies_differ": gettext_lazy(
        "Not computable: the estimate and the award are in different currencies."
    ),
    "too_few_cases": gettext_lazy("Not computable: too few cases to tell what is unusual."),
    "no_awards": gettext_lazy("Not computable: no awards are published."),
}


_EVIDENCE: dict[str, Promise] = {
    "start": gettext_lazy("Tender period starts"),
    "end": gettext_lazy("Bids due by"),
    "days": gettext_lazy("Whole days to bid"),
    "tenderers": gettext_lazy("Tenderers"),
    "difference": gettext_lazy("Second-lowest bid above the winning bid"),
    "fence": gettext_lazy("Threshold"),
    "estimate": gettext_lazy("Estimated value"),
    "awarded": gettext_lazy("Value awarded"),
    "currency": gettext_lazy("Currency"),
    "valid_tenderers": gettext_lazy("Tenderers with valid bids"),
    "disqualified_tenderers": gettext_lazy("Tenderers disqualified"),
    "bids": gettext_lazy("Valid bids"),
    "won": gettext_lazy("Bids won"),
    "divisions": gettext_lazy("CPV divisions awarded in"),
    "buyer_name": gettext_lazy("Buyer"),
    "awards": gettext_lazy("Direct awards within the window"),
    "deadline": gettext_lazy("Deadline for bids"),
    "late_winning_bids": gettext_lazy("Winning bids received late"),
    "lowest": gettext_lazy("Lowest bid"),
    "prices": gettext_lazy("Prices bid by more than one tenderer"),
}
_SHARES = {"difference", "fence"}


_STATUSES: dict[str, Promise] = {
    "valid": gettext_lazy("valid"),
    "disqualified": gettext_lazy("disqualified"),
}
_METHODS: dict[str, Promise] = {
    "open": gettext_lazy("open"),
    "selective": gettext_lazy("selective"),
    "limited": gettext_lazy("limited"),
    "direct": gettext_lazy("direct"),
}


def _money(amount: object, currency: object) -> str:
    shown = f"{amount:,.2f}" if isinstance(amount, int | float) else str(amount)
    return f"{currency} {shown}".strip()


def _shown(key: str, value: object, code: str) -> str:
    if key == "lowest" and isinstance(value, dict):
        status = _STATUSES.get(str(value.get("status")), "")
        tenderers = ", ".join(str(t) for t in value.get("tenderers") or [])
        return f"{tenderers}: {_money(value.get('amount'), '')} ({status})"
    if key == "prices" and isinstance(value, list):
        return " · ".join(
            f"{_money(p.get('amount'), p.get('currency'))}: {' / '.join(p.get('tenderers') or [])}"
            for p in value
            if isinstance(p, dict)
        )
    if isinstance(value, float):
        share = key in _SHARES and code in {"close_price", "heavily_discounted"}
        if share or (code == "unsuccessful_bids" and key == "fence"):
            return f"{value * 100:.1f}%"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return "; ".join(_shown(key, v, code) for v in value)
    if isinstance(value, dict):
        return ", ".join(_shown(k, v, code) for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return value[:10] + " " + value[11:16]
    return str(value)


def evidence_rows(code: str, evidence: dict[str, object]) -> list[tuple[str, str]]:
    """A flag's evidence as labelled rows for people (no field names, numbers formatted)."""
    return [
        (str(_EVIDENCE[key]), _shown(key, value, code))
        for key, value in evidence.items()
        if key in _EVIDENCE and value not in (None, "", [])
    ]
