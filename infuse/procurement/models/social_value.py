"""Tables of social value after award: the measures a bid can promise against (each serving a
well-being goal, in the manner of the National TOMs Wales), the contract's KPIs made from the
winning bid's promises, and what the supplier reports it delivered at each milestone.

Delivered social value counts once the buyer accepts the milestone it was reported at (the
acceptance is the buyer's check of the evidence); until then it is shown as reported.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core.models import WellbeingGoal


class SocialValueMeasure(models.Model):
    """What a supplier can promise, in a unit that can be counted and checked."""

    title_en: str
    title_cy: str | None
    description_en: str
    description_cy: str | None

    class Unit(models.TextChoices):
        FTE = "fte", _("full-time equivalent jobs")
        PEOPLE = "people", _("people")
        WEEKS = "weeks", _("weeks")
        HOURS = "hours", _("hours")
        POUNDS = "pounds", _("pounds")
        TONNES = "tonnes", _("tonnes")
        TONNES_CO2E = "tonnes_co2e", _("tonnes of carbon dioxide equivalent")
        SQUARE_METRES = "square_metres", _("square metres")
        MILES = "miles", _("miles")

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("how it is counted"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    goal = models.ForeignKey(
        WellbeingGoal, on_delete=models.PROTECT, related_name="social_value_measures"
    )
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects: ClassVar[models.Manager[SocialValueMeasure]] = models.Manager()

    class Meta:
        ordering = ["goal__position", "position", "code"]

    def __str__(self) -> str:
        return self.title


class ContractKPI(models.Model):
    """A social value target of a contract: what the winning bid promised on one measure."""

    contract = models.ForeignKey(
        "procurement.Contract", on_delete=models.CASCADE, related_name="kpis"
    )
    measure = models.ForeignKey(SocialValueMeasure, on_delete=models.PROTECT, related_name="kpis")
    target = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ContractKPI]] = models.Manager()

    class Meta:
        ordering = ["contract", "measure__goal__position", "measure__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "measure"], name="one_kpi_per_measure"),
            models.CheckConstraint(name="kpi_target_positive", condition=models.Q(target__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.measure} on contract {self.contract_id}"


class KPIReport(models.Model):
    """What the supplier says it delivered on one KPI in the work of one milestone."""

    kpi = models.ForeignKey(ContractKPI, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        "procurement.Milestone", on_delete=models.CASCADE, related_name="kpi_reports"
    )
    delivered = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    evidence = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[KPIReport]] = models.Manager()

    class Meta:
        ordering = ["milestone__due_on", "kpi", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "milestone"], name="one_report_per_milestone"),
            models.CheckConstraint(
                name="delivered_not_negative", condition=models.Q(delivered__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"report on {self.kpi} at milestone {self.milestone_id}"
