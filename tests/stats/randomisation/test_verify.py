"""Tests for infuse.stats.randomisation.verify: round trips and tampering."""

from __future__ import annotations

import json

import pytest

from infuse.stats.randomisation.clusters import randomise_clusters, randomise_stepped_wedge
from infuse.stats.randomisation.individual import (
    randomise_blocked,
    randomise_complete,
    randomise_simple,
)
from infuse.stats.randomisation.records import AllocationResult, RerandomisationCriterion
from infuse.stats.randomisation.stratified import (
    randomise_stratified,
    randomise_stratified_clusters,
)
from infuse.stats.randomisation.verify import verify_allocation
from tests.stats.randomisation._data import IDS, _covariates


@pytest.mark.parametrize(
    "run",
    [
        lambda ids, cov: randomise_simple(ids, seed=1, covariates=cov),
        lambda ids, cov: randomise_complete(ids, seed=2, ratio=[1, 2], covariates=cov),
        lambda ids, cov: randomise_blocked(ids, seed=3, block_sizes=[2, 4], covariates=cov),
        lambda ids, cov: randomise_stratified(
            ids, covariates=cov, strata_by=["council", "age"], bins={"age": [40.0]}, seed=4
        ),
        lambda ids, cov: randomise_clusters(ids, seed=5, covariates=cov),
        lambda ids, cov: randomise_stratified_clusters(
            ids, covariates=cov, strata_by=["female"], seed=6
        ),
        lambda ids, cov: randomise_stepped_wedge(ids, n_steps=4, seed=7, covariates=cov),
        lambda ids, cov: randomise_complete(
            ids,
            seed=8,
            covariates={k: v for k, v in cov.items() if k != "council"},
            rerandomisation=RerandomisationCriterion("max_abs_smd", 0.1),
        ),
    ],
)
def test_verify_allocation_round_trip_and_tampering(run: object) -> None:
    cov = _covariates()
    result: AllocationResult = run(IDS, cov)  # type: ignore[operator]
    used_cov = (
        cov
        if result.method != "complete" or result.rerandomisation is None
        else {k: v for k, v in cov.items() if k != "council"}
    )
    inputs = {"unit_ids": IDS, "covariates": used_cov}
    assert verify_allocation(result, inputs)
    # JSON round trip of the record still verifies.
    record = json.loads(json.dumps(result.to_dict()))
    assert record["allocation_digest"] == result.allocation_digest
    # Changed inputs, or a changed assignment, fail.
    altered = {**used_cov, "female": [1 - int(v) for v in used_cov["female"]]}
    assert not verify_allocation(result, {"unit_ids": IDS, "covariates": altered})
    flipped = list(result.assignment)
    flipped[0], flipped[-1] = flipped[-1], flipped[0]
    if flipped != list(result.assignment):
        forged = AllocationResult(
            **{
                **{f: getattr(result, f) for f in result.__dataclass_fields__},
                "assignment": tuple(flipped),
            }
        )
        assert not verify_allocation(forged, inputs)
