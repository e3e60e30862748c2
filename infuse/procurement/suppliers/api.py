"""Supplier endpoints: a company registers itself and its first person."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core import confirmation, ratelimit
from infuse.core.api_auth import OPTIONAL_AUTH
from infuse.core.models import Membership, Role
from infuse.core.schemas import PROBLEMS, Done
from infuse.procurement.suppliers import services
from infuse.procurement.suppliers.schemas import SupplierIn

router = Router()


@router.post(
    "/suppliers",
    response={201: Done, **PROBLEMS},
    auth=OPTIONAL_AUTH,
    summary="Register a supplier organisation and its first person (no sign-in needed)",
)
def register_supplier(request: HttpRequest, payload: SupplierIn) -> Status[Done]:
    ratelimit.check(request, "register")
    person = services.register_supplier(
        supplier_in=payload, confirm_url=confirmation.absolute_links(request)
    )
    membership = Membership.objects.get(person=person, role=Role.SUPPLIER)
    # Registered; the person acts once they open the link emailed to them.
    return Status(201, Done(id=membership.organisation_id, status="confirm-email"))
