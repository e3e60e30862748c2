"""Importing OCDS releases and computing red flags over them, as a procurement officer does
through the services: the 201 shared Contracts Finder releases, a release package streamed,
refusals, a second import that changes nothing, the platform's own challenges, and reviews."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django_tasks_db.models import DBTaskResult

from infuse.core.errors import InvalidInput, NotFound, PermissionDenied
from infuse.core.models import AuditEvent
from infuse.procurement.models import ContractingProcess, FlagReview, ImportedRelease, RedFlag
from infuse.procurement.redflags import services
from infuse.procurement.redflags.tasks import refresh_flags
from tests.reference_data import shared

pytestmark = pytest.mark.django_db

SHARED = "ocds/contracts-finder/releases.jsonl"


def import_shared(actor) -> services.ImportSummary:
    with shared(SHARED).open("rb") as stream:
        return services.import_releases(actor=actor, stream=stream, name="releases.jsonl")


def test_the_shared_releases_import_and_their_flags_are_explained(buyer):
    raw = [json.loads(line) for line in shared(SHARED).read_text(encoding="utf-8").splitlines()]
    summary = import_shared(buyer)
    assert (summary.releases, summary.new_releases, summary.refused) == (201, 201, 0)
    # 201 releases of 191 processes: ten processes published a later stage (an award after
    # its tender, an amendment) under the same ocid, compiled into one.
    assert summary.processes == len({r["ocid"] for r in raw}) == 191
    assert ContractingProcess.objects.count() == 191

    states = Counter((f.code, f.state) for f in RedFlag.objects.all())
    # Contracts Finder publishes no bids, no number of tenderers and no tender period start:
    # every flag that reads them is not computable for every process, never raised.
    for code in (
        "identical_prices",
        "late_bid_won",
        "all_but_winner_disqualified",
        "lowest_disqualified",
        "close_price",
        "heavily_discounted",
    ):
        assert states[(code, "not_computable")] == 191, code
    # Direct awards have no submission period: the processes whose latest stated method is
    # "direct" (read here release by release, in date order).
    methods: dict[str, str] = {}
    for release in sorted(raw, key=lambda r: r["date"]):
        if release["tender"].get("procurementMethod"):
            methods[release["ocid"]] = release["tender"]["procurementMethod"]
    direct = sum(1 for m in methods.values() if m == "direct")
    assert states[("short_submission", "not_applicable")] == direct == 22
    assert states[("short_submission", "fires")] == 0
    # A single bid needs the number of tenderers, which is never published: competitive
    # processes are not computable, the others do not apply.
    assert states[("single_bid", "fires")] == 0
    # Five awards at least 20% above the estimate, two of them plainly data errors (an
    # estimate of £140 and of 1p): for a reviewer to explain, which is what review is for.
    raised = {
        f.subject_name: f.value
        for f in RedFlag.objects.filter(code="above_estimate", state="fires")
    }
    assert len(raised) == 5
    assert any(value > 1_000_000 for value in raised.values())
    # The tenderer and heterogeneity comparisons need bids, or suppliers with 20 awards.
    assert states[("unsuccessful_bids", "not_computable")] == 1
    assert states[("heterogeneous_supplier", "not_computable")] == 1


def test_importing_again_changes_nothing(buyer):
    import_shared(buyer)
    flags = sorted(RedFlag.objects.values_list("code", "subject", "state"))
    again = import_shared(buyer)
    assert (again.releases, again.new_releases) == (201, 0)
    assert ImportedRelease.objects.count() == 201
    assert sorted(RedFlag.objects.values_list("code", "subject", "state")) == flags


def test_a_release_package_is_streamed_and_bad_releases_are_refused(buyer):
    lines = shared(SHARED).read_text(encoding="utf-8").splitlines()[:20]
    releases = [json.loads(line) for line in lines]
    del releases[3]["date"]
    package = {"uri": "x", "version": "1.1", "releases": [*releases, "not a release"]}
    seen = []
    summary = services.import_releases(
        actor=buyer,
        stream=io.BytesIO(json.dumps(package, indent=2).encode()),
        name="package.json",
        advance=seen.append,
    )
    assert (summary.releases, summary.refused) == (19, 2)
    assert summary.first_refusals[0] == {"where": "release 4", "why": "missing date"}
    assert seen and seen[-1] > 0  # progress by bytes read


def test_a_file_with_no_release_is_refused_with_why(buyer):
    with pytest.raises(InvalidInput) as refused:
        services.import_releases(actor=buyer, stream=io.BytesIO(b"{nope\n"), name="x.jsonl")
    assert "line 1" in str(refused.value.problems[0].message)
    assert ImportedRelease.objects.count() == 0


def test_the_platforms_own_challenges_are_checked_too(buyer, make_challenge):
    challenge = make_challenge()
    services.compute_flags()
    ocid = challenge.phases.get().ocid
    process = ContractingProcess.objects.get(ocid=ocid)
    assert process.source == "platform"
    short = RedFlag.objects.get(code="short_submission", subject=ocid)
    # Opened yesterday, bids due in ten days: eleven, under the fifteen the flag asks for.
    assert short.state == "fires"
    assert short.value == 11


def test_a_raised_flag_is_reviewed_and_audited(buyer, make_person):
    import_shared(buyer)
    flag = RedFlag.objects.filter(state="fires").first()
    review = services.review_flag(
        actor=buyer, pk=flag.pk, explanation="An estimate keyed in pence."
    )
    assert AuditEvent.objects.filter(action="red_flag.reviewed").count() == 1
    services.compute_flags()  # computed again: the review stays with what it is about
    again = RedFlag.objects.get(code=flag.code, subject=flag.subject)
    assert services.reviews_of([again])[(flag.code, flag.subject, flag.buyer_id)] == [review]
    with pytest.raises(InvalidInput):
        services.review_flag(actor=buyer, pk=again.pk, explanation="  ")
    with pytest.raises(PermissionDenied):
        services.review_flag(actor=make_person("officer"), pk=again.pk, explanation="Fine")
    clear = RedFlag.objects.filter(state="clear").first()
    with pytest.raises(NotFound):
        services.review_flag(actor=buyer, pk=clear.pk, explanation="Nothing to review")
    assert FlagReview.objects.count() == 1


def test_thresholds_come_from_the_configuration(buyer, settings):
    settings.RED_FLAG_THRESHOLDS = {"above_estimate": 5.0}
    import_shared(buyer)
    assert RedFlag.objects.filter(code="above_estimate", state="fires").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("records.json", b'{"records": [{"ocid": "x"}]}', "The file holds no releases"),
        (
            "nan.jsonl",
            b'{"ocid": "x", "id": "1", "date": "2025-01-01T00:00:00Z", "v": NaN}\n',
            "not JSON",
        ),
        ("latin.jsonl", '{"ocid": "é"}\n'.encode("latin-1"), "not JSON"),
        ("when.jsonl", b'{"ocid": "x", "id": "1", "date": "yesterday"}\n', "date is not a date"),
    ],
)
def test_files_with_no_usable_release_are_refused_with_why(buyer, name, content, why):
    with pytest.raises(InvalidInput) as refused:
        services.import_releases(actor=buyer, stream=io.BytesIO(content), name=name)
    assert why in str(refused.value.problems[0].message)


def test_a_byte_order_mark_is_read_past(buyer):
    line = shared(SHARED).read_text(encoding="utf-8").splitlines()[0]
    package = b"\xef\xbb\xbf" + json.dumps({"releases": [json.loads(line)]}).encode()
    found = services.import_releases(actor=buyer, stream=io.BytesIO(package), name="bom.json")
    assert found.releases == 1


def test_thresholds_no_flag_can_use_are_refused_by_name(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.RED_FLAG_THRESHOLDS = {"shortest": 3, "close_price": "0.05"}
    with pytest.raises(ImproperlyConfigured) as refused:
        services.thresholds()
    assert "shortest: no such threshold" in str(refused.value)
    assert "close_price: a number" in str(refused.value)


def test_a_release_the_lab_publishes_queues_the_flags_again(
    buyer, make_challenge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = make_challenge()  # several releases: one refresh waits for them all
    waiting = DBTaskResult.objects.filter(task_path=refresh_flags.module_path, status="READY")
    assert waiting.count() == 1
    assert services.platform_stale()
    assert refresh_flags.call() == {"status": "computed"}
    ocid = challenge.phases.get().ocid
    assert RedFlag.objects.filter(subject=ocid, code="short_submission").exists()
    assert refresh_flags.call() == {"status": "current"}  # nothing new since: no second run
    # A release read while it was being written counts as unread: counted, not timed.
    ContractingProcess.objects.filter(ocid=ocid).update(releases_read=0)
    assert services.platform_stale()


def test_releases_under_the_platforms_own_prefix_are_refused(buyer, make_challenge, settings):
    own = make_challenge().phases.get().ocid
    lines = [
        {"ocid": own, "id": "forged-1", "date": "2026-01-01T00:00:00Z", "tender": {}},
        {"ocid": "ocds-elsewhere-1", "id": "a", "date": "2026-01-01T00:00:00Z"},
    ]
    stream = io.BytesIO("\n".join(json.dumps(line) for line in lines).encode())
    summary = services.import_releases(actor=buyer, stream=stream, name="mixed.jsonl")
    assert (summary.releases, summary.refused) == (1, 1)
    assert "published by InFuSe itself" in summary.first_refusals[0]["why"]
    assert not ImportedRelease.objects.filter(ocid=own).exists()
    assert ContractingProcess.objects.get(ocid=own).source == "platform"
