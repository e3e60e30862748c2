"""Pages of the Challenge Fund: the portfolio (by challenge, theme, goal, council and financial
year, with a CSV), and allocations for the fund manager."""

from __future__ import annotations

from typing import Any

from defusedcsv import csv as defused_csv
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core.downloads import attachment
from infuse.core.errors import PermissionDenied
from infuse.core.pages import form_page
from infuse.core.permissions import can, person_of
from infuse.fund import services
from infuse.fund.forms import AllocationForm
from infuse.fund.models import Fund

GROUPS = [
    ("challenge", _("By challenge")),
    ("theme", _("By theme")),
    ("goal", _("By well-being goal")),
    ("council", _("By council")),
    ("financial_year", _("By financial year")),
]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    fund = Fund.objects.get(slug=services.CHALLENGE_FUND)
    context: dict[str, Any] = {"fund": fund, "sees": can(request.user, "fund.view_fund", fund)}
    if context["sees"]:
        portfolio = services.portfolio(actor=request.user, fund=fund)
        if request.GET.get("format") == "csv":
            return _csv(portfolio)
        context.update(
            groups=[(key, label, portfolio[key]) for key, label in GROUPS],
            left=fund.total_pence - fund.allocated_pence,
            manages=can(request.user, "fund.manage_fund"),
            allocations=services.allocations(actor=request.user, fund=fund),
        )
    return render(request, "fund/index.html", context)


def _csv(portfolio: dict[str, list[services.PortfolioRow]]) -> HttpResponse:
    response = attachment("", "text/csv; charset=utf-8", "challenge-fund-portfolio.csv")
    writer = defused_csv.writer(response)
    writer.writerow(
        ["group", "key", "name_en", "name_cy", "allocated_pence", "committed_pence", "paid_pence"]
    )
    for key, _label in GROUPS:
        for row in portfolio[key]:
            writer.writerow(
                [
                    row.group,
                    row.key,
                    row.label_en,
                    row.label_cy,
                    row.allocated_pence,
                    row.committed_pence,
                    row.paid_pence,
                ]
            )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "fund.manage_fund"):
        raise PermissionDenied()
    fund = Fund.objects.get(slug=services.CHALLENGE_FUND)
    return form_page(
        request,
        AllocationForm(request.POST or None, initial={"purpose": request.GET.get("purpose")}),
        template="fund/allocate.html",
        save=lambda form: services.allocate(actor=person, allocation_in=form.to_schema()),
        success=_("Allocation saved."),
        then="fund:index",
        context={"fund": fund, "left": fund.total_pence - fund.allocated_pence},
    )
