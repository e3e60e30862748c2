"""The demo region: one person per role, each at a fitting organisation.

Loading is idempotent: people and roles that exist are kept, so ``make demo`` can run again
without duplicating anything. Later issues add demo datasets, trials and challenges here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from infuse.core import services
from infuse.core.models import Membership, Organisation, Person, Role

SUPPLIER = ("dragon-data", "Dragon Data Cyf.", "Dragon Data Cyf.")


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    organisation_slug: str


DEMO_PEOPLE = [
    DemoPerson("officer@infuse.example", "Ceri Jones", Role.OFFICER, "cardiff"),
    DemoPerson("analyst@infuse.example", "Dafydd Evans", Role.ANALYST, "newport"),
    DemoPerson(
        "procurement@infuse.example", "Eleri Morgan", Role.PROCUREMENT_OFFICER, "rhondda-cynon-taf"
    ),
    DemoPerson("evaluator@infuse.example", "Gareth Price", Role.EVALUATOR, "bridgend"),
    DemoPerson("fund@infuse.example", "Siân Davies", Role.FUND_MANAGER, "ccr-programme"),
    DemoPerson("admin@infuse.example", "Rhian Thomas", Role.PROGRAMME_ADMIN, "ccr-programme"),
    DemoPerson("supplier@infuse.example", "Owen Hughes", Role.SUPPLIER, SUPPLIER[0]),
]


def load_demo_region(password: str | None = None) -> list[DemoPerson]:
    """Create (or keep) the demo organisations and people; returns who can sign in."""
    password = password or settings.INFUSE_DEMO_PASSWORD
    with transaction.atomic():
        slug, en, cy = SUPPLIER
        Organisation.objects.get_or_create(
            slug=slug,
            defaults={"kind": Organisation.Kind.SUPPLIER, "name": en, "name_en": en, "name_cy": cy},
        )
        for demo in DEMO_PEOPLE:
            person = Person.objects.filter(email=demo.email).first()
            if person is None:
                person = services.create_person(
                    actor=None, email=demo.email, full_name=demo.full_name, password=password
                )
            organisation = Organisation.objects.get(slug=demo.organisation_slug)
            if not Membership.objects.filter(
                person=person, organisation=organisation, role=demo.role
            ).exists():
                services.grant_membership(
                    actor=None, person=person, organisation=organisation, role=demo.role
                )
    return DEMO_PEOPLE
