"""Each red flag on hand-built compiled releases: where it must fire, where it must not, and
where the data it needs is missing (never fires then: not computable)."""

from __future__ import annotations

from typing import Any

import pytest

from infuse.procurement.redflags.flags import (
    FlagRun,
    State,
    Thresholds,
    fences,
    red_flags,
)


def release(ocid: str = "ocds-x-1", **parts: Any) -> dict[str, Any]:
    tender = {"title": f"Process {ocid}", "procurementMethod": "open", **parts.pop("tender", {})}
    return {"ocid": ocid, "buyer": {"id": "B1", "name": "Cyngor"}, "tender": tender, **parts}


def bid(tenderer: str, amount: float | None, status: str = "valid", date: str = "") -> dict:
    found: dict[str, Any] = {
        "tenderers": [{"id": tenderer, "name": tenderer.title()}],
        "status": status,
    }
    if amount is not None:
        found["value"] = {"amount": amount, "currency": "GBP"}
    if date:
        found["date"] = date
    return found


def award(
    *suppliers: str, amount: float | None = None, date: str = "2025-01-01T00:00:00Z", **more
) -> dict:
    found = {
        "id": "a",
        "status": "active",
        "date": date,
        "suppliers": [{"id": s, "name": s.title()} for s in suppliers],
        **more,
    }
    if amount is not None:
        found["value"] = {"amount": amount, "currency": "GBP"}
    return found


def state(
    code: str, releases: list[dict], limits: Thresholds | None = None, subject: str | None = None
) -> State:
    found = [
        f
        for f in red_flags(releases, limits)
        if f.code == code and (subject is None or f.subject == subject)
    ]
    assert len(found) == 1, found
    return found[0].state


PERIOD = {"tenderPeriod": {"startDate": "2025-01-01T09:00:00Z", "endDate": "2025-01-10T12:00:00Z"}}


class TestShortSubmission:
    def test_fires_under_fifteen_days(self):
        assert state("short_submission", [release(tender=PERIOD)]) == State.FIRES

    def test_clear_at_fifteen_days_and_configurable(self):
        period = {
            "tenderPeriod": {"startDate": "2025-01-01T09:00:00Z", "endDate": "2025-01-16T09:00:00Z"}
        }
        assert state("short_submission", [release(tender=period)]) == State.CLEAR
        assert (
            state(
                "short_submission", [release(tender=period)], Thresholds(short_submission_days=20)
            )
            == State.FIRES
        )

    def test_needs_both_dates_and_a_competition(self):
        only_end = {
            "tenderPeriod": {"endDate": "2025-01-10T12:00:00Z"},
            "datePublished": "2025-01-09T00:00:00Z",
        }
        assert state("short_submission", [release(tender=only_end)]) == State.NOT_COMPUTABLE
        direct = {**PERIOD, "procurementMethod": "direct"}
        assert state("short_submission", [release(tender=direct)]) == State.NOT_APPLICABLE


class TestSingleBid:
    def test_fires_on_one_tenderer_in_an_open_procedure(self):
        one = release(bids={"details": [bid("t1", 100), bid("t1", 90)]})
        assert state("single_bid", [one]) == State.FIRES
        assert state("single_bid", [release(tender={"numberOfTenderers": 1})]) == State.FIRES

    def test_clear_with_two_and_not_for_direct_awards(self):
        assert state("single_bid", [release(tender={"numberOfTenderers": 2})]) == State.CLEAR
        direct = release(tender={"procurementMethod": "direct", "numberOfTenderers": 1})
        assert state("single_bid", [direct]) == State.NOT_APPLICABLE

    def test_not_computable_without_bids_or_method(self):
        assert state("single_bid", [release()]) == State.NOT_COMPUTABLE
        assert (
            state(
                "single_bid", [release(tender={"procurementMethod": None, "numberOfTenderers": 1})]
            )
            == State.NOT_COMPUTABLE
        )


def priced(ocid: str, winning: float, second: float) -> dict:
    return release(
        ocid,
        bids={"details": [bid("w", winning), bid("s", second), bid("t", second * 2)]},
        awards=[award("w")],
    )


