"""Pages of spend analysis: what the region buys, a spending dataset and its mapping, the
suppliers and the matches to check, the categories, and where councils could buy together."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from infuse.core.downloads import attachment
from infuse.core.errors import Conflict, InvalidInput, NotFound
from infuse.core.pages import action_page, form_page
from infuse.core.permissions import can, person_of
from infuse.datalab.catalogue import services as data
from infuse.procurement.spend import analysis, charts, exports, queries, services
from infuse.procurement.spend.forms import CategoryForm, SpendMappingForm, SupplierFactsForm
from infuse.procurement.spend.schemas import MatchDecisionIn, SplitIn


def _seeing(request: HttpRequest) -> Any:
    person = person_of(request)
    queries.require_view(person)
    return person


def _period_words(period: analysis.PeriodTotal) -> str:
    first = date_format(period.starts_on, "M Y")
    return first if period.is_month else f"{first} – {date_format(period.ends_on, 'M Y')}"


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """What the region buys: every figure over the spending datasets the person may see."""
    person = _seeing(request)
    spend = queries.visible_spend(person)
    payments = analysis.counted(spend)
    buyers = analysis.by_buyer(payments)
    by_category = analysis.by_category(payments)
    suppliers = analysis.by_supplier(payments, limit=10)
    periods = analysis.by_period(payments)
    return render(
        request,
        "procurement/spend/overview.html",
        {
            "datasets": spend,
            "total": sum(b.pence for b in buyers),
            "payments": sum(b.payments for b in buyers),
            "buyers": buyers,
            "categories": by_category,
            "suppliers": suppliers,
            "periods": periods,
            "period_chart": charts.bars_svg(
                [(_period_words(p), p.pence) for p in periods],
                title=_("Money paid in each period"),
                description=_(
                    "A bar for each month (or longer period), in order; the table below gives "
                    "each amount."
                ),
                ident="periods",
            ),
            "changes": analysis.supplier_changes(payments),
            "shares": analysis.shares(payments),
            "concentration": [
                c for c in analysis.concentration_by_category(payments) if c.division
            ],
            "buyer_chart": charts.bars_svg(
                [(b.label, b.pence) for b in buyers],
                title=_("Money paid by each buyer"),
                description=_(
                    "A bar for each buyer, longest for the most paid; the table below gives "
                    "each amount."
                ),
                ident="buyers",
            ),
            "category_chart": charts.bars_svg(
                [(c.label or _("Not mapped to a category"), c.pence) for c in by_category[:10]],
                title=_("Money paid in the ten largest categories"),
                description=_(
                    "A bar for each category, longest for the most paid; the table below "
                    "gives each amount."
                ),
                ident="categories",
            ),
            "to_check": queries.waiting_counts(person),
            "can_resolve": can(person, "procurement.resolve_suppliers"),
        },
    )


@login_required
@require_GET
def spend_dataset(request: HttpRequest, slug: str) -> HttpResponse:
    person = _seeing(request)
    spend = queries.get_spend(actor=person, slug=slug)
    return render(
        request,
        "procurement/spend/dataset.html",
        {
            "spend": spend,
            "dataset": spend.dataset,
            "mapping": queries.mapping_words(spend),
            "problems": queries.reading_problems(spend),
            "unreadable": queries.unreadable_words(spend),
            "can_map": can(person, "procurement.map_spend", spend.dataset),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def spend_map(request: HttpRequest, slug: str) -> HttpResponse:
    """Map a dataset's columns to the spend shape (the dataset's own page links here)."""
    person = person_of(request)
    dataset = data.get_dataset(actor=person, slug=slug)
    if not can(person, "procurement.map_spend", dataset):
        raise NotFound()
    version = dataset.latest_version
    columns = [f["name"] for f in version.shaped_fields] if version else []
    current = queries.mapping_initial(dataset)
    form = SpendMappingForm(request.POST or None, initial=current, columns=columns)
    return form_page(
        request,
        form,
        template="procurement/spend/map.html",
        save=lambda f: services.map_spend(actor=person, dataset=dataset, mapping_in=f.to_schema()),
        success=_(
            "Mapping saved. The payments are being read: this page shows how far it has got."
        ),
        then=lambda spend: reverse("procurement:spend_dataset", kwargs={"slug": dataset.slug}),
        context={"dataset": dataset, "version": version},
    )


@login_required
@require_GET
def suppliers(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    query = request.GET.get("q", "").strip()[:100]
    found = analysis.supplier_list(analysis.counted(queries.visible_spend(person)), query)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/spend/suppliers.html",
        {
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}) if query else "",
            "to_check": queries.waiting_counts(person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def supplier(request: HttpRequest, pk: int) -> HttpResponse:
    person = _seeing(request)
    found = queries.get_supplier(actor=person, pk=pk)
    payments = analysis.counted(queries.visible_spend(person))
    return form_page(
        request,
        SupplierFactsForm(request.POST or None, initial=SupplierFactsForm.initial_for(found)),
        template="procurement/spend/supplier.html",
        save=lambda f: services.set_supplier_facts(
            actor=person, pk=found.pk, facts_in=f.to_schema()
        ),
        success=_("What is known of the supplier is saved: every share now counts it."),
        then=reverse("procurement:spend_supplier", kwargs={"pk": found.pk}),
        context=lambda: {
            "supplier": found,
            "buyers": analysis.by_buyer(payments.filter(spelling__supplier=found)),
            "spellings": queries.spellings_of(person, found),
            "matches": queries.proposed_matches(person, supplier=found),
            "can_resolve": can(person, "procurement.resolve_suppliers"),
        },
    )


@login_required
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    person = _seeing(request)
    spelling = request.POST.get("spelling", "")
    return action_page(
        request,
        run=lambda: services.split_spelling(
            actor=person,
            split_in=SplitIn(spelling=int(spelling) if spelling.isdigit() else 0, supplier=pk),
        ),
        success=_("The spelling is now a supplier of its own, and the two are kept apart."),
        then=reverse("procurement:spend_supplier", kwargs={"pk": pk}),
    )


@login_required
@require_GET
def matches(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    page = Paginator(queries.proposed_matches(person), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/spend/matches.html",
        {
            "page": page,
            "query_string": "",
            "can_resolve": can(person, "procurement.resolve_suppliers"),
        },
    )


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    person = _seeing(request)
    decision = request.POST.get("decision", "")
    words = {
        "merge": _("Joined: the two are now one supplier in every figure."),
        "reject": _("Kept apart: they will not be proposed again."),
    }
    return action_page(
        request,
        run=lambda: services.decide_match(
            actor=person, pk=pk, decision_in=MatchDecisionIn(decision=decision)
        ),
        success=words.get(decision, ""),
        then=reverse("procurement:spend_matches"),
    )


@login_required
@require_GET
def expense_types(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    status = request.GET.get("status", "")
    found = queries.expense_types(person, status)
    page = Paginator(found, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/spend/categories.html",
        {
            "page": page,
            "status": status,
            "query_string": f"status={status}" if status else "",
            "labels": {e.pk: analysis.category_label(e.division) for e in page},
            "forms": {
                e.pk: CategoryForm(initial={"division": e.division}, prefix=f"e{e.pk}")
                for e in page
            },
            "can_resolve": can(person, "procurement.resolve_suppliers"),
            "counts": queries.expense_type_counts(person),
        },
    )


@login_required
@require_POST
def expense_type(request: HttpRequest, pk: int) -> HttpResponse:
    person = _seeing(request)
    form = CategoryForm(request.POST, prefix=f"e{pk}")
    back = request.POST.get("next", "")
    listing = reverse("procurement:spend_categories") + (back if back.startswith("?") else "")
    if not form.is_valid():  # a category not in the list (a stale page): nothing changes
        messages.error(request, _("Choose one of the categories in the list"))
        return redirect(listing)
    return action_page(
        request,
        run=lambda: services.set_category(actor=person, pk=pk, category_in=form.to_schema()),
        success=lambda expense: _("“%(name)s” is mapped.") % {"name": expense.name},
        then=listing,
    )


@login_required
@require_GET
def opportunities(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    payments = analysis.counted(queries.visible_spend(person))
    return render(
        request,
        "procurement/spend/opportunities.html",
        {
            "categories": analysis.category_opportunities(payments),
            "suppliers": analysis.supplier_opportunities(payments, limit=20),
            "can_draft": can(person, "procurement.add_challenge"),
        },
    )


@login_required
@require_POST
def draft_challenge(request: HttpRequest) -> HttpResponse:
    person = _seeing(request)
    kind, key = request.POST.get("kind", ""), request.POST.get("key", "")
    try:
        challenge = services.draft_challenge(actor=person, kind=kind, key=key)
    except (InvalidInput, Conflict) as refused:
        for message in [p.message for p in refused.problems] or [refused.message]:
            messages.error(request, str(message))
        return redirect("procurement:spend_opportunities")
    messages.success(
        request,
        _(
            "A draft challenge is made with the evidence attached. Check its words, choose its "
            "well-being goals, then add its phases."
        ),
    )
    return redirect("procurement:challenge", slug=challenge.slug)


@login_required
@require_GET
def export(request: HttpRequest, table: str, file_format: str) -> HttpResponse:
    """One of the analysis tables as CSV or XLSX."""
    payments = analysis.counted(queries.visible_spend(_seeing(request)))
    found = exports.download(payments, table, file_format)
    if found is None:
        raise NotFound()
    response = attachment(*found)
    return response
