"""`infuse data create` and `infuse data datasets`, and what `infuse data ingest` says back: a
real process against its own database, in English and in Welsh."""

from __future__ import annotations

import json
from pathlib import Path

from tests.processes import run

OFFICER = ("--as", "officer@infuse.example")
SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


def test_a_dataset_is_made_listed_and_filled_from_the_command_line(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    made = run(
        migrated_env,
        "data",
        "create",
        "--title-en",
        "Low birth weight",
        "--title-cy",
        "Pwysau geni isel",
        "--themes",
        "improving-public-health",
        "--visibility",
        "public",
        *OFFICER,
    ).stdout
    assert "Dataset low-birth-weight added: Low birth weight." in made
    assert "infuse data ingest FILE --dataset low-birth-weight --as officer@infuse.example" in made

    entry = tmp_path / "entry.json"
    entry.write_text(
        json.dumps(
            {"title_en": "Adult lifestyles", "title_cy": "Ffordd o fyw", "goals": ["healthier"]}
        )
    )
    as_api = json.loads(
        run(migrated_env, "data", "create", "--from", str(entry), "--json", *OFFICER).stdout
    )
    assert as_api["slug"] == "adult-lifestyles" and as_api["publisher"] == "cardiff"
    assert as_api["goals"] == ["healthier"] and as_api["versions"] == []

    refused = run(
        migrated_env,
        "data",
        "create",
        "--title-en",
        "Elsewhere",
        "--title-cy",
        "Rhywle arall",
        "--publisher",
        "newport",
        *OFFICER,
        ok=False,
    )
    assert refused.returncode != 0
    assert "publisher: Choose an organisation you publish data for" in refused.stderr

    listed = run(migrated_env, "data", "datasets", *OFFICER).stdout
    assert "low-birth-weight  Low birth weight  (" in listed and "no data yet" in listed
    public = json.loads(run(migrated_env, "data", "datasets", "--json").stdout)
    assert [d["slug"] for d in public] == ["low-birth-weight"]  # the other is private
    assert (
        "No datasets match."
        in run(migrated_env, "data", "datasets", "--search", "zzz", *OFFICER).stdout
    )

    unknown = run(
        migrated_env,
        "data",
        "ingest",
        str(SHARED / "health" / "low_birth_weight.csv"),
        "--dataset",
        "low-birth-weigth",
        *OFFICER,
        ok=False,
    )
    assert unknown.returncode != 0
    assert "There is no dataset ‘low-birth-weigth’ that you can see" in unknown.stderr
    assert "infuse data datasets" in unknown.stderr

    source = SHARED / "health" / "low_birth_weight.csv"
    assert source.exists(), f"missing reference file: {source}"
    ingested = run(
        migrated_env,
        "data",
        "ingest",
        str(source),
        "--dataset",
        "low-birth-weight",
        *OFFICER,
    ).stdout
    # Everything the upload's page says about reading the file, said here too; the preamble
    # was found, not given.
    assert "What was changed while reading the file:" in ingested
    assert (
        "The first 6 lines, above the table (a title, notes or filters), were skipped" in ingested
    )
    assert "The table ends at the blank line 38; 29 lines of notes below it" in ingested
    assert "Version 1 of low-birth-weight: 30 rows" in ingested


def test_a_rejected_ingest_says_why_and_exits_non_zero_in_welsh(migrated_env, tmp_path):
    run(migrated_env, "demo", "--people-only")
    run(
        migrated_env,
        "data",
        "create",
        "--title-en",
        "Waste",
        "--title-cy",
        "Gwastraff",
        "--validation-policy",
        "reject",
        *OFFICER,
    )
    schema = tmp_path / "schema.json"
    schema.write_text(
        json.dumps(
            {
                "fields": [
                    {"name": "council", "type": "string", "council": True},
                    {"name": "tonnes", "type": "integer", "constraints": {"minimum": 0}},
                ]
            }
        )
    )
    run(migrated_env, "data", "schema", "waste", str(schema), *OFFICER)
    rows = tmp_path / "waste.csv"
    rows.write_text("council,tonnes\nCardiff,10\nAtlantis,4\nNewport,-2\n")
    rejected = run(
        migrated_env,
        "data",
        "ingest",
        str(rows),
        "--dataset",
        "waste",
        "--language",
        "cy",
        *OFFICER,
        ok=False,
    )
    assert rejected.returncode != 0
    assert "2 o broblemau mewn 2 rhes" in rejected.stdout, rejected.stdout
    assert "tonnes: Yn is na'r isafswm o 0. (1; rhesi 3)" in rejected.stdout
    assert "Wedi'i wrthod" in rejected.stderr
