"""Use cases of the Procurement Lab: challenges and phases, suppliers, clarifications, sealed
bids and their two-person opening. Each takes the acting person first, checks permission,
makes the change and its audit event in one transaction, and raises typed errors.

Deadlines are decided by the server's clock (``timezone.now()``) at the moment of the change,
inside the transaction, never by what a form was showing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit, files
from infuse.core import services as core_services
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from infuse.core.models import Council, Organisation, Person, Role, Theme, WellbeingGoal
from infuse.core.money import pounds
from infuse.core.permissions import (
    can,
    forget_roles,
    is_programme_admin,
    is_region_member,
    memberships_of,
    roles_of,
)
from infuse.core.slugs import unique_slug
from infuse.datalab.catalogue import services as data
from infuse.fund import services as fund
from infuse.procurement import ocds, scoring, sealing, timetable
from infuse.procurement.models import (
    Award,
    Bid,
    BidDocument,
    Challenge,
    Clarification,
    ConflictDeclaration,
    Contract,
    Criterion,
    Document,
    Milestone,
    ModeratedScore,
    Opening,
    Phase,
    PriceFormula,
    Score,
    SupplierInvitation,
    SupplierProfile,
)

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
INVITATION_DAYS = 14
COMPANIES_HOUSE = re.compile(r"^(\d{8}|(SC|NI|OC|SO|NC|R0|FC|SE|GE|LP|SL|NL)\d{6})$")


def now() -> dt.datetime:
    return timezone.now()


# --- Challenges ---------------------------------------------------------------------------------


@dataclass
class ChallengeFields:
    title_en: str
    title_cy: str
    owner: Organisation
    councils: list[str]  # GSS codes
    summary_en: str = ""
    summary_cy: str = ""
    problem_en: str = ""
    problem_cy: str = ""
    themes: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    evidence_datasets: list[str] = field(default_factory=list)  # Data Lab slugs
    evidence_indicators: list[str] = field(default_factory=list)


def _check_challenge(actor: Person, fields: ChallengeFields) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not fields.title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the title in English")))
    if not fields.title_cy.strip():
        problems.append(FieldProblem("title_cy", _("Enter the title in Welsh")))
    if not (
        fields.owner.pk
        in {org for org, _k, role in memberships_of(actor) if role == Role.PROCUREMENT_OFFICER}
        or (fields.owner.kind == Organisation.Kind.PROGRAMME and is_programme_admin(actor))
    ):
        problems.append(
            FieldProblem("owner", _("Choose an organisation you are a procurement officer for"))
        )
    if not fields.councils:
        problems.append(FieldProblem("councils", _("Choose the councils the challenge is for")))
    elif Council.objects.filter(gss_code__in=fields.councils).count() != len(set(fields.councils)):
        problems.append(FieldProblem("councils", _("Choose councils from the list")))
    return problems


def _relate(challenge: Challenge, fields: ChallengeFields, actor: Person) -> None:

    challenge.councils.set(Council.objects.filter(gss_code__in=fields.councils))
    challenge.themes.set(Theme.objects.filter(code__in=fields.themes))
    challenge.goals.set(WellbeingGoal.objects.filter(code__in=fields.goals))
    challenge.evidence_datasets.set(
        [data.get_dataset(actor=actor, slug=slug) for slug in fields.evidence_datasets]
    )
    challenge.evidence_indicators.set(
        [data.get_indicator(actor=actor, slug=slug) for slug in fields.evidence_indicators]
    )


def create_challenge(*, actor: Person, fields: ChallengeFields) -> Challenge:
    """A draft challenge with its own bid key; nothing is public until it is published."""
    if not can(actor, "procurement.add_challenge") and not is_programme_admin(actor):
        raise PermissionDenied()
    problems = _check_challenge(actor, fields)
    if problems:
        raise InvalidInput(problems=problems)
    wrapped, key_id = sealing.new_challenge_key()
    with transaction.atomic():
        challenge = Challenge(
            slug=unique_slug(Challenge, fields.title_en, fallback="challenge"),
            owner=fields.owner,
            wrapped_key=wrapped,
            key_id=key_id,
            created_by=actor,
        )
        for name in ("title", "summary", "problem"):
            for language in ("en", "cy"):
                setattr(challenge, f"{name}_{language}", getattr(fields, f"{name}_{language}"))
        challenge.save()
        _relate(challenge, fields, actor)
        audit.record_event(
            actor=actor, action="challenge.created", obj=challenge, after=_summary(challenge)
        )
    return challenge


def _summary(challenge: Challenge) -> dict[str, Any]:
    return {
        "slug": challenge.slug,
        "title_en": challenge.title_en,
        "title_cy": challenge.title_cy,
        "owner": challenge.owner.slug,
        "councils": sorted(challenge.councils.values_list("gss_code", flat=True)),
        "published_at": challenge.published_at.isoformat() if challenge.published_at else None,
    }


def _runs(actor: Any, challenge: Challenge) -> None:
    if not can(actor, "procurement.change_challenge", challenge):
        raise PermissionDenied()


def _draft(actor: Any, challenge: Challenge) -> None:
    _runs(actor, challenge)
    if challenge.is_published:
        raise Conflict(_("A published challenge cannot be changed; add a clarification instead."))


def update_challenge(*, actor: Person, challenge: Challenge, fields: ChallengeFields) -> Challenge:
    _draft(actor, challenge)
    problems = _check_challenge(actor, fields)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        before = _summary(challenge)
        challenge.owner = fields.owner
        for name in ("title", "summary", "problem"):
            for language in ("en", "cy"):
                setattr(challenge, f"{name}_{language}", getattr(fields, f"{name}_{language}"))
        challenge.updated_at = now()
        challenge.save()
        _relate(challenge, fields, actor)
        audit.record_event(
            actor=actor,
            action="challenge.updated",
            obj=challenge,
            before=before,
            after=_summary(challenge),
        )
    return challenge


def visible_challenges(actor: Any) -> QuerySet[Challenge]:
    queryset = Challenge.objects.select_related("owner").prefetch_related("phases", "councils")
    if is_region_member(actor) or is_programme_admin(actor):
        return queryset
    return queryset.filter(published_at__isnull=False)


def get_challenge(*, actor: Any, slug: str) -> Challenge:
    challenge = Challenge.objects.select_related("owner").filter(slug=slug).first()
    if challenge is None or not can(actor, "procurement.view_challenge", challenge):
        raise NotFound()
    return challenge


def get_phase(*, actor: Any, challenge: Challenge, number: int) -> Phase:
    phase = Phase.objects.filter(challenge=challenge, number=number).first()
    if phase is None:
        raise NotFound()
    return phase


def phase_at(*, actor: Any, slug: str, number: int) -> Phase:
    """A phase by its challenge's slug and its number, as the actor may see it."""
    return get_phase(actor=actor, challenge=get_challenge(actor=actor, slug=slug), number=number)


