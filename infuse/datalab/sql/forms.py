"""Forms of the SQL page: a query to run, or to keep under a title."""

from __future__ import annotations

from django import forms

from infuse.core.forms import SchemaForm
from infuse.datalab.sql.schemas import QueryIn, SavedQueryIn


class QueryForm(SchemaForm):
    """The query as typed (the service says what is wrong with it, on the ``sql`` field)."""

    schema = QueryIn

    sql = forms.CharField(required=False, strip=False)


class SavedQueryForm(SchemaForm):
    """A query to keep, as typed, under a title."""

    schema = SavedQueryIn

    sql = forms.CharField(required=False, strip=False)
    title = forms.CharField(required=False, strip=False)
