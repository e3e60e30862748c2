"""Spend analysis as an operator runs it: real processes, a shared file created, ingested,
read as payments with a progress bar, resolved and drafted into a challenge."""

from __future__ import annotations

import json

from tests.processes import query, run
from tests.procurement.spend.conftest import FILES
from tests.reference_data import shared

OFFICER = ("--as", "officer@infuse.example")
BUYER = ("--as", "procurement@infuse.example")


def test_a_spending_file_from_the_command_line(migrated_env):
    run(migrated_env, "demo", "--people-only")
    run(
        migrated_env,
        "data",
        "create",
        "--title-en",
        "Salford payments",
        "--title-cy",
        "Taliadau Salford",
        "--visibility",
        "public",
        *OFFICER,
    )
    path, mapping = FILES["salford"]
    run(
        migrated_env, "data", "ingest", "--dataset", "salford-payments", str(shared(path)), *OFFICER
    )

    refused = run(
        migrated_env,
        "procurement",
        "spend-map",
        "salford-payments",
        "--paid",
        "Payment Date",
        *OFFICER,
        ok=False,
    )
    assert refused.returncode != 0
    assert "Choose the column that holds the amount" in refused.stderr

    columns = [f"--{name.replace('_', '-')}={value}" for name, value in mapping.items()]
    read = run(migrated_env, "procurement", "spend-map", "salford-payments", *columns, *OFFICER)
    assert "1,375 of 1,375 rows" in read.stdout

    summary = json.loads(run(migrated_env, "procurement", "spend", *BUYER).stdout)
    assert summary["payments"] == 1375
    assert summary["buyers"][0]["label"] == "Salford City Council"

    matches = json.loads(run(migrated_env, "procurement", "spend-matches", *BUYER).stdout)
    if matches:  # Salford spells few suppliers two ways; any proposal can be decided
        decided = run(
            migrated_env, "procurement", "spend-decide", str(matches[0]["id"]), "reject", *BUYER
        )
        assert json.loads(decided.stdout)["status"] == "rejected"
    refused = run(migrated_env, "procurement", "spend-decide", "1", "merge", *OFFICER, ok=False)
    assert refused.returncode != 0  # an officer reads, but does not resolve

    (count,) = query(migrated_env, "SELECT count(*) FROM procurement_payment")[0]
    assert count == 1375