def find(model: Any, pk: int) -> Any:
    """A row by id for the API and the CLI (whose services then check who may use it)."""
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def works_for(actor: Any, organisation_id: int) -> bool:
    return any(org == organisation_id for org, _k, _r in memberships_of(actor))


def on_panel(actor: Any, phase: Phase) -> bool:
    return phase.evaluators.filter(pk=getattr(actor, "pk", None)).exists()


# --- Phases and criteria ------------------------------------------------------------------------


@dataclass
class PhaseFields:
    number: int
    budget_pence: int
    contracts_planned: int
    opens_at: dt.datetime
    clarification_deadline: dt.datetime
    submission_deadline: dt.datetime
    evaluation_ends_on: dt.date
    award_expected_on: dt.date
    price_formula: str = PriceFormula.LOWEST_OVER_BID


def _check_phase(fields: PhaseFields) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if fields.number not in Phase.Number.values:
        problems.append(FieldProblem("number", _("Choose phase 1, 2 or 3")))
    if fields.budget_pence <= 0:
        problems.append(FieldProblem("budget", _("Enter a budget of more than £0")))
    if fields.contracts_planned < 1:
        problems.append(FieldProblem("contracts_planned", _("Plan at least one contract")))
    if fields.price_formula not in PriceFormula.values:
        problems.append(FieldProblem("price_formula", _("Choose a price formula from the list")))
    order = [
        ("opens_at", fields.opens_at),
        ("clarification_deadline", fields.clarification_deadline),
        ("submission_deadline", fields.submission_deadline),
    ]
    for (_first, earlier), (name, later) in itertools.pairwise(order):
        if later < earlier or (name == "clarification_deadline" and later == earlier):
            problems.append(
                FieldProblem(
                    name,
                    _("The timetable must run in order: opening, clarification deadline, bids"),
                )
            )
    local_deadline = timezone.localtime(fields.submission_deadline).date()
    if fields.evaluation_ends_on < local_deadline:
        problems.append(FieldProblem("evaluation_ends_on", _("Evaluation ends after bids are in")))
    if fields.award_expected_on < fields.evaluation_ends_on:
        problems.append(
            FieldProblem("award_expected_on", _("The award comes after the evaluation"))
        )
    return problems


def save_phase(*, actor: Person, challenge: Challenge, fields: PhaseFields) -> Phase:
    """Add a phase to a draft challenge, or change one (by its number)."""
    _draft(actor, challenge)
    problems = _check_phase(fields)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        phase = Phase.objects.filter(challenge=challenge, number=fields.number).first()
        before = _phase_summary(phase) if phase else None
        if phase is None:
            phase = Phase(
                challenge=challenge,
                number=fields.number,
                ocid=f"{settings.OCID_PREFIX}-{challenge.slug}-{fields.number}",
            )
        for name, value in asdict(fields).items():
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


@dataclass
class CriterionFields:
    kind: str
    title_en: str
    weight: int
    title_cy: str = ""
    guidance_en: str = ""
    guidance_cy: str = ""
    goal: str = ""  # a well-being goal code (social value measures)


def check_criteria(criteria: Sequence[CriterionFields]) -> list[FieldProblem]:
    """Weights total 100, with price and social value among the criteria, each social value
    measure aligned to a well-being goal."""
    problems: list[FieldProblem] = []
    goals = set(WellbeingGoal.objects.values_list("code", flat=True))
    for i, criterion in enumerate(criteria, start=1):
        if criterion.kind not in Criterion.Kind.values:
            problems.append(FieldProblem("kind", _("Choose the kind of criterion"), row=i))
        if not criterion.title_en.strip():
            problems.append(FieldProblem("title_en", _("Enter the criterion's title"), row=i))
        if not 1 <= criterion.weight <= 100:
            problems.append(FieldProblem("weight", _("A weight is from 1 to 100"), row=i))
        if criterion.kind == Criterion.Kind.SOCIAL_VALUE and criterion.goal not in goals:
            problems.append(
                FieldProblem(
                    "goal", _("Align each social value measure to a well-being goal"), row=i
                )
            )
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
    *, actor: Person, phase: Phase, criteria: Sequence[CriterionFields]
) -> list[Criterion]:
    _draft(actor, phase.challenge)
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
    title_en: str,
    title_cy: str,
    file_name: str,
    content_type: str,
    chunks: Iterable[bytes],
    phase: Phase | None = None,
) -> Document:
    """Attach a document that is published with the challenge."""

    _runs(actor, challenge)
    if not title_en.strip():
        raise InvalidInput(problems=[FieldProblem("title_en", _("Enter the document's title"))])
    try:
        stored = files.store_stream(
            chunks, kind="procurement-documents", max_bytes=MAX_DOCUMENT_BYTES
        )
    except ValueError:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "file",
                    _("The file is bigger than %(size)s MB: make it smaller or split it")
                    % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
                )
            ]
        ) from None
    if stored.size == 0:
        raise InvalidInput(problems=[FieldProblem("file", _("The file is empty"))])
    with transaction.atomic():
        document = Document.objects.create(
            challenge=challenge,
            phase=phase,
            title_en=title_en.strip(),
            title_cy=title_cy.strip() or None,
            file_name=file_name[:255],
            content_type=content_type[:100] or "application/octet-stream",
            sha256=stored.sha256,
            size_bytes=stored.size,
            path=stored.relative_path,
        )
        audit.record_event(
            actor=actor,
            action="challenge.document_added",
            obj=document,
            after={"challenge": challenge.slug, "sha256": stored.sha256, "name": file_name},
        )
    return document


def publish_challenge(*, actor: Person, challenge: Challenge) -> Challenge:
    """Publish a challenge and its phases: checked complete, then public (and in OCDS)."""
    _draft(actor, challenge)
    phases = list(challenge.phases.prefetch_related("criteria"))
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
    for phase in phases:
        criteria = [
            CriterionFields(
                kind=c.kind,
                title_en=c.title_en,
                weight=c.weight,
                goal=c.goal.code if c.goal else "",
            )
            for c in phase.criteria.all()
        ]
        for problem in check_criteria(criteria):
            problems.append(
                FieldProblem(
                    "criteria",
                    _("%(phase)s: %(problem)s")
                    % {"phase": phase.get_number_display(), "problem": problem.message},
                )
            )
        if phase.submission_deadline <= now():
            problems.append(
                FieldProblem(
                    "phases",
                    _("%(phase)s: its bid deadline has passed")
                    % {"phase": phase.get_number_display()},
                )
            )
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        challenge.published_at = now()
        challenge.save(update_fields=["published_at"])
        for phase in phases:
            ocds.publish(phase, ["planning"])
            ocds.publish(phase, ["tender"])
        audit.record_event(
            actor=actor, action="challenge.published", obj=challenge, after=_summary(challenge)
        )
    return challenge


