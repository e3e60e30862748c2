"""Core tables: reference data every item is tagged with, people and roles, audit, progress.

Reference data (councils, goals, ways of working, themes) is created by data migrations, never by
hand, so every installation agrees on it. Bilingual names are django-modeltranslation fields
(``name_en``/``name_cy``; ``name`` follows the active language) registered in ``translation.py``.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Council(models.Model):
    """One of the ten Cardiff Capital Region local authorities."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    name_en: str
    name_cy: str | None

    gss_code = models.CharField(
        _("GSS code"),
        max_length=9,
        unique=True,
        validators=[
            RegexValidator(r"^W06\d{6}$", _("A Welsh council GSS code is W06 and 6 digits."))
        ],
    )
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    population = models.PositiveIntegerField(_("population"))
    population_year = models.PositiveSmallIntegerField(_("population year"))
    population_source = models.CharField(_("population source"), max_length=200)

    objects: ClassVar[models.Manager[Council]] = models.Manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self) -> str:
        return self.name


class ReferenceTerm(models.Model):
    """A bilingual, ordered term of a fixed vocabulary (goal, way of working, theme)."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    name_en: str
    name_cy: str | None
    description_en: str | None
    description_cy: str | None

    code = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    objects: ClassVar[models.Manager[Any]] = models.Manager()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class WellbeingGoal(ReferenceTerm):
    """The seven well-being goals of the Well-being of Future Generations (Wales) Act 2015, s.4."""

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("well-being goal")
        verbose_name_plural = _("well-being goals")


class WayOfWorking(ReferenceTerm):
    """The five ways of working of the sustainable development principle (the Act, s.5)."""

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("way of working")
        verbose_name_plural = _("ways of working")


class Theme(ReferenceTerm):
    """The programme's three themes."""

    class Meta(ReferenceTerm.Meta):
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class NationalIndicator(models.Model):
    """One of the national indicators for Wales (the Act, s.10(1)) and the goals it serves,
    loaded from the Welsh Government's published list (``infuse reference national``)."""

    name_en: str
    name_cy: str | None

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(_("name"), max_length=300)
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="national_indicators")

    objects: ClassVar[models.Manager[NationalIndicator]] = models.Manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("national indicator")
        verbose_name_plural = _("national indicators")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class NationalMilestone(models.Model):
    """A national milestone (the Act, s.10(1)(a)): the pace of change Wales sets itself on
    one or more national indicators, by a year."""

    name_en: str
    name_cy: str | None

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(_("name"), max_length=500)
    target_year = models.PositiveSmallIntegerField(null=True, blank=True)
    indicators = models.ManyToManyField(NationalIndicator, blank=True, related_name="milestones")

    objects: ClassVar[models.Manager[NationalMilestone]] = models.Manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("national milestone")
        verbose_name_plural = _("national milestones")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A council, the programme team, or a supplier company: the body a person acts for."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    name_en: str
    name_cy: str | None

    class Kind(models.TextChoices):
        COUNCIL = "council", _("Council")
        PROGRAMME = "programme", _("Programme team")
        SUPPLIER = "supplier", _("Supplier")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(unique=True)
    council = models.OneToOneField(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="organisation"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Organisation]] = models.Manager()

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_council_iff_kind_council",
                condition=(
                    models.Q(kind="council", council__isnull=False)
                    | (~models.Q(kind="council") & models.Q(council__isnull=True))
                ),
            )
        ]

    def __str__(self) -> str:
        return self.name


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> Person:
        if not email:
            raise ValueError("A person needs an email address.")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> Person:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> Person:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> Person:
        # Emails are stored lower-case, so sign-in is case-insensitive.
        return self.get(email__iexact=username or "")


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Keyed by email; roles come from memberships, not from flags."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=[("en", "English"), ("cy", "Cymraeg")],
        default="en",
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can sign in to the administration site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # The topics (Notification.Topic) the person does not want emailed; they still reach the
    # person's messages in InFuSe.
    emails_off = models.JSONField(_("topics not emailed"), default=list, blank=True)
    # Null until the person opens the link emailed to them. Only self-registered suppliers start
    # unconfirmed (registration clears it): an admin vouches for the people they create, and an
    # invitation is accepted from the link in its email. Until confirmed, memberships give no
    # roles (permissions.py).
    email_confirmed_at = models.DateTimeField(
        _("email address confirmed"), null=True, blank=True, default=timezone.now
    )

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["email"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    ANALYST = "analyst", _("Analyst")
    PROCUREMENT_OFFICER = "procurement_officer", _("Procurement officer")
    EVALUATOR = "evaluator", _("Evaluator")
    FUND_MANAGER = "fund_manager", _("Fund manager")
    PROGRAMME_ADMIN = "programme_admin", _("Programme administrator")
    SUPPLIER = "supplier", _("Supplier")


# Which roles each kind of organisation can grant: a supplier is never a council officer, and
# nobody at a supplier holds a council or programme role.
ROLES_BY_ORGANISATION_KIND: dict[str, frozenset[str]] = {
    Organisation.Kind.COUNCIL: frozenset(
        {Role.OFFICER, Role.ANALYST, Role.PROCUREMENT_OFFICER, Role.EVALUATOR}
    ),
    Organisation.Kind.PROGRAMME: frozenset(
        {
            Role.OFFICER,
            Role.ANALYST,
            Role.PROCUREMENT_OFFICER,
            Role.EVALUATOR,
            Role.FUND_MANAGER,
            Role.PROGRAMME_ADMIN,
        }
    ),
    Organisation.Kind.SUPPLIER: frozenset({Role.SUPPLIER}),
}


class Membership(models.Model):
    """A person holds a role for an organisation."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name_en", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person.email}: {self.get_role_display()} @ {self.organisation}"


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log (see ``infuse.core.audit``)."""

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    # Covered by the event's MAC (scheme 2), so nobody can pin an event on someone else; a
    # person with audit events is deactivated, never deleted.
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: plain SHA-256 (events written before keys); 2: HMAC-SHA256 with the key ``key_id``.
    scheme = models.PositiveSmallIntegerField(default=1)
    key_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"


class AuditHead(models.Model):
    """The single row that holds the chain's latest sequence and hash.

    Appending locks this row, so concurrent writers serialise; and comparing it with the last
    event reveals a deleted tail, which walking the events alone cannot.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(name="audit_head_singleton", condition=models.Q(id=1))
        ]

    def __str__(self) -> str:
        return f"audit head #{self.sequence}"


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a SHA-256 digest, revocable."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TaskProgress(models.Model):
    """Progress of one piece of long work, updated by the background task doing it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        """What the work is, in the words its pages show (never the code)."""

        INGEST = "datalab.ingest", _("Checking and storing an upload")
        INDICATOR = "datalab.indicator", _("Computing an indicator's values")
        ANALYSIS = "adaption.analysis", _("Analysing an experiment")
        SIMULATION = "adaption.simulation", _("Simulating an experiment's power")
        HISTORY = "adaption.history", _("Planning an experiment from past data")
        AUDIT = "audit.verify", _("Checking the audit log")
        EVALUATION = "procurement.evaluation", _("Evaluating a contract's outcome")
        SPEND = "procurement.spend", _("Reading payments from a spending file")
        OCDS_IMPORT = "procurement.ocds_import", _("Importing open contracting data")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=100, choices=Kind.choices)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="task_progress"
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The page of what the work is for (the upload and its report, the experiment's results…):
    # the progress page links to it from the start, and on failure points there for why. Kept
    # as the page's URL name and arguments, not its address: working the address out loads the
    # whole URL map (every view and API schema, half a second), which a command starting work
    # has no other use for; the progress page, which has the map, works it out (see ``subject``).
    subject_view = models.CharField(max_length=100, blank=True)
    subject_kwargs = models.JSONField(default=dict, blank=True)
    subject_anchor = models.CharField(max_length=50, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task progress")
        verbose_name_plural = _("task progress")

    def __str__(self) -> str:
        return f"{self.kind} {self.state} {self.done}/{self.total or '?'}"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.SUCCEEDED, self.State.FAILED}

    def subject_path(self) -> str:
        """The address of the page this work is for, in the active language ("" if none)."""
        if not self.subject_view:
            return ""
        path = reverse(self.subject_view, kwargs=self.subject_kwargs)
        return f"{path}#{self.subject_anchor}" if self.subject_anchor else path


class ContentGeneration(models.Model):
    """The tokens kept pages are kept under (``infuse.core.page_cache``): row 1 for the public,
    replaced by every committed write to a table the public could see; row 2 for signed-in
    people, replaced by every committed write to a table any page shows."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class RateCounter(models.Model):
    """How many times one key (an action by a person or from an address) was used in one
    window of time (see ``infuse.core.ratelimit``)."""

    key = models.CharField(max_length=200)
    window = models.PositiveBigIntegerField()  # the window's start, in seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[RateCounter]] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window"], name="rate_counter_unique")
        ]
        indexes = [models.Index(fields=["window"])]

    def __str__(self) -> str:
        return f"{self.key} @{self.window}: {self.count}"


class Notification(models.Model):
    """One piece of news for one person: in their messages in InFuSe, and emailed unless they
    turned the topic's emails off. Subject and body are written in both languages when it is
    made (``subject_en``/``subject_cy``, see translation.py), so the messages page follows the
    page's language and the email the person's chosen one."""

    class Topic(models.TextChoices):
        STEP_WAITING = "step_waiting", _("A step waits on you")
        WORK_DONE = "work_done", _("Your background work finished or failed")
        QUESTION_ANSWERED = "question_answered", _("Answers to questions about a challenge")
        DEADLINE_CHANGED = "deadline_changed", _("Changed deadlines for bids")
        OUTCOME = "outcome", _("The outcome of your bid")
        NEW_CHALLENGE = "new_challenge", _("New challenges that match your alert")
        DATASET_OVERDUE = "dataset_overdue", _("Datasets due for an update")

    class Email(models.TextChoices):
        NOT_WANTED = "not_wanted", _("Not emailed: you turned these emails off")
        PENDING = "pending", _("Waiting to be emailed")
        SENDING = "sending", _("Being emailed")
        SENT = "sent", _("Emailed")
        FAILED = "failed", _("Could not be emailed")

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    subject_en: str
    subject_cy: str | None
    body_en: str
    body_cy: str | None

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notifications")
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices)
    # The same news reaches a person once: a key names it (a step of an object, an answer…).
    key = models.CharField(max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)  # a path on this site, in English
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=20, choices=Email.choices, default=Email.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    email_next_attempt_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Notification]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="notification_once_per_key")
        ]
        indexes = [
            models.Index(fields=["person", "read_at"]),
            models.Index(fields=["email", "email_next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.subject_en}"


class Subscription(models.Model):
    """A person's alert for new challenges: those sharing a theme, a goal and a council with
    it (an empty choice means any)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="subscription")
    themes = models.ManyToManyField(Theme, blank=True, related_name="subscriptions")
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="subscriptions")
    councils = models.ManyToManyField(Council, blank=True, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Subscription]] = models.Manager()

    class Meta:
        verbose_name = _("alert for new challenges")
        verbose_name_plural = _("alerts for new challenges")

    def __str__(self) -> str:
        return f"alert of {self.person_id}"
