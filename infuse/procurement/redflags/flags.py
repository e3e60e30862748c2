"""Red flags over compiled OCDS releases: the Open Contracting Partnership's indicators that
contracting data supports (their definitions as the OCP's Cardinal documents them, written
here again), and two more the region asked for (a contract far above its estimate; repeated
direct awards from one buyer to one supplier).

Pure functions of the compiled releases: no database, no Django. Each flag gives a
:class:`Finding` per contracting process (or per supplier or tenderer where the flag is about
them) whose state is one of four: it **fires**, it is **clear**, it **does not apply** (a
direct award has no competition to be short of), or it is **not computable** because a field
it needs is missing — a flag never fires on missing data.

Outlier flags (price close to the winning bid, heavily discounted bid, excessive unsuccessful
bids, heterogeneous supplier) compare each case with the others: the fences are Tukey's, from
quartiles computed by :func:`statistics.quantiles` with the inclusive method (linear
interpolation, as numpy's default); a threshold in :class:`Thresholds` replaces a fence.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from infuse.procurement.redflags.compiled import (
    Bid,
    Release,
    _amount,
    active_awards,
    award_suppliers,
    bids,
    buyer_of,
    clean,
    divisions_awarded,
    instant,
    method,
    number_of_tenderers,
    one_final_award,
)


class State(StrEnum):
    FIRES = "fires"
    CLEAR = "clear"
    NOT_APPLICABLE = "not_applicable"
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class Thresholds:
    """Every threshold a flag uses; ``None`` for a fence computed from the data."""

    short_submission_days: int = 15
    competitive_methods: tuple[str, ...] = ("open", "selective")
    close_price: float | None = None
    heavy_discount: float | None = None
    top_tenderer_percentile: int = 75
    unsuccessful_ratio: float | None = None
    disqualified_others: int = 1
    heterogeneous_min_processes: int = 20
    heterogeneous_variety: float | None = None
    above_estimate: float = 0.2
    direct_awards: int = 3
    direct_award_days: int = 365
    # Fewest cases from which a fence is computed: quartiles of two numbers say nothing.
    fence_min_cases: int = 4


@dataclass(frozen=True)
class Finding:
    """One flag's answer for one subject: a contracting process (``ocid``), a supplier or a
    tenderer (its party id). ``value`` is the measure compared with the threshold;
    ``evidence`` what a reviewer needs to check it (JSON); ``reason`` says why a flag is
    not computable or does not apply (a message key of :mod:`flag_words`)."""

    code: str
    subject: str
    subject_name: str
    state: State
    value: float | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    ocids: tuple[str, ...] = ()
    reason: str = ""


# --- Per process ----------------------------------------------------------------------------


def _finding(code: str, release: Release, state: State, **more: Any) -> Finding:
    ocid = str(release.get("ocid") or "")
    title = str((release.get("tender") or {}).get("title") or "")
    return Finding(code, ocid, title, state, ocids=(ocid,), **more)


def short_submission(release: Release, limits: Thresholds) -> Finding:
    code = "short_submission"
    if method(release) == "direct":
        return _finding(code, release, State.NOT_APPLICABLE, reason="direct_award")
    tender = release.get("tender") or {}
    period = tender.get("tenderPeriod") or {}
    # Only the period's own start: a release's datePublished is often the award notice's.
    start = instant(period.get("startDate"))
    end = instant(period.get("endDate"))
    if start is None or end is None:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_tender_period")
    if end < start:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_tender_period")
    days = (end - start).days
    evidence = {"start": start.isoformat(), "end": end.isoformat(), "days": days}
    state = State.FIRES if days < limits.short_submission_days else State.CLEAR
    return _finding(code, release, state, value=float(days), evidence=evidence)


def single_bid(release: Release, limits: Thresholds) -> Finding:
    code = "single_bid"
    if method(release) not in limits.competitive_methods:
        reason = "no_method" if not method(release) else "not_competitive"
        state = State.NOT_COMPUTABLE if not method(release) else State.NOT_APPLICABLE
        return _finding(code, release, state, reason=reason)
    count = number_of_tenderers(release)
    if count is None:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_bids")
    state = State.FIRES if count == 1 else State.CLEAR
    return _finding(code, release, state, value=float(count), evidence={"tenderers": count})


def _winning_and_second(release: Release) -> tuple[Bid, Bid] | None:
    """The winning valid bid and the lowest other valid bid, in one currency, or ``None``."""
    found = bids(release)
    winners = award_suppliers(release)
    if found is None or not one_final_award(release):
        return None
    valid = [b for b in found if b.status == "valid" and b.amount is not None]
    if any(len(b.tenderers) != 1 for b in valid):  # a joint bid: whose price is it?
        return None
    winning = [b for b in valid if b.tenderers[0] in winners]
    if len(winning) != 1:
        return None
    others = sorted(
        (b for b in valid if b is not winning[0] and b.currency == winning[0].currency),
        key=lambda b: b.amount or 0.0,
    )
    # The comparison is of a lowest-price winner with the next: a winner that was not the
    # lowest (quality counted too) is outside what these flags measure.
    if not others or (others[0].amount or 0.0) < (winning[0].amount or 0.0):
        return None
    return winning[0], others[0]


def price_difference(release: Release) -> float | None:
    """(second-lowest valid bid − winning bid) ÷ winning bid, or ``None``."""
    pair = _winning_and_second(release)
    if pair is None or not pair[0].amount:
        return None
    winning, second = pair
    assert winning.amount is not None and second.amount is not None
    return (second.amount - winning.amount) / winning.amount


def identical_prices(release: Release, limits: Thresholds) -> Finding:
    code = "identical_prices"
    found = bids(release)
    priced = [
        b
        for b in found or []
        if b.amount is not None and b.tenderers and b.status in ("valid", "disqualified")
    ]
    if len({b.tenderers for b in priced}) < 2:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_bid_prices")
    # Bids, not tenderers, are compared: a joint bid by two firms is one price, not two.
    by_price: dict[tuple[float, str], list[Bid]] = defaultdict(list)
    for bid in priced:
        by_price[(bid.amount or 0.0, bid.currency)].append(bid)
    same = {
        price: group for price, group in by_price.items() if len({b.tenderers for b in group}) > 1
    }
    evidence = {
        "prices": [
            {
                "amount": amount,
                "currency": currency,
                "tenderers": sorted({", ".join(b.names) for b in group}),
            }
            for (amount, currency), group in sorted(same.items())
        ]
    }
    return _finding(code, release, State.FIRES if same else State.CLEAR, evidence=evidence)


def late_bid_won(release: Release, limits: Thresholds) -> Finding:
    code = "late_bid_won"
    end = instant(((release.get("tender") or {}).get("tenderPeriod") or {}).get("endDate"))
    found = bids(release)
    winners = award_suppliers(release)
    dated = [b for b in found or [] if b.status == "valid" and b.date is not None]
    if end is None or not dated or not winners:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_bid_dates")
    late = [b for b in dated if b.date and b.date > end and set(b.tenderers) & set(winners)]
    evidence = {
        "deadline": end.isoformat(),
        "late_winning_bids": [
            {"tenderers": list(b.names), "received": b.date.isoformat() if b.date else ""}
            for b in late
        ],
    }
    return _finding(code, release, State.FIRES if late else State.CLEAR, evidence=evidence)


def all_but_winner_disqualified(release: Release, limits: Thresholds) -> Finding:
    code = "all_but_winner_disqualified"
    found = bids(release)
    winners = award_suppliers(release)
    if found is None or not winners:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_bids")
    if any(a.get("status") in ("pending", "") for a in release.get("awards") or []):
        return _finding(code, release, State.NOT_COMPUTABLE, reason="awards_pending")
    valid = {t for b in found if b.status == "valid" for t in b.tenderers}
    disqualified = {t for b in found if b.status == "disqualified" for t in b.tenderers} - valid
    fires = (
        len(valid) == 1
        and valid == set(winners)
        and len(disqualified) >= limits.disqualified_others
    )
    evidence = {"valid_tenderers": len(valid), "disqualified_tenderers": len(disqualified)}
    state = State.FIRES if fires else State.CLEAR
    return _finding(code, release, state, value=float(len(disqualified)), evidence=evidence)


def lowest_disqualified(release: Release, limits: Thresholds) -> Finding:
    code = "lowest_disqualified"
    found = bids(release)
    priced = [
        b for b in found or [] if b.amount is not None and b.status in ("valid", "disqualified")
    ]
    if not active_awards(release) or not any(b.status == "valid" for b in priced):
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_bid_prices")
    # Compared in the valid bids' currency: a price in another currency says nothing.
    currency = next(b.currency for b in priced if b.status == "valid")
    lowest = min((b for b in priced if b.currency == currency), key=lambda b: b.amount or 0.0)
    evidence = {
        "lowest": {
            "tenderers": list(lowest.names),
            "amount": lowest.amount,
            "status": lowest.status,
        }
    }
    state = State.FIRES if lowest.status == "disqualified" else State.CLEAR
    return _finding(code, release, state, evidence=evidence)


def above_estimate(release: Release, limits: Thresholds) -> Finding:
    code = "above_estimate"
    estimate = _amount((release.get("tender") or {}).get("value"))
    awarded = [_amount(a.get("value")) for a in active_awards(release)]
    if estimate is None or not estimate[0] or not awarded or None in awarded:
        return _finding(code, release, State.NOT_COMPUTABLE, reason="no_values")
    if any(a is not None and a[1] != estimate[1] for a in awarded):
        return _finding(code, release, State.NOT_COMPUTABLE, reason="currencies_differ")
    total = sum(a[0] for a in awarded if a is not None)
    ratio = total / estimate[0]
    evidence = {"estimate": estimate[0], "awarded": total, "currency": estimate[1]}
    state = State.FIRES if ratio >= 1 + limits.above_estimate else State.CLEAR
    return _finding(code, release, state, value=ratio, evidence=evidence)


PER_PROCESS: dict[str, Callable[[Release, Thresholds], Finding]] = {
    "short_submission": short_submission,
    "single_bid": single_bid,
    "identical_prices": identical_prices,
    "late_bid_won": late_bid_won,
    "all_but_winner_disqualified": all_but_winner_disqualified,
    "lowest_disqualified": lowest_disqualified,
    "above_estimate": above_estimate,
}


# --- Against the others ---------------------------------------------------------------------


def fences(values: Sequence[float]) -> tuple[float, float]:
    """Tukey's lower and upper fences, Q1 − 1.5·IQR and Q3 + 1.5·IQR."""
    q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)