# --- Suppliers ----------------------------------------------------------------------------------


@dataclass
class SupplierFields:
    name: str
    address: str
    postcode: str
    companies_house_number: str = ""
    is_sme: bool = False
    is_vcse: bool = False


def _check_supplier(fields: SupplierFields) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not fields.name.strip():
        problems.append(FieldProblem("name", _("Enter the organisation's name")))
    number = fields.companies_house_number.strip().upper()
    if number and not COMPANIES_HOUSE.match(number):
        problems.append(
            FieldProblem(
                "companies_house_number",
                _("A Companies House number is 8 characters, like 01234567 or SC123456"),
            )
        )
    if not fields.address.strip():
        problems.append(FieldProblem("address", _("Enter the organisation's address")))
    if not re.match(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", fields.postcode.strip().upper()):
        problems.append(FieldProblem("postcode", _("Enter a UK postcode, like CF10 4UW")))
    return problems


def register_supplier(
    *, email: str, full_name: str, password: str, fields: SupplierFields
) -> Person:
    """Someone from a company registers it and themselves (no sign-in needed to do this)."""
    problems = _check_supplier(fields)
    number = fields.companies_house_number.strip().upper()
    if number and SupplierProfile.objects.filter(companies_house_number=number).exists():
        problems.append(
            FieldProblem(
                "companies_house_number",
                _("That company is registered already: ask a colleague there to invite you"),
            )
        )
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        person = core_services.create_person(
            actor=None, email=email, full_name=full_name, password=password
        )
        slug = unique_slug(Organisation, fields.name, fallback="supplier", max_length=40)
        organisation = Organisation.objects.create(
            kind=Organisation.Kind.SUPPLIER,
            name=fields.name.strip(),
            name_en=fields.name.strip(),
            slug=slug,
        )
        SupplierProfile.objects.create(
            organisation=organisation,
            companies_house_number=number,
            is_sme=fields.is_sme,
            is_vcse=fields.is_vcse,
            address=fields.address.strip(),
            postcode=fields.postcode.strip().upper(),
        )
        core_services.grant_membership(
            actor=None, person=person, organisation=organisation, role=Role.SUPPLIER
        )
        audit.record_event(
            actor=person,
            action="supplier.registered",
            obj=organisation,
            after={**asdict(fields), "companies_house_number": number, "email": person.email},
        )
    return person


def supplier_of(actor: Any) -> Organisation:
    """The supplier organisation the actor works for (suppliers belong to one)."""
    ids = [org for org, kind, role in memberships_of(actor) if role == Role.SUPPLIER]
    if not ids:
        raise PermissionDenied()
    return Organisation.objects.get(pk=ids[0])


def invite_colleague(*, actor: Person, email: str) -> str:
    """Invite a colleague to join the actor's supplier organisation; returns the secret token
    for the link (only its hash is kept)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    organisation = supplier_of(actor)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(
            problems=[FieldProblem("email", _("Enter an email address like name@example.org"))]
        ) from None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = SupplierInvitation.objects.create(
            organisation=organisation,
            email=email,
            token_sha256=hashlib.sha256(token.encode()).hexdigest(),
            invited_by=actor,
            expires_at=now() + dt.timedelta(days=INVITATION_DAYS),
        )
        audit.record_event(
            actor=actor,
            action="supplier.colleague_invited",
            obj=invitation,
            after={"organisation": organisation.slug, "email": email},
        )
    return token


def accept_invitation(*, token: str, full_name: str, password: str, actor: Any = None) -> Person:
    """Join the organisation that sent the invitation. A new person is created with the
    password given; someone who already has an account must be signed in as that account
    (``actor``) — the link alone never gives access to an existing account. People who work
    for a council or the programme team cannot join a supplier."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with transaction.atomic():
        invitation = (
            SupplierInvitation.objects.select_for_update().filter(token_sha256=digest).first()
        )
        if invitation is None or invitation.accepted_at or invitation.expires_at < now():
            raise Conflict(_("This invitation has expired or been used: ask for a new one."))
        person = Person.objects.filter(email__iexact=invitation.email).first()
        if person is None:
            person = core_services.create_person(
                actor=None, email=invitation.email, full_name=full_name, password=password
            )
        elif getattr(actor, "pk", None) != person.pk:
            raise Conflict(
                _("%(email)s already has an account: sign in as %(email)s, then open the link.")
                % {"email": invitation.email}
            )
        elif any(role == Role.SUPPLIER for _o, _k, role in memberships_of(person)):
            raise Conflict(_("That person already works for a supplier on InFuSe."))
        elif is_region_member(person):
            raise Conflict(
                _("People who work for a council or the programme cannot join a supplier.")
            )
        core_services.grant_membership(
            actor=None, person=person, organisation=invitation.organisation, role=Role.SUPPLIER
        )
        forget_roles(person)
        invitation.accepted_at = now()
        invitation.save(update_fields=["accepted_at"])
        audit.record_event(
            actor=person,
            action="supplier.colleague_joined",
            obj=invitation.organisation,
            after={"email": person.email},
        )
    return person


# --- Clarifications -----------------------------------------------------------------------------


def ask_question(*, actor: Person, phase: Phase, question: str) -> Clarification:
    """A supplier asks privately, before the clarification deadline."""
    supplier = supplier_of(actor)
    if not can(actor, "procurement.bid", phase.challenge):
        raise PermissionDenied()
    if not question.strip():
        raise InvalidInput(problems=[FieldProblem("question", _("Enter your question"))])
    with transaction.atomic():
        if phase.state != Phase.State.OPEN or now() >= phase.clarification_deadline:
            raise Conflict(
                _("Questions closed at %(deadline)s.")
                % {"deadline": _when(phase.clarification_deadline)}
                if now() >= phase.clarification_deadline
                else _("Questions open with the phase.")
            )
        clarification = Clarification.objects.create(
            phase=phase, supplier=supplier, asked_by=actor, question=question.strip()
        )
        audit.record_event(
            actor=actor,
            action="clarification.asked",
            obj=clarification,
            after={"phase": phase.pk, "supplier": supplier.slug},
        )
    return clarification


def answer_question(
    *,
    actor: Person,
    clarification: Clarification,
    published_question_en: str,
    answer_en: str,
    published_question_cy: str = "",
    answer_cy: str = "",
) -> Clarification:
    """Publish the question (reworded so it does not say who asked) and its answer to all."""
    _runs(actor, clarification.phase.challenge)
    problems = []
    if not published_question_en.strip():
        problems.append(
            FieldProblem("published_question_en", _("Enter the question as it will be published"))
        )
    if not answer_en.strip():
        problems.append(FieldProblem("answer_en", _("Enter the answer")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        clarification.published_question_en = published_question_en.strip()
        clarification.published_question_cy = published_question_cy.strip() or None
        clarification.answer_en = answer_en.strip()
        clarification.answer_cy = answer_cy.strip() or None
        clarification.answered_by = actor
        clarification.answered_at = now()
        clarification.save()
        audit.record_event(
            actor=actor,
            action="clarification.answered",
            obj=clarification,
            after={"phase": clarification.phase_id},
        )
    return clarification


def published_clarifications(phase: Phase) -> QuerySet[Clarification]:
    return phase.clarifications.filter(answered_at__isnull=False).order_by("answered_at")


def questions_to_answer(*, actor: Person, phase: Phase) -> QuerySet[Clarification]:
    _runs(actor, phase.challenge)
    return phase.clarifications.filter(answered_at__isnull=True).select_related("supplier")


def _when(instant: dt.datetime) -> str:
    from django.utils.formats import date_format

    return date_format(timezone.localtime(instant), "j F Y H:i")


# --- Sealed bids --------------------------------------------------------------------------------


@dataclass
class BidContent:
    """What a bid says: an answer per criterion (by id), the price, and its documents."""

    answers: dict[str, str] = field(default_factory=dict)
    price_pence: int | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)  # id, name, content_type

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> BidContent:
        return cls(**json.loads(data))


def _data_key(challenge: Challenge) -> bytes:
    return sealing.unwrap(bytes(challenge.wrapped_key), challenge.key_id)


def _seal(bid: Bid, content: BidContent) -> bytes:
    return sealing.seal(_data_key(bid.phase.challenge), content.to_bytes(), bid.label)


def _unsealed(bid: Bid) -> BidContent:
    return BidContent.from_bytes(
        sealing.open_sealed(_data_key(bid.phase.challenge), bytes(bid.sealed), bid.label)
    )


def sealed_price(bid: Bid) -> int:
    """A bid's price, unsealed for the system's own use after opening (contract values and the
    award notice, which makes the winners' prices public as any award notice does)."""
    return int(_unsealed(bid).price_pence or 0)


def _before_deadline(phase: Phase) -> None:
    """Bids change only while the phase is open, by the server's clock."""
    moment = now()
    if moment >= phase.submission_deadline:
        raise Conflict(
            _("The deadline for bids was %(deadline)s: bids can no longer be made or changed.")
            % {"deadline": _when(phase.submission_deadline)}
        )
    if phase.state_at(moment) != Phase.State.OPEN:
        raise Conflict(_("This phase is not open for bids."))


def own_bid(*, actor: Person, phase: Phase) -> Bid | None:
    supplier = supplier_of(actor)
    return Bid.objects.filter(phase=phase, supplier=supplier).first()


def save_bid(
    *, actor: Person, phase: Phase, answers: dict[str, str], price_pence: int | None
) -> Bid:
    """Create or change the actor's organisation's bid, sealed, while the phase is open."""
    supplier = supplier_of(actor)
    if not can(actor, "procurement.bid", phase.challenge):
        raise PermissionDenied()
    criteria = {str(c.pk) for c in phase.criteria.exclude(kind=Criterion.Kind.PRICE)}
    unknown = set(answers) - criteria
    if unknown:
        raise InvalidInput(problems=[FieldProblem("answers", _("Answer the phase's criteria"))])
    if price_pence is not None and price_pence <= 0:
        raise InvalidInput(problems=[FieldProblem("price", _("Enter a price of more than £0"))])
    with transaction.atomic():
        _before_deadline(phase)
        bid = Bid.objects.select_for_update().filter(phase=phase, supplier=supplier).first()
        if bid is None:
            try:
                with transaction.atomic():
                    bid = Bid.objects.create(
                        phase=phase, supplier=supplier, sealed=b"", created_by=actor
                    )
            except IntegrityError:  # a colleague started it at the same moment
                bid = Bid.objects.select_for_update().get(phase=phase, supplier=supplier)
            content = BidContent()
        else:
            content = _unsealed(bid)
        _before_deadline(phase)  # again, now that the row is ours: the clock may have moved
        content.answers = {k: v for k, v in answers.items() if v.strip()}
        content.price_pence = price_pence
        bid.sealed = _seal(bid, content)
        bid.updated_at = now()
        bid.withdrawn_at = None
        if bid.submitted_at is not None and _missing(phase, content):
            bid.submitted_at = None  # a submitted bid is always complete
        bid.save()
        audit.record_event(
            actor=actor,
            action="bid.saved",
            obj=bid,
            after={"phase": phase.pk, "supplier": supplier.slug, "sealed_bytes": len(bid.sealed)},
        )
    return bid


def add_bid_document(
    *, actor: Person, bid: Bid, file_name: str, content_type: str, data: bytes
) -> BidDocument:
    """Attach a file to a bid, sealed on disk with the challenge's key."""

    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "file",
                    _("The file is bigger than %(size)s MB: make it smaller or split it")
                    % {"size": MAX_DOCUMENT_BYTES // (1024 * 1024)},
                )
            ]
        )
    if not data:
        raise InvalidInput(problems=[FieldProblem("file", _("The file is empty"))])
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        _before_deadline(bid.phase)
        document = BidDocument.objects.create(bid=bid, path="", size_bytes=len(data))
        sealed = sealing.seal(_data_key(bid.phase.challenge), data, document.label)
        stored = files.store_stream([sealed], kind="sealed-bids")
        document.path = stored.relative_path
        document.save(update_fields=["path"])
        content = _unsealed(bid)
        content.documents.append(
            {"id": document.pk, "name": file_name[:255], "content_type": content_type[:100]}
        )
        bid.sealed = _seal(bid, content)
        bid.updated_at = now()
        bid.save(update_fields=["sealed", "updated_at"])
        audit.record_event(
            actor=actor, action="bid.document_added", obj=bid, after={"document": document.pk}
        )
    return document


