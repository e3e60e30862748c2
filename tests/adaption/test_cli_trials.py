"""`infuse trials …` as an operator runs it: a real process against its own database."""

from __future__ import annotations

import csv
import io
import json

from tests.adaption.conftest import PROTOCOL
from tests.processes import run

OFFICER = ("--as", "officer@infuse.example")
SCORES = (
    "from infuse.core.models import Person\n"
    "from infuse.datalab.catalogue import services\n"
    "from infuse.datalab.catalogue.schemas import DatasetIn\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "services.create_dataset(actor=officer, dataset_in=DatasetIn(\n"
    "    title_en='Scores', title_cy='Sgorau',\n"
    "    publisher='cardiff'))\n"
)
ANALYST = ("--as", "analyst@infuse.example")


def test_trials_from_the_command_line(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    run(
        migrated_env,
        "createuser",
        "stats@cardiff.example",
        "--name",
        "Stats",
        "--role",
        "analyst",
        "--organisation",
        "cardiff",
        "--password-stdin",
        stdin="long-enough-password-1\n",
    )
    entry = tmp_path / "entry.json"
    entry.write_text(
        json.dumps(
            {
                "title_en": "Warm hubs",
                "title_cy": "Hybiau cynnes",
                "owner": "cardiff",
                "design": "stepped_wedge",
                "councils": ["W06000015", "W06000022", "W06000020"],
                "public": True,
            }
        )
    )
    assert "warm-hubs added" in run(migrated_env, "trials", "create", str(entry), *OFFICER).stdout
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"title_en": "X", "title_cy": "X", "owner": "cardiff", "design": "moon"})
    )
    refused = run(migrated_env, "trials", "create", str(bad), *OFFICER, ok=False)
    assert refused.returncode != 0 and "design" in refused.stderr
    outcomes = tmp_path / "outcomes.json"
    outcomes.write_text(json.dumps([{"kind": "primary", "name": "GP visits"}]))
    run(migrated_env, "trials", "outcomes", "warm-hubs", str(outcomes), *OFFICER)
    early = run(migrated_env, "trials", "move", "warm-hubs", "launch", *OFFICER, ok=False)
    assert early.returncode != 0 and "cannot be moved" in early.stderr
    assert "designed" in run(migrated_env, "trials", "move", "warm-hubs", "design", *OFFICER).stdout
    protocol = tmp_path / "protocol.json"
    protocol.write_text(json.dumps(PROTOCOL))
    assert (
        "Protocol version 1: SHA-256"
        in run(migrated_env, "trials", "protocol", "warm-hubs", str(protocol), *OFFICER).stdout
    )
    done = run(
        migrated_env,
        "trials",
        "randomise",
        "warm-hubs",
        "--seed",
        "11",
        "--steps",
        "3",
        "--as",
        "stats@cardiff.example",
    ).stdout
    assert "Randomised with seed 11" in done
    hidden = run(migrated_env, "trials", "allocation", "warm-hubs", ok=False)
    assert hidden.returncode != 0
    run(migrated_env, "trials", "move", "warm-hubs", "launch", *OFFICER)
    rows = list(
        csv.DictReader(io.StringIO(run(migrated_env, "trials", "allocation", "warm-hubs").stdout))
    )
    assert sorted(r["step"] for r in rows) == ["1", "2", "3"]
    listed = run(migrated_env, "trials", "list", "--design", "stepped_wedge").stdout
    assert "warm-hubs\trunning" in listed

    # Outcome data by council and period: the schedule switches each council on at its step.
    step = {r["unit"]: int(r["step"]) for r in rows}
    lines = ["council,period,score"]
    for council, switch in step.items():
        for period in range(4):
            treated = period >= switch
            for person in range(10):
                lines.append(f"{council},P{period},{50 + 5 * treated + person % 3 + period}")
    outcome_file = tmp_path / "scores.csv"
    outcome_file.write_text("\n".join(lines) + "\n")
    run(migrated_env, "shell", "--no-imports", "-c", SCORES)
    run(migrated_env, "data", "ingest", str(outcome_file), "--dataset", "scores", *OFFICER)
    analysed = run(
        migrated_env,
        "trials",
        "analyse",
        "warm-hubs",
        "--dataset",
        "scores",
        "--outcome",
        "score",
        "--cluster",
        "council",
        "--period",
        "period",
        *OFFICER,
    ).stdout
    assert "Effect 5 (95% CI" in analysed
    run(migrated_env, "trials", "move", "warm-hubs", "analyse", *OFFICER)
    decided = run(
        migrated_env,
        "trials",
        "decide",
        "warm-hubs",
        "--choice",
        "scale",
        "--rationale",
        "Five points.",
        "--cost-pence",
        "1250",
        "--cost-unit",
        "per point",
        *OFFICER,
    ).stdout
    assert "Decision: scale (evidence level 3, suggested 3)" in decided
    child = run(
        migrated_env,
        "trials",
        "scale-up",
        "warm-hubs",
        "--councils",
        "W06000024,W06000019",
        *OFFICER,
    ).stdout
    assert "Scale-up scale-up-warm-hubs added" in child
    pdf = tmp_path / "report.pdf"
    run(migrated_env, "trials", "report", "warm-hubs", "--output", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "Audit chain intact" in run(migrated_env, "audit", "verify").stdout


def test_designs_from_the_command_line(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    entry = tmp_path / "entry.json"
    entry.write_text(
        json.dumps(
            {
                "title_en": "Reminders",
                "title_cy": "Nodiadau atgoffa",
                "owner": "cardiff",
                "design": "individual_rct",
            }
        )
    )
    run(migrated_env, "trials", "create", str(entry), *OFFICER)
    sized = json.loads(
        run(
            migrated_env,
            "trials",
            "design",
            "reminders",
            "--effect",
            "2",
            "--sd",
            "8",
            "--save",
            *OFFICER,
        ).stdout
    )
    assert sized["saved"] and 250 < sized["result"]["sample_size"]["n_control"] < 253
    hidden = run(migrated_env, "trials", "design", "reminders", "--sd", "8", ok=False)
    assert "Not found, or not visible to you" in hidden.stderr and "--as" in hidden.stderr
    refused = run(migrated_env, "trials", "design", "reminders", "--sd", "8", *OFFICER, ok=False)
    assert refused.returncode != 0 and "effect" in refused.stderr
    simulated = json.loads(
        run(migrated_env, "trials", "design", "reminders", "--simulate", *OFFICER).stdout
    )
    assert 0.75 < simulated["power"] < 0.85 and simulated["n_simulations"] == 2000

    # A difference in differences planned from its outcome's past.
    lines = ["council,year,rate"]
    for i, gss in enumerate(["W06000015", "W06000022", "W06000013", "W06000014", "W06000020"]):
        for year in range(2010, 2022):
            lines.append(f"{gss},{year},{20 + i + 0.1 * (year - 2010) + (year * 7 + i) % 3}")
    past = tmp_path / "past.csv"
    past.write_text("\n".join(lines) + "\n")
    run(migrated_env, "shell", "--no-imports", "-c", SCORES.replace("Scores", "Rates"))
    run(migrated_env, "data", "ingest", str(past), "--dataset", "rates", *OFFICER)
    entry.write_text(
        json.dumps(
            {
                "title_en": "Hubs",
                "title_cy": "Hybiau",
                "owner": "cardiff",
                "design": "did",
                "councils": ["W06000015"],
            }
        )
    )
    run(migrated_env, "trials", "create", str(entry), *OFFICER)
    outcomes = tmp_path / "outcomes.json"
    outcomes.write_text(
        json.dumps([{"kind": "primary", "name": "Rate", "dataset": "rates", "column": "rate"}])
    )
    run(migrated_env, "trials", "outcomes", "hubs", str(outcomes), *OFFICER)
    plan = [
        "trials",
        "design",
        "hubs",
        "--from-history",
        "--council-column",
        "council",
        "--period-column",
        "year",
    ]
    too_long = run(migrated_env, *plan, "--post-periods", "20", *OFFICER, ok=False)
    assert too_long.returncode != 0 and "post_periods" in too_long.stderr
    planned = json.loads(
        run(migrated_env, *plan, "--post-periods", "3", "--effects", "1,2,4", *OFFICER).stdout
    )
    assert planned["history"]["effects"] == [0.0, 1.0, 2.0, 4.0]
    assert planned["history"]["n_placebos"] == 5 * (12 - 2 - 3 + 1)  # each council in turn
    assert planned["source"]["dataset"] == "rates"
