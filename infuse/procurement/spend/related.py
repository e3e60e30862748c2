"""A dataset's way to spend analysis, for the Data Lab's dataset page (registered with
:mod:`infuse.datalab.related` at start-up): its payments when it is read as spending data, or
the page to read it so when the person may."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from infuse.core.permissions import can
from infuse.datalab.related import RelatedWork
from infuse.procurement.spend.queries import visible_spend


def spending_of(actor: Any, dataset: Any) -> list[RelatedWork]:
    spend = visible_spend(actor).filter(dataset=dataset).first()
    if spend is not None:
        payments = int(spend.summary.get("payments") or 0)
        return [
            RelatedWork(
                "spending",
                _("Its payments, in the region's spend analysis"),
                reverse("procurement:spend_dataset", kwargs={"slug": dataset.slug}),
                note=ngettext("%(count)s payment read", "%(count)s payments read", payments)
                % {"count": f"{payments:,}"},
            )
        ]
    if dataset.latest_version is not None and can(actor, "procurement.map_spend", dataset):
        return [
            RelatedWork(
                "spending",
                _("Read as payments"),
                reverse("procurement:spend_map", kwargs={"slug": dataset.slug}),
                note=_("For a council's spending file: see what the region buys, from whom."),
            )
        ]
    return []
