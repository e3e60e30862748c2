"""Use cases of red flags: import OCDS releases (streamed, in batches), compile each
contracting process, compute every flag over the imported processes and the Procurement Lab's
own, and record a person's review of a raised flag; and what the pages read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core import audit, locks
from infuse.core.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Person, TaskProgress
from infuse.core.permissions import can
from infuse.procurement.models import (
    ContractingProcess,
    FlagReview,
    ImportedRelease,
    ProcessSupplier,
    RedFlag,
)
from infuse.procurement.ocds import releases as ocds
from infuse.procurement.redflags import reading
from infuse.procurement.redflags.compiled import clean, instant
from infuse.procurement.redflags.flags import (
    Finding,
    FlagRun,
    Thresholds,
    award_suppliers,
    buyer_of,
    method,
)

BATCH = 1_000
#: Held while releases are imported and while the flags are computed.
FLAGS_LOCK = "procurement-red-flags"


def thresholds() -> Thresholds:
    """The thresholds in force: the defaults, with INFUSE_RED_FLAG_THRESHOLDS over them;
    ImproperlyConfigured, naming the setting, for a name or value no flag can use."""
    given = dict(settings.RED_FLAG_THRESHOLDS)
    known = {f.name: f for f in fields(Thresholds)}
    problems = [f"{name}: no such threshold" for name in given if name not in known]
    for name, value in given.items():
        if name == "competitive_methods":
            if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
                problems.append(f"{name}: a list of procurement methods")
            else:
                given[name] = tuple(value)
        elif name in known and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{name}: a number")
    if not problems:
        limits = Thresholds(**given)
        if not 1 <= limits.top_tenderer_percentile <= 99:
            problems.append("top_tenderer_percentile: a whole number from 1 to 99")
        if limits.fence_min_cases < 4:
            problems.append("fence_min_cases: 4 or more")
    if problems:
        raise ImproperlyConfigured("INFUSE_RED_FLAG_THRESHOLDS: " + "; ".join(problems))
    return limits


def require_view(actor: Any) -> None:
    if not can(actor, "procurement.view_flags"):
        raise NotFound()


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@dataclass(frozen=True)
class ImportSummary:
    releases: int
    new_releases: int
    processes: int
    refused: int
    first_refusals: list[dict[str, Any]]


def import_releases(
    *,
    actor: Person,
    stream: IO[bytes],
    name: str,
    advance: Callable[[int], None] = lambda done: None,
) -> ImportSummary:
    """Import every release in the file, a batch at a time (``advance`` hears how many bytes
    are read), compile each process it touches and compute the flags again. A release seen
    before (same ocid and id) is not stored twice."""
    if not can(actor, "procurement.review_flags"):
        raise PermissionDenied()
    with locks.held(FLAGS_LOCK):
        return _import(actor, stream, name, advance)


def _import(
    actor: Person, stream: IO[bytes], name: str, advance: Callable[[int], None]
) -> ImportSummary:
    refusals = reading.Refusals()
    touched: set[str] = set()
    seen = 0
    before = ImportedRelease.objects.count()
    for batch in _batches(reading.releases(stream, name, refusals), BATCH):
        seen += len(batch)
        ImportedRelease.objects.bulk_create(
            [
                ImportedRelease(
                    ocid=str(r["ocid"])[:200],
                    release_id=str(r["id"])[:300],
                    date=instant(r["date"]),
                    data=r,
                )
                for r in batch
            ],
            ignore_conflicts=True,
        )
        touched.update(str(r["ocid"])[:200] for r in batch)
        advance(stream.tell())
    stored = ImportedRelease.objects.count() - before
    if not seen:
        problem = (
            _("No release in the file could be read: %(why)s (%(where)s)") % refusals.first[0]
            if refusals.count
            else _(
                "The file holds no releases: give a release package (its releases) or JSON "
                "Lines of releases"
            )
        )
        raise InvalidInput(problems=[FieldProblem("file", problem)])
    _compile(sorted(touched))
    compute_flags()
    summary = ImportSummary(seen, stored, len(touched), refusals.count, refusals.first)
    with transaction.atomic():
        audit.record_event(
            actor=actor,
            action="ocds.imported",
            obj=actor,
            after={"file": name, "releases": seen, "new": stored, "processes": len(touched)},
        )
    return summary


def _process_fields(compiled: dict[str, Any]) -> dict[str, Any]:
    shaped = clean(compiled)
    buyer_id, buyer_name = buyer_of(shaped)
    return {
        "compiled": compiled,
        "title": str(shaped["tender"].get("title") or "")[:500],
        "buyer_id": buyer_id[:200],
        "buyer_name": buyer_name[:300],
        "method": method(shaped)[:30],
        "updated_at": timezone.now(),
    }


def _save_process(ocid: str, source: str, releases: list[dict[str, Any]]) -> None:
    compiled = ocds.compile_release(releases)
    process, _made = ContractingProcess.objects.update_or_create(
        ocid=ocid,
        defaults={"source": source, "releases_read": len(releases), **_process_fields(compiled)},
    )
    process.suppliers.all().delete()
    ProcessSupplier.objects.bulk_create(
        ProcessSupplier(process=process, party_id=party[:200], name=name[:300])
        for party, name in award_suppliers(clean(compiled)).items()
    )


def _compile(ocids: list[str]) -> None:
    """Compile each process from all its imported releases (in date order)."""
    for chunk in _batches(ocids, 200):
        found: dict[str, list[dict[str, Any]]] = {ocid: [] for ocid in chunk}
        for release in ImportedRelease.objects.filter(ocid__in=chunk).order_by("date", "pk"):
            found[release.ocid].append(release.data)
        with transaction.atomic():
            for ocid, releases in found.items():
                if releases:
                    _save_process(ocid, ContractingProcess.Source.IMPORTED, releases)


def _platform_processes() -> None:
    """The Procurement Lab's own published processes, compiled from its releases."""
    for ocid in ocds.published_ocids():
        releases = [r.data for r in ocds.published_releases(ocid)]
        if releases:
            _save_process(ocid, ContractingProcess.Source.PLATFORM, releases)