def _fence(values: Sequence[float], limits: Thresholds, *, low: bool) -> float | None:
    """The low or high fence of ``values``, or ``None`` when it cannot tell anything apart:
    too few cases, no spread at all, or (as Cardinal guards) a fence at or beyond zero."""
    if len(values) < limits.fence_min_cases:
        return None
    lower, upper = fences(values)
    if lower == upper:
        return None
    fence = lower if low else upper
    return fence if fence > 0 else None


class _Tenderers:
    """Excessive unsuccessful bids: a top tenderer (valid bids at or above the percentile)
    whose share of bids won is a low outlier. Counted once per tenderer per process, over
    processes with one final award to one supplier."""

    def __init__(self) -> None:
        self.submitted: dict[str, int] = defaultdict(int)
        self.won: dict[str, int] = defaultdict(int)
        self.names: dict[str, str] = {}
        self.processes: dict[str, list[str]] = defaultdict(list)

    def add(self, release: Release) -> None:
        if not one_final_award(release):
            return
        winners = set(award_suppliers(release))
        valid: dict[str, str] = {}
        for bid in bids(release) or []:
            if bid.status == "valid":
                valid.update(zip(bid.tenderers, bid.names, strict=True))
        for tenderer, name in valid.items():
            self.submitted[tenderer] += 1
            self.won[tenderer] += tenderer in winners
            self.names[tenderer] = name
            self.processes[tenderer].append(str(release.get("ocid")))

    def findings(self, limits: Thresholds) -> list[Finding]:
        code = "unsuccessful_bids"
        if len(self.submitted) < limits.fence_min_cases:
            reason = "no_bids" if not self.submitted else "too_few_cases"
            return [Finding(code, "", "", State.NOT_COMPUTABLE, reason=reason)]
        counts = sorted(self.submitted.values())
        cuts = statistics.quantiles(counts, n=100, method="inclusive")
        top = cuts[limits.top_tenderer_percentile - 1]
        ratios = {t: self.won[t] / n for t, n in self.submitted.items()}
        fence = limits.unsuccessful_ratio
        if fence is None:
            fence = _fence(list(ratios.values()), limits, low=True)
        if fence is None:
            return [Finding(code, "", "", State.NOT_COMPUTABLE, reason="too_few_cases")]
        return [
            Finding(
                code,
                tenderer,
                self.names[tenderer],
                State.FIRES if ratio <= fence else State.CLEAR,
                value=ratio,
                evidence={
                    "bids": self.submitted[tenderer],
                    "won": self.won[tenderer],
                    "fence": fence,
                },
                ocids=tuple(dict.fromkeys(self.processes[tenderer])),
            )
            for tenderer, ratio in ratios.items()
            if self.submitted[tenderer] >= top
        ]


