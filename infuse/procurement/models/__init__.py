"""Tables of the Procurement Lab: challenges and their competition phases, suppliers, public
clarifications, sealed bids, evaluation, awards, contracts and their OCDS releases.

A phase's state is derived from its timestamps and what has happened (see ``Phase.state``),
never stored, so the server's clock is the one authority on deadlines. Bid contents live only
sealed (``procurement/sealing.py``); the columns here hold nothing a reader of the database could
learn a bid from except its size and times.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core.fields import PenceField
from infuse.core.models import Council, Organisation, Theme, WellbeingGoal
from infuse.procurement.models.ocds import Release as Release
from infuse.procurement.models.redflags import ContractingProcess as ContractingProcess
from infuse.procurement.models.redflags import FlagReview as FlagReview
from infuse.procurement.models.redflags import ImportedRelease as ImportedRelease
from infuse.procurement.models.redflags import ProcessSupplier as ProcessSupplier
from infuse.procurement.models.redflags import RedFlag as RedFlag
from infuse.procurement.models.social_value import ContractKPI as ContractKPI
from infuse.procurement.models.social_value import KPIReport as KPIReport
from infuse.procurement.models.social_value import SocialValueMeasure as SocialValueMeasure
from infuse.procurement.models.spend import ExpenseType as ExpenseType
from infuse.procurement.models.spend import Payment as Payment
from infuse.procurement.models.spend import ResolvedSupplier as ResolvedSupplier
from infuse.procurement.models.spend import SpendDataset as SpendDataset
from infuse.procurement.models.spend import SupplierMatch as SupplierMatch
from infuse.procurement.models.spend import SupplierSpelling as SupplierSpelling


class Challenge(models.Model):
    """A shared problem put to the market: owned by councils, evidenced by Data Lab data."""

    title_en: str
    title_cy: str | None
    summary_en: str
    summary_cy: str | None
    problem_en: str
    problem_cy: str | None

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    problem = models.TextField(_("problem statement"), blank=True)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="challenges")
    councils = models.ManyToManyField(Council, related_name="challenges")
    themes = models.ManyToManyField(Theme, blank=True, related_name="challenges")
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="challenges")
    evidence_datasets = models.ManyToManyField(
        "datalab.Dataset", blank=True, related_name="cited_by_challenges"
    )
    evidence_indicators = models.ManyToManyField(
        "datalab.Indicator", blank=True, related_name="cited_by_challenges"
    )
    # What is bought, as CPV codes (eight digits, the main code first): see procurement/cpv.py.
    cpv_codes = models.JSONField(_("CPV codes"), default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # The challenge's bid key, wrapped by the master key ``key_id`` (procurement/sealing.py).
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Challenge]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PriceFormula(models.TextChoices):
    LOWEST_OVER_BID = "lowest_over_bid", _("Lowest price ÷ bid price × maximum")
    LINEAR_FROM_LOWEST = (
        "linear_from_lowest",
        _("Maximum, less one per cent of it for each per cent above the lowest price"),
    )


class Phase(models.Model):
    """One competition (SBRI phase 1 feasibility, 2 prototype and demonstration, 3 deployment):
    its own budget, number of contracts, timetable, criteria and contracting process (ocid)."""

    class Number(models.IntegerChoices):
        FEASIBILITY = 1, _("Phase 1: feasibility")
        PROTOTYPE = 2, _("Phase 2: prototype and demonstration")
        DEPLOYMENT = 3, _("Phase 3: deployment")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        UPCOMING = "upcoming", _("Opens soon")
        OPEN = "open", _("Open for bids")
        CLOSED = "closed", _("Closed: awaiting opening")
        EVALUATION = "evaluation", _("In evaluation")
        STANDSTILL = "standstill", _("Standstill")
        AWARDED = "awarded", _("Awarded")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("phase"), choices=Number.choices)
    budget_pence = PenceField(_("budget"))
    contracts_planned = models.PositiveSmallIntegerField(_("number of contracts"), default=1)
    opens_at = models.DateTimeField(_("opens"))
    clarification_deadline = models.DateTimeField(_("clarification questions by"))
    submission_deadline = models.DateTimeField(_("bids by"))
    evaluation_ends_on = models.DateField(_("evaluation ends"))
    award_expected_on = models.DateField(_("award expected"))
    price_formula = models.CharField(
        _("price formula"),
        max_length=30,
        choices=PriceFormula.choices,
        default=PriceFormula.LOWEST_OVER_BID,
    )
    ocid = models.CharField(max_length=120, unique=True)
    evaluators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="evaluation_phases"
    )
    # Deadlines moved after publishing, oldest first: {at, by, before, after, reason_en, reason_cy}.
    amendments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Phase]] = models.Manager()

    class Meta:
        ordering = ["challenge", "number"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="one_phase_per_number"),
            models.CheckConstraint(
                name="phase_timetable_in_order",
                condition=models.Q(opens_at__lt=models.F("clarification_deadline"))
                & models.Q(clarification_deadline__lte=models.F("submission_deadline")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge} – {self.get_number_display()}"

    def state_at(self, now: datetime) -> str:
        """The state at ``now``, asking for the award and the opening only when they decide."""
        if not self.challenge.is_published or now < self.submission_deadline:
            return self.state_given(now, award=None, opened=False)
        award = self.current_award()
        return self.state_given(now, award=award, opened=award is None and self.bids_opened)

    def state_given(self, now: datetime, *, award: Award | None, opened: bool) -> str:
        """The state from the award and opening the caller has read already (a page showing
        them too, a list reading them for many phases at once), not asked for again."""
        if not self.challenge.is_published:
            return self.State.DRAFT
        if now < self.opens_at:
            return self.State.UPCOMING
        if now < self.submission_deadline:
            return self.State.OPEN
        if award is not None:
            standstill = award.status == Award.Status.STANDSTILL
            return self.State.STANDSTILL if standstill else self.State.AWARDED
        return self.State.EVALUATION if opened else self.State.CLOSED

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def received_bids(self) -> models.QuerySet[Bid]:
        """The bids that count: submitted before the deadline and not withdrawn."""
        return self.bids.filter(
            submitted_at__isnull=False,
            submitted_at__lt=self.submission_deadline,
            withdrawn_at__isnull=True,
        ).select_related("supplier")

    def current_award(self) -> Award | None:
        """The phase's award, unless it was cancelled."""
        return self.awards.exclude(status=Award.Status.CANCELLED).order_by("-decided_at").first()

    def has_evaluator(self, person: Any) -> bool:
        """Whether ``person`` is on the panel: from the panel prefetched with the phase, so a
        page whose use cases each check it asks once (changing the panel clears it)."""
        pk = getattr(person, "pk", None)  # None: the public, never on a panel
        if pk is not None and "evaluators" in getattr(self, "_prefetched_objects_cache", {}):
            return any(member.pk == pk for member in self.evaluators.all())
        return pk is not None and self.evaluators.filter(pk=pk).exists()

    def bid_of(self, organisation: Any) -> Bid | None:
        """The bid an organisation has started for the phase, if any."""
        return self.bids.filter(supplier=organisation).first()

    def published_clarifications(self) -> models.QuerySet[Clarification]:
        """Questions answered publicly, in the order they were answered (what every bidder and
        the public read)."""
        return self.clarifications.filter(answered_at__isnull=False).order_by("answered_at")

    @property
    def bids_opened(self) -> bool:
        # Asked of the database, not of a cached relation: a phase object held across the
        # opening (by a page, a task, the demo) must not keep saying "closed".
        return Opening.objects.filter(phase_id=self.pk, confirmed_at__isnull=False).exists()