def _flag(finding: Finding, buyers: dict[str, str]) -> RedFlag:
    buyer = finding.evidence.get("buyer", "") if finding.code == "repeated_direct_awards" else ""
    return RedFlag(
        code=finding.code,
        subject=finding.subject[:200],
        subject_name=finding.subject_name[:500],
        state=str(finding.state),
        value=finding.value,
        evidence=finding.evidence,
        reason=finding.reason,
        buyer_id=str(buyer or buyers.get(finding.subject, ""))[:200],
    )


def _write(findings: list[Finding]) -> int:
    """Store a batch of findings with their links to processes; returns how many are raised."""
    named = {ocid for f in findings for ocid in (*f.ocids, f.subject)}
    processes = ContractingProcess.objects.filter(ocid__in=named).values_list(
        "ocid", "pk", "buyer_id", "title"
    )
    ids = {ocid: pk for ocid, pk, _b, _t in processes}
    buyers = {ocid: buyer for ocid, _pk, buyer, _t in processes}
    titles = {ocid: title for ocid, _pk, _b, title in processes}
    flags = [_flag(f, buyers) for f in findings]
    for flag in flags:
        flag.subject_name = flag.subject_name or titles.get(flag.subject, "")[:500]
    made = RedFlag.objects.bulk_create(flags)
    RedFlag.processes.through.objects.bulk_create(
        RedFlag.processes.through(redflag_id=flag.pk, contractingprocess_id=ids[ocid])
        for flag, finding in zip(made, findings, strict=True)
        for ocid in finding.ocids
        if ocid in ids
    )
    return sum(1 for f in findings if f.state == "fires")


def compute_flags() -> int:
    """Every flag over every process, replacing the flags computed before, in one
    transaction and in bounded memory (each batch of processes' own flags is stored as it is
    made; only the numbers the comparisons need are kept); returns how many are raised."""
    with locks.held(FLAGS_LOCK):
        _platform_processes()
        run = FlagRun(thresholds())
        raised = 0
        with transaction.atomic():
            # The links first, so the flags go in one statement (no row loaded but its id).
            RedFlag.processes.through.objects.all().delete()
            RedFlag.objects.only("pk").delete()
            pending: list[Finding] = []
            processes = ContractingProcess.objects.only("ocid", "compiled").iterator(chunk_size=500)
            for process in processes:
                pending += run.add(process.compiled)
                if len(pending) >= BATCH:
                    raised += _write(pending)
                    pending = []
            for batch in _batches([*pending, *run.finish()], BATCH):
                raised += _write(batch)
    return raised


def last_import() -> dict[str, Any] | None:
    """What the newest import sent from the page read (its counts), for the flags page."""
    done = (
        TaskProgress.objects.filter(
            kind=TaskProgress.Kind.OCDS_IMPORT, state=TaskProgress.State.SUCCEEDED
        )
        .order_by("-finished_at")
        .first()
    )
    return {**done.result, "finished_at": done.finished_at} if done else None


def platform_stale() -> bool:
    """Whether a process of the lab's own has releases the flags have not read: counted, so
    a release committed while a computation ran, or stamped by another host's clock, is not
    taken as read."""
    published = (
        ocds.published_releases()
        .order_by()
        .values("phase__ocid")
        .annotate(n=Count("pk"))
        .values_list("phase__ocid", "n")
    )
    read = dict(
        ContractingProcess.objects.filter(source=ContractingProcess.Source.PLATFORM).values_list(
            "ocid", "releases_read"
        )
    )
    return any(read.get(ocid) != count for ocid, count in published)