class _Suppliers:
    """Heterogeneous supplier: the number of CPV divisions a supplier is awarded in is a high
    outlier among suppliers awarded (with classified items) in at least the minimum number of
    processes."""

    def __init__(self) -> None:
        self.variety: dict[str, set[str]] = defaultdict(set)
        self.awarded: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, str] = {}

    def add(self, release: Release) -> None:
        names = award_suppliers(release)
        for supplier, kinds in divisions_awarded(release).items():
            self.variety[supplier] |= kinds
            self.awarded[supplier].append(str(release.get("ocid")))
            self.names[supplier] = names.get(supplier, "")

    def findings(self, limits: Thresholds) -> list[Finding]:
        code = "heterogeneous_supplier"
        regular = [
            s
            for s, ocids in self.awarded.items()
            if len(set(ocids)) >= limits.heterogeneous_min_processes
        ]
        fence = limits.heterogeneous_variety
        if fence is None:
            fence = _fence([float(len(self.variety[s])) for s in regular], limits, low=False)
        if fence is None:
            reason = "no_awards" if not self.awarded else "too_few_cases"
            return [Finding(code, "", "", State.NOT_COMPUTABLE, reason=reason)]
        return [
            Finding(
                code,
                supplier,
                self.names[supplier],
                State.FIRES if len(self.variety[supplier]) >= fence else State.CLEAR,
                value=float(len(self.variety[supplier])),
                evidence={"divisions": sorted(self.variety[supplier]), "fence": fence},
                ocids=tuple(dict.fromkeys(self.awarded[supplier])),
            )
            for supplier in regular
        ]


