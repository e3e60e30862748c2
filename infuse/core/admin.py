"""Django admin for programme administrators: people, memberships, councils.

Admin pages write through the same services as the rest of the platform where a service exists
(creating people, granting and revoking roles), and every other admin change is written to the
audit log in the same transaction, so the admin is never a way round the audit chain.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from infuse.core import audit, services
from infuse.core.models import (
    Council,
    Membership,
    Organisation,
    Person,
    Theme,
    WayOfWorking,
    WellbeingGoal,
)
from infuse.core.permissions import person_of

admin.site.site_header = _("InFuSe administration")
admin.site.site_title = _("InFuSe administration")
admin.site.index_title = _("People, roles and reference data")


def _changed(form: ModelForm) -> tuple[dict[str, Any], dict[str, Any]]:
    before = {name: form.initial.get(name) for name in form.changed_data}
    after = {name: form.cleaned_data.get(name) for name in form.changed_data}
    return before, after


class AuditedAdmin(admin.ModelAdmin):
    """Record every admin save and delete in the audit log (admin views run in a transaction)."""

    def save_model(self, request: HttpRequest, obj: Model, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        before, after = _changed(form)
        action = f"{obj._meta.model_name}.{'changed' if change else 'created'}_in_admin"
        audit.record_event(
            actor=person_of(request), action=action, obj=obj, before=before, after=after
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        audit.record_event(
            actor=person_of(request),
            action=f"{obj._meta.model_name}.deleted_in_admin",
            obj=obj,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a role is granted or revoked, never edited in place


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["email", "full_name", "preferred_language", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "memberships__role", "memberships__organisation__kind"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "preferred_language", "is_active", "last_login", "date_joined"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        # Memberships go through the service: role rules are checked and each change is audited.
        instances = formset.save(commit=False)
        for membership in formset.deleted_objects:
            services.revoke_membership(actor=person_of(request), membership=membership)
        for membership in instances:
            services.grant_membership(
                actor=person_of(request),
                person=form.instance,
                organisation=membership.organisation,
                role=membership.role,
            )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind", "organisation"]
    search_fields = ["person__email", "person__full_name", "organisation__name_en"]
    autocomplete_fields = ["person", "organisation"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a role is granted or revoked, never edited in place

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool
    ) -> None:
        granted = services.grant_membership(
            actor=person_of(request),
            person=obj.person,
            organisation=obj.organisation,
            role=obj.role,
        )
        obj.pk = granted.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.revoke_membership(actor=person_of(request), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ["name", "kind", "slug"]
    list_filter = ["kind"]
    search_fields = ["name_en", "name_cy", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Council)
class CouncilAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ["name", "gss_code", "population", "population_year"]
    readonly_fields = ["gss_code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the ten councils are reference data, created by migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WellbeingGoal, WayOfWorking, Theme)
class ReferenceTermAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ["position", "name", "code"]
    readonly_fields = ["code", "position"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
