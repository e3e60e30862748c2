"""Use cases of challenges: draft a challenge, its phases, criteria and documents, publish it.

Each takes the acting person first, checks permission, makes the change and its audit event in
one transaction, and raises typed errors. A published challenge is public and frozen (changes
after that are public clarifications). Deadlines are decided by the server's clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit, files
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Council, Organisation, Person, Role, Theme, WellbeingGoal
from infuse.core.permissions import can, is_programme_admin, is_region_member, memberships_of
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import services as data
from infuse.procurement import cpv, news, sealing
from infuse.procurement.challenges.schemas import ChallengeIn, CriterionIn, DocumentIn, PhaseIn
from infuse.procurement.challenges.steps import announce_phase
from infuse.procurement.models import Challenge, Criterion, Document, Phase, PriceFormula
from infuse.procurement.ocds import releases as ocds

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024


def document_too_big() -> InvalidInput:
    """The refusal of a file over the limit (challenge and bid documents alike)."""
    return InvalidInput(
        problems=[
            FieldProblem(
                "file",
                _("The file is bigger than %(size)s MB: make it smaller or split it")
                % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            )
        ]
    )


# --- Reading ------------------------------------------------------------------------------------


def visible_challenges(actor: Any) -> QuerySet[Challenge]:
    queryset = Challenge.objects.select_related("owner").prefetch_related("phases", "councils")
    if is_region_member(actor) or is_programme_admin(actor):
        return queryset
    return queryset.filter(published_at__isnull=False)


def open_phases(actor: Any, *, limit: int = 5) -> list[Phase]:
    """Phases taking bids now, soonest deadline first (the home page's open challenges)."""
    now = timezone.now()
    return list(
        Phase.objects.filter(
            challenge__in=visible_challenges(actor),
            challenge__published_at__isnull=False,
            opens_at__lte=now,
            submission_deadline__gt=now,
        )
        .select_related("challenge")
        .order_by("submission_deadline")[:limit]
    )


def get_challenge(*, actor: Any, slug: str) -> Challenge:
    challenge = Challenge.objects.select_related("owner").filter(slug=slug).first()
    if challenge is None or not can(actor, "procurement.view_challenge", challenge):
        raise NotFound()
    return challenge


def get_phase(*, actor: Any, challenge: Challenge, number: int) -> Phase:
    # Through the challenge's own manager, so the phase holds the challenge already read.
    phase = challenge.phases.filter(number=number).first()
    if phase is None:
        raise NotFound()
    return phase


def phase_at(*, actor: Any, slug: str, number: int) -> Phase:
    """A phase by its challenge's slug and its number, as the actor may see it."""
    return get_phase(actor=actor, challenge=get_challenge(actor=actor, slug=slug), number=number)


def runs(actor: Any, challenge: Challenge) -> bool:
    """Whether the actor is one of the officers who run the challenge."""
    return can(actor, "procurement.change_challenge", challenge)


def require_runs(actor: Any, challenge: Challenge) -> None:
    if not runs(actor, challenge):
        raise PermissionDenied()


def _require_draft(actor: Any, challenge: Challenge) -> None:
    require_runs(actor, challenge)
    if challenge.is_published:
        raise Conflict(_("A published challenge cannot be changed; add a clarification instead."))


def document_file(*, actor: Any, pk: int) -> tuple[Document, Any]:
    """A published document and its open file, for whoever may see its challenge."""
    document = Document.objects.select_related("challenge").filter(pk=pk).first()
    if document is None:
        raise NotFound()
    get_challenge(actor=actor, slug=document.challenge.slug)
    return document, files.resolve(document.path).open("rb")


# --- Challenges ---------------------------------------------------------------------------------


def _owner(actor: Person, challenge_in: ChallengeIn) -> Organisation | None:
    """The organisation named as the owner, if the actor may run challenges for it."""
    owner = Organisation.objects.filter(slug=challenge_in.owner).first()
    if owner is None:
        return None
    buys_for = {org for org, _k, role in memberships_of(actor) if role == Role.PROCUREMENT_OFFICER}
    if owner.pk in buys_for or (
        owner.kind == Organisation.Kind.PROGRAMME and is_programme_admin(actor)
    ):
        return owner
    return None


def _checked(actor: Person, challenge_in: ChallengeIn) -> Organisation:
    """The owner, once the challenge's fields are all right; InvalidInput naming each field."""
    problems: list[FieldProblem] = []
    if not challenge_in.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not challenge_in.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    owner = _owner(actor, challenge_in)
    if owner is None:
        problems.append(
            FieldProblem("owner", _("Choose an organisation you are a procurement officer for"))
        )
    councils = set(challenge_in.councils)
    if not councils:
        problems.append(FieldProblem("councils", _("Choose the councils the challenge is for")))
    elif Council.objects.filter(gss_code__in=councils).count() != len(councils):
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    if problems or owner is None:
        raise InvalidInput(problems=problems)
    return owner


def _apply(challenge: Challenge, challenge_in: ChallengeIn, owner: Organisation) -> None:
    challenge.owner = owner
    challenge.cpv_codes = cpv.checked_codes(challenge_in.cpv_codes)
    for name in ("title", "summary", "problem"):
        for language in ("en", "cy"):
            setattr(challenge, f"{name}_{language}", getattr(challenge_in, f"{name}_{language}"))


def _relate(challenge: Challenge, challenge_in: ChallengeIn, actor: Person) -> None:
    challenge.councils.set(Council.objects.filter(gss_code__in=challenge_in.councils))
    challenge.themes.set(Theme.objects.filter(code__in=challenge_in.themes))
    challenge.goals.set(WellbeingGoal.objects.filter(code__in=challenge_in.goals))
    challenge.evidence_datasets.set(
        [data.get_dataset(actor=actor, slug=slug) for slug in challenge_in.evidence_datasets]
    )
    challenge.evidence_indicators.set(
        [data.get_indicator(actor=actor, slug=slug) for slug in challenge_in.evidence_indicators]
    )


def _summary(challenge: Challenge) -> dict[str, Any]:
    return {
        "slug": challenge.slug,
        "title_en": challenge.title_en,
        "title_cy": challenge.title_cy,
        "owner": challenge.owner.slug,
        "councils": sorted(challenge.councils.values_list("gss_code", flat=True)),
        "cpv_codes": list(challenge.cpv_codes),
        "published_at": challenge.published_at.isoformat() if challenge.published_at else None,
    }


def create_challenge(*, actor: Person, challenge_in: ChallengeIn) -> Challenge:
    """A draft challenge with its own bid key; nothing is public until it is published."""
    if not can(actor, "procurement.add_challenge") and not is_programme_admin(actor):
        raise PermissionDenied()
    owner = _checked(actor, challenge_in)
    wrapped, key_id = sealing.new_challenge_key()
    with transaction.atomic():
        challenge = Challenge(
            slug=unique_slug(Challenge, challenge_in.title_en, fallback="challenge"),
            wrapped_key=wrapped,
            key_id=key_id,
            created_by=actor,
        )
        _apply(challenge, challenge_in, owner)
        challenge.save()
        _relate(challenge, challenge_in, actor)
        audit.record_event(
            actor=actor, action="challenge.created", obj=challenge, after=_summary(challenge)
        )
    return challenge


def update_challenge(
    *, actor: Person, challenge: Challenge, challenge_in: ChallengeIn
) -> Challenge:
    _require_draft(actor, challenge)
    owner = _checked(actor, challenge_in)
    with transaction.atomic():
        before = _summary(challenge)
        _apply(challenge, challenge_in, owner)
        challenge.updated_at = timezone.now()
        challenge.save()
        _relate(challenge, challenge_in, actor)
        audit.record_event(
            actor=actor,
            action="challenge.updated",
            obj=challenge,
            before=before,
            after=_summary(challenge),
        )
    return challenge


# --- Phases and criteria ------------------------------------------------------------------------


def _phase_problems(phase_in: PhaseIn) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if phase_in.number not in Phase.Number.values:
        problems.append(FieldProblem("number", _("Choose phase 1, 2 or 3")))
    if phase_in.budget_pence <= 0:
        problems.append(FieldProblem("budget", _("Enter a budget of more than £0")))
    if phase_in.contracts_planned < 1:
        problems.append(FieldProblem("contracts_planned", _("Plan at least one contract")))
    if phase_in.price_formula not in PriceFormula.values:
        problems.append(FieldProblem("price_formula", _("Choose a price formula from the list")))
    return problems + _timetable_problems(phase_in)


def _timetable_problems(phase_in: PhaseIn) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    order = [
        ("opens_at", phase_in.opens_at),
        ("clarification_deadline", phase_in.clarification_deadline),
        ("submission_deadline", phase_in.submission_deadline),
    ]
    for (_first, earlier), (name, later) in itertools.pairwise(order):
        if later < earlier or (name == "clarification_deadline" and later == earlier):
            problems.append(
                FieldProblem(
                    name,
                    _("The timetable must run in order: opening, clarification deadline, bids"),
                )
            )
    local_deadline = timezone.localtime(phase_in.submission_deadline).date()
    if phase_in.evaluation_ends_on < local_deadline:
        problems.append(FieldProblem("evaluation_ends_on", _("Evaluation ends after bids are in")))
    if phase_in.award_expected_on < phase_in.evaluation_ends_on:
        problems.append(
            FieldProblem("award_expected_on", _("The award comes after the evaluation"))
        )
    return problems


def _phase_summary(phase: Phase) -> dict[str, Any]:
    return {
        "challenge": phase.challenge.slug,
        "number": phase.number,
        "budget_pence": phase.budget_pence,
        "contracts_planned": phase.contracts_planned,
        "opens_at": phase.opens_at.isoformat(),
        "clarification_deadline": phase.clarification_deadline.isoformat(),
        "submission_deadline": phase.submission_deadline.isoformat(),
        "price_formula": phase.price_formula,
    }


def save_phase(*, actor: Person, challenge: Challenge, phase_in: PhaseIn) -> Phase:
    """Add a phase to a draft challenge, or change one (by its number)."""
    _require_draft(actor, challenge)
    problems = _phase_problems(phase_in)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        phase = Phase.objects.filter(challenge=challenge, number=phase_in.number).first()
        before = _phase_summary(phase) if phase else None
        if phase is None:
            phase = Phase(
                challenge=challenge,
                number=phase_in.number,
                ocid=f"{settings.OCID_PREFIX}-{challenge.slug}-{phase_in.number}",
            )
        for name, value in phase_in.model_dump().items():
            setattr(phase, name, value)
        phase.save()
        audit.record_event(
            actor=actor,
            action="phase.saved",
            obj=phase,
            before=before,
            after=_phase_summary(phase),
        )
    return phase


def _criterion_problems(row: int, criterion: CriterionIn, goals: set[str]) -> list[FieldProblem]:
    problems = []
    if criterion.kind not in Criterion.Kind.values:
        problems.append(FieldProblem("kind", _("Choose the kind of criterion"), row=row))
    if not criterion.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the criterion's title"), row=row))
    if not 1 <= criterion.weight <= 100:
        problems.append(FieldProblem("weight", _("A weight is from 1 to 100"), row=row))
    if criterion.kind == Criterion.Kind.SOCIAL_VALUE and criterion.goal not in goals:
        problems.append(
            FieldProblem("goal", _("Align each social value measure to a well-being goal"), row=row)
        )
    return problems


def check_criteria(criteria: Sequence[CriterionIn]) -> list[FieldProblem]:
    """Weights total 100, with price and social value among the criteria, each social value
    measure aligned to a well-being goal."""
    goals = set(WellbeingGoal.objects.values_list("code", flat=True))
    problems = [
        problem
        for row, criterion in enumerate(criteria, start=1)
        for problem in _criterion_problems(row, criterion, goals)
    ]
    total = sum(c.weight for c in criteria)
    if total != 100:
        problems.append(
            FieldProblem(
                "weight",
                _("The weights add up to %(total)s%%; they must add up to 100%%")
                % {"total": total},
            )
        )
    kinds = [c.kind for c in criteria]
    if kinds.count(Criterion.Kind.PRICE) != 1:
        problems.append(FieldProblem("kind", _("Include price as exactly one criterion")))
    if Criterion.Kind.SOCIAL_VALUE not in kinds:
        problems.append(FieldProblem("kind", _("Include at least one social value criterion")))
    return problems


def set_criteria(
    *, actor: Person, phase: Phase, criteria: Sequence[CriterionIn]
) -> list[Criterion]:
    _require_draft(actor, phase.challenge)
    problems = check_criteria(criteria)
    if problems:
        raise InvalidInput(problems=problems)
    goals = {g.code: g for g in WellbeingGoal.objects.all()}
    with transaction.atomic():
        before = [c.title_en for c in phase.criteria.all()]
        phase.criteria.all().delete()
        made = [
            Criterion.objects.create(
                phase=phase,
                kind=c.kind,
                title_en=c.title_en,
                title_cy=c.title_cy or None,
                guidance_en=c.guidance_en,
                guidance_cy=c.guidance_cy or None,
                weight=c.weight,
                goal=goals.get(c.goal) if c.kind == Criterion.Kind.SOCIAL_VALUE else None,
                position=i,
            )
            for i, c in enumerate(criteria)
        ]
        audit.record_event(
            actor=actor,
            action="phase.criteria_set",
            obj=phase,
            before={"criteria": before},
            after={"criteria": [[c.kind, c.title_en, c.weight] for c in made]},
        )
    return made


def add_document(
    *,
    actor: Person,
    challenge: Challenge,
    document_in: DocumentIn,
    upload: files.Upload,
    phase: Phase | None = None,
) -> Document:
    """Attach a document that is published with the challenge."""
    require_runs(actor, challenge)
    if not document_in.title_en.strip():
        raise InvalidInput(problems=[FieldProblem("title_en", _("Enter the document's title"))])
    try:
        stored = files.store_stream(
            upload.chunks, kind="procurement-documents", max_bytes=MAX_DOCUMENT_BYTES
        )
    except ValueError:
        raise document_too_big() from None
    if stored.size == 0:
        raise InvalidInput(problems=[FieldProblem("file", _("The file is empty"))])
    with transaction.atomic():
        document = Document.objects.create(
            challenge=challenge,
            phase=phase,
            title_en=document_in.title_en.strip(),
            title_cy=document_in.title_cy.strip() or None,
            file_name=upload.name[:255],
            content_type=upload.content_type[:100] or "application/octet-stream",
            sha256=stored.sha256,
            size_bytes=stored.size,
            path=stored.relative_path,
        )
        audit.record_event(
            actor=actor,
            action="challenge.document_added",
            obj=document,
            after={"challenge": challenge.slug, "sha256": stored.sha256, "name": upload.name},
        )
    return document


# --- Publishing ---------------------------------------------------------------------------------


def _phase_publishing_problems(phase: Phase) -> Iterable[FieldProblem]:
    criteria = [CriterionIn.of(c) for c in phase.criteria.select_related("goal")]
    for problem in check_criteria(criteria):
        yield FieldProblem(
            "criteria",
            _("%(phase)s: %(problem)s")
            % {"phase": phase.get_number_display(), "problem": problem.message},
        )
    if phase.submission_deadline <= timezone.now():
        yield FieldProblem(
            "phases",
            _("%(phase)s: its bid deadline has passed") % {"phase": phase.get_number_display()},
        )


def _publishing_problems(challenge: Challenge, phases: list[Phase]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not phases:
        problems.append(FieldProblem("phases", _("Add at least one phase before publishing")))
    if not (challenge.summary_en or "").strip() or not (challenge.problem_en or "").strip():
        problems.append(
            FieldProblem("summary_en", _("Write the summary and problem statement first"))
        )
    if not challenge.title_cy or not (challenge.summary_cy or "").strip():
        problems.append(
            FieldProblem("title_cy", _("Give the title and summary in Welsh before publishing"))
        )
    if not challenge.cpv_codes:
        problems.append(
            FieldProblem(
                "cpv_codes",
                _("Give the CPV code of what the challenge buys: contract notices need it"),
            )
        )
    for phase in phases:
        problems.extend(_phase_publishing_problems(phase))
    return problems


def check_publishable(*, actor: Any, challenge: Challenge) -> list[Phase]:
    """Why ``actor`` cannot publish the challenge now (raised), else its phases."""
    _require_draft(actor, challenge)
    phases = list(challenge.phases.prefetch_related("criteria"))
    problems = _publishing_problems(challenge, phases)
    if problems:
        raise InvalidInput(problems=problems)
    return phases


def publish_challenge(*, actor: Person, challenge: Challenge) -> Challenge:
    """Publish a challenge and its phases: checked complete, then public (and in OCDS)."""
    phases = check_publishable(actor=actor, challenge=challenge)
    with transaction.atomic():
        challenge.published_at = timezone.now()
        challenge.save(update_fields=["published_at"])
        for phase in phases:
            ocds.publish(phase, ["planning"])
            ocds.publish(phase, ["tender"])
        audit.record_event(
            actor=actor, action="challenge.published", obj=challenge, after=_summary(challenge)
        )
        for phase in phases:
            announce_phase(actor, phase)  # the fund managers, to set money aside
        news.challenge_published(challenge)
    return challenge
