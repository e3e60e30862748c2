"""The births indicator of ``test_births`` made through the API alone, and through the
command alone: the same recipe steps, the same independent figures, in English and Welsh."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from infuse.core import services as core_services
from tests.datalab.independent import REGION, wilson_percent
from tests.datalab.recipes.test_births import births_spec, independent, raw_file

pytestmark = pytest.mark.django_db(transaction=True)

RECIPE = [
    {
        "step": "derive",
        "column": "area",
        "operation": "first_filled",
        "of": ["column_3", "column_2", "column_1"],
    },
    {"step": "constant", "column": "year", "from_title": "Year"},
    {"step": "derive", "column": "under_2500", "operation": "sum", "of": ["<2000g", "2000-2499g"]},
]


def expected_rows(raw: bytes) -> dict[str, tuple[float, float, float, str]]:
    """Each council's value, interval and class against Wales (lower is better)."""
    counts = independent(raw)
    wales = 100 * counts["Wales"][0] / counts["Wales"][1]
    rows = {}
    for name in REGION:
        count, births = counts[name]
        low, high = wilson_percent(count, births)
        judged = "better" if high < wales else "worse" if low > wales else "similar"
        rows[name] = (100 * count / births, low, high, judged)
    return rows


def crlf() -> bytes:
    return raw_file().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def test_through_the_api(make_person):
    officer = make_person("officer")
    token = core_services.create_api_token(actor=officer, name="api").secret
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    created = api.post(
        "/api/v1/data/datasets",
        {"title_en": "Births", "title_cy": "Genedigaethau", "publisher": "cardiff"},
        content_type="application/json",
    )
    assert created.status_code == 201
    sent = api.post(
        "/api/v1/data/datasets/births/uploads", {"file": SimpleUploadedFile("lbw.csv", crlf())}
    )
    assert sent.status_code == 202
    call_command("worker", "--batch")
    shaped = api.put(
        "/api/v1/data/datasets/births/recipe", {"steps": RECIPE}, content_type="application/json"
    ).json()
    assert shaped["latest_version"]["row_count"] == 30
    made = api.post(
        "/api/v1/data/datasets/births/indicators",
        {
            "title_en": "Births under 2,500 g",
            "title_cy": "Genedigaethau dan 2,500 g",
            "specification": births_spec(),
            "benchmark": {"kind": "area", "area": "Wales"},
        },
        content_type="application/json",
    )
    assert made.status_code == 202, made.content  # accepted: computed in the background
    slug = made.json()["slug"]
    call_command("worker", "--batch")
    values = api.get(f"/api/v1/data/indicators/{slug}/values").json()["values"]
    expected = expected_rows(crlf())
    for row in values:
        if row["area"] in REGION:
            value, low, high, judged = expected[row["area"]]
            assert row["period"] == "2023" and row["comparison"] == judged
            assert (row["value"], row["ci_low"], row["ci_high"]) == pytest.approx(
                (value, low, high)
            )
            assert row["compared_with"] == "Wales"
    assert {row["area"] for row in values} >= REGION
    welsh = api.get(f"/api/v1/data/indicators/{slug}", HTTP_ACCEPT_LANGUAGE="cy").json()
    assert welsh["compared_with"] == "Cymru" and welsh["polarity"] == "lower_is_better"


def test_through_the_command(make_person, tmp_path, capsys):
    officer = make_person("officer")
    data = tmp_path / "lbw.csv"
    data.write_bytes(crlf())
    (tmp_path / "recipe.json").write_text(json.dumps(RECIPE))
    (tmp_path / "spec.json").write_text(json.dumps(births_spec()))
    me = ["--as", officer.email]
    call_command("data", "create", "--title-en", "Births", "--title-cy", "Genedigaethau", *me)
    call_command("data", "ingest", str(data), "--dataset", "births", *me)
    call_command("data", "recipe", "births", "--from", str(tmp_path / "recipe.json"), *me)
    capsys.readouterr()
    call_command("data", "recipe", "births", "--language", "cy", *me)
    assert "Cam 3: Ychwanegu ‘under_2500’" in capsys.readouterr().out
    call_command(
        "data",
        "indicator",
        "births",
        "--spec",
        str(tmp_path / "spec.json"),
        "--title-en",
        "Births under 2,500 g",
        "--title-cy",
        "Genedigaethau dan 2,500 g",
        "--benchmark",
        "area:Wales",
        *me,
    )
    assert "Each council compared with: Wales" in capsys.readouterr().out
    out = tmp_path / "values.csv"
    call_command("data", "values", "births-under-2500-g", "--output", str(out), *me)
    rows = {r["area"]: r for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))}
    expected = expected_rows(crlf())
    for name in REGION:
        value, low, high, judged = expected[name]
        got = rows[name]
        assert got["comparison"] == judged and got["compared_with"] == "Wales"
        assert [float(got[k]) for k in ("value", "ci_low", "ci_high")] == pytest.approx(
            [value, low, high]
        )
