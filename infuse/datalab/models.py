"""Data Lab tables: the catalogue, uploads and the immutable versions they become.

A ``DatasetUpload`` records every file received (its raw bytes are kept, addressed by SHA-256)
and the ingest work done on it. Only a successful ingest creates a ``DatasetVersion``, in one
transaction with its files already complete on disk, so a failed or killed ingest never leaves a
half-written version visible, and earlier versions are never touched.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse import analytics
from infuse.core.models import (
    Council,
    NationalIndicator,
    Organisation,
    TaskProgress,
    Theme,
    WellbeingGoal,
)
from infuse.datalab.messages import explain

if TYPE_CHECKING:
    from infuse.analytics import Recipe


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private to the publishing organisation")
    REGION = "region", _("Shared with the region")
    PUBLIC = "public", _("Public")


class Licence(models.TextChoices):
    OGL_3 = "OGL-UK-3.0", _("Open Government Licence v3.0")
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC0 = "CC0-1.0", _("Creative Commons Zero 1.0 (public domain)")
    RESTRICTED = "restricted", _("Restricted: not for reuse outside the councils")


LICENCE_URLS: dict[str, str] = {
    Licence.OGL_3: "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}


class UpdateFrequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUALLY = "annually", _("Annually")
    IRREGULAR = "irregular", _("Irregularly")
    NEVER = "never", _("Not updated")


class ValidationPolicy(models.TextChoices):
    REJECT = "reject", _("Reject the whole upload if any row is invalid")
    QUARANTINE = "quarantine", _("Accept valid rows and quarantine invalid ones")


class Dataset(models.Model):
    """A catalogue entry: what the data is, who publishes it, who may see it."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    title_en: str
    title_cy: str | None
    description_en: str | None
    description_cy: str | None
    spatial_coverage_en: str | None
    spatial_coverage_cy: str | None

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    publisher = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="datasets", verbose_name=_("publisher")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="datasets")
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="datasets")
    councils = models.ManyToManyField(
        Council, blank=True, related_name="datasets", verbose_name=_("councils covered")
    )
    licence = models.CharField(
        _("licence"), max_length=20, choices=Licence.choices, default=Licence.OGL_3
    )
    update_frequency = models.CharField(
        _("update frequency"),
        max_length=20,
        choices=UpdateFrequency.choices,
        default=UpdateFrequency.IRREGULAR,
    )
    spatial_coverage = models.CharField(_("spatial coverage"), max_length=200, blank=True)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers to"), null=True, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    declared_schema = models.JSONField(_("declared schema"), null=True, blank=True)
    validation_policy = models.CharField(
        _("validation policy"),
        max_length=12,
        choices=ValidationPolicy.choices,
        default=ValidationPolicy.REJECT,
    )
    # The steps that shape each version before indicators are computed on it (the analytics
    # layer's recipe, as JSON): applied to every new version, which keeps its own copy.
    recipe = models.JSONField(_("recipe"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Dataset]] = models.Manager()

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [
            models.CheckConstraint(
                name="dataset_temporal_order",
                condition=(
                    models.Q(temporal_start__isnull=True)
                    | models.Q(temporal_end__isnull=True)
                    | models.Q(temporal_start__lte=models.F("temporal_end"))
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> DatasetVersion | None:
        return self.versions.order_by("-number").first()


class DatasetUpload(models.Model):
    """One file received for a dataset, and the ingest work done on it."""

    class Status(models.TextChoices):
        # Kept, not yet converted: the person checks how it will be read first (the page's
        # preview of the lines above the table, the header and the first rows).
        WAITING = "waiting", _("Waiting for you to check how it is read")
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")
        DUPLICATE = "duplicate", _("Same file as an existing version")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="uploads")
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    raw_path = models.CharField(max_length=300)
    file_format = models.CharField(max_length=10, blank=True)
    read_options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    # Why an upload was rejected or failed: a stable message key and its parameters, so the
    # message shows in the reader's language (see ingest/messages.py), with the English as recorded.
    error_key = models.CharField(max_length=100, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    error_detail = models.TextField(blank=True)
    # How many times a worker has claimed it: a worker killed mid-ingest leaves it "processing";
    # the next worker queues it again (see ingest.tasks.recover_interrupted_uploads), up to a limit.
    attempts = models.PositiveSmallIntegerField(default=0)
    progress = models.OneToOneField(
        TaskProgress, null=True, blank=True, on_delete=models.SET_NULL, related_name="upload"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[DatasetUpload]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def error_message(self) -> str:
        return (
            explain(self.error_key, self.error_params, self.error_detail) if self.error_key else ""
        )


class DatasetVersion(models.Model):
    """An immutable, ingested version: typed Parquet, its Table Schema, and its validation."""

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    upload = models.OneToOneField(DatasetUpload, on_delete=models.PROTECT, related_name="version")
    sha256 = models.CharField(max_length=64)
    parquet_path = models.CharField(max_length=300)
    quarantine_path = models.CharField(max_length=300, blank=True)
    row_count = models.PositiveBigIntegerField()
    quarantined_rows = models.PositiveBigIntegerField(default=0)
    table_schema = models.JSONField(default=dict)
    profile = models.JSONField(default=dict, blank=True)
    # The lines above the table in the file ("Year: 2023"), where a recipe finds values.
    title_lines = models.JSONField(default=list, blank=True)
    # The recipe this version is shaped by (the dataset's when it was ingested or the recipe
    # last changed) and what it made: {"fields": [{"name", "type"}], "rows": [first rows],
    # "row_count": n} or {"problems": [...]} when the recipe cannot run on this version.
    recipe = models.JSONField(default=list, blank=True)
    shaped = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[DatasetVersion]] = models.Manager()

    class Meta:
        ordering = ["dataset", "-number"]
        verbose_name = _("dataset version")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="version_number_unique"),
            models.UniqueConstraint(fields=["dataset", "sha256"], name="version_bytes_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset.slug} v{self.number}"

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.table_schema.get("fields", []))

    @property
    def shaped_fields(self) -> list[dict[str, Any]]:
        """The columns indicators are defined on: the recipe's, or the file's without one."""
        if self.recipe and "fields" in self.shaped:
            return list(self.shaped["fields"])
        return self.fields

    @property
    def recipe_steps(self) -> Recipe:
        """The recipe as the analytics layer applies it, its title values taken from this
        version's own title."""
        return analytics.with_title(analytics.recipe_from_json(self.recipe), self.title_lines)


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    PERCENTAGE = "percentage", _("Percentage")
    RATE_PER_1000 = "rate_per_1000", _("Rate per 1,000")
    RATE_PER_100000 = "rate_per_100000", _("Rate per 100,000")
    VALUE = "value", _("A value as published (a rate or score worked out by the publisher)")


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")
    NEITHER = "neither", _("Neither higher nor lower is better")


class ValueFlag(models.TextChoices):
    """StatsWales-style flags on a published value."""

    NONE = "", _("No flag")
    PROVISIONAL = "provisional", _("Provisional")
    ESTIMATED = "estimated", _("Estimated")
    SUPPRESSED = "suppressed", _("Suppressed to protect confidentiality")
    LOW_RELIABILITY = "low_reliability", _("Low reliability")
    NOT_AVAILABLE = "not_available", _("Not available")


class Indicator(models.Model):
    """A measure defined over a dataset, computed per council and period."""

    # Columns django-modeltranslation adds (see translation.py), declared for type checkers.
    title_en: str
    title_cy: str | None
    description_en: str | None
    description_cy: str | None
    rationale_en: str | None
    rationale_cy: str | None
    caveats_en: str | None
    caveats_cy: str | None
    source_en: str | None
    source_cy: str | None

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="indicators")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)  # its definition
    # What a reader needs to use it well (the public-health profiles' metadata): why it
    # matters, what to be careful of, and where the data comes from. The method is written
    # from the specification itself (``indicators.metadata``), so it is always true.
    rationale = models.TextField(_("rationale"), blank=True)
    caveats = models.TextField(_("caveats"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    # The computation (numerator, denominator, filters, council and period columns) as the
    # analytics layer's specification, stored as JSON so it can be re-run on any version.
    specification = models.JSONField(default=dict)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    polarity = models.CharField(_("polarity"), max_length=20, choices=Polarity.choices)
    themes = models.ManyToManyField(Theme, blank=True, related_name="indicators")
    goals = models.ManyToManyField(WellbeingGoal, blank=True, related_name="indicators")
    # The national indicators for Wales it measures locally (shown together on goal pages).
    national_indicators = models.ManyToManyField(
        NationalIndicator, blank=True, related_name="local_indicators"
    )
    # Areas in the data the latest computation left out (none of the region's councils, nor
    # Wales), most rows first, the first EXCLUDED_AREAS_KEPT of them and how many more:
    # {"areas": [{"area": "Gwynedd", "rows": 1}, …], "more_areas": 0, "more_rows": 0}; {} before
    # the first computation. They stay in the dataset.
    excluded_areas = models.JSONField(default=dict, blank=True)
    # What each council is compared with (``indicators.benchmarks``): {} or {"kind": "region"},
    # an area of the data ({"kind": "area", "area": "Wales"}), a value, or a group of councils.
    benchmark = models.JSONField(_("compared with"), default=dict, blank=True)
    # The latest computation (queued on definition and on every new version of the dataset).
    progress = models.ForeignKey(
        TaskProgress, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Indicator]] = models.Manager()

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.title


class MeasuredValue(models.Model):
    """A value with the counts it is computed from and its 95% interval (on the value's scale)."""

    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    ci_low = models.FloatField(null=True)
    ci_high = models.FloatField(null=True)

    class Meta:
        abstract = True


class IndicatorValue(MeasuredValue):
    """One council's (or the region's, when ``council`` is empty) value for one period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    version = models.ForeignKey(DatasetVersion, on_delete=models.PROTECT, related_name="+")
    council = models.ForeignKey(
        Council,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicator_values",
    )
    period = models.CharField(max_length=20)
    flag = models.CharField(max_length=20, choices=ValueFlag.choices, blank=True, default="")
    # The flag the data itself gives the rows behind the value ("[c]", "[p]"… kept beside the
    # values at ingest), set at each computation; a flag a person set (``flag``) comes first.
    data_flag = models.CharField(max_length=20, choices=ValueFlag.choices, blank=True, default="")
    # Against the region in the same period: better/worse (or lower/higher), similar, or
    # not_compared; empty on the region's own row.
    comparison = models.CharField(max_length=20, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[IndicatorValue]] = models.Manager()

    class Meta:
        ordering = ["indicator", "period", "council__name_en"]
        # Two partial indexes, because NULL (the region) is never equal to NULL in a plain one.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "council", "period"],
                name="indicator_value_unique",
                condition=models.Q(council__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="indicator_region_value_unique",
                condition=models.Q(council__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.slug} {self.council or 'region'} {self.period}"


class DisclosedPeriod(models.Model):
    """What the public may see of one period of an indicator, decided once for its values.

    Why: disclosure control (``indicators.publishing``) runs pandas over a period's counts,
    which cost a third of a public indicator page when it ran on every request. It runs again
    only when what it depends on changes: ``inputs`` is a digest of the method, the
    threshold, the unit and every council's count and denominator. ``decision`` names the
    areas hidden (``{"hidden": [council ids, 0 for the region]}``) or, under rounding, each
    area's figures as published (``{"rounded": {id: [numerator, value, low, high]}}``).
    Derived data: writing it changes nothing a page shows.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)
    inputs = models.CharField(max_length=64)
    decision = models.JSONField()

    objects: ClassVar[models.Manager[DisclosedPeriod]] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="disclosed_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}"