def recompute(*, actor: Person) -> int:
    """Compute every flag again (after the thresholds change, or challenges move on)."""
    if not can(actor, "procurement.review_flags"):
        raise PermissionDenied()
    return compute_flags()


def review_flag(*, actor: Person, pk: int, explanation: str) -> FlagReview:
    """Record that a person looked at a raised flag and what they found."""
    if not can(actor, "procurement.review_flags"):
        raise PermissionDenied()
    flag = RedFlag.objects.filter(pk=pk, state=RedFlag.State.FIRES).first()
    if flag is None:
        raise NotFound()
    text = explanation.strip()
    if not text:
        raise InvalidInput(
            problems=[FieldProblem("explanation", _("Say what you found when you looked"))]
        )
    if len(text) > 5_000:
        raise InvalidInput(
            problems=[FieldProblem("explanation", _("Keep the explanation to 5,000 characters"))]
        )
    with transaction.atomic():
        review = FlagReview.objects.create(
            code=flag.code,
            subject=flag.subject,
            buyer_id=flag.buyer_id,
            explanation=text,
            reviewed_by=actor,
        )
        audit.record_event(
            actor=actor,
            action="red_flag.reviewed",
            obj=review,
            after={"code": flag.code, "subject": flag.subject, "explanation": text},
        )
    return review


# --- What the pages read --------------------------------------------------------------------


def counts() -> dict[str, dict[str, int]]:
    """For each flag, how many subjects are in each state."""
    found: dict[str, dict[str, int]] = {}
    for code, state, n in RedFlag.objects.values_list("code", "state").annotate(n=Count("pk")):
        found.setdefault(code, {})[state] = n
    return found


def raised(**where: Any) -> QuerySet[RedFlag]:
    return RedFlag.objects.filter(state=RedFlag.State.FIRES, **where).order_by(
        "code", "subject_name"
    )


def get_process(*, actor: Any, ocid: str) -> ContractingProcess:
    require_view(actor)
    process = ContractingProcess.objects.filter(ocid=ocid).first()
    if process is None:
        raise NotFound()
    return process


def flags_of_process(process: ContractingProcess) -> QuerySet[RedFlag]:
    return RedFlag.objects.filter(Q(subject=process.ocid) | Q(processes=process)).distinct()


def flags_of_buyer(buyer_id: str) -> QuerySet[RedFlag]:
    return RedFlag.objects.filter(buyer_id=buyer_id)


def flags_of_supplier(party_id: str) -> QuerySet[RedFlag]:
    awarded = ContractingProcess.objects.filter(suppliers__party_id=party_id)
    return RedFlag.objects.filter(
        Q(subject=party_id) | Q(subject__in=awarded.values("ocid"))
    ).distinct()


def reviews_of(flags: Iterable[RedFlag]) -> dict[tuple[str, str, str], list[FlagReview]]:
    """The reviews of each flag, by what it is about: its code, its subject and (for a
    supplier's repeated direct awards) its buyer."""
    keys = {(f.code, f.subject, f.buyer_id) for f in flags}
    found: dict[tuple[str, str, str], list[FlagReview]] = {key: [] for key in keys}
    reviews = FlagReview.objects.filter(
        code__in={k[0] for k in keys}, subject__in={k[1] for k in keys}
    ).select_related("reviewed_by")
    for review in reviews:
        key = (review.code, review.subject, review.buyer_id)
        if key in found:
            found[key].append(review)
    return found


def flags(*, state: str = "fires", code: str = "") -> QuerySet[RedFlag]:
    """Flags in ``state`` ("" for every state), of one ``code`` or all."""
    found = RedFlag.objects.prefetch_related("processes")
    if state:
        found = found.filter(state=state)
    if code:
        found = found.filter(code=code)
    return found.order_by("code", "subject_name")


def get_flag(*, actor: Any, pk: int) -> RedFlag:
    require_view(actor)
    found = RedFlag.objects.filter(pk=pk).prefetch_related("processes").first()
    if found is None:
        raise NotFound()
    return found


def process_counts() -> dict[str, int]:
    """How many processes are checked, imported and the lab's own."""
    found = dict(ContractingProcess.objects.values_list("source").annotate(n=Count("pk")))
    return {source: found.get(source, 0) for source in ContractingProcess.Source.values}


def supplier_name(party_id: str) -> str | None:
    """A supplier's name as the processes give it, or ``None`` when none awards it."""
    named = ProcessSupplier.objects.filter(party_id=party_id).values_list("name", flat=True).first()
    if named is not None:
        return named or party_id
    flagged = (
        RedFlag.objects.filter(subject=party_id).values_list("subject_name", flat=True).first()
    )
    return None if flagged is None else flagged or party_id
