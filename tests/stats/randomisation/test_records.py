"""Tests for infuse.stats.randomisation.records: reproducibility and digests."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from infuse.stats.randomisation.individual import randomise_complete
from infuse.stats.randomisation.records import allocation_digest, inputs_digest
from infuse.stats.randomisation.stratified import randomise_stratified
from tests.stats.randomisation._data import IDS, _covariates


def test_reproducible_from_seed_and_differs_across_seeds() -> None:
    a = randomise_complete(IDS, seed=123)
    b = randomise_complete(IDS, seed=123)
    c = randomise_complete(IDS, seed=124)
    assert a == b
    assert a.allocation_digest == b.allocation_digest
    assert a.assignment != c.assignment
    assert a.inputs_digest == c.inputs_digest


def test_inputs_digest_is_sha256_of_hand_written_canonical_json() -> None:
    """The canonical form written out by hand (sorted keys, no spaces, NaN as null)."""
    cov = {"x": [1.5, float("nan")], "flag": [True, False]}
    expected = hashlib.sha256(
        b'{"covariates":{"flag":[true,false],"x":[1.5,null]},"unit_ids":["a","b"]}'
    ).hexdigest()
    assert inputs_digest(["a", "b"], cov) == expected
    assert inputs_digest(["a", "b"], pd.DataFrame(cov)) == expected
    assert (
        allocation_digest(["a", "b"], ["control", "treatment"])
        == hashlib.sha256(
            b'{"assignment":["control","treatment"],"unit_ids":["a","b"]}'
        ).hexdigest()
    )


def test_digests_stable_across_processes(tmp_path: Path) -> None:
    """A fresh interpreter (different hash seed) reproduces the allocation and its digests."""
    cov = _covariates()
    here = randomise_stratified(IDS, covariates=cov, strata_by=["council"], seed=77)
    script = (
        "import json, sys\n"
        "from infuse.stats import randomise_stratified\n"
        "ids, cov = json.load(sys.stdin)\n"
        "r = randomise_stratified(ids, covariates=cov, strata_by=['council'], seed=77)\n"
        "print(json.dumps([r.inputs_digest, r.allocation_digest]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps([IDS, cov]),
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert json.loads(out.stdout) == [here.inputs_digest, here.allocation_digest]
