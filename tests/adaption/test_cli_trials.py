"""`infuse trials …` as an operator runs it: a real process against its own database."""

from __future__ import annotations

import csv
import io
import json

from tests.adaption.conftest import PROTOCOL
from tests.processes import run

OFFICER = ("--as", "officer@infuse.example")
SCORES = (
    "from infuse.core.models import Organisation, Person\n"
    "from infuse.datalab import services\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "services.create_dataset(actor=officer, fields=services.DatasetFields(\n"
    "    title_en='Scores', title_cy='Sgorau',\n"
    "    publisher=Organisation.objects.get(slug='cardiff')))\n"
)
ANALYST = ("--as", "analyst@infuse.example")


def test_trials_from_the_command_line(cli_env, tmp_path):
    run(cli_env, "migrate", "--no-input")
    run(cli_env, "demo", "--people-only")
    run(
        cli_env,
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
    assert "warm-hubs added" in run(cli_env, "trials", "create", str(entry), *OFFICER).stdout
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"title_en": "X", "title_cy": "X", "owner": "cardiff", "design": "moon"})
    )
    refused = run(cli_env, "trials", "create", str(bad), *OFFICER, ok=False)
    assert refused.returncode != 0 and "design" in refused.stderr
    outcomes = tmp_path / "outcomes.json"
    outcomes.write_text(json.dumps([{"kind": "primary", "name": "GP visits"}]))
    run(cli_env, "trials", "outcomes", "warm-hubs", str(outcomes), *OFFICER)
    early = run(cli_env, "trials", "move", "warm-hubs", "launch", *OFFICER, ok=False)
    assert early.returncode != 0 and "cannot be moved" in early.stderr
    assert "designed" in run(cli_env, "trials", "move", "warm-hubs", "design", *OFFICER).stdout
    protocol = tmp_path / "protocol.json"
    protocol.write_text(json.dumps(PROTOCOL))
    assert (
        "Protocol version 1: SHA-256"
        in run(cli_env, "trials", "protocol", "warm-hubs", str(protocol), *OFFICER).stdout
    )
    done = run(
        cli_env,
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
    hidden = run(cli_env, "trials", "allocation", "warm-hubs", ok=False)
    assert hidden.returncode != 0
    run(cli_env, "trials", "move", "warm-hubs", "launch", *OFFICER)
    rows = list(
        csv.DictReader(io.StringIO(run(cli_env, "trials", "allocation", "warm-hubs").stdout))
    )
    assert sorted(r["step"] for r in rows) == ["1", "2", "3"]
    listed = run(cli_env, "trials", "list", "--design", "stepped_wedge").stdout
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
    run(cli_env, "shell", "--no-imports", "-c", SCORES)
    run(cli_env, "data", "ingest", str(outcome_file), "--dataset", "scores", *OFFICER)
    analysed = run(
        cli_env,
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
    run(cli_env, "trials", "move", "warm-hubs", "analyse", *OFFICER)
    decided = run(
        cli_env,
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
        cli_env, "trials", "scale-up", "warm-hubs", "--councils", "W06000024,W06000019", *OFFICER
    ).stdout
    assert "Scale-up scale-up-warm-hubs added" in child
    pdf = tmp_path / "report.pdf"
    run(cli_env, "trials", "report", "warm-hubs", "--output", str(pdf))
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert "Audit chain intact" in run(cli_env, "audit", "verify").stdout