class TestPriceCloseAndHeavilyDiscounted:
    """Differences 0.10, 0.11, 0.12, 0.13, 0.14 and an outlier at each end."""

    PROCESSES = [priced(f"p{i}", 100.0, 100.0 * (1.10 + 0.01 * i)) for i in range(5)]

    def test_fences_are_tukeys_over_inclusive_quartiles(self):
        low, high = fences([1.0, 2.0, 3.0, 4.0, 5.0])  # Q1 2, Q3 4, IQR 2
        assert (low, high) == (-1.0, 7.0)

    def test_a_second_bid_just_above_the_winner_is_close(self):
        releases = [*self.PROCESSES, priced("close", 100.0, 100.5)]
        assert state("close_price", releases, subject="close") == State.FIRES
        assert state("close_price", releases, subject="p2") == State.CLEAR

    def test_a_winner_far_below_the_second_is_heavily_discounted(self):
        releases = [*self.PROCESSES, priced("cheap", 100.0, 190.0)]
        assert state("heavily_discounted", releases, subject="cheap") == State.FIRES
        assert state("heavily_discounted", releases, subject="p2") == State.CLEAR

    def test_too_few_processes_to_compare_unless_a_threshold_is_set(self):
        two = self.PROCESSES[:2]
        assert state("close_price", two, subject="p0") == State.NOT_COMPUTABLE
        assert state("close_price", two, Thresholds(close_price=0.105), subject="p0") == State.FIRES

    def test_no_bid_prices_is_not_computable(self):
        assert state("close_price", [release(awards=[award("w")])]) == State.NOT_COMPUTABLE


class TestIdenticalPrices:
    def test_fires_when_two_tenderers_bid_the_same(self):
        same = release(bids={"details": [bid("a", 500), bid("b", 500), bid("c", 600)]})
        assert state("identical_prices", [same]) == State.FIRES

    def test_clear_when_prices_differ_or_one_tenderer_bids_twice(self):
        assert (
            state("identical_prices", [release(bids={"details": [bid("a", 500), bid("b", 501)]})])
            == State.CLEAR
        )
        twice = release(bids={"details": [bid("a", 500), bid("a", 500), bid("b", 600)]})
        assert state("identical_prices", [twice]) == State.CLEAR

    def test_not_computable_without_prices(self):
        assert (
            state("identical_prices", [release(bids={"details": [bid("a", None), bid("b", None)]})])
            == State.NOT_COMPUTABLE
        )


class TestLateBidWon:
    def test_fires_when_the_winners_bid_came_after_the_deadline(self):
        late = release(
            tender=PERIOD,
            bids={"details": [bid("w", 100, date="2025-01-11T09:00:00Z")]},
            awards=[award("w")],
        )
        assert state("late_bid_won", [late]) == State.FIRES

    def test_clear_when_only_a_loser_was_late(self):
        fine = release(
            tender=PERIOD,
            bids={
                "details": [
                    bid("w", 100, date="2025-01-09T09:00:00Z"),
                    bid("l", 90, date="2025-01-11T09:00:00Z"),
                ]
            },
            awards=[award("w")],
        )
        assert state("late_bid_won", [fine]) == State.CLEAR

    def test_not_computable_without_dates(self):
        assert (
            state(
                "late_bid_won",
                [release(tender=PERIOD, bids={"details": [bid("w", 100)]}, awards=[award("w")])],
            )
            == State.NOT_COMPUTABLE
        )


class TestDisqualifications:
    def test_all_but_the_winner_disqualified(self):
        rigged = release(
            bids={
                "details": [
                    bid("w", 120),
                    bid("a", 100, "disqualified"),
                    bid("b", 110, "disqualified"),
                ]
            },
            awards=[award("w")],
        )
        assert state("all_but_winner_disqualified", [rigged]) == State.FIRES
        assert (
            state("all_but_winner_disqualified", [rigged], Thresholds(disqualified_others=3))
            == State.CLEAR
        )

    def test_a_second_valid_bidder_clears_it(self):
        fair = release(
            bids={"details": [bid("w", 120), bid("a", 130), bid("b", 110, "disqualified")]},
            awards=[award("w")],
        )
        assert state("all_but_winner_disqualified", [fair]) == State.CLEAR

    def test_the_lowest_bid_disqualified(self):
        rigged = release(
            bids={"details": [bid("w", 120), bid("a", 100, "disqualified")]}, awards=[award("w")]
        )
        assert state("lowest_disqualified", [rigged]) == State.FIRES
        fair = release(
            bids={"details": [bid("w", 100), bid("a", 120, "disqualified")]}, awards=[award("w")]
        )
        assert state("lowest_disqualified", [fair]) == State.CLEAR

    def test_not_computable_without_bids(self):
        assert state("lowest_disqualified", [release(awards=[award("w")])]) == State.NOT_COMPUTABLE
        assert (
            state("all_but_winner_disqualified", [release(awards=[award("w")])])
            == State.NOT_COMPUTABLE
        )


