"""Tables of the Adaption Lab: experiments, their frozen protocols and their allocations.

An Experiment moves through its lifecycle only by the transitions in ``registry/lifecycle.py``.
A Protocol is the pre-registration: once written it is never changed (saving or deleting one
raises, and so do queryset updates and deletes); an amendment is a new version. An Allocation
is one randomisation run, kept with its seed and digests.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infuse import stats
from infuse.core.fields import PenceField
from infuse.core.models import Council, Organisation, Theme, WellbeingGoal


class Design(models.TextChoices):
    INDIVIDUAL_RCT = "individual_rct", _("Randomised controlled trial (individuals)")
    CLUSTER_RCT = "cluster_rct", _("Cluster randomised trial")
    STEPPED_WEDGE = "stepped_wedge", _("Stepped-wedge roll-out across councils")
    AB_TEST = "ab_test", _("A/B test of a digital service")
    DIFFERENCE_IN_DIFFERENCES = "did", _("Difference in differences")
    SYNTHETIC_CONTROL = "synthetic_control", _("Synthetic control")
    INTERRUPTED_TIME_SERIES = "its", _("Interrupted time series")


RANDOMISED = frozenset(
    {Design.INDIVIDUAL_RCT, Design.CLUSTER_RCT, Design.STEPPED_WEDGE, Design.AB_TEST}
)
# Designs whose units are the councils themselves (randomised or scheduled as clusters).
COUNCIL_UNITS = frozenset({Design.CLUSTER_RCT, Design.STEPPED_WEDGE})


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DESIGNED = "designed", _("Designed")
    REGISTERED = "registered", _("Registered")
    RUNNING = "running", _("Running")
    ANALYSED = "analysed", _("Analysed")
    DECIDED = "decided", _("Decided")
    SCALING = "scaling", _("Scaling up")
    CLOSED = "closed", _("Closed")


class Experiment(models.Model):
    """A registry entry: the problem, the idea tested, where and how, and how far it has got."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    title_en: str
    title_cy: str | None
    problem_en: str | None
    problem_cy: str | None
    hypothesis_en: str | None
    hypothesis_cy: str | None
    intervention_en: str | None
    intervention_cy: str | None

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"), blank=True)
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    intervention = models.TextField(_("intervention"), blank=True)
    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="experiments",
        verbose_name=_("owning organisation"),
    )
    councils = models.ManyToManyField(
        Council, blank=True, related_name="experiments", verbose_name=_("councils involved")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="experiments")
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="experiments")
    # {way-of-working code: a sentence on how the experiment reflects it}
    ways_of_working = models.JSONField(default=dict, blank=True)
    design = models.CharField(_("design"), max_length=30, choices=Design.choices)
    # The design page's inputs and the engine's answer (power, sizes, schedule), kept as JSON;
    # read back typed by infuse.adaption.design.stored.
    design_parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    public = models.BooleanField(
        _("public once registered"),
        default=False,
        help_text=_("Anyone can read it once it is registered."),
    )
    # A scale-up is a new experiment made from a decision to scale an earlier one.
    scaled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="scale_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When it was launched (began delivering): the indicator pages mark it on their trends.
    launched_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Experiment]] = models.Manager()

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("adaption:experiment", kwargs={"slug": self.slug})

    @property
    def is_randomised(self) -> bool:
        return self.design in RANDOMISED

    @property
    def latest_protocol(self) -> Protocol | None:
        return self.protocols.order_by("-version").first()

    @property
    def latest_allocation(self) -> Allocation | None:
        return self.allocations.order_by("-created_at").first()


class Outcome(models.Model):
    """A primary or secondary outcome, measured by a Data Lab dataset column or indicator."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    name_en: str | None
    name_cy: str | None

    class Kind(models.TextChoices):
        PRIMARY = "primary", _("Primary")
        SECONDARY = "secondary", _("Secondary")

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # Where the outcome comes from: a dataset's column, or an indicator (either may be empty
    # while the experiment is a draft; registration needs the primary outcome's source).
    dataset = models.ForeignKey(
        "datalab.Dataset",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experiment_outcomes",
    )
    column = models.CharField(_("column"), max_length=200, blank=True)
    indicator = models.ForeignKey(
        "datalab.Indicator",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experiment_outcomes",
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects: ClassVar[models.Manager[Outcome]] = models.Manager()

    class Meta:
        ordering = ["experiment", "kind", "position"]

    def __str__(self) -> str:
        return self.name


class FrozenQuerySet(models.QuerySet[Any]):
    """Bulk updates and deletes would bypass the model's guard: refuse them too."""

    def update(self, **kwargs: Any) -> int:
        raise FrozenProtocolError()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FrozenProtocolError()


class FrozenProtocolError(RuntimeError):
    def __init__(self) -> None:
        super().__init__("A registered protocol is frozen: amend it with a new version instead")