def _missing(phase: Phase, content: BidContent) -> list[FieldProblem]:
    """What a bid lacks before it can count: an answer per scored criterion and a price."""
    problems = [
        FieldProblem(f"answer_{c.pk}", _("Answer ‘%(criterion)s’") % {"criterion": c.title})
        for c in phase.criteria.exclude(kind=Criterion.Kind.PRICE)
        if not content.answers.get(str(c.pk), "").strip()
    ]
    if content.price_pence is None:
        problems.append(FieldProblem("price", _("Enter your price")))
    return problems


def submit_bid(*, actor: Person, bid: Bid) -> Bid:
    """Mark the bid as submitted: every criterion answered and a price given. It can still be
    changed (and stays submitted) until the deadline."""
    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)  # what is stored now
        _before_deadline(bid.phase)
        problems = _missing(bid.phase, _unsealed(bid))
        if problems:
            raise InvalidInput(problems=problems)
        bid.submitted_at = now()
        bid.withdrawn_at = None
        bid.save(update_fields=["submitted_at", "withdrawn_at"])
        audit.record_event(
            actor=actor, action="bid.submitted", obj=bid, after={"phase": bid.phase_id}
        )
    return bid


def withdraw_bid(*, actor: Person, bid: Bid) -> Bid:
    if bid.supplier_id != supplier_of(actor).pk:
        raise NotFound()
    with transaction.atomic():
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        _before_deadline(bid.phase)
        bid.withdrawn_at = now()
        bid.submitted_at = None
        bid.save(update_fields=["withdrawn_at", "submitted_at"])
        audit.record_event(actor=actor, action="bid.withdrawn", obj=bid)
    return bid


