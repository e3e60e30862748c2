"""Supplier endpoints: a company registers itself and its first person."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from infuse.core import ratelimit
from infuse.core.api_auth import OPTIONAL_AUTH
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
    person = services.register_supplier(supplier_in=payload)
    return Status(201, Done(id=services.supplier_of(person).pk, status="registered"))