class TestAboveEstimate:
    def test_fires_at_twenty_per_cent_above(self):
        over = release(
            tender={"value": {"amount": 1000, "currency": "GBP"}}, awards=[award("w", amount=1200)]
        )
        assert state("above_estimate", [over]) == State.FIRES
        under = release(
            tender={"value": {"amount": 1000, "currency": "GBP"}}, awards=[award("w", amount=1199)]
        )
        assert state("above_estimate", [under]) == State.CLEAR

    def test_not_computable_without_values_or_across_currencies(self):
        assert (
            state("above_estimate", [release(awards=[award("w", amount=1200)])])
            == State.NOT_COMPUTABLE
        )
        euros = release(
            tender={"value": {"amount": 1000, "currency": "EUR"}}, awards=[award("w", amount=5000)]
        )
        assert state("above_estimate", [euros]) == State.NOT_COMPUTABLE


def tendered(ocid: str, winner: str, losers: list[str]) -> dict:
    return release(
        ocid,
        bids={"details": [bid(winner, 100), *(bid(t, 110 + i) for i, t in enumerate(losers))]},
        awards=[award(winner)],
    )


class TestExcessiveUnsuccessfulBids:
    PLAN = [
        ("a", ["b", "loser"]), ("a", ["c", "loser"]), ("a", ["d", "loser"]),
        ("b", ["a", "loser"]), ("b", ["c", "loser"]), ("c", ["a", "loser"]),
        ("c", ["d", "loser"]), ("d", ["b", "loser"]), ("a", ["b", "loser"]),
        ("b", ["d", "loser"]),
    ]  # fmt: skip

    def releases(self) -> list[dict]:
        return [tendered(f"p{i}", w, losers) for i, (w, losers) in enumerate(self.PLAN)]

    def test_a_top_tenderer_that_never_wins_is_flagged_under_a_threshold(self):
        # "loser" bids in all ten and wins none; the others win a quarter to two thirds.
        limits = Thresholds(unsuccessful_ratio=0.2)
        assert state("unsuccessful_bids", self.releases(), limits, subject="loser") == State.FIRES

    def test_a_fence_at_or_below_zero_tells_nothing_apart(self):
        # Shares 0, 1/4, 1/2, 1/2, 2/3: Q1 − 1.5 × IQR is below zero, as Cardinal guards.
        assert state("unsuccessful_bids", self.releases()) == State.NOT_COMPUTABLE

    def test_bids_of_processes_without_one_final_award_do_not_count(self):
        undecided = [
            release(f"u{i}", bids={"details": [bid("t", 1), bid("u", 2)]}) for i in range(6)
        ]
        assert state("unsuccessful_bids", undecided) == State.NOT_COMPUTABLE

    def test_not_computable_without_bids(self):
        assert state("unsuccessful_bids", [release()]) == State.NOT_COMPUTABLE


def supplied(ocid: str, supplier: str, division: str) -> dict:
    return release(
        ocid,
        tender={"classification": {"scheme": "CPV", "id": f"{division}000000"}},
        awards=[award(supplier)],
    )


class TestHeterogeneousSupplier:
    def test_a_supplier_of_everything_is_flagged_among_regular_suppliers(self):
        releases = []
        for s, kinds in {"a": ["45"], "b": ["45", "71"], "c": ["72"], "d": ["72", "48"]}.items():
            releases += [supplied(f"{s}{i}", s, kinds[i % len(kinds)]) for i in range(4)]
        releases += [
            supplied(f"e{i}", "e", d)
            for i, d in enumerate(["03", "09", "15", "30", "45", "72", "79", "85"])
        ]
        limits = Thresholds(heterogeneous_min_processes=4)
        assert state("heterogeneous_supplier", releases, limits, subject="e") == State.FIRES
        assert state("heterogeneous_supplier", releases, limits, subject="b") == State.CLEAR

    def test_too_few_regular_suppliers_is_not_computable(self):
        assert state("heterogeneous_supplier", [supplied("x", "a", "45")]) == State.NOT_COMPUTABLE


def direct(ocid: str, supplier: str, day: str) -> dict:
    return release(ocid, tender={"procurementMethod": "direct"}, awards=[award(supplier, date=day)])


class TestRepeatedDirectAwards:
    def test_three_direct_awards_in_a_year_fire(self):
        releases = [
            direct("d1", "s", "2024-01-10T00:00:00Z"),
            direct("d2", "s", "2024-06-10T00:00:00Z"),
            direct("d3", "s", "2024-12-01T00:00:00Z"),
        ]
        found = [f for f in red_flags(releases) if f.code == "repeated_direct_awards"]
        assert [f.state for f in found] == [State.FIRES]
        assert set(found[0].ocids) == {"d1", "d2", "d3"}

    def test_spread_over_more_than_a_year_or_competed_they_do_not(self):
        spread = [
            direct("d1", "s", "2022-01-10T00:00:00Z"),
            direct("d2", "s", "2023-06-10T00:00:00Z"),
            direct("d3", "s", "2024-12-01T00:00:00Z"),
        ]
        assert state("repeated_direct_awards", spread) == State.CLEAR
        competed = [
            release(f"o{i}", awards=[award("s", date=f"2024-01-0{i + 1}T00:00:00Z")])
            for i in range(3)
        ]
        assert [f for f in red_flags(competed) if f.code == "repeated_direct_awards"] == []


