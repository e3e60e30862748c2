"""`infuse data …` as an operator runs it: a real process against its own database."""

from __future__ import annotations

import csv
import io
import json

from tests.processes import run

DATASET = (
    "from infuse.core.models import Person\n"
    "from infuse.datalab.catalogue import services\n"
    "from infuse.datalab.catalogue.schemas import DatasetIn\n"
    "officer = Person.objects.get(email='officer@infuse.example')\n"
    "services.create_dataset(actor=officer, dataset_in=DatasetIn(\n"
    "    title_en='Smoking', title_cy='Ysmygu', visibility='public',\n"
    "    publisher='cardiff'))\n"
)
SURVEY = (
    "council,surveyed_on,smokers,surveyed\n"
    "Cardiff,2024-05-01,36,210\n"
    "Newport,2024-05-01,3,100\n"
    "Torfaen,2024-06-01,40,150\n"
    "Bridgend,2024-06-01,25,120\n"
)
OFFICER = ("--as", "officer@infuse.example")


def test_every_data_action_from_the_command_line(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    run(migrated_env, "shell", "--no-imports", "-c", DATASET)

    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "council", "type": "string", "council": True},
                    {"name": "surveyed_on", "type": "date"},
                    {"name": "smokers", "type": "integer", "constraints": {"minimum": 0}},
                    {"name": "surveyed", "type": "integer", "constraints": {"minimum": 1}},
                ]
            }
        )
    )
    declared = run(migrated_env, "data", "schema", "smoking", str(schema), *OFFICER)
    assert "Schema of smoking declared" in declared.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    failed = run(migrated_env, "data", "schema", "smoking", str(broken), *OFFICER, ok=False)
    assert failed.returncode != 0 and "Cannot read" in failed.stderr

    data = tmp_path / "smoking.csv"
    narrow = tmp_path / "narrow.csv"
    narrow.write_text("council,smokers\nCardiff,3\n")
    wrong_columns = run(
        migrated_env, "data", "ingest", str(narrow), "--dataset", "smoking", *OFFICER, ok=False
    )
    assert "columns do not match" in wrong_columns.stderr
    data.write_text(SURVEY)
    assert (
        "Version 1 of smoking: 4 rows"
        in run(migrated_env, "data", "ingest", str(data), "--dataset", "smoking", *OFFICER).stdout
    )

    table = run(
        migrated_env,
        "data",
        "sql",
        "select council, smokers from smoking order by 2 desc",
        *OFFICER,
    ).stdout
    assert "Torfaen" in table and "40" in table
    out = tmp_path / "rows.csv"
    run(migrated_env, "data", "sql", "select * from smoking", "--output", str(out), *OFFICER)
    assert len(list(csv.DictReader(out.open()))) == 4
    refused = run(migrated_env, "data", "sql", "COPY smoking TO '/tmp/x.csv'", *OFFICER, ok=False)
    assert refused.returncode != 0 and "SELECT" in refused.stderr

    exported = run(migrated_env, "data", "export", "smoking", "--format", "json").stdout
    assert [r["council"] for r in json.loads(exported)][:2] == ["Cardiff", "Newport"]

    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "numerator": {"aggregation": "sum", "column": "smokers"},
                "denominator": {"kind": "measure", "aggregation": "sum", "column": "surveyed"},
                "council_column": "council",
                "period": {"column": "surveyed_on", "grain": "financial_year"},
                "unit": "percentage",
                "polarity": "lower_is_better",
            }
        )
    )
    made = run(
        migrated_env,
        "data",
        "indicator",
        "smoking",
        "--spec",
        str(spec),
        "--title-en",
        "Adults who smoke",
        "--title-cy",
        "Oedolion sy'n ysmygu",
        *OFFICER,
    ).stdout
    assert "Indicator adults-who-smoke: 5 values" in made

    public = list(
        csv.DictReader(io.StringIO(run(migrated_env, "data", "values", "adults-who-smoke").stdout))
    )
    newport = next(r for r in public if r["area_code"] == "W06000022")
    assert newport["numerator"] == "" and newport["flag"] == "suppressed"
    staff = list(
        csv.DictReader(
            io.StringIO(run(migrated_env, "data", "values", "adults-who-smoke", *OFFICER).stdout)
        )
    )
    assert next(r for r in staff if r["area_code"] == "W06000022")["numerator"] == "3.0"

    flagged = run(
        migrated_env,
        "data",
        "flag",
        "adults-who-smoke",
        "--area",
        "W06000015",
        "--period",
        "2024-25",
        "--flag",
        "provisional",
        *OFFICER,
    )
    assert "saved" in flagged.stdout
    bad_flag = run(
        migrated_env,
        "data",
        "flag",
        "adults-who-smoke",
        "--area",
        "region",
        "--period",
        "2024-25",
        "--flag",
        "dubious",
        *OFFICER,
        ok=False,
    )
    assert bad_flag.returncode != 0 and "flag" in bad_flag.stderr
    again = list(
        csv.DictReader(io.StringIO(run(migrated_env, "data", "values", "adults-who-smoke").stdout))
    )
    assert next(r for r in again if r["area_code"] == "W06000015")["flag"] == "provisional"
    assert "Audit chain intact" in run(migrated_env, "audit", "verify").stdout