class BenchmarkValue(MeasuredValue):
    """An area beyond the region that the data itself gives rows for (Wales), per period; with
    an empty ``area_code``, the indicator's own benchmark (``Indicator.benchmark``) when it is
    not the region.

    Why stored apart from ``IndicatorValue``: it is no council of the region and never part of
    the region's total, so the region's figures and their disclosure control stay as they were;
    it is computed with them, from the same version, and replaced with them.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="benchmark_values"
    )
    area_code = models.CharField(max_length=9, blank=True)  # GSS code, e.g. W92000004 for Wales
    period = models.CharField(max_length=20)

    objects: ClassVar[models.Manager[BenchmarkValue]] = models.Manager()

    class Meta:
        ordering = ["indicator", "area_code", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "period"], name="benchmark_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.slug} {self.area_code} {self.period}"


class ComparatorGroup(models.Model):
    """Councils compared together (the Valleys councils, say), saved for everyone to use.

    A council's values can be compared with the group's (its members' counts pooled), as well
    as with the region's and with Wales's.
    """

    name_en: str
    name_cy: str | None

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=120)
    councils = models.ManyToManyField(Council, related_name="comparator_groups")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ComparatorGroup]] = models.Manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("comparator group")
        verbose_name_plural = _("comparator groups")

    def __str__(self) -> str:
        return self.name


class SavedQuery(models.Model):
    """A read-only SQL query someone kept to run again."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queries"
    )
    title = models.CharField(_("title"), max_length=200)
    sql = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SavedQuery]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("saved query")
        verbose_name_plural = _("saved queries")

    def __str__(self) -> str:
        return self.title
