"""Tables of the Challenge Fund: the fund, its allocations to challenge phases, commitments
made on award, and payments against contract milestones. Money is in pence.

The running totals (``allocated_pence``, ``committed_pence``, ``paid_pence``) are moved only by
conditional updates (``… WHERE committed + x <= amount``), so two commitments made at the same
moment can never together exceed what is there, on SQLite or PostgreSQL; check constraints make
the database refuse an overdrawn row whatever code runs.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core.fields import PenceField

TEN_MILLION_POUNDS = 10_000_000 * 100


class Fund(models.Model):
    name_en: str
    name_cy: str | None

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    total_pence = PenceField(_("total"), default=TEN_MILLION_POUNDS)
    allocated_pence = PenceField(default=0)
    committed_pence = PenceField(default=0)
    paid_pence = PenceField(default=0)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Fund]] = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="fund_not_over_allocated",
                condition=models.Q(allocated_pence__lte=models.F("total_pence")),
            ),
            models.CheckConstraint(
                name="fund_not_over_committed",
                condition=models.Q(committed_pence__lte=models.F("allocated_pence")),
            ),
            models.CheckConstraint(
                name="fund_not_over_paid",
                condition=models.Q(paid_pence__lte=models.F("committed_pence")),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Allocation(models.Model):
    """Money set aside for one challenge phase."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations")
    phase = models.OneToOneField(
        "procurement.Phase", on_delete=models.PROTECT, related_name="allocation"
    )
    amount_pence = PenceField(_("amount"))
    committed_pence = PenceField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Allocation]] = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="allocation_not_over_committed",
                condition=models.Q(committed_pence__lte=models.F("amount_pence")),
            )
        ]

    def __str__(self) -> str:
        return f"{self.fund} → phase {self.phase_id}: {self.amount_pence}p"


class Commitment(models.Model):
    """Money promised to a contract at award, drawn from its phase's allocation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="commitments")
    contract = models.OneToOneField(
        "procurement.Contract", on_delete=models.PROTECT, related_name="commitment"
    )
    amount_pence = PenceField()
    paid_pence = PenceField(default=0)
    financial_year = models.CharField(max_length=7)  # "2026-27", when it was committed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Commitment]] = models.Manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="commitment_not_over_paid",
                condition=models.Q(paid_pence__lte=models.F("amount_pence")),
            )
        ]

    def __str__(self) -> str:
        return f"contract {self.contract_id}: {self.amount_pence}p"


class Payment(models.Model):
    """A payment against an accepted contract milestone."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="payments")
    milestone = models.OneToOneField(
        "procurement.Milestone", on_delete=models.PROTECT, related_name="payment"
    )
    amount_pence = PenceField()
    paid_on = models.DateField()
    financial_year = models.CharField(max_length=7)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[Payment]] = models.Manager()

    class Meta:
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return f"milestone {self.milestone_id}: {self.amount_pence}p on {self.paid_on}"