class _DirectAwards:
    """One buyer directly awarding one supplier in at least the threshold number of
    procedures within the window (by award date)."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], dict[str, dt.datetime]] = defaultdict(dict)
        self.names: dict[str, str] = {}
        self.buyers: dict[str, str] = {}

    def add(self, release: Release) -> None:
        if method(release) != "direct":
            return
        buyer, buyer_name = buyer_of(release)
        ocid = str(release.get("ocid"))
        for award in active_awards(release):
            when = instant(award.get("date"))
            for supplier in award.get("suppliers") or []:
                if buyer and supplier.get("id") and when is not None:
                    # One procedure counts once (its first award), however many lots it has.
                    dates = self.pairs[(buyer, str(supplier["id"]))]
                    dates[ocid] = min(dates.get(ocid, when), when)
                    self.names[str(supplier["id"])] = str(supplier.get("name") or "")
                    self.buyers[buyer] = buyer_name

    def findings(self, limits: Thresholds) -> list[Finding]:
        window = dt.timedelta(days=limits.direct_award_days)
        found = []
        for (buyer, supplier), dated in self.pairs.items():
            awards = sorted((when, ocid) for ocid, when in dated.items())
            most: list[tuple[dt.datetime, str]] = []
            for index, (when, _ocid) in enumerate(awards):
                inside = [a for a in awards[index:] if a[0] - when <= window]
                most = inside if len(inside) > len(most) else most
            state = State.FIRES if len(most) >= limits.direct_awards else State.CLEAR
            shown = most if state == State.FIRES else awards
            found.append(
                Finding(
                    "repeated_direct_awards",
                    supplier,
                    self.names[supplier],
                    state,
                    value=float(len(most)),
                    evidence={
                        "buyer": buyer,
                        "buyer_name": self.buyers[buyer],
                        "awards": [w.isoformat() for w, _o in most],
                    },
                    ocids=tuple(o for _w, o in shown),
                )
            )
        return found


class FlagRun:
    """Every flag over a stream of compiled releases, in bounded memory: ``add`` gives a
    process's own flags at once and keeps only the few numbers the comparisons need;
    ``finish`` gives the flags that compare each case with the others."""

    def __init__(self, limits: Thresholds | None = None) -> None:
        self.limits = limits or Thresholds()
        self.differences: list[tuple[str, float]] = []  # ocid, difference
        self.tenderers, self.suppliers, self.direct = _Tenderers(), _Suppliers(), _DirectAwards()

    def add(self, release: object) -> list[Finding]:
        shaped = clean(release)
        found = [flag(shaped, self.limits) for flag in PER_PROCESS.values()]
        difference = price_difference(shaped)
        ocid, title = shaped["ocid"], str(shaped["tender"].get("title") or "")
        found += self._price_flags(ocid, title, difference)
        for kept in (self.tenderers, self.suppliers, self.direct):
            kept.add(shaped)
        return found

    def _price_flags(self, ocid: str, title: str, difference: float | None) -> list[Finding]:
        """A process with no difference is not computable at once; one with a difference
        waits for the others (``finish``)."""
        if difference is not None:
            self.differences.append((ocid, difference))
            return []
        return [
            Finding(code, ocid, title, State.NOT_COMPUTABLE, ocids=(ocid,), reason="no_bid_prices")
            for code in ("close_price", "heavily_discounted")
        ]

    def finish(self) -> list[Finding]:
        found = self._compared_prices()
        for kept in (self.tenderers, self.suppliers, self.direct):
            found += kept.findings(self.limits)
        return found

    def _compared_prices(self) -> list[Finding]:
        """Price close to the winning bid (a low outlier of the difference) and heavily
        discounted bid (a high one), each process against all the others."""
        limits = self.limits
        known = [d for _o, d in self.differences]
        low = limits.close_price
        low = _fence(known, limits, low=True) if low is None else low
        high = limits.heavy_discount
        high = _fence(known, limits, low=False) if high is None else high
        found = []
        for ocid, difference in self.differences:
            for code, fence, is_low in (
                ("close_price", low, True),
                ("heavily_discounted", high, False),
            ):
                if fence is None:
                    found.append(
                        Finding(
                            code,
                            ocid,
                            "",
                            State.NOT_COMPUTABLE,
                            ocids=(ocid,),
                            reason="too_few_cases",
                        )
                    )
                    continue
                fires = difference <= fence if is_low else difference >= fence
                found.append(
                    Finding(
                        code,
                        ocid,
                        "",
                        State.FIRES if fires else State.CLEAR,
                        value=difference,
                        evidence={"difference": difference, "fence": fence},
                        ocids=(ocid,),
                    )
                )
        return found


def red_flags(releases: Iterable[Release], limits: Thresholds | None = None) -> list[Finding]:
    """Every flag over ``releases`` (compiled, one per contracting process)."""
    run = FlagRun(limits)
    found = [finding for release in releases for finding in run.add(release)]
    return found + run.finish()
