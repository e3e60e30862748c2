"""The lab's published OCDS releases (imported by the package's ``__init__``)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class Release(models.Model):
    """An OCDS release as published: immutable, one per stage change of a contracting process."""

    phase = models.ForeignKey(
        "procurement.Phase", on_delete=models.PROTECT, related_name="releases"
    )
    release_id = models.CharField(max_length=160, unique=True)
    tags = models.JSONField()
    date = models.DateTimeField()
    data = models.JSONField()

    objects: ClassVar[models.Manager[Release]] = models.Manager()

    class Meta:
        ordering = ["phase", "date", "pk"]

    def __str__(self) -> str:
        return self.release_id

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("an OCDS release is never changed; publish a new one")
        super().save(*args, **kwargs)
