"""The supplier's page for reporting social value at a milestone; the contract, register,
challenge and goal pages show promised against delivered through ``queries``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from infuse.core.lookups import find
from infuse.core.pages import form_page
from infuse.core.permissions import person_of
from infuse.procurement.models import Milestone
from infuse.procurement.social_value import services
from infuse.procurement.social_value.forms import ReportForm
from infuse.procurement.social_value.quantities import as_text


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """What the supplier delivered on each KPI in a milestone's work, until it is accepted."""
    person = person_of(request)
    milestone = find(Milestone, pk)
    services.check_reporting(actor=person, milestone=milestone)
    contract = milestone.contract
    kpis = list(contract.kpis.select_related("measure__goal"))
    stored = {r.kpi_id: r for r in services.reports_at(milestone)}
    initial = {
        **{f"k{k}-delivered": as_text(r.delivered) for k, r in stored.items()},
        **{f"k{k}-evidence": r.evidence for k, r in stored.items()},
    }
    form = ReportForm(request.POST or None, kpis=kpis, initial=initial)
    back = reverse("procurement:contract", kwargs={"pk": contract.pk})
    return form_page(
        request,
        form,
        template="procurement/social_value_report.html",
        save=lambda form: services.report_delivery(
            actor=person, milestone=milestone, report_in=form.to_schema()
        ),
        success=_(
            "Social value reported. It counts as delivered when the buyer accepts the "
            "milestone's work; you can change it until then."
        ),
        then=back + "#social-value",
        context={"milestone": milestone, "contract": contract, "back": back},
    )