def test_a_flag_run_streams_and_matches_the_whole_list():
    releases = [priced(f"p{i}", 100.0, 110.0 + i) for i in range(6)]
    run = FlagRun()
    streamed = [f for r in releases for f in run.add(r)] + run.finish()
    assert streamed == red_flags(releases)


@pytest.mark.parametrize(
    "code",
    [
        "short_submission",
        "single_bid",
        "identical_prices",
        "late_bid_won",
        "all_but_winner_disqualified",
        "lowest_disqualified",
        "above_estimate",
        "close_price",
        "heavily_discounted",
    ],
)
def test_an_empty_release_never_raises_a_flag(code):
    assert state(code, [{"ocid": "bare"}]) in {State.NOT_COMPUTABLE, State.NOT_APPLICABLE}


class TestWhatTheReviewFound:
    """Cases an independent review found: each must not raise a flag."""

    def test_malformed_parts_make_flags_not_computable_never_fail(self):
        odd = [
            release("b1", bids="x"),
            release("b2", bids={"details": ["x"]}),
            release("a1", awards={"a": 1}),
            release("a2", awards=[{"status": "active", "suppliers": "ab"}]),
            {"ocid": "t1", "tender": ["a"], "buyer": "x"},
            release("t2", tender={"tenderPeriod": "x"}),
            release("c1", awards=[award("s", items=[{"classification": "45"}])]),
        ]
        found = red_flags(odd)
        assert found and not [f for f in found if f.state == State.FIRES]

    def test_a_winner_that_was_not_the_lowest_is_left_out_of_price_comparisons(self):
        releases = [priced(f"p{i}", 100.0, 110.0 + i) for i in range(4)]
        releases.append(priced("dearer", 100.0, 90.0))  # the loser was cheaper
        assert state("close_price", releases, subject="dearer") == State.NOT_COMPUTABLE

    def test_no_spread_raises_nothing(self):
        same = [priced(f"p{i}", 100.0, 110.0) for i in range(5)]
        assert state("close_price", same, subject="p0") == State.NOT_COMPUTABLE
        assert state("heavily_discounted", same, subject="p0") == State.NOT_COMPUTABLE

    def test_one_joint_bid_is_not_two_identical_prices(self):
        joint = {
            "tenderers": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
            "status": "valid",
            "value": {"amount": 500, "currency": "GBP"},
        }
        assert (
            state("identical_prices", [release(bids={"details": [joint, bid("c", 600)]})])
            == State.CLEAR
        )

    def test_invited_bids_are_not_tenderers(self):
        invited = release(
            tender={"procurementMethod": "selective"}, bids={"details": [bid("a", None, "invited")]}
        )
        assert state("single_bid", [invited]) == State.CLEAR

    def test_a_price_in_another_currency_is_not_the_lowest(self):
        euros = release(
            bids={
                "details": [
                    bid("w", 100),
                    {**bid("x", 50, "disqualified"), "value": {"amount": 50, "currency": "EUR"}},
                ]
            },
            awards=[award("w")],
        )
        assert state("lowest_disqualified", [euros]) == State.CLEAR

    def test_a_period_ending_before_it_starts_is_not_computable(self):
        backwards = {
            "tenderPeriod": {"startDate": "2025-01-10T00:00:00Z", "endDate": "2025-01-01T00:00:00Z"}
        }
        assert state("short_submission", [release(tender=backwards)]) == State.NOT_COMPUTABLE

    def test_lots_of_one_direct_procedure_count_once(self):
        lots = release(
            "d1",
            tender={"procurementMethod": "direct"},
            awards=[{**award("s"), "id": f"l{i}"} for i in range(3)],
        )
        assert state("repeated_direct_awards", [lots]) == State.CLEAR

    def test_suppliers_of_different_lots_keep_their_own_divisions(self):
        from infuse.procurement.redflags.compiled import clean, divisions_awarded

        two_lots = release(
            awards=[
                award("a", items=[{"classification": {"scheme": "CPV", "id": "45000000"}}]),
                {
                    **award("b", items=[{"classification": {"scheme": "CPV", "id": "33000000"}}]),
                    "id": "b",
                },
            ]
        )
        assert divisions_awarded(clean(two_lots)) == {"a": {"45"}, "b": {"33"}}

    def test_unclassified_suppliers_are_not_heterogeneous(self):
        releases = [release(f"{s}{i}", awards=[award(s)]) for s in "abcd" for i in range(20)]
        assert state("heterogeneous_supplier", releases) == State.NOT_COMPUTABLE
