"""Pages of the comparator groups: the list everyone can use, saving one, removing one."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from infuse.core.errors import PermissionDenied
from infuse.core.pages import action_page, form_page
from infuse.core.permissions import can, person_of
from infuse.datalab.comparators import services
from infuse.datalab.comparators.forms import ComparatorGroupForm


@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    every = list(services.groups())
    return render(
        request,
        "datalab/comparator_groups.html",
        {
            "groups": every,
            "can_add": can(request.user, "datalab.add_comparatorgroup"),
            "removable": {
                g.pk for g in every if can(request.user, "datalab.delete_comparatorgroup", g)
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    person = person_of(request)
    if not can(person, "datalab.add_comparatorgroup"):
        raise PermissionDenied()
    return form_page(
        request,
        ComparatorGroupForm(request.POST if request.method == "POST" else None),
        template="datalab/comparator_group_form.html",
        save=lambda form: services.create_group(actor=person, group_in=form.to_schema()),
        success=lambda group: (
            _("Group saved. Choose “%(name)s” under “Compare with” on any council's page.")
            % {"name": group.name}
        ),
        then="datalab:comparator_groups",
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask first (nobody can bring a removed group back), then remove it."""
    person = person_of(request)
    group = services.get_group(slug=slug)
    if not can(person, "datalab.delete_comparatorgroup", group):
        raise PermissionDenied()
    if request.method == "GET":
        return render(request, "datalab/comparator_group_delete.html", {"group": group})
    return action_page(
        request,
        run=lambda: services.delete_group(actor=person, group=group),
        success=_("Group removed."),
        then="datalab:comparator_groups",
    )
