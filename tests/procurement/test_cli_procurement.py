"""`infuse procurement …` as an operator runs it: real processes, the real clock.

The phase's bids close a few seconds after the bids are in, and the standstill is switched off
(INFUSE_STANDSTILL_WORKING_DAYS=0), so the whole flow runs in real time."""

from __future__ import annotations

import datetime as dt
import json
import time

from tests.processes import query, run

BUYER = ("--as", "procurement@infuse.example")
SECOND = ("--as", "procurement2@infuse.example")
JUDGE = ("--as", "evaluator@infuse.example")
MONEY = ("--as", "fund@infuse.example")
SUPPLIER = ("--as", "supplier@infuse.example")


def test_publish_to_payment_from_the_command_line(migrated_env, tmp_path):
    migrated_env["INFUSE_STANDSTILL_WORKING_DAYS"] = "0"
    run(migrated_env, "demo", "--people-only")
    now = dt.datetime.now(dt.UTC)
    closes = now + dt.timedelta(seconds=30)  # room for the six commands before it
    entry = tmp_path / "challenge.json"
    entry.write_text(
        json.dumps(
            {
                "title_en": "Gully sensors",
                "title_cy": "Synwyryddion cwteri",
                "owner": "rhondda-cynon-taf",
                "councils": ["W06000016"],
                "summary_en": "Know when gullies block.",
                "summary_cy": "Gwybod pan fydd cwteri'n blocio.",
                "problem_en": "Blocked gullies flood streets.",
                "themes": ["transforming-communities"],
                "goals": ["resilient"],
                "cpv_codes": ["34144900"],
                "phases": [
                    {
                        "number": 1,
                        "budget_pence": 2_000_000,
                        "contracts_planned": 1,
                        "opens_at": (now - dt.timedelta(hours=1)).isoformat(),
                        "clarification_deadline": (closes - dt.timedelta(seconds=5)).isoformat(),
                        "submission_deadline": closes.isoformat(),
                        "evaluation_ends_on": (now + dt.timedelta(days=5)).date().isoformat(),
                        "award_expected_on": (now + dt.timedelta(days=9)).date().isoformat(),
                        "criteria": [
                            {"kind": "quality", "title_en": "Approach", "weight": 60},
                            {
                                "kind": "social_value",
                                "title_en": "Jobs",
                                "weight": 10,
                                "goal": "prosperous",
                            },
                            {"kind": "price", "title_en": "Price", "weight": 30},
                        ],
                    }
                ],
            }
        )
    )
    assert (
        "gully-sensors added"
        in run(migrated_env, "procurement", "create", str(entry), *BUYER).stdout
    )
    run(migrated_env, "procurement", "publish", "gully-sensors", *BUYER)
    assert "gully-sensors\tpublished" in run(migrated_env, "procurement", "list").stdout
    run(
        migrated_env,
        "fund",
        "allocate",
        "gully-sensors/1",
        "--amount-pence",
        "2000000",
        *MONEY,
    )
    criteria = {
        kind: pk for pk, kind in query(migrated_env, "SELECT id, kind FROM procurement_criterion")
    }
    bid = tmp_path / "bid.json"
    bid.write_text(
        json.dumps(
            {
                "answers": {
                    str(criteria["quality"]): "Ultrasonic sensors",
                    str(criteria["social_value"]): "Two apprentices",
                },
                "price_pence": 1_500_000,
            }
        )
    )
    assert (
        "submitted (sealed)"
        in run(
            migrated_env,
            "procurement",
            "bid",
            "gully-sensors",
            "1",
            str(bid),
            "--submit",
            *SUPPLIER,
        ).stdout
    )
    (sealed,) = query(migrated_env, "SELECT sealed FROM procurement_bid")[0]
    assert b"Ultrasonic" not in bytes(sealed)
    early = run(migrated_env, "procurement", "open", "gully-sensors", "1", *BUYER, ok=False)
    assert early.returncode != 0 and "after the deadline" in early.stderr
    time.sleep(max(0.0, (closes - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
    late = run(
        migrated_env, "procurement", "bid", "gully-sensors", "1", str(bid), *SUPPLIER, ok=False
    )
    assert late.returncode != 0 and "can no longer be made or changed" in late.stderr
    assert (
        "Opening asked for"
        in run(migrated_env, "procurement", "open", "gully-sensors", "1", *BUYER).stdout
    )
    alone = run(migrated_env, "procurement", "open", "gully-sensors", "1", *BUYER, ok=False)
    assert "two-person rule" in alone.stderr
    assert (
        "Bids opened"
        in run(migrated_env, "procurement", "open", "gully-sensors", "1", *SECOND).stdout
    )
    run(
        migrated_env,
        "procurement",
        "panel",
        "gully-sensors",
        "1",
        "evaluator@infuse.example",
        *BUYER,
    )
    ((bid_id,),) = query(migrated_env, "SELECT id FROM procurement_bid")
    run(migrated_env, "procurement", "declare", str(bid_id), *JUDGE)
    run(
        migrated_env,
        "procurement",
        "score",
        str(bid_id),
        "--score",
        f"{criteria['quality']}=3",
        "--score",
        f"{criteria['social_value']}=2",
        "--submit",
        *JUDGE,
    )
    for kind, mark in (("quality", 3), ("social_value", 2)):
        run(
            migrated_env,
            "procurement",
            "moderate",
            str(bid_id),
            "--criterion",
            str(criteria[kind]),
            "--score",
            str(mark),
            "--rationale",
            "Agreed",
            *BUYER,
        )
    ranking = run(migrated_env, "procurement", "ranking", "gully-sensors", "1", *BUYER).stdout
    assert "1\t80.00\tDragon Data Cyf." in ranking  # 45 + 5 + 30
    awarded = run(
        migrated_env,
        "procurement",
        "award",
        "gully-sensors",
        "1",
        "--reasons",
        "Only bid, good",
        *BUYER,
    ).stdout
    award_id = awarded.split()[1]
    made = run(
        migrated_env,
        "procurement",
        "confirm",
        award_id,
        "--starts",
        "2027-01-04",
        "--ends",
        "2027-06-30",
        *BUYER,
    ).stdout
    contract_id = made.split()[1]
    run(
        migrated_env,
        "procurement",
        "milestone",
        contract_id,
        "--title",
        "Sensors fitted",
        "--due",
        "2027-03-01",
        "--amount-pence",
        "500000",
        *BUYER,
    )
    ((milestone_id,),) = query(migrated_env, "SELECT id FROM procurement_milestone")
    refused = run(migrated_env, "procurement", "pay", str(milestone_id), *MONEY, ok=False)
    assert "Accept the milestone" in refused.stderr
    run(migrated_env, "procurement", "accept", str(milestone_id), *BUYER)
    assert (
        "Paid 500000 pence"
        in run(migrated_env, "procurement", "pay", str(milestone_id), *MONEY).stdout
    )
    money = json.loads(run(migrated_env, "fund", "report", *MONEY).stdout)
    assert (money["committed_pence"], money["paid_pence"]) == (1_500_000, 500_000)
    feedback = json.loads(
        run(migrated_env, "procurement", "feedback", str(bid_id), *SUPPLIER).stdout
    )
    assert feedback["successful"] is True
    releases = json.loads(run(migrated_env, "procurement", "ocds").stdout)
    tags = [t for r in releases["releases"] for t in r["tag"]]
    assert {"planning", "tender", "award", "contract", "implementation"} <= set(tags)
    key = run(migrated_env, "procurement", "new-key", "k9").stdout.strip()
    assert key.startswith("k9:") and len(key) > 40
    assert "Audit chain intact" in run(migrated_env, "audit", "verify").stdout
