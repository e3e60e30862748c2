"""Tables of spend analysis: a Data Lab dataset read as payments, the suppliers those payments
resolve to, and the expense types mapped to a standard category.

Payments are kept here, not only in the dataset's Parquet file, because people resolve
suppliers and map categories after the file arrives: a payment points at the spelling it was
written with, the spelling at its supplier, and its expense type at a category, so a merge, a
split or a new mapping changes every figure at once without reading a file again.

Imported by the package's ``__init__``, where Django and the rest of the lab find them.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.core.models import Council, Organisation


class SpendDataset(models.Model):
    """A Data Lab dataset mapped once to the spend shape; the mapping is read again for every
    new version of the dataset."""

    dataset = models.OneToOneField(
        "datalab.Dataset", on_delete=models.CASCADE, related_name="spend"
    )
    # {"buyer": {"column": c} | {"value": name}, "paid": c, "supplier": c, "amount": c,
    #  "company_number": c, "charity_number": c, "service": c, "expense_type": c}: optional
    # fields absent or "". Columns are those of the dataset as its recipe shapes it.
    mapping = models.JSONField(default=dict)
    loaded_version = models.PositiveIntegerField(null=True, blank=True)
    # The reading whose payments count: a new reading writes its payments under the next
    # number, batch by batch, and takes over in one short transaction at the end, so figures
    # never show half a file and a failed reading leaves the last good one in place.
    load = models.PositiveIntegerField(default=0)
    # What reading the version found: {"rows", "payments", "redacted", "total_pence",
    # "unreadable": {field: {"count", "first_row", "example"}}} or {"problems": [...]}.
    summary = models.JSONField(default=dict, blank=True)
    progress = models.ForeignKey(
        "core.TaskProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spend_mappings"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SpendDataset]] = models.Manager()

    class Meta:
        ordering = ["dataset__slug"]

    def __str__(self) -> str:
        return str(self.dataset)


class ResolvedSupplier(models.Model):
    """One supplier however councils spell it, with what buyers want to know of it."""

    class Facts(models.TextChoices):
        UNKNOWN = "unknown", _("Not known yet")
        REGISTER = "register", _("From the supplier's own registration")
        ENTERED = "entered", _("Entered by a procurement officer")

    name = models.CharField(_("name"), max_length=300)
    company_number = models.CharField(_("Companies House number"), max_length=8, blank=True)
    charity_number = models.CharField(_("charity number"), max_length=12, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolved_suppliers",
    )
    is_sme = models.BooleanField(_("small or medium-sized enterprise"), null=True, blank=True)
    is_vcse = models.BooleanField(
        _("voluntary, community or social enterprise"), null=True, blank=True
    )
    is_local = models.BooleanField(_("based in the region"), null=True, blank=True)
    facts_from = models.CharField(max_length=10, choices=Facts.choices, default=Facts.UNKNOWN)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ResolvedSupplier]] = models.Manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["company_number"]), models.Index(fields=["charity_number"])]

    def __str__(self) -> str:
        return self.name


class SupplierSpelling(models.Model):
    """A payee as councils wrote it (its name folded to a key, and any numbers given) and the
    supplier it was resolved to."""

    class How(models.TextChoices):
        COMPANY_NUMBER = "company", _("Same Companies House number")
        CHARITY_NUMBER = "charity", _("Same charity number")
        SAME_NAME = "name", _("Same name once spelling is set aside")
        MERGED = "merged", _("Joined by a procurement officer")
        SPLIT = "split", _("Separated by a procurement officer")

    key = models.CharField(max_length=300)
    company_number = models.CharField(max_length=8, blank=True)
    charity_number = models.CharField(max_length=12, blank=True)
    name = models.CharField(_("name as written"), max_length=300)
    supplier = models.ForeignKey(
        ResolvedSupplier, on_delete=models.PROTECT, related_name="spellings"
    )
    how = models.CharField(max_length=10, choices=How.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SupplierSpelling]] = models.Manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "company_number", "charity_number"], name="one_spelling_per_key"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SupplierMatch(models.Model):
    """Two suppliers whose names are alike enough that they may be one: proposed by the
    fuzzy matching, decided by a person (never merged without one)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for a decision")
        MERGED = "merged", _("Joined")
        REJECTED = "rejected", _("Kept apart")

    supplier = models.ForeignKey(ResolvedSupplier, on_delete=models.CASCADE, related_name="matches")
    similar = models.ForeignKey(
        ResolvedSupplier, on_delete=models.CASCADE, related_name="matched_by"
    )
    score = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supplier_matches_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[SupplierMatch]] = models.Manager()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "similar"], name="one_match_per_pair"),
            models.CheckConstraint(
                name="match_between_two_suppliers",
                condition=~models.Q(supplier=models.F("similar")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} ~ {self.similar}"


class ExpenseType(models.Model):
    """What councils call a kind of spending ("Agency Staff"), and the CPV division it maps to."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested from its words: check it")
        CONFIRMED = "confirmed", _("Confirmed by a procurement officer")
        UNMAPPED = "unmapped", _("Not mapped yet")

    key = models.CharField(max_length=300, unique=True)
    name = models.CharField(_("expense type"), max_length=300)
    division = models.CharField(_("category"), max_length=2, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UNMAPPED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expense_types_mapped",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[ExpenseType]] = models.Manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """One row of a spending file, in the spend shape."""

    spend = models.ForeignKey(SpendDataset, on_delete=models.CASCADE, related_name="payments")
    load = models.PositiveIntegerField()
    row = models.PositiveIntegerField()
    buyer = models.CharField(max_length=200)
    council = models.ForeignKey(
        Council, null=True, blank=True, on_delete=models.PROTECT, related_name="spend_payments"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Empty, and no spelling, where the council withheld the payee's name.
    supplier_name = models.CharField(max_length=300, blank=True)
    spelling = models.ForeignKey(
        SupplierSpelling,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    redacted = models.BooleanField(default=False)
    amount_pence = models.BigIntegerField()
    service = models.CharField(max_length=300, blank=True)
    expense_type = models.ForeignKey(
        ExpenseType, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )

    objects: ClassVar[models.Manager[Payment]] = models.Manager()

    class Meta:
        ordering = ["spend", "row"]
        indexes = [models.Index(fields=["spend", "load", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                name="payment_period_in_order",
                condition=models.Q(starts_on__lte=models.F("ends_on")),
            ),
            models.CheckConstraint(
                name="payment_named_or_withheld",
                condition=models.Q(redacted=True, spelling__isnull=True)
                | models.Q(redacted=False, spelling__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} → {self.supplier_name or '…'}: {self.amount_pence}"
