"""Open Contracting Data Standard 1.1: each phase of a challenge is one contracting process
(its ``ocid``); each stage publishes an immutable release holding that stage's facts, and a
record compiles them. Nothing sealed is ever published: only the contract values of confirmed
awards, which contract notices disclose anyway, and counts of bids.

Releases by stage: ``planning`` and ``tender`` when the challenge is published; ``award`` when
the award is decided (pending, in standstill); ``awardUpdate`` + ``contract`` when it is
confirmed; ``contractUpdate`` when a milestone is added; ``implementation`` when one is paid.
Who won, and at what price, is published when the award is confirmed, not while it is pending
(a pending award can be cancelled, and its would-be winners would then be losing bidders).
What is bought is published as items classified by CPV code (the challenge's in the tender,
the contract's in the contract). Social value uses the OCDS metrics extension: the contract's
KPIs as ``agreedMetrics`` (the winning bid's promises), what was delivered as
``implementation.metrics``, one observation per accepted milestone (the supplier's evidence,
which may name people, is not published).
The compiled release follows the OCDS merge routine (objects merged key by key, arrays of
objects with ``id`` merged by ``id`` unless the schema says ``wholeListMerge``, other arrays
replaced, later releases winning); the tests
check it against the Open Contracting Partnership's reference implementation, ``ocdsmerge``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from infuse.fund.services import payments_for
from infuse.procurement import cpv
from infuse.procurement.models import (
    Award,
    Contract,
    ContractKPI,
    KPIReport,
    Milestone,
    Phase,
    Release,
    SocialValueMeasure,
)

VERSION = "1.1"
METRICS = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/"
    "master/extension.json"
)
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CATEGORY = {1: "services", 2: "services", 3: "services"}


def _when(instant: dt.datetime | dt.date) -> str:
    if isinstance(instant, dt.datetime):
        return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return (
        dt.datetime.combine(instant, dt.time(0, 0), tzinfo=dt.UTC)
        .isoformat()
        .replace("+00:00", "Z")
    )


def _money(pence: int) -> dict[str, Any]:
    return {"amount": pence / 100, "currency": "GBP"}


def _party_id(organisation: Any) -> str:
    return f"{settings.OCID_PREFIX}-org-{organisation.slug}"


def _buyer(phase: Phase) -> dict[str, Any]:
    owner = phase.challenge.owner
    return {
        "id": _party_id(owner),
        "name": owner.name_en,
        "address": {"region": "Wales", "countryName": "United Kingdom"},
        "roles": ["buyer", "procuringEntity"] if owner.kind == "programme" else ["buyer"],
    }


def _supplier(organisation: Any, roles: Sequence[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _party_id(organisation),
        "name": organisation.name_en,
        "roles": list(roles),
    }
    profile = getattr(organisation, "supplier_profile", None)
    if profile is not None:
        if profile.companies_house_number:
            party["identifier"] = {
                "scheme": "GB-COH",
                "id": profile.companies_house_number,
                "legalName": organisation.name_en,
            }
        party["address"] = {
            "streetAddress": profile.address.replace("\n", ", "),
            "postalCode": profile.postcode,
            "countryName": "United Kingdom",
        }
        party["details"] = {"scale": "sme" if profile.is_sme else "large"}
    return party


def _classification(code: str) -> dict[str, Any]:
    return {"scheme": "CPV", "id": code, "description": cpv.english(code)}


def _items(codes: Sequence[str], description: str) -> list[dict[str, Any]]:
    """What is bought, as one item: its main CPV code and the others as additional ones."""
    if not codes:
        return []
    return [
        {
            "id": "1",
            "description": description,
            "classification": _classification(codes[0]),
            "additionalClassifications": [_classification(code) for code in codes[1:]],
        }
    ]


def _quantity(kpi: ContractKPI, quantity: Decimal) -> dict[str, Any]:
    """An observation's amount: money as a value in pounds (as the metrics extension writes
    financial metrics), everything else as a measure in its unit."""
    if kpi.measure.unit == SocialValueMeasure.Unit.POUNDS:
        return {"value": {"amount": float(quantity), "currency": "GBP"}}
    with translation.override("en"):
        unit = str(kpi.measure.get_unit_display())
    return {"measure": float(quantity), "unit": {"name": unit}}


def _agreed_metric(kpi: ContractKPI) -> dict[str, Any]:
    """A KPI as the metrics extension writes a target agreed in the contract."""
    measure = kpi.measure
    return {
        "id": measure.code,
        "title": measure.title_en,
        "description": f"{measure.description_en} Well-being goal: {measure.goal.name_en}.",
        "observations": [
            {
                "id": f"{measure.code}-target",
                **_quantity(kpi, kpi.target),
                "dimensions": {"wellbeingGoal": measure.goal.code},
            }
        ],
    }


def _delivered_metrics(contract: Contract) -> list[dict[str, Any]]:
    """What was delivered on each KPI, one observation per milestone the buyer accepted."""
    reports = (
        KPIReport.objects.filter(kpi__contract=contract, milestone__accepted_at__isnull=False)
        .select_related("kpi__measure__goal", "milestone")
        .order_by("kpi__pk", "milestone__due_on", "milestone__pk")
    )
    metrics: dict[int, dict[str, Any]] = {}
    for report in reports:
        kpi, milestone = report.kpi, report.milestone
        metric = metrics.setdefault(
            kpi.pk, {"id": kpi.measure.code, "title": kpi.measure.title_en, "observations": []}
        )
        metric["observations"].append(
            {
                "id": f"{kpi.measure.code}-milestone-{milestone.pk}",
                **_quantity(kpi, report.delivered),
                "period": {"endDate": _when(milestone.accepted_at)},  # type: ignore[arg-type]
                "dimensions": {"wellbeingGoal": kpi.measure.goal.code},
                "relatedImplementationMilestone": {
                    "id": str(milestone.pk),
                    "title": milestone.title_en,
                },
            }
        )
    return list(metrics.values())


def _tender(phase: Phase) -> dict[str, Any]:
    challenge = phase.challenge
    return {
        "id": f"{phase.ocid}-tender",
        "title": f"{challenge.title_en} – {Phase.Number(phase.number).label}",
        "description": challenge.summary_en,
        "status": "active",
        "procuringEntity": {"id": _party_id(challenge.owner), "name": challenge.owner.name_en},
        "value": _money(phase.budget_pence),
        "procurementMethod": "open",
        "procurementMethodDetails": "Challenge-based competition (SBRI)",
        "mainProcurementCategory": CATEGORY[phase.number],
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": "; ".join(
            f"{c.title_en} {c.weight}%" for c in phase.criteria.all()
        ),
        "items": _items(challenge.cpv_codes, challenge.title_en),
        "submissionMethod": ["electronicSubmission"],
        "tenderPeriod": {
            "startDate": _when(phase.opens_at),
            "endDate": _when(phase.submission_deadline),
        },
        "enquiryPeriod": {
            "startDate": _when(phase.opens_at),
            "endDate": _when(phase.clarification_deadline),
        },
        "awardPeriod": {
            "startDate": _when(phase.evaluation_ends_on),
            "endDate": _when(phase.award_expected_on),
        },
        "documents": [
            {
                "id": str(document.pk),
                "documentType": "tenderNotice",
                "title": document.title_en,
                "format": document.content_type,
                "datePublished": _when(document.created_at),
            }
            for document in phase.challenge.documents.all()
            if document.phase_id in (None, phase.pk)
        ],
    }


def _award(award: Award, *, status: str) -> dict[str, Any]:
    """An award as published. Who won and at what price is said only once the award is
    confirmed (contracts made): a pending award may yet be cancelled, and then its would-be
    winners are losing bidders, whose names and prices are never published."""
    published: dict[str, Any] = {
        "id": f"{award.phase.ocid}-award-{award.pk}",
        "title": f"Award: {award.phase.challenge.title_en}",
        "status": status,
        "date": _when(award.decided_at),
    }
    if status == "active":
        contracts = list(award.contracts.select_related("supplier"))
        published["value"] = _money(sum(c.value_pence for c in contracts))
        published["suppliers"] = [
            {"id": _party_id(c.supplier), "name": c.supplier.name_en} for c in contracts
        ]
    return published


def _milestone(milestone: Milestone) -> dict[str, Any]:
    paid = hasattr(milestone, "payment")
    return {
        "id": str(milestone.pk),
        "title": milestone.title_en,
        "type": "financing",
        "dueDate": _when(milestone.due_on),
        "status": "met" if milestone.accepted_at else "scheduled",
        **({"dateMet": _when(milestone.accepted_at)} if milestone.accepted_at else {}),
        "value": _money(milestone.amount_pence),
        **({"dateModified": _when(milestone.payment.created_at)} if paid else {}),
    }


def _contract(contract: Contract) -> dict[str, Any]:
    return {
        "id": f"{contract.award.phase.ocid}-contract-{contract.pk}",
        "awardID": f"{contract.award.phase.ocid}-award-{contract.award_id}",
        "title": f"{contract.award.phase.challenge.title_en} – {contract.supplier.name_en}",
        # OCDS says "terminated" for any contract that has come to a close, done or not.
        "status": "active" if contract.status == Contract.Status.ACTIVE else "terminated",
        "description": f"Ended early: {contract.close_reason_en}"
        if contract.status == Contract.Status.TERMINATED
        else None,
        "period": {"startDate": _when(contract.starts_on), "endDate": _when(contract.ends_on)},
        "value": _money(contract.value_pence),
        "dateSigned": _when(contract.signed_at),
        "items": _items(contract.cpv_codes, contract.award.phase.challenge.title_en),
        "milestones": [_milestone(m) for m in contract.milestones.all()],
        "agreedMetrics": [
            _agreed_metric(kpi) for kpi in contract.kpis.select_related("measure__goal")
        ],
    }


def _transactions(contract: Contract) -> list[dict[str, Any]]:
    return [
        {
            "id": str(payment.pk),
            "source": "Cardiff Capital Region Challenge Fund",
            "date": _when(payment.paid_on),
            "value": _money(payment.amount_pence),
            "payer": {
                "id": _party_id(contract.award.phase.challenge.owner),
                "name": contract.award.phase.challenge.owner.name_en,
            },
            "payee": {"id": _party_id(contract.supplier), "name": contract.supplier.name_en},
        }
        for payment in payments_for(contract)
    ]


def _amendments(phase: Phase) -> list[dict[str, Any]]:
    """Every change made to the tender since it was published (OCDS keeps the whole list)."""
    return [
        {
            "id": f"{phase.ocid}-amendment-{number}",
            "date": _when(dt.datetime.fromisoformat(change["at"])),
            "rationale": change["reason_en"],
            "description": (
                f"The deadline for bids moved from {change['before']['submission_deadline']} "
                f"to {change['after']['submission_deadline']}."
            ),
        }
        for number, change in enumerate(phase.amendments, start=1)
    ]


# Arrays the schema marks ``wholeListMerge``: a later release replaces them whole (an empty one
# included), where other arrays of objects are merged item by item.
WHOLE_LISTS = frozenset(
    {
        "additionalClassifications",
        "additionalIdentifiers",
        "classifications",
        "deliveryAddresses",
        "deliveryLocations",
        "identifiers",
        "locations",
    }
)


def _pruned(value: Any) -> Any:
    """Without empty lists and objects: OCDS treats them as absent, and so must we; but an
    empty whole list is kept, as it says the earlier one is gone."""
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {
            k: v
            for k, v in kept.items()
            if v not in ({}, [], None) or (k in WHOLE_LISTS and v == [])
        }
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def build(
    phase: Phase,
    tags: Sequence[str],
    *,
    award: Award | None = None,
    contract: Contract | None = None,
) -> dict[str, Any]:
    """The release body for ``tags`` at this moment (without id and date)."""
    release: dict[str, Any] = {
        "ocid": phase.ocid,
        "tag": list(tags),
        "initiationType": "tender",
        "language": "en",
        "buyer": {"id": _party_id(phase.challenge.owner), "name": phase.challenge.owner.name_en},
        "parties": [_buyer(phase)],
    }
    if "planning" in tags:
        release["planning"] = {
            "rationale": phase.challenge.problem_en,
            "budget": {
                "id": f"{phase.ocid}-budget",
                "description": "Cardiff Capital Region Challenge Fund",
                "amount": _money(phase.budget_pence),
            },
        }
    if "tender" in tags:
        release["tender"] = _tender(phase)
    if "tenderAmendment" in tags:
        release["tender"] = {**_tender(phase), "amendments": _amendments(phase)}
    if "award" in tags and award is not None:
        bids = phase.bids.filter(submitted_at__isnull=False, withdrawn_at__isnull=True)
        release["tender"] = {
            "id": f"{phase.ocid}-tender",
            "status": "complete",
            "numberOfTenderers": bids.count(),
        }
        release["awards"] = [_award(award, status="pending")]
    if "awardUpdate" in tags and award is not None:
        status = "active" if award.status == Award.Status.CONFIRMED else "cancelled"
        release["awards"] = [_award(award, status=status)]
        if status == "active":
            release["parties"] += [
                _supplier(c.supplier, ["supplier"])
                for c in award.contracts.select_related("supplier__supplier_profile")
            ]
    if {"contract", "contractUpdate"} & set(tags):
        contracts = (
            [contract] if contract is not None else list(award.contracts.all()) if award else []
        )
        release["contracts"] = [_contract(c) for c in contracts]
    if "implementation" in tags and contract is not None:
        release["contracts"] = [
            {
                "id": f"{phase.ocid}-contract-{contract.pk}",
                "awardID": f"{phase.ocid}-award-{contract.award_id}",
                "milestones": [_milestone(m) for m in contract.milestones.all()],
                "implementation": {
                    "transactions": _transactions(contract),
                    "metrics": _delivered_metrics(contract),
                },
            }
        ]
    return release


def publish(
    phase: Phase,
    tags: Sequence[str],
    *,
    award: Award | None = None,
    contract: Contract | None = None,
) -> Release:
    """Store the release for this stage (call inside the service's transaction)."""
    date = timezone.now()
    # Numbered under a lock on the phase, so two stages published at once get two numbers.
    type(phase).objects.select_for_update().filter(pk=phase.pk).first()
    number = phase.releases.count() + 1
    release_id = f"{phase.ocid}-{number:03d}-{'-'.join(tags)}"
    data = {
        "id": release_id,
        "date": _when(date),
        **_pruned(build(phase, tags, award=award, contract=contract)),
    }
    return Release.objects.create(
        phase=phase, release_id=release_id, tags=list(tags), date=date, data=data
    )


# --- Packages and records -----------------------------------------------------------------------


def published_releases(ocid: str | None = None) -> QuerySet[Release]:
    releases = Release.objects.filter(phase__challenge__published_at__isnull=False)
    if ocid:
        releases = releases.filter(phase__ocid=ocid)
    return releases.order_by("date", "pk")


def published_ocids() -> list[str]:
    """The contracting processes (challenge phases) the public may read, oldest first."""
    return list(
        Phase.objects.filter(challenge__published_at__isnull=False)
        .order_by("pk")
        .values_list("ocid", flat=True)
    )


def _publisher() -> dict[str, str]:
    return {"name": settings.OCDS_PUBLISHER}


def _package(uri: str) -> dict[str, Any]:
    """What release and record packages both say about themselves."""
    return {
        "uri": uri,
        "version": VERSION,
        "publishedDate": _when(timezone.now()),
        "publisher": _publisher(),
        "license": LICENCE,
        "extensions": [METRICS],
    }


def release_package(releases: Iterable[Release], uri: str) -> dict[str, Any]:
    return {**_package(uri), "releases": [r.data for r in releases]}


def _merge(into: dict[str, Any], release: dict[str, Any]) -> None:
    for key, value in release.items():
        if value is None:
            into.pop(key, None)
        elif key in WHOLE_LISTS and isinstance(value, list):
            into[key] = value
        elif isinstance(value, dict):
            existing = into.get(key)
            into[key] = existing if isinstance(existing, dict) else {}
            _merge(into[key], value)
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "id" in v for v in value)
        ):
            existing = into.get(key)
            items = (
                {str(i["id"]): i for i in existing}
                if isinstance(existing, list)
                and all(isinstance(i, dict) and "id" in i for i in existing)
                else {}
            )
            order = list(items)
            for item in value:
                ident = str(item["id"])
                if ident not in items:
                    items[ident] = {}
                    order.append(ident)
                _merge(items[ident], item)
            into[key] = [items[i] for i in order]
        else:
            into[key] = value


def _moment(release: dict[str, Any]) -> dt.datetime:
    """A release's date as an instant, so releases from offices in other time zones merge in
    the order they happened (their text does not sort so)."""
    when = dt.datetime.fromisoformat(str(release["date"]).replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def compile_release(releases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release: the releases merged in date order (tag ``compiled``)."""
    compiled: dict[str, Any] = {}
    for release in sorted(releases, key=_moment):
        body = {k: v for k, v in release.items() if k not in ("id", "tag", "date")}
        _merge(compiled, body)
    if releases:
        last = max(releases, key=_moment)
        compiled.update(
            {"id": f"{last['ocid']}-compiled", "date": last["date"], "tag": ["compiled"]}
        )
    return compiled


def record_package(ocids: Sequence[str], uri: str) -> dict[str, Any]:
    records = []
    for ocid in ocids:
        releases = [r.data for r in published_releases(ocid)]
        if releases:
            records.append(
                {"ocid": ocid, "releases": releases, "compiledRelease": compile_release(releases)}
            )
    return {**_package(uri), "records": records}
