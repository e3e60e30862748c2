"""Core use cases: people, memberships, API tokens, audit verification.

Every function takes the acting person first (keyword-only), checks permission, makes its change
and writes its audit event in one transaction, and raises ``infuse.core.errors`` types. ``actor``
may be ``None`` only where the platform itself acts from a trusted entry point run by the server's
operator (the CLI, the demo loader): those calls are audited as "system".
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.core import audit
from infuse.core.errors import Conflict, FieldProblem, InvalidInput, NotFound
from infuse.core.models import (
    ROLES_BY_ORGANISATION_KIND,
    ApiToken,
    Membership,
    Organisation,
    Person,
    Role,
    TaskProgress,
)
from infuse.core.permissions import can, denial_for, forget_roles
from infuse.core.progress import enqueue_tracked
from infuse.core.tasks import verify_audit_chain

TOKEN_PREFIX = "infuse_"  # noqa: S105  (a public prefix, not a secret)


def require(actor: Person | None, permission: str, obj: object = None) -> None:
    """Raise PermissionDenied unless ``actor`` holds ``permission``; ``None`` is the system."""
    if actor is None:
        return
    if not can(actor, permission, obj):
        raise denial_for(actor)


def _sync_staff_flag(person: Person) -> None:
    """Programme admins reach the admin site; nobody else does (derived from memberships)."""
    should_be_staff = (
        person.is_superuser
        or Membership.objects.filter(person=person, role=Role.PROGRAMME_ADMIN).exists()
    )
    if person.is_staff != should_be_staff:
        person.is_staff = should_be_staff
        person.save(update_fields=["is_staff"])


def create_person(
    *,
    actor: Person | None,
    email: str,
    full_name: str,
    password: str | None = None,
    preferred_language: str = "en",
    email_confirmed: bool = True,
) -> Person:
    """Create a person who can sign in (with ``password``) or set one by reset link (without).
    ``email_confirmed=False`` for someone who registered themselves: they act only after
    opening the link emailed to them (``core.confirmation``)."""
    require(actor, "core.manage_people")
    email = (email or "").strip().lower()
    problems: list[FieldProblem] = []
    try:
        validate_email(email)
    except ValidationError:
        problems.append(FieldProblem("email", _("Enter an email address like name@example.org")))
    if not full_name.strip():
        problems.append(FieldProblem("full_name", _("Enter the person's full name")))
    if preferred_language not in {"en", "cy"}:
        problems.append(FieldProblem("preferred_language", _("Choose English or Welsh")))
    if password:
        try:
            validate_password(password, Person(email=email, full_name=full_name))
        except ValidationError as error:
            problems.extend(FieldProblem("password", str(m)) for m in error.messages)
    if problems:
        raise InvalidInput(problems=problems)
    with transaction.atomic():
        if Person.objects.filter(email__iexact=email).exists():
            raise Conflict(
                _("A person with that email address already exists"),
                problems=[
                    FieldProblem("email", _("A person with that email address already exists"))
                ],
            )
        person = Person.objects.create_user(
            email=email,
            password=password,
            full_name=full_name.strip(),
            preferred_language=preferred_language,
            email_confirmed_at=timezone.now() if email_confirmed else None,
        )
        audit.record_event(
            actor=actor,
            action="person.created",
            obj=person,
            after={"email": person.email, "full_name": person.full_name},
        )
    return person


def grant_membership(
    *, actor: Person | None, person: Person, organisation: Organisation, role: str
) -> Membership:
    """Give ``person`` a ``role`` at ``organisation`` (only roles that kind of body can grant)."""
    require(actor, "core.manage_people")
    if role not in Role.values:
        raise InvalidInput(problems=[FieldProblem("role", _("Choose a role from the list"))])
    if role not in ROLES_BY_ORGANISATION_KIND[organisation.kind]:
        raise InvalidInput(
            _("That role cannot be held at that kind of organisation"),
            problems=[
                FieldProblem("role", _("That role cannot be held at that kind of organisation"))
            ],
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                person=person, organisation=organisation, role=role
            )
            _sync_staff_flag(person)
            audit.record_event(
                actor=actor,
                action="membership.granted",
                obj=membership,
                after={"person": person.email, "organisation": organisation.slug, "role": role},
            )
    except IntegrityError as error:
        raise Conflict(_("That person already holds that role there")) from error
    forget_roles(person)
    return membership


def revoke_membership(*, actor: Person | None, membership: Membership) -> None:
    """Remove a role; the person keeps their account and other roles."""
    require(actor, "core.manage_people")
    with transaction.atomic():
        person = membership.person
        before = {
            "person": person.email,
            "organisation": membership.organisation.slug,
            "role": membership.role,
        }
        audit.record_event(actor=actor, action="membership.revoked", obj=membership, before=before)
        membership.delete()
        _sync_staff_flag(person)
    forget_roles(person)


@dataclass(frozen=True)
class IssuedToken:
    """A newly created token: ``secret`` is shown once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(*, actor: Person, name: str) -> IssuedToken:
    """Issue a personal API token for ``actor``; only its SHA-256 digest is kept."""
    require(actor, "core.manage_own_tokens")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(
            problems=[FieldProblem("name", _("Enter a name for the token of up to 100 characters"))]
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            person=actor, name=name, prefix=secret[: len(TOKEN_PREFIX) + 4], digest=_digest(secret)
        )
        audit.record_event(actor=actor, action="api_token.created", obj=token, after={"name": name})
    return IssuedToken(token=token, secret=secret)


def revoke_api_token(*, actor: Person, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (revoking twice is harmless)."""
    require(actor, "core.manage_own_tokens")
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, person=actor).first()
        if token is None:
            raise NotFound(_("No such token"))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record_event(actor=actor, action="api_token.revoked", obj=token)
    return token


def authenticate_token(secret: str) -> Person | None:
    """The active person whose unrevoked token this is, or None (no reason given, by design)."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("person")
        .filter(digest=_digest(secret), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Last use is recorded at most once a minute, to keep reads cheap.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person


def start_audit_verification(*, actor: Person | None) -> TaskProgress:
    """Queue a background walk of the audit chain; returns the progress to watch."""
    require(actor, "core.verify_audit")

    with transaction.atomic():
        progress = TaskProgress.objects.create(
            kind="audit.verify", owner=actor, subject_view="audit"
        )
        enqueue_tracked(progress, verify_audit_chain, str(progress.pk))
        audit.record_event(actor=actor, action="audit.verification_started", obj=progress)
    return progress


def get_progress(
    *, actor: Person | AnonymousUser | None, progress_id: uuid.UUID | str
) -> TaskProgress:
    """A progress record its owner (or a programme admin) may watch."""
    progress = TaskProgress.objects.filter(pk=progress_id).first()
    if progress is None:
        raise NotFound()
    if actor is None:
        return progress
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    if progress.owner_id != actor.pk and not can(actor, "core.view_audit"):
        raise NotFound()
    return progress
