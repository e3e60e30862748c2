"""A contract's outcome evaluated after delivery: councils with the contract against those
without, on one of the Data Lab indicators the contract reports against.

Its own module (``procurement.models`` imports it, so Django finds it there): the lab's
models module is full."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutcomeEvaluation(models.Model):
    class Method(models.TextChoices):
        DID = "did", _("Difference in differences")
        SYNTHETIC_CONTROL = "synthetic_control", _("Synthetic control")

    contract = models.ForeignKey(
        "procurement.Contract", on_delete=models.PROTECT, related_name="evaluations"
    )
    indicator = models.ForeignKey(
        "datalab.Indicator", on_delete=models.PROTECT, related_name="contract_evaluations"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    progress = models.ForeignKey(
        "core.TaskProgress", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What was compared: the councils with the contract (GSS codes), those without, and the
    # first period counted as after the contract began.
    treated = models.JSONField(default=list, blank=True)
    comparison = models.JSONField(default=list, blank=True)
    first_period_after = models.CharField(max_length=20, blank=True)
    # The engine's result (``stats.to_json``) and its headline figures, for lists and the API.
    result = models.JSONField(default=dict, blank=True)
    estimate = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects: ClassVar[models.Manager[OutcomeEvaluation]] = models.Manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"evaluation of contract {self.contract_id} on {self.indicator_id}"

    @property
    def finished(self) -> bool:
        return self.estimate is not None