class Protocol(models.Model):
    """A pre-registered protocol version: its content, SHA-256 digest and time, never changed."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="protocols")
    version = models.PositiveIntegerField()
    # The registered content (hypotheses, outcomes, sample, randomisation, analysis plan…) as
    # canonical JSON; ``sha256`` is the digest of exactly these bytes.
    content = models.JSONField()
    sha256 = models.CharField(max_length=64)
    reason = models.TextField(blank=True)  # why this amendment (empty for the first version)
    allows_rerandomisation = models.BooleanField(default=False)
    registered_at = models.DateTimeField(default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects: ClassVar[models.Manager[Protocol]] = FrozenQuerySet.as_manager()

    class Meta:
        ordering = ["experiment", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "version"], name="protocol_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experiment.slug} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenProtocolError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenProtocolError()


class Allocation(models.Model):
    """One randomisation run: the seed, the allocation and its digests, under a protocol."""

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="allocations")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="allocations")
    method = models.CharField(max_length=30)
    seed = models.BigIntegerField()
    # The engine's AllocationResult (units, arms, assignment, parameters, digests), in the
    # engine's versioned JSON form (infuse.stats.to_json); read back as ``drawn``.
    result = models.JSONField()
    allocation_digest = models.CharField(max_length=64)
    inputs_digest = models.CharField(max_length=64)
    # Where the units came from: "councils", or a Data Lab dataset version and its column.
    source = models.JSONField(default=dict)
    # The engine's BalanceTable in the same form (empty without numeric covariates).
    balance = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Allocation]] = models.Manager()

    class Meta:
        ordering = ["experiment", "-created_at"]

    def __str__(self) -> str:
        return f"{self.experiment.slug} allocation {self.allocation_digest[:12]}"

    @cached_property
    def drawn(self) -> stats.AllocationResult:
        """The allocation as the engine drew it, read back from ``result``."""
        return stats.from_json(self.result, stats.AllocationResult)

    @cached_property
    def balance_table(self) -> stats.BalanceTable | None:
        """The covariates' balance between the arms (None when there was none to check)."""
        return stats.from_json(self.balance, stats.BalanceTable) if self.balance else None


class AnalysisRun(models.Model):
    """The registered analysis run on outcome data from a Data Lab version, as a task.

    It records the protocol version it follows, the exact data (dataset version and its
    digest) and column mapping it used, the result, and every deviation from the protocol.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="analyses")
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="analyses")
    dataset_version = models.ForeignKey(
        "datalab.DatasetVersion", on_delete=models.PROTECT, related_name="+"
    )
    # {"unit", "arm", "outcome", "secondary": [...], "cluster", "period", "covariates": [...]}
    mapping = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.ForeignKey(
        "core.TaskProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The analysis result (see infuse.adaption.analysis.results), its engine estimates in the
    # engine's versioned JSON form; empty until the analysis is done.
    result = models.JSONField(default=dict, blank=True)
    deviations = models.JSONField(default=list, blank=True)
    # Why it failed: an untranslated message and its parameters, translated when shown.
    error = models.TextField(blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[AnalysisRun]] = models.Manager()

    class Meta:
        ordering = ["experiment", "-created_at"]

    def __str__(self) -> str:
        return f"{self.experiment.slug} analysis {self.pk}"

    @property
    def primary_effect(self) -> stats.EstimateResult | None:
        """The primary outcome's effect, as the engine's typed result (None until the analysis
        is done). The analysis keeps it under ``result["primary"]`` (see
        :mod:`infuse.adaption.analysis.results`, which reads the whole result)."""
        if self.state != self.State.DONE:
            return None
        return stats.from_json(self.result["primary"], stats.EstimateResult)

    @property
    def error_text(self) -> str:
        text = gettext(self.error) if self.error else ""
        return text % self.error_params if self.error_params else text


class Decision(models.Model):
    """What the evidence led to: scale, adapt or stop, why, at what cost, and how strong."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    rationale_en: str | None
    rationale_cy: str | None

    class Choice(models.TextChoices):
        SCALE = "scale", _("Scale up")
        ADAPT = "adapt", _("Adapt and test again")
        STOP = "stop", _("Stop")

    class EvidenceLevel(models.IntegerChoices):
        # Nesta Standards of Evidence (Puttick & Ludlow, 2013)
        DESCRIBE = 1, _("1: we can describe what we do and why it matters")
        CHANGE = 2, _("2: we see positive change but cannot confirm we caused it")
        CAUSE = 3, _("3: we can show we caused the change, against a control group")
        REPLICATED = 4, _("4: one or more independent replications confirm it")
        SCALED = 5, _("5: manuals and systems keep the impact when it is replicated")

    experiment = models.ForeignKey(Experiment, on_delete=models.PROTECT, related_name="decisions")
    analysis = models.ForeignKey(
        AnalysisRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("decision"), max_length=10, choices=Choice.choices)
    rationale = models.TextField(_("rationale"))
    # Money in pence; ``cost_unit`` says per what (e.g. "GP visit avoided").
    cost_per_unit_pence = PenceField(null=True, blank=True)
    cost_unit = models.CharField(max_length=200, blank=True)
    evidence_level = models.PositiveSmallIntegerField(choices=EvidenceLevel.choices)
    suggested_level = models.PositiveSmallIntegerField(choices=EvidenceLevel.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Decision]] = models.Manager()

    class Meta:
        ordering = ["experiment", "-decided_at"]

    def __str__(self) -> str:
        return f"{self.experiment.slug}: {self.choice}"