def received_bids(phase: Phase) -> QuerySet[Bid]:
    """The bids that count: submitted before the deadline and not withdrawn."""
    return phase.bids.filter(
        submitted_at__isnull=False,
        submitted_at__lt=phase.submission_deadline,
        withdrawn_at__isnull=True,
    ).select_related("supplier")


def may_read_bid(actor: Any, bid: Bid) -> bool:
    """The supplier's own people always; after the two-person opening, the officers running
    the challenge and assigned evaluators who declared no conflict with this bid. Nobody
    else, programme admins included."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if works_for(actor, bid.supplier_id):
        return True
    phase = bid.phase
    if not phase.bids_opened or bid.submitted_at is None or bid.withdrawn_at is not None:
        return False
    if can(actor, "procurement.change_challenge", phase.challenge):
        return True
    return (
        on_panel(actor, phase)
        and bid.declarations.filter(evaluator=actor, has_conflict=False).exists()
    )


def read_bid(*, actor: Any, bid: Bid) -> BidContent:
    """The bid as stored now, for those who may read it."""
    bid = Bid.objects.select_related("phase__challenge").get(pk=bid.pk)
    if not may_read_bid(actor, bid):
        raise PermissionDenied()
    return _unsealed(bid)


def read_bid_document(*, actor: Any, document: BidDocument) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a bid's document, for those who may read the bid."""

    content = read_bid(actor=actor, bid=document.bid)
    meta = next((d for d in content.documents if d["id"] == document.pk), None)
    if meta is None:
        raise NotFound()
    sealed = files.resolve(document.path).read_bytes()
    data = sealing.open_sealed(_data_key(document.bid.phase.challenge), sealed, document.label)
    return meta["name"], meta["content_type"], data


# --- Opening: the two-person rule ---------------------------------------------------------------


def request_opening(*, actor: Person, phase: Phase) -> Opening:
    """The first of two authorised officers asks to open the bids, after the deadline."""
    if not can(actor, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    with transaction.atomic():
        if now() < phase.submission_deadline:
            raise Conflict(
                _("Bids can be opened after the deadline, %(deadline)s.")
                % {"deadline": _when(phase.submission_deadline)}
            )
        try:
            with transaction.atomic():
                opening = Opening.objects.create(phase=phase, requested_by=actor)
        except IntegrityError:  # asked already (perhaps at this very moment)
            raise Conflict(_("Opening has already been asked for.")) from None
        audit.record_event(
            actor=actor,
            action="bids.opening_requested",
            obj=phase,
            after={"bids": received_bids(phase).count()},
        )
    return opening


def confirm_opening(*, actor: Person, phase: Phase) -> Opening:
    """A second, different authorised officer confirms: the bids are open."""
    if not can(actor, "procurement.open_bids", phase.challenge):
        raise PermissionDenied()
    with transaction.atomic():
        opening = Opening.objects.select_for_update().filter(phase=phase).first()
        if opening is None:
            raise Conflict(_("Another authorised officer must ask to open the bids first."))
        if opening.confirmed_at is not None:
            raise Conflict(_("The bids are open already."))
        if opening.requested_by_id == actor.pk:
            raise Conflict(
                _("A second, different officer must confirm the opening (the two-person rule).")
            )
        opening.confirmed_by = actor
        opening.confirmed_at = now()
        opening.save(update_fields=["confirmed_by", "confirmed_at"])
        audit.record_event(
            actor=actor,
            action="bids.opened",
            obj=phase,
            after={
                "requested_by": opening.requested_by.email,
                "confirmed_by": actor.email,
                "bids": list(received_bids(phase).values_list("pk", flat=True)),
            },
        )
    return opening


def open_bids(*, actor: Person, phase: Phase) -> Opening:
    """The one button: ask to open the bids or, if a colleague asked, confirm it."""
    if Opening.objects.filter(phase=phase).exists():
        return confirm_opening(actor=actor, phase=phase)
    return request_opening(actor=actor, phase=phase)


def rotate_keys() -> int:
    """Rewrap every challenge key with the current master key; returns how many changed."""
    changed = 0
    for challenge in Challenge.objects.exclude(key_id=sealing.current_key_id()):
        with transaction.atomic():
            locked = Challenge.objects.select_for_update().get(pk=challenge.pk)
            wrapped, key_id = sealing.rewrap(bytes(locked.wrapped_key), locked.key_id)
            Challenge.objects.filter(pk=locked.pk).update(wrapped_key=wrapped, key_id=key_id)
            audit.record_event(
                actor=None,
                action="challenge.key_rewrapped",
                obj=locked,
                before={"key_id": challenge.key_id},
                after={"key_id": key_id},
            )
            changed += 1
    return changed


# --- Evaluation ---------------------------------------------------------------------------------


def _evaluating(phase: Phase) -> None:
    if not phase.bids_opened:
        raise Conflict(_("The bids have not been opened yet."))
    if phase.awards.exclude(status=Award.Status.CANCELLED).exists():
        raise Conflict(_("The evaluation is closed: the phase has been awarded."))


def assign_evaluators(*, actor: Person, phase: Phase, evaluators: Sequence[Person]) -> None:
    """Choose the panel: people who hold the evaluator role (in any council or the programme)."""
    _runs(actor, phase.challenge)
    runners = [
        p.email for p in evaluators if can(p, "procurement.change_challenge", phase.challenge)
    ]
    if runners:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "evaluators",
                    _("People who run the challenge cannot score it (they moderate): %(people)s")
                    % {"people": ", ".join(runners)},
                )
            ]
        )
    not_evaluators = [p.email for p in evaluators if Role.EVALUATOR not in roles_of(p)]
    if not_evaluators:
        raise InvalidInput(
            problems=[
                FieldProblem(
                    "evaluators",
                    _("These people are not evaluators: %(people)s")
                    % {"people": ", ".join(not_evaluators)},
                )
            ]
        )
    with transaction.atomic():
        before = sorted(phase.evaluators.values_list("email", flat=True))
        phase.evaluators.set(evaluators)
        audit.record_event(
            actor=actor,
            action="phase.evaluators_assigned",
            obj=phase,
            before={"evaluators": before},
            after={"evaluators": sorted(p.email for p in evaluators)},
        )


