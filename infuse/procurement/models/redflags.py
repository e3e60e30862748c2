"""Tables of red flags: contracting processes (imported OCDS releases compiled per ocid, and
the Procurement Lab's own), the parties in them, the flags computed over them, and people's
reviews of a flag.

Flags are computed again over every process whenever releases are imported or thresholds
change, so they are replaced wholesale; a review is kept by what it is about (the flag's code
and its subject), so it survives the recomputing."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContractingProcess(models.Model):
    class Source(models.TextChoices):
        IMPORTED = "imported", _("Imported open contracting data")
        PLATFORM = "platform", _("A challenge run on InFuSe")

    ocid = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    compiled = models.JSONField(default=dict)
    title = models.CharField(max_length=500, blank=True)
    buyer_id = models.CharField(max_length=200, blank=True, db_index=True)
    buyer_name = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=30, blank=True)
    # How many releases the compiled release was made from: a process of the lab's own is read
    # again when it has more (a release counted, not a clock, says what was read).
    releases_read = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ContractingProcess]] = models.Manager()

    class Meta:
        ordering = ["ocid"]

    def __str__(self) -> str:
        return self.ocid


class ProcessSupplier(models.Model):
    """A supplier of an active award in a process (how a supplier's page finds its processes)."""

    process = models.ForeignKey(
        ContractingProcess, on_delete=models.CASCADE, related_name="suppliers"
    )
    party_id = models.CharField(max_length=200, db_index=True)
    name = models.CharField(max_length=300, blank=True)

    objects: ClassVar[models.Manager[ProcessSupplier]] = models.Manager()

    def __str__(self) -> str:
        return self.name or self.party_id


class ImportedRelease(models.Model):
    """An OCDS release as imported (one stage of a process), kept to compile the process."""

    ocid = models.CharField(max_length=200, db_index=True)
    release_id = models.CharField(max_length=300)
    date = models.DateTimeField(null=True, blank=True)
    data = models.JSONField()
    imported_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[ImportedRelease]] = models.Manager()

    class Meta:
        ordering = ["ocid", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ocid", "release_id"], name="one_release_per_id")
        ]

    def __str__(self) -> str:
        return self.release_id


class RedFlag(models.Model):
    class State(models.TextChoices):
        FIRES = "fires", _("Raised")
        CLEAR = "clear", _("Not raised")
        NOT_APPLICABLE = "not_applicable", _("Does not apply")
        NOT_COMPUTABLE = "not_computable", _("Not computable")

    code = models.CharField(max_length=40)
    # The process's ocid, or a supplier's or tenderer's party id ("" for the whole data).
    subject = models.CharField(max_length=200, blank=True)
    subject_name = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=20, choices=State.choices)
    value = models.FloatField(null=True, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=40, blank=True)
    buyer_id = models.CharField(max_length=200, blank=True, db_index=True)
    processes = models.ManyToManyField(ContractingProcess, blank=True, related_name="flags")
    computed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[RedFlag]] = models.Manager()

    class Meta:
        ordering = ["code", "subject"]
        indexes = [models.Index(fields=["state", "code"]), models.Index(fields=["subject"])]

    def __str__(self) -> str:
        return f"{self.code}: {self.subject}"


class FlagReview(models.Model):
    """A person's look at a raised flag, and what they found (kept across recomputing)."""

    code = models.CharField(max_length=40)
    subject = models.CharField(max_length=200, blank=True)
    # A supplier's repeated direct awards are flagged once per buyer: the review is of one.
    buyer_id = models.CharField(max_length=200, blank=True)
    explanation = models.TextField(_("explanation"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="flag_reviews"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[FlagReview]] = models.Manager()

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["code", "subject"])]

    def __str__(self) -> str:
        return f"{self.code}: {self.subject}"
