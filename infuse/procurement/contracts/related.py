"""The contracts that report against a Data Lab indicator, for the Data Lab's pages
(registered with :mod:`infuse.datalab.related` at start-up)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from infuse.core.permissions import can
from infuse.datalab.related import RelatedWork
from infuse.procurement.challenges.services import runs, visible_challenges
from infuse.procurement.contracts.outcome_evaluation import evaluations
from infuse.procurement.contracts.outcome_words import describe
from infuse.procurement.models import Contract
from infuse.procurement.suppliers.services import works_for


def reporting_on_indicator(actor: Any, indicator: Any) -> list[RelatedWork]:
    """Contracts reporting against the indicator, from challenges the person may see: linked
    to the contract for those who may open it, else to its challenge."""
    shown = visible_challenges(actor).values_list("pk", flat=True)
    contracts = Contract.objects.filter(
        outcome_indicators=indicator, award__phase__challenge__in=shown
    ).select_related("supplier", "award__phase__challenge")
    links = []
    for contract in contracts:
        challenge = contract.award.phase.challenge
        opens = (
            runs(actor, challenge)
            or can(actor, "fund.manage_fund")
            or works_for(actor, contract.supplier_id)
        )
        url = (
            reverse("procurement:contract", kwargs={"pk": contract.pk})
            if opens
            else reverse("procurement:challenge", kwargs={"slug": challenge.slug})
        )
        title = _("%(supplier)s, for %(challenge)s") % {
            "supplier": contract.supplier.name,
            "challenge": challenge.title,
        }
        note = " ".join(
            f"{found.get_method_display()}: {describe(found)}"
            for found in evaluations(actor, contract=contract, indicator=indicator)
        )
        links.append(RelatedWork("contracts", title, url, contract.starts_on, note))
    return links