def _panel_member(actor: Any, phase: Phase) -> None:
    if not on_panel(actor, phase):
        raise PermissionDenied()


def evaluated_bid(*, actor: Any, bid_id: int) -> Bid:
    """A bid as an evaluator on its panel may know of it: only once the bids are open, and
    only a bid that counts (submitted in time, not withdrawn); NotFound otherwise."""
    bid = Bid.objects.select_related("phase__challenge", "supplier").filter(pk=bid_id).first()
    if bid is None or not on_panel(actor, bid.phase):
        raise NotFound()
    if not bid.phase.bids_opened or not received_bids(bid.phase).filter(pk=bid.pk).exists():
        raise NotFound()
    return bid


def declare_interest(
    *, actor: Person, bid: Bid, has_conflict: bool, details: str = ""
) -> ConflictDeclaration:
    """Before seeing a bid, an evaluator says whether they have a conflict of interest with the
    bidder. A conflict excludes them from that bid; a declaration is not changed afterwards."""
    phase = bid.phase
    _panel_member(actor, phase)
    _evaluating(phase)
    evaluated_bid(actor=actor, bid_id=bid.pk)
    if has_conflict and not details.strip():
        raise InvalidInput(
            problems=[FieldProblem("details", _("Say what the conflict of interest is"))]
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                declaration = ConflictDeclaration.objects.create(
                    phase=phase,
                    bid=bid,
                    evaluator=actor,
                    has_conflict=has_conflict,
                    details=details.strip(),
                )
        except IntegrityError:
            raise Conflict(
                _(
                    "You have declared for this bid already; ask the procurement officer "
                    "to change it."
                )
            ) from None
        audit.record_event(
            actor=actor,
            action="evaluation.declared",
            obj=bid,
            after={"has_conflict": has_conflict},
        )
    return declaration


def _may_score(actor: Any, bid: Bid) -> None:
    _panel_member(actor, bid.phase)
    _evaluating(bid.phase)
    evaluated_bid(actor=actor, bid_id=bid.pk)
    declaration = bid.declarations.filter(evaluator=actor).first()
    if declaration is None:
        raise Conflict(_("Declare any conflict of interest with this bidder first."))
    if declaration.has_conflict:
        raise PermissionDenied()


def save_scores(*, actor: Person, bid: Bid, scores: dict[int, tuple[int, str]]) -> list[Score]:
    """An evaluator's own scores (0–4 and a comment) for a bid, until they submit them."""
    _may_score(actor, bid)
    criteria = {c.pk: c for c in bid.phase.criteria.exclude(kind=Criterion.Kind.PRICE)}
    problems = []
    for criterion_id, (score, _comment) in scores.items():
        if criterion_id not in criteria:
            problems.append(FieldProblem("scores", _("Score only the phase's criteria")))
        elif not 0 <= score <= scoring.SCALE_MAX:
            problems.append(FieldProblem(f"score_{criterion_id}", _("A score is from 0 to 4")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        if Score.objects.filter(bid=bid, evaluator=actor, submitted_at__isnull=False).exists():
            raise Conflict(_("You have submitted your scores for this bid."))
        saved = []
        for criterion_id, (score, comment) in scores.items():
            row, _created = Score.objects.update_or_create(
                bid=bid,
                criterion_id=criterion_id,
                evaluator=actor,
                defaults={"score": score, "comment": comment.strip(), "saved_at": now()},
            )
            saved.append(row)
        audit.record_event(
            actor=actor,
            action="evaluation.scores_saved",
            obj=bid,
            after={"criteria": sorted(scores)},
        )
    return saved


def submit_scores(*, actor: Person, bid: Bid) -> None:
    """Lock the evaluator's scores for a bid; only now may they see the others' scores."""
    _may_score(actor, bid)
    with transaction.atomic():
        mine = Score.objects.select_for_update().filter(bid=bid, evaluator=actor)
        missing = [
            c
            for c in bid.phase.criteria.exclude(kind=Criterion.Kind.PRICE)
            if not mine.filter(criterion=c).exists()
        ]
        if missing:
            raise InvalidInput(
                problems=[
                    FieldProblem(
                        f"score_{c.pk}", _("Score ‘%(criterion)s’") % {"criterion": c.title}
                    )
                    for c in missing
                ]
            )
        if mine.filter(submitted_at__isnull=False).exists():
            raise Conflict(_("You have submitted your scores for this bid."))
        mine.update(submitted_at=now())
        audit.record_event(actor=actor, action="evaluation.scores_submitted", obj=bid)


def _scoring_panel(bid: Bid) -> list[int]:
    """Assigned evaluators who declared no conflict with this bid."""
    return list(
        bid.declarations.filter(
            has_conflict=False, evaluator__in=bid.phase.evaluators.all()
        ).values_list("evaluator_id", flat=True)
    )


def visible_scores(*, actor: Any, bid: Bid) -> QuerySet[Score]:
    """Scores an evaluator may see: their own, and the others' once they have submitted theirs.
    The officers running the challenge see every submitted score (for moderation)."""
    if not on_panel(actor, bid.phase) and can(
        actor, "procurement.change_challenge", bid.phase.challenge
    ):
        return bid.scores.filter(submitted_at__isnull=False).select_related("evaluator")
    _panel_member(actor, bid.phase)
    mine = bid.scores.filter(evaluator=actor)
    if mine.filter(submitted_at__isnull=False).exists():
        return bid.scores.filter(Q(evaluator=actor) | Q(submitted_at__isnull=False)).select_related(
            "evaluator"
        )
    return mine.select_related("evaluator")


def moderate(
    *, actor: Person, bid: Bid, criterion: Criterion, score: int, rationale: str
) -> ModeratedScore:
    """Record the panel's consensus score and why, once every scoring evaluator submitted."""
    _runs(actor, bid.phase.challenge)
    _evaluating(bid.phase)
    if criterion.phase_id != bid.phase_id or criterion.kind == Criterion.Kind.PRICE:
        raise InvalidInput(problems=[FieldProblem("criterion", _("Moderate a scored criterion"))])
    problems = []
    if not 0 <= score <= scoring.SCALE_MAX:
        problems.append(FieldProblem("score", _("A score is from 0 to 4")))
    if not rationale.strip():
        problems.append(FieldProblem("rationale", _("Give the reason for the consensus score")))
    if problems:
        raise InvalidInput(problems=problems)
    panel = _scoring_panel(bid)
    submitted = set(
        bid.scores.filter(submitted_at__isnull=False, criterion=criterion).values_list(
            "evaluator_id", flat=True
        )
    )
    if not panel or set(panel) - submitted:
        raise Conflict(
            _("Every evaluator on the panel must submit their scores before moderation.")
        )
    with transaction.atomic():
        moderated, _created = ModeratedScore.objects.update_or_create(
            bid=bid,
            criterion=criterion,
            defaults={
                "score": score,
                "rationale": rationale.strip(),
                "moderated_by": actor,
                "moderated_at": now(),
            },
        )
        audit.record_event(
            actor=actor,
            action="evaluation.moderated",
            obj=bid,
            after={"criterion": criterion.pk, "score": score},
        )
    return moderated


@dataclass(frozen=True)
class EvaluationTable:
    """The phase's evaluation as the officers see it: bids ranked, points per criterion,
    whether moderation is complete, and the ±10-point sensitivity check."""

    criteria: list[Criterion]
    rows: list[dict[str, Any]]  # bid, supplier, price_pence, scores, points, total, rank
    complete: bool  # every bid moderated on every scored criterion
    scenarios: list[scoring.Scenario]


def _figures(phase: Phase, bids: Sequence[Bid], *, provisional: bool) -> list[scoring.BidFigures]:
    figures = []
    for bid in bids:
        moderated = {m.criterion_id: float(m.score) for m in bid.moderated_scores.all()}
        if provisional:
            for criterion in phase.criteria.exclude(kind=Criterion.Kind.PRICE):
                if criterion.pk not in moderated:
                    values = [
                        s.score
                        for s in bid.scores.all()
                        if s.criterion_id == criterion.pk and s.submitted_at
                    ]
                    if values:
                        moderated[criterion.pk] = sum(values) / len(values)
        content = _unsealed(bid)
        assert bid.submitted_at is not None
        if content.price_pence is None:  # a submitted bid has one; never rank without it
            raise Conflict(
                _("The bid from %(supplier)s has no price.") % {"supplier": bid.supplier.name}
            )
        figures.append(
            scoring.BidFigures(bid.pk, int(content.price_pence or 0), bid.submitted_at, moderated)
        )
    return figures


def evaluation_table(*, actor: Any, phase: Phase) -> EvaluationTable:
    _runs(actor, phase.challenge)
    if not phase.bids_opened:
        raise Conflict(_("The bids have not been opened yet."))
    criteria = list(phase.criteria.all())
    bids = list(received_bids(phase).prefetch_related("moderated_scores", "scores"))
    scored = [c for c in criteria if c.kind != Criterion.Kind.PRICE]
    complete = bool(bids) and all(
        {m.criterion_id for m in bid.moderated_scores.all()} >= {c.pk for c in scored}
        for bid in bids
    )
    figures = _figures(phase, bids, provisional=not complete)
    weights = [scoring.CriterionWeight(c.pk, c.kind, c.weight) for c in criteria]
    ranked = scoring.rank(weights, figures, phase.price_formula) if figures else []
    by_bid = {b.pk: b for b in bids}
    prices = {f.id: f.price_pence for f in figures}
    rows = [
        {
            "bid": by_bid[r.bid],
            "supplier": by_bid[r.bid].supplier,
            "price_pence": prices[r.bid],
            "points": r.points,
            "scores": {f.id: f.scores for f in figures}[r.bid],
            "total": r.total,
            "rank": r.rank,
            "winner": r.rank <= phase.contracts_planned,
        }
        for r in ranked
    ]
    scenarios = (
        scoring.sensitivity(weights, figures, phase.price_formula, winners=phase.contracts_planned)
        if len(figures) > 1
        else []
    )
    return EvaluationTable(criteria=criteria, rows=rows, complete=complete, scenarios=scenarios)


# --- Award, contracts, milestones ---------------------------------------------------------------


def award_phase(*, actor: Person, phase: Phase, rationale: str) -> Award:
    """Decide the award from the moderated ranking: the top bids (as many as the phase plans
    contracts) win. The standstill period starts now; contracts follow when it ends."""
    _runs(actor, phase.challenge)
    _evaluating(phase)
    if not rationale.strip():
        raise InvalidInput(problems=[FieldProblem("rationale", _("Give the reason for the award"))])
    table = evaluation_table(actor=actor, phase=phase)
    if not table.complete:
        raise Conflict(_("Moderate every bid on every scored criterion before the award."))
    winners = [row["bid"] for row in table.rows if row["winner"]]
    decided = now()
    with transaction.atomic():
        Phase.objects.select_for_update().get(pk=phase.pk)  # one award decision at a time
        if phase.awards.exclude(status=Award.Status.CANCELLED).exists():
            raise Conflict(_("The evaluation is closed: the phase has been awarded."))
        award = Award.objects.create(
            phase=phase,
            rationale=rationale.strip(),
            ranking=[
                {
                    "bid": row["bid"].pk,
                    "supplier": row["supplier"].name,
                    "rank": row["rank"],
                    "total": round(row["total"], 4),
                }
                for row in table.rows
            ],
            decided_by=actor,
            decided_at=decided,
            standstill_ends_at=timetable.standstill_ends(decided, settings.STANDSTILL_WORKING_DAYS),
        )
        award.winners.set(winners)
        ocds.publish(phase, ["award"], award=award)
        audit.record_event(
            actor=actor,
            action="award.decided",
            obj=award,
            after={"winners": [b.pk for b in winners], "ranking": award.ranking},
        )
    return award


@dataclass
class ContractTerms:
    bid: int
    starts_on: dt.date
    ends_on: dt.date


def confirm_award(*, actor: Person, award: Award, terms: Sequence[ContractTerms]) -> list[Contract]:
    """After the standstill: a contract with each winner at its bid price, and the money
    committed from the phase's allocation — all of it or, if the fund says no, none of it."""
    _runs(actor, award.phase.challenge)
    if award.status != Award.Status.STANDSTILL:
        raise Conflict(_("This award is not waiting for its standstill period to end."))
    if now() < award.standstill_ends_at:
        raise Conflict(
            _("The standstill period ends %(end)s: contracts can be made after it.")
            % {"end": _when(award.standstill_ends_at)}
        )
    winners = {b.pk: b for b in award.winners.all()}
    given = {t.bid: t for t in terms}
    if set(given) != set(winners):
        raise InvalidInput(
            problems=[FieldProblem("terms", _("Give the contract dates for every winning bid"))]
        )
    for term in terms:
        if term.ends_on <= term.starts_on:
            raise InvalidInput(
                problems=[FieldProblem("ends_on", _("A contract ends after it starts"))]
            )
    with transaction.atomic():
        locked = Award.objects.select_for_update().get(pk=award.pk)
        if locked.status != Award.Status.STANDSTILL:
            raise Conflict(_("This award is not waiting for its standstill period to end."))
        contracts = []
        for bid_id, bid in winners.items():
            price = sealed_price(bid)
            contract = Contract.objects.create(
                award=award,
                bid=bid,
                supplier=bid.supplier,
                value_pence=price,
                starts_on=given[bid_id].starts_on,
                ends_on=given[bid_id].ends_on,
            )
            fund.commit(
                actor=actor, contract=contract, purpose_id=award.phase_id, amount_pence=price
            )
            contracts.append(contract)
        locked.status = Award.Status.CONFIRMED
        locked.confirmed_at = now()
        locked.save(update_fields=["status", "confirmed_at"])
        ocds.publish(locked.phase, ["awardUpdate", "contract"], award=locked)
        audit.record_event(
            actor=actor,
            action="award.confirmed",
            obj=award,
            after={"contracts": [c.pk for c in contracts]},
        )
    return contracts


def cancel_award(*, actor: Person, award: Award, reason: str) -> Award:
    """Withdraw an award during its standstill (after a challenge, say): evaluation reopens."""
    _runs(actor, award.phase.challenge)
    if award.status != Award.Status.STANDSTILL:
        raise Conflict(_("Only an award in its standstill period can be cancelled."))
    if not reason.strip():
        raise InvalidInput(problems=[FieldProblem("reason", _("Give the reason"))])
    with transaction.atomic():
        award.status = Award.Status.CANCELLED
        award.save(update_fields=["status"])
        ocds.publish(award.phase, ["awardUpdate"], award=award)
        audit.record_event(
            actor=actor, action="award.cancelled", obj=award, after={"reason": reason.strip()}
        )
    return award


def add_milestone(
    *,
    actor: Person,
    contract: Contract,
    title_en: str,
    due_on: dt.date,
    amount_pence: int,
    title_cy: str = "",
) -> Milestone:
    """A payment milestone; together they never exceed the contract's value."""
    _runs(actor, contract.award.phase.challenge)
    problems = []
    if not title_en.strip():
        problems.append(FieldProblem("title_en", _("Enter the milestone's title")))
    if amount_pence <= 0:
        problems.append(FieldProblem("amount", _("Enter an amount of more than £0")))
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        planned = sum(m.amount_pence for m in locked.milestones.all())
        if planned + amount_pence > locked.value_pence:
            raise Conflict(
                _("The milestones would come to more than the contract's value (%(value)s).")
                % {"value": pounds(locked.value_pence)}
            )
        milestone = Milestone.objects.create(
            contract=locked,
            title_en=title_en.strip(),
            title_cy=title_cy.strip() or None,
            due_on=due_on,
            amount_pence=amount_pence,
        )
        ocds.publish(locked.award.phase, ["contractUpdate"], contract=locked)
        audit.record_event(
            actor=actor,
            action="contract.milestone_added",
            obj=milestone,
            after={"contract": locked.pk, "amount_pence": amount_pence, "due_on": str(due_on)},
        )
    return milestone


def accept_milestone(*, actor: Person, milestone: Milestone) -> Milestone:
    """The buyer accepts the work a milestone pays for; the fund manager can then pay it."""
    _runs(actor, milestone.contract.award.phase.challenge)
    with transaction.atomic():
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if locked.accepted_at is not None:
            raise Conflict(_("This milestone has been accepted already."))
        locked.accepted_at = now()
        locked.accepted_by = actor
        locked.save(update_fields=["accepted_at", "accepted_by"])
        ocds.publish(locked.contract.award.phase, ["implementation"], contract=locked.contract)
        audit.record_event(actor=actor, action="contract.milestone_accepted", obj=locked)
    return locked


def pay_milestone(
    *, actor: Person, milestone: Milestone, paid_on: dt.date | None = None
) -> fund.Payment:
    """The fund manager pays an accepted milestone from the Challenge Fund, and the payment is
    published as open contracting data, both or neither."""
    with transaction.atomic():
        payment = fund.pay(actor=actor, milestone=milestone, paid_on=paid_on)
        contract = milestone.contract
        ocds.publish(contract.award.phase, ["implementation"], contract=contract)
    return payment


def link_outcomes(*, actor: Person, contract: Contract, indicators: Sequence[str]) -> Contract:
    """Data Lab indicators that measure what the contract is for, so results flow back."""

    _runs(actor, contract.award.phase.challenge)
    found = [data.get_indicator(actor=actor, slug=slug) for slug in indicators]
    with transaction.atomic():
        contract.outcome_indicators.set(found)
        audit.record_event(
            actor=actor,
            action="contract.outcomes_linked",
            obj=contract,
            after={"indicators": list(indicators)},
        )
    return contract


# --- Feedback -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    """What a bidder is told: their scores and the winner's, criterion by criterion, with the
    moderators' reasons, their total and rank, and the winners' totals."""

    bid: Bid
    award: Award
    criteria: list[Criterion]
    mine: dict[str, Any]
    winners: list[dict[str, Any]]
    successful: bool
    bidders: int


def feedback(*, actor: Any, bid: Bid) -> Feedback:
    """For the bidder (and the officers) once the award is decided."""
    phase = bid.phase
    award = phase.awards.exclude(status=Award.Status.CANCELLED).order_by("-decided_at").first()
    if not (
        works_for(actor, bid.supplier_id)
        or can(actor, "procurement.change_challenge", phase.challenge)
    ):
        raise NotFound()
    if award is None:
        raise Conflict(_("Feedback is given once the award is decided."))
    if not received_bids(phase).filter(pk=bid.pk).exists():
        raise NotFound()  # a bid that was never in the competition has no scores
    criteria = list(phase.criteria.all())
    ranked = {row["bid"]: row for row in award.ranking}
    weights = [scoring.CriterionWeight(c.pk, c.kind, c.weight) for c in criteria]
    bids = list(received_bids(phase).prefetch_related("moderated_scores"))
    points = {
        r.bid: r
        for r in scoring.rank(
            weights, _figures(phase, bids, provisional=False), phase.price_formula
        )
    }

    def summary(one: Bid) -> dict[str, Any]:
        moderated = {m.criterion_id: m for m in one.moderated_scores.all()}
        return {
            "supplier": one.supplier.name,
            "rank": ranked.get(one.pk, {}).get("rank"),
            "total": points[one.pk].total,
            "criteria": [
                {
                    "criterion": c,
                    "score": moderated[c.pk].score if c.pk in moderated else None,
                    "rationale": moderated[c.pk].rationale if c.pk in moderated else "",
                    "points": points[one.pk].points[c.pk],
                }
                for c in criteria
            ],
        }

    winners = list(award.winners.all())
    return Feedback(
        bid=bid,
        award=award,
        criteria=criteria,
        mine=summary(bid),
        winners=[summary(w) for w in winners if w.pk != bid.pk],
        successful=bid in winners,
        bidders=len(bids),
    )