class Document(models.Model):
    """A file published with a challenge (or one of its phases): specification, terms, FAQ."""

    title_en: str
    title_cy: str | None

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="documents")
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Document]] = models.Manager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """What bids are scored on, with its weight (a phase's weights total 100)."""

    title_en: str
    title_cy: str | None
    guidance_en: str
    guidance_cy: str | None

    class Kind(models.TextChoices):
        QUALITY = "quality", _("Quality")
        SOCIAL_VALUE = "social_value", _("Social value")
        PRICE = "price", _("Price")

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(_("guidance for bidders"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    # Social value measures are aligned to a well-being goal.
    goal = models.ForeignKey(
        WellbeingGoal, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[models.Manager[Criterion]] = models.Manager()

    class Meta:
        ordering = ["phase", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                name="criterion_weight_within_100", condition=models.Q(weight__lte=100)
            )
        ]

    def __str__(self) -> str:
        return self.title


class SupplierProfile(models.Model):
    """What a supplier organisation tells buyers about itself."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="supplier_profile"
    )
    companies_house_number = models.CharField(_("Companies House number"), max_length=8, blank=True)
    is_sme = models.BooleanField(_("small or medium-sized enterprise"), default=False)
    is_vcse = models.BooleanField(_("voluntary, community or social enterprise"), default=False)
    address = models.TextField(_("address"))
    postcode = models.CharField(_("postcode"), max_length=10)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SupplierProfile]] = models.Manager()

    def __str__(self) -> str:
        return str(self.organisation)


class SupplierInvitation(models.Model):
    """A colleague invited to join a supplier organisation (the link carries a secret token)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supplier_invitations"
    )
    email = models.EmailField()
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[SupplierInvitation]] = models.Manager()

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class Clarification(models.Model):
    """A question asked privately by a supplier, answered publicly to everyone without saying
    who asked (the published wording may be edited to remove anything identifying)."""

    answer_en: str
    answer_cy: str | None
    published_question_en: str
    published_question_cy: str | None

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="clarifications")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"))
    asked_at = models.DateTimeField(default=timezone.now)
    published_question = models.TextField(_("question as published"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Clarification]] = models.Manager()

    class Meta:
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return f"clarification {self.pk} ({self.phase})"


