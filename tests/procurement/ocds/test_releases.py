"""Open contracting data: every stage published, the packages valid against the OCDS schemas in
../shared, the compiled record as the reference merge (ocdsmerge) makes it, no bid contents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ocdsmerge
import pytest
import time_machine
from django.test import Client
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from infuse.procurement.contracts import services as contracting
from infuse.procurement.contracts.schemas import MilestoneIn
from infuse.procurement.evaluation import services as evaluation
from infuse.procurement.evaluation.schemas import AwardCancelIn, AwardIn, ModerationIn, PanelIn
from infuse.procurement.ocds import releases as ocds
from infuse.procurement.social_value import services as social_value
from infuse.procurement.social_value.schemas import ReportIn, ReportLineIn
from tests.procurement.flows import (
    POUND,
    bids_in,
    confirmed,
    open_bids,
    score_all,
    the_second_bid_wins,
)

pytestmark = pytest.mark.django_db
SCHEMA = Path(__file__).resolve().parents[4] / "shared" / "data" / "ocds" / "schema"


def _load(name: str) -> dict:
    return json.loads((SCHEMA / name).read_text(encoding="utf-8"))


def _validator(package_schema: str) -> Draft4Validator:
    """The package schema, its release $refs resolved to the local release schema. The record
    schema it names is not among the shared files, so records are checked as OCDS 1.1 defines
    them (ocid and releases required) with every release and the compiled release validated
    against the shared release schema."""
    release = _load("release-schema.json")
    record = {
        "type": "object",
        "required": ["ocid", "releases"],
        "properties": {
            "ocid": {"type": "string"},
            "releases": {"type": "array", "minItems": 1, "items": {"$ref": release["id"]}},
            "compiledRelease": {"$ref": release["id"]},
        },
    }
    package = _load(package_schema)
    record_url = package["properties"].get("records", {}).get("items", {}).get("$ref", "")
    registry = Registry().with_resources(
        [
            (release["id"], Resource(contents=release, specification=DRAFT4)),
            (record_url, Resource(contents=record, specification=DRAFT4)),
        ]
    )
    return Draft4Validator(package, registry=registry)


def _errors(validator: Draft4Validator, document: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.fixture
def paid_phase(make_challenge, make_supplier, make_person, buyer, second_buyer):
    manager = make_person("fund_manager", email="money@ccr.example")
    draft = make_challenge(publish=False, title="Hidden draft")
    phase, bids = bids_in(make_challenge, make_supplier, manager, [60_000 * POUND, 80_000 * POUND])
    evaluator = make_person("evaluator", email="eval@bridgend.example")
    award = the_second_bid_wins(phase, bids, buyer, second_buyer, evaluator)
    with time_machine.travel(award.standstill_ends_at + dt.timedelta(hours=2)):
        contract = confirmed(award, buyer, bids[1])
        milestone = contracting.add_milestone(
            actor=buyer,
            contract=contract,
            milestone_in=MilestoneIn(
                title_en="Prototype", due_on=dt.date(2027, 3, 1), amount_pence=30_000 * POUND
            ),
        )
        milestone = contracting.accept_milestone(actor=buyer, milestone=milestone)
        contracting.pay_milestone(actor=manager, milestone=milestone)
    phase.draft = draft
    phase.losing_bid = bids[0]
    return phase


def test_every_stage_is_published_valid_and_compiled_as_the_reference_merge(paid_phase):
    web = Client()
    releases = web.get("/api/v1/procurement/ocds/releases").json()
    assert _errors(_validator("release-package-schema.json"), releases) == []
    mine = [r for r in releases["releases"] if r["ocid"] == paid_phase.ocid]
    tags = [t for r in mine for t in r["tag"]]
    for stage in ("planning", "tender", "award", "awardUpdate", "contract", "contractUpdate"):
        assert stage in tags
    assert tags.count("implementation") == 2  # accepted, then paid
    assert not any(r["ocid"] == paid_phase.draft.phases.get().ocid for r in releases["releases"])

    records = web.get(f"/api/v1/procurement/ocds/{paid_phase.ocid}/record").json()
    assert _errors(_validator("record-package-schema.json"), records) == []
    (record,) = records["records"]
    reference = ocdsmerge.Merger(_load("release-schema.json")).create_compiled_release(
        record["releases"]
    )
    ours = record["compiledRelease"]
    assert {k: v for k, v in ours.items() if k != "id"} == {
        k: v for k, v in reference.items() if k != "id"
    }
    compiled = ours
    assert compiled["tender"]["numberOfTenderers"] == 2
    assert compiled["awards"][0]["status"] == "active"
    assert compiled["awards"][0]["value"] == {"amount": 80_000.0, "currency": "GBP"}
    (contract,) = compiled["contracts"]
    assert contract["milestones"][0]["status"] == "met"
    assert contract["implementation"]["transactions"][0]["value"]["amount"] == 30_000.0
    supplier = next(p for p in compiled["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"]["scheme"] == "GB-COH"
    all_records = web.get("/api/v1/procurement/ocds/records").json()
    assert _errors(_validator("record-package-schema.json"), all_records) == []


def test_no_bid_contents_are_ever_published(paid_phase):
    everything = json.dumps(
        [
            Client().get("/api/v1/procurement/ocds/releases").json(),
            Client().get("/api/v1/procurement/ocds/records").json(),
        ]
    )
    assert "Our plan" not in everything  # answers
    assert "60000" not in everything.replace(".", "")  # the losing price
    assert paid_phase.losing_bid.supplier.name not in everything  # losing bidders unnamed
    draft_ocid = paid_phase.draft.phases.get().ocid
    assert Client().get(f"/api/v1/procurement/ocds/{draft_ocid}/record").status_code == 404


def test_a_cancelled_award_never_names_its_would_be_winner(
    make_challenge, make_supplier, make_person, buyer, second_buyer
):
    manager = make_person("fund_manager", email="money@ccr.example")
    phase, bids = bids_in(make_challenge, make_supplier, manager, [70_000 * POUND, 90_000 * POUND])
    evaluator = make_person("evaluator", email="eval@bridgend.example")
    evaluation.assign_evaluators(
        actor=buyer, phase=phase, panel_in=PanelIn(evaluators=[p.email for p in [evaluator]])
    )
    with time_machine.travel(phase.submission_deadline + dt.timedelta(hours=1)):
        open_bids(phase, buyer, second_buyer)
        score_all(evaluator, bids, phase, [(4, 4), (1, 1)])
        for bid, mark in zip(bids, (4, 1), strict=True):
            for criterion in phase.criteria.exclude(kind="price"):
                evaluation.moderate(
                    actor=buyer,
                    bid=bid,
                    moderation_in=ModerationIn(
                        criterion=criterion.pk, score=mark, rationale="Agreed"
                    ),
                )
        award = evaluation.award_phase(actor=buyer, phase=phase, award_in=AwardIn(rationale="Best"))
        pending = json.dumps(Client().get("/api/v1/procurement/ocds/records").json())
        evaluation.cancel_award(
            actor=buyer, award=award, cancel_in=AwardCancelIn(reason="A challenge to the decision")
        )
    cancelled = json.dumps(Client().get("/api/v1/procurement/ocds/records").json())
    for text in (pending, cancelled):
        assert bids[0].supplier.name not in text  # would-be winner, then a losing bidder
        assert "70000" not in text.replace(".", "")
    record = json.loads(cancelled)["records"][0]["compiledRelease"]
    assert record["awards"][0]["status"] == "cancelled" and "suppliers" not in record["awards"][0]


# The metrics extension's Metric, as its release-schema.json defines it (the fields used here):
# the published KPIs and results are checked against it, as the core schema ignores them.
OBSERVATION = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "measure": {"type": ["string", "number"]},
        "unit": {"type": "object", "properties": {"name": {"type": "string"}}},
        "dimensions": {"type": "object", "additionalProperties": {"type": "string"}},
        "period": {"type": "object", "properties": {"endDate": {"type": "string"}}},
        "relatedImplementationMilestone": {"type": "object", "required": ["id"]},
    },
}
METRIC = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "title": {"type": "string"},
        "observations": {"type": "array", "minItems": 1, "items": OBSERVATION},
    },
}


def test_social_value_and_cpv_codes_are_published_as_the_standard_and_its_extension_say(promised):
    milestone = promised.milestones[0]
    social_value.report_delivery(
        actor=promised.winner,
        milestone=milestone,
        report_in=ReportIn(
            lines=[ReportLineIn(measure="local-jobs", delivered="1.5", evidence="Payroll")]
        ),
    )
    contracting.accept_milestone(actor=promised.buyer, milestone=milestone)
    releases = Client().get("/api/v1/procurement/ocds/releases").json()
    assert _errors(_validator("release-package-schema.json"), releases) == []
    assert releases["extensions"] == [
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
        "master/extension.json"
    ]
    records = Client().get(f"/api/v1/procurement/ocds/{promised.phase.ocid}/record").json()
    compiled = records["records"][0]["compiledRelease"]
    (item,) = compiled["tender"]["items"]
    assert item["classification"]["id"] == "34144900"
    (contract,) = compiled["contracts"]
    metric_check = Draft4Validator(METRIC)
    agreed = {m["id"]: m for m in contract["agreedMetrics"]}
    assert set(agreed) == {"local-jobs", "apprenticeship-weeks", "local-supply-chain"}
    assert agreed["local-jobs"]["observations"][0]["measure"] == 2.5
    assert agreed["local-jobs"]["observations"][0]["dimensions"] == {"wellbeingGoal": "prosperous"}
    (delivered,) = contract["implementation"]["metrics"]
    assert delivered["observations"][0]["measure"] == 1.5
    for metric in [*agreed.values(), delivered]:
        assert list(metric_check.iter_errors(metric)) == []
    assert "Payroll" not in json.dumps(records)


def test_changed_cpv_codes_compile_as_the_reference_merge_says(promised):
    contract = promised.contract
    # After the contract was made (the fixture confirmed it later than today, by travelling).
    with time_machine.travel(contract.signed_at + dt.timedelta(days=1)):
        for codes in (["34144900", "31158100"], ["34144900", "90721200"], ["34000000"]):
            contracting.set_cpv(actor=promised.buyer, contract=contract, codes=codes)
    releases = [r.data for r in promised.phase.releases.order_by("pk")]
    ours = ocds.compile_release(releases)
    reference = ocdsmerge.Merger(_load("release-schema.json")).create_compiled_release(releases)
    assert {k: v for k, v in ours.items() if k != "id"} == {
        k: v for k, v in reference.items() if k != "id"
    }
    (item,) = ours["contracts"][0]["items"]
    assert item["classification"] == {
        "scheme": "CPV",
        "id": "34000000",
        "description": "Transport equipment and auxiliary products to transportation",
    }
    assert item["additionalClassifications"] == []  # the earlier ones are gone, not kept
    money = {m["id"]: m for m in ours["contracts"][0]["agreedMetrics"]}["local-supply-chain"]
    assert money["observations"][0]["value"] == {"amount": 12000.0, "currency": "GBP"}
