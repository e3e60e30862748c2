"""Model fields shared by the labs."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from infuse.core.bounds import MAX_PENCE


class PenceField(models.PositiveBigIntegerField):
    """Money in pence: never negative and never more than ``MAX_PENCE``, which the database
    checks as well as the schemas, so a sum of amounts can never overflow its column."""

    default_validators = [MaxValueValidator(MAX_PENCE)]

    def db_check(self, connection: BaseDatabaseWrapper) -> str:
        column = self.db_type_parameters(connection)["qn_column"]
        return f"{column} >= 0 AND {column} <= {MAX_PENCE}"

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"max_value": MAX_PENCE, **kwargs})
