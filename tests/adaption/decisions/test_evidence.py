"""The evidence of what works: decided experiments as each reader may see them, and the
pooling of experiments that measured the same outcome."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from infuse import stats
from infuse.adaption.decisions.evidence import Evidence, decided, pooled
from infuse.core.models import Person


def _row(key, estimate, se, outcome="Wellbeing score") -> Evidence:
    effect = stats.EstimateResult(
        estimate=estimate,
        std_error=se,
        ci_low=estimate - 1.96 * se,
        ci_high=estimate + 1.96 * se,
        p_value=0.01,
        method="welch_difference_in_means",
        effect_measure="mean_difference",
        n_units=100,
    )
    return Evidence(
        experiment=SimpleNamespace(slug=f"e{estimate}", title=f"Experiment {estimate}"),
        decision=SimpleNamespace(),
        result=SimpleNamespace(primary=effect, outcome=outcome),
        tried=[],
        adopted=[],
        outcome_key=key,
    )


def test_experiments_sharing_an_outcome_are_pooled_as_the_engine_pools_them():
    shared = ("indicator", 7, "")
    rows = [
        _row(shared, 2.0, 0.5),
        _row(shared, 3.5, 0.8),
        _row(shared, 1.2, 0.6),
        _row(("indicator", 8, ""), 4.0, 1.0),  # alone on its outcome: not pooled
        _row(None, 5.0, 1.0),  # no outcome to match on
    ]
    found = pooled(rows)
    assert len(found) == 1 and len(found[0].rows) == 3
    expected = stats.random_effects_meta_analysis(
        [2.0, 3.5, 1.2], [0.5, 0.8, 0.6], hartung_knapp=True
    )
    assert found[0].meta == expected
    assert found[0].overall.estimate == expected.estimate
    assert sum(share for _row, share in found[0].shares) in (99, 100, 101)


def test_an_effect_without_an_interval_is_not_pooled():
    shared = ("column", 3, "visits")
    no_interval = _row(shared, 1.0, float("nan"))
    assert pooled([no_interval, _row(shared, 2.0, 0.5)]) == []


@pytest.mark.django_db(transaction=True)
def test_decided_experiments_are_filtered_and_shown_only_to_those_who_may_read_them(demo):
    from infuse.adaption.models import Decision, Experiment

    public = decided(None)
    decided_ids = set(Decision.objects.values_list("experiment_id", flat=True))
    assert {row.experiment.pk for row in public} == set(
        Experiment.objects.filter(pk__in=decided_ids, public=True).values_list("pk", flat=True)
    )
    row = public[0]
    council = row.tried[0]
    assert [r.experiment for r in decided(None, council=council.slug)] == [row.experiment]
    assert decided(None, council="no-such-council") == []
    assert decided(None, design="individual_rct") == [
        r for r in public if r.experiment.design == "individual_rct"
    ]
    officer = Person.objects.get(email="officer@infuse.example")
    assert {r.experiment.pk for r in decided(officer)} >= {r.experiment.pk for r in public}
