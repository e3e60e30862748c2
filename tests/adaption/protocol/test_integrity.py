"""A protocol changed after registration, even by raw SQL, is named by `infuse audit verify`."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from infuse.adaption.models import Protocol
from infuse.adaption.protocol.integrity import changed_protocols
from tests.adaption.conftest import registered

pytestmark = pytest.mark.django_db


def test_a_protocol_edited_in_the_database_is_found(make_experiment, officer):
    experiment = registered(make_experiment, officer)
    assert list(changed_protocols()) == []
    protocol = Protocol.objects.get(experiment=experiment)
    content = {**protocol.content, "hypothesis": "Something else, decided after the results"}
    with connection.cursor() as cursor:  # raw SQL, past the model that refuses changes
        cursor.execute(
            "UPDATE adaption_protocol SET content = %s WHERE id = %s",
            [json.dumps(content), protocol.pk],
        )
    with pytest.raises(CommandError, match=f"experiment '{experiment.slug}' no longer matches"):
        call_command("audit", "verify")
