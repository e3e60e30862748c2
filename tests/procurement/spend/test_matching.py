"""Alike names proposed for a person to decide, checked against RapidFuzz's own scorer."""

from __future__ import annotations

from rapidfuzz import fuzz

from infuse.procurement.spend.matching import Named, similar_pairs


def test_misspellings_are_proposed_with_their_score():
    found = list(similar_pairs([Named(1, "comensura limted"), Named(2, "comensura limited")]))
    assert found == [
        (
            Named(1, "comensura limted"),
            Named(2, "comensura limited"),
            round(fuzz.token_sort_ratio("comensura limted", "comensura limited")),
        )
    ]


def test_word_order_does_not_hide_a_pair():
    found = list(similar_pairs([Named(7, "jones and smith"), Named(3, "smith and jones")]))
    assert [(a.pk, b.pk, score) for a, b, score in found] == [(3, 7, 100)]


def test_different_numbers_are_never_proposed():
    suppliers = [
        Named(1, "acme care homes north", company_number="01111111"),
        Named(2, "acme care homes nort", company_number="02222222"),
    ]
    assert list(similar_pairs(suppliers)) == []


def test_a_number_on_one_side_only_is_no_bar():
    suppliers = [
        Named(1, "acme care homes north", company_number="01111111"),
        Named(2, "acme care homes nort"),
    ]
    assert [(a.pk, b.pk) for a, b, _ in similar_pairs(suppliers)] == [(1, 2)]


def test_names_that_only_share_words_are_not_proposed():
    assert list(similar_pairs([Named(1, "capita"), Named(2, "capita business services")])) == []


def test_the_threshold_is_the_callers():
    pair = [Named(1, "renew leeds"), Named(2, "renewal leeds")]
    score = fuzz.token_sort_ratio("renew leeds", "renewal leeds")
    assert list(similar_pairs(pair, threshold=int(score) + 1)) == []
    assert len(list(similar_pairs(pair, threshold=int(score)))) == 1
