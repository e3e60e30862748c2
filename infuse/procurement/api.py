"""Procurement Lab JSON endpoints, one router per slice under ``/procurement``: thin wrappers
over the services, so the API does what the pages do, with the same refusals (RFC 9457 problem
details). The open contracting data is public."""

from __future__ import annotations

from ninja import Router

from infuse.procurement.bids.api import router as bids
from infuse.procurement.challenges.api import router as challenges
from infuse.procurement.contracts.api import router as contracts
from infuse.procurement.evaluation.api import router as evaluation
from infuse.procurement.ocds.api import router as ocds
from infuse.procurement.questions.api import router as questions
from infuse.procurement.redflags.api import router as flags
from infuse.procurement.register.api import router as register
from infuse.procurement.social_value.api import router as social_value
from infuse.procurement.spend.api import router as spend
from infuse.procurement.suppliers.api import router as suppliers

router = Router(tags=["Procurement Lab"])
for part in (
    challenges,
    suppliers,
    questions,
    bids,
    evaluation,
    contracts,
    social_value,
    register,
    ocds,
    spend,
    flags,
):
    router.add_router("", part)