class Bid(models.Model):
    """One supplier's bid for a phase. Its answers, price and document names are one sealed
    JSON value; nothing else here says what it offers."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="bids")
    sealed = models.BinaryField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Bid]] = models.Manager()

    class Meta:
        ordering = ["phase", "submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "supplier"], name="one_bid_per_supplier")
        ]

    def __str__(self) -> str:
        return f"bid {self.pk} ({self.phase})"

    @property
    def label(self) -> str:
        return f"bid:{self.pk}"


class BidDocument(models.Model):
    """A file attached to a bid, stored sealed on disk (its name is inside the sealed bid)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="documents")
    path = models.CharField(max_length=300)
    size_bytes = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[BidDocument]] = models.Manager()

    def __str__(self) -> str:
        return f"bid {self.bid_id} document {self.pk}"

    @property
    def label(self) -> str:
        return f"bid:{self.bid_id}:document:{self.pk}"


class Opening(models.Model):
    """Opening a phase's bids after the deadline: asked by one authorised officer, confirmed by
    a different one (the two-person rule)."""

    phase = models.OneToOneField(Phase, on_delete=models.CASCADE, related_name="opening")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Opening]] = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="opening_needs_two_people",
                condition=models.Q(confirmed_by__isnull=True)
                | ~models.Q(confirmed_by=models.F("requested_by")),
            )
        ]

    def __str__(self) -> str:
        return f"opening of {self.phase}"


class ConflictDeclaration(models.Model):
    """An evaluator's declaration about one bid, made before seeing it."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="declarations")
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="declarations")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    has_conflict = models.BooleanField()
    details = models.TextField(blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ConflictDeclaration]] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "evaluator"], name="one_declaration_per_bid")
        ]

    def __str__(self) -> str:
        return f"declaration on bid {self.bid_id}"


class Score(models.Model):
    """One evaluator's independent score of one bid on one criterion (not price)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    saved_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Score]] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "criterion", "evaluator"], name="one_score_per_evaluator"
            ),
            models.CheckConstraint(name="score_on_the_scale", condition=models.Q(score__lte=4)),
        ]

    def __str__(self) -> str:
        return f"score of bid {self.bid_id} on {self.criterion_id}"


class ModeratedScore(models.Model):
    """The panel's consensus score of a bid on a criterion, with its rationale."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    rationale = models.TextField()
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ModeratedScore]] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score"),
            models.CheckConstraint(
                name="moderated_score_on_the_scale", condition=models.Q(score__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return f"moderated score of bid {self.bid_id} on {self.criterion_id}"


class Award(models.Model):
    """The award decision for a phase; contracts follow once its standstill period ends."""

    class Status(models.TextChoices):
        STANDSTILL = "standstill", _("Standstill")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="awards")
    winners = models.ManyToManyField(Bid, related_name="awards")
    rationale = models.TextField()
    ranking = models.JSONField(default=list)  # the ranking decided on, for the record
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    standstill_ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.STANDSTILL)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Award]] = models.Manager()

    def __str__(self) -> str:
        return f"award of {self.phase}"


class Contract(models.Model):
    """A contract with a winning supplier, paid from the Challenge Fund milestone by milestone."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETE = "complete", _("Complete")
        TERMINATED = "terminated", _("Terminated")

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="contracts")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract")
    supplier = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    value_pence = PenceField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    signed_at = models.DateTimeField(default=timezone.now)
    # When the buyer closed it (completed as agreed, or ended early) and, if early, why.
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason_en = models.TextField(blank=True)
    close_reason_cy = models.TextField(blank=True)
    # The challenge's CPV codes when the contract was made, changed if the work differs.
    cpv_codes = models.JSONField(_("CPV codes"), default=list, blank=True)
    # Where its results flow back into the evidence.
    outcome_indicators = models.ManyToManyField(
        "datalab.Indicator", blank=True, related_name="reporting_contracts"
    )

    objects: ClassVar[models.Manager[Contract]] = models.Manager()

    def __str__(self) -> str:
        return f"contract {self.pk} with {self.supplier}"


class Milestone(models.Model):
    title_en: str
    title_cy: str | None

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due"))
    amount_pence = PenceField(_("payment"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects: ClassVar[models.Manager[Milestone]] = models.Manager()

    class Meta:
        ordering = ["contract", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


# Defined beside its slice, registered here with the rest of the lab's tables.
from infuse.procurement.outcome_evaluations import OutcomeEvaluation as OutcomeEvaluation  # noqa: E402
