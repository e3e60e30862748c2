"""`infuse fund …`: allocations and the report through the fund's own command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("fund", *args, stdout=out)
    return out.getvalue()


def test_allocate_list_and_report(make_challenge, make_person):
    make_person("fund_manager", email="money@ccr.example")
    make_person("officer", email="officer@cardiff.example")
    challenge = make_challenge(title="Gully sensors")
    said = _run(
        "allocate", f"{challenge.slug}/1", "--amount-pence", "750000", "--as", "money@ccr.example"
    )
    assert f"Allocated 750000 pence to {challenge.slug}/1" in said
    listed = json.loads(_run("allocations", "--as", "officer@cardiff.example"))
    assert listed[0]["purpose"] == f"{challenge.slug}/1" and listed[0]["amount_pence"] == 750000
    report = json.loads(_run("report", "--as", "officer@cardiff.example"))
    assert report["allocated_pence"] == 750000
    assert report["portfolio"]["challenge"][0]["key"] == challenge.slug


def test_a_refusal_is_one_line_naming_the_problem(make_challenge, make_person):
    make_person("fund_manager", email="money@ccr.example")
    with pytest.raises(CommandError, match="purpose: Choose a challenge phase from the list"):
        _run("allocate", "nothing/9", "--amount-pence", "100", "--as", "money@ccr.example")
    with pytest.raises(CommandError, match="Not found"):
        _run("report")  # the public does not see the portfolio
