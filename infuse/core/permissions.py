"""Who may do what: every rule in one place (django-rules), checked by services and views.

Roles come from memberships (person × organisation × role), never from flags on the person, so
granting or revoking a role is one audited change. ``roles_of`` is cached on the person object for
the length of a request. A person whose email address is not confirmed yet holds no roles at all:
one gate that every rule below passes through, so no rule can forget it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils.translation import gettext as _

from infuse.core.errors import PermissionDenied
from infuse.core.models import Membership, Person, Role


def _acts(person: Any) -> bool:
    """Signed in with a confirmed email address: memberships count only for such a person."""
    return (
        person is not None
        and getattr(person, "is_authenticated", False)
        and getattr(person, "email_confirmed_at", None) is not None
    )


def awaits_confirmation(person: Any) -> bool:
    """Signed in, but the email address is not confirmed yet (a self-registered supplier)."""
    return bool(getattr(person, "is_authenticated", False)) and not _acts(person)


def denial_for(person: Any) -> PermissionDenied:
    """The refusal to show ``person``: why, when it is only an unconfirmed email address."""
    if awaits_confirmation(person):
        return PermissionDenied(
            _(
                "Confirm your email address first: open the link we sent to %(email)s. "
                "Your account page can send it again."
            )
            % {"email": person.email}
        )
    return PermissionDenied()


def roles_of(person: Any) -> frozenset[str]:
    """The set of role codes a person holds in any organisation (empty for the public)."""
    if not _acts(person):
        return frozenset()
    cached = getattr(person, "_infuse_roles", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(person_id=person.pk).values_list("role", flat=True)
        )
        person._infuse_roles = cached
    return cached


def memberships_of(person: Any) -> frozenset[tuple[int, str, str]]:
    """(organisation id, organisation kind, role) for each of a person's memberships."""
    if not _acts(person):
        return frozenset()
    cached = getattr(person, "_infuse_memberships", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(person_id=person.pk).values_list(
                "organisation_id", "organisation__kind", "role"
            )
        )
        person._infuse_memberships = cached
    return cached


def forget_roles(person: Any) -> None:
    """Drop the cached roles after memberships change."""
    for attribute in ("_infuse_roles", "_infuse_memberships"):
        if hasattr(person, attribute):
            delattr(person, attribute)


def has_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{role}")
    def predicate(person: Any) -> bool:
        return role in roles_of(person)

    return predicate


is_programme_admin = has_role(Role.PROGRAMME_ADMIN)
is_signed_in = rules.is_authenticated & rules.is_active
has_confirmed_email = rules.predicate(_acts, name="has_confirmed_email")

rules.add_perm("core.view_audit", is_programme_admin)
rules.add_perm("core.verify_audit", is_programme_admin)
rules.add_perm("core.manage_people", is_programme_admin)
rules.add_perm("core.load_reference", is_programme_admin)
rules.add_perm("core.use_admin_site", is_programme_admin)
rules.add_perm("core.manage_own_tokens", is_signed_in & has_confirmed_email)
# Django admin asks for model permissions; programme admins hold them for the core's tables.
rules.add_perm("core", is_programme_admin)
for _model in (
    "person",
    "membership",
    "organisation",
    "council",
    "wellbeinggoal",
    "wayofworking",
    "theme",
):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"core.{_action}_{_model}", is_programme_admin)
rules.add_perm("core.view_own_tasks", is_signed_in)


# --- Data Lab -------------------------------------------------------------------------------
# Who works with data: officers and analysts of a council or of the programme team.
DATA_ROLES = frozenset({Role.OFFICER, Role.ANALYST})


def data_organisations(person: Any) -> frozenset[int]:
    """Organisations for which ``person`` may publish and change datasets."""
    return frozenset(org for org, _kind, role in memberships_of(person) if role in DATA_ROLES)


@rules.predicate
def is_region_member(person: Any) -> bool:
    """Anyone working for a council or the programme team (not suppliers, not the public)."""
    return any(kind in {"council", "programme"} for _org, kind, _role in memberships_of(person))


@rules.predicate
def can_publish_data(person: Any) -> bool:
    return bool(data_organisations(person))


@rules.predicate
def works_with_publisher(person: Any, dataset: Any) -> bool:
    return dataset is not None and dataset.publisher_id in data_organisations(person)


@rules.predicate
def belongs_to_publisher(person: Any, dataset: Any) -> bool:
    return dataset is not None and any(
        org == dataset.publisher_id for org, _kind, _role in memberships_of(person)
    )


@rules.predicate
def dataset_is_public(person: Any, dataset: Any) -> bool:
    return dataset is not None and dataset.visibility == "public"


@rules.predicate
def dataset_is_regional(person: Any, dataset: Any) -> bool:
    return dataset is not None and dataset.visibility == "region"


rules.add_perm(
    "datalab.view_dataset",
    dataset_is_public
    | (dataset_is_regional & is_region_member)
    | belongs_to_publisher
    | is_programme_admin,
)
# The SQL workspace runs people's own queries (in the sandbox): for those who need it, the
# councils' and the programme's staff; not suppliers, not the public.
rules.add_perm("datalab.run_sql", rules.predicate(is_region_member))
rules.add_perm("datalab.add_dataset", can_publish_data)
rules.add_perm("datalab.change_dataset", works_with_publisher)
rules.add_perm("datalab.upload_version", works_with_publisher)


@rules.predicate
def saved_the_group(person: Any, group: Any) -> bool:
    return group is not None and _acts(person) and group.created_by_id == person.pk


# Comparator groups are shared by everyone; those who work with data save them, and the
# person who saved one (or a programme admin) removes it.
rules.add_perm("datalab.add_comparatorgroup", can_publish_data | is_programme_admin)
rules.add_perm("datalab.delete_comparatorgroup", saved_the_group | is_programme_admin)


# --- Adaption Lab ---------------------------------------------------------------------------
# Experiments: officers and analysts of the owning organisation edit; the region reads; the
# public reads registered experiments marked public. Unit-level allocations stay with the
# owner's analysts (and programme admins) until launch, so those delivering cannot select.
VISIBLE_TO_PUBLIC = frozenset({"registered", "running", "analysed", "decided", "scaling", "closed"})


@rules.predicate
def works_on_experiment(person: Any, experiment: Any) -> bool:
    return experiment is not None and experiment.owner_id in data_organisations(person)


@rules.predicate
def analyses_experiment(person: Any, experiment: Any) -> bool:
    return experiment is not None and any(
        org == experiment.owner_id and role == Role.ANALYST
        for org, _kind, role in memberships_of(person)
    )


@rules.predicate
def experiment_is_public(person: Any, experiment: Any) -> bool:
    return experiment is not None and experiment.public and experiment.status in VISIBLE_TO_PUBLIC


@rules.predicate
def experiment_is_launched(person: Any, experiment: Any) -> bool:
    return experiment is not None and experiment.status in (VISIBLE_TO_PUBLIC - {"registered"})


rules.add_perm(
    "adaption.view_experiment",
    experiment_is_public | is_region_member | works_on_experiment | is_programme_admin,
)
rules.add_perm("adaption.add_experiment", can_publish_data)
rules.add_perm("adaption.change_experiment", works_on_experiment)
rules.add_perm("adaption.randomise_experiment", analyses_experiment)
rules.add_perm(
    "adaption.view_allocation",
    analyses_experiment
    | is_programme_admin
    | (experiment_is_launched & (is_region_member | experiment_is_public)),
)


# --- Procurement Lab and Challenge Fund -----------------------------------------------------
# Procurement officers of the owning organisation (or of the programme team, which runs the
# Challenge Fund) run a challenge; evaluators score only the phases they are assigned to;
# suppliers see their own bids only; the public reads published challenges.


def procurement_organisations(person: Any) -> frozenset[int]:
    return frozenset(
        org for org, _kind, role in memberships_of(person) if role == Role.PROCUREMENT_OFFICER
    )


@rules.predicate
def is_procurement_officer(person: Any) -> bool:
    return bool(procurement_organisations(person))


@rules.predicate
def is_programme_procurement_officer(person: Any) -> bool:
    return any(
        kind == "programme" and role == Role.PROCUREMENT_OFFICER
        for _org, kind, role in memberships_of(person)
    )


@rules.predicate
def runs_challenge(person: Any, challenge: Any) -> bool:
    return challenge is not None and (
        challenge.owner_id in procurement_organisations(person)
        or is_programme_procurement_officer(person)
    )


@rules.predicate
def challenge_is_published(person: Any, challenge: Any) -> bool:
    return challenge is not None and challenge.published_at is not None


is_supplier = has_role(Role.SUPPLIER)
is_evaluator = has_role(Role.EVALUATOR)
is_fund_manager = has_role(Role.FUND_MANAGER)

rules.add_perm(
    "procurement.view_challenge",
    challenge_is_published | is_region_member | is_programme_admin,
)
rules.add_perm("procurement.add_challenge", is_procurement_officer)
rules.add_perm("procurement.change_challenge", runs_challenge)
rules.add_perm("procurement.open_bids", runs_challenge)
rules.add_perm("procurement.bid", is_supplier & challenge_is_published)


@rules.predicate
def buys_for_publisher(person: Any, dataset: Any) -> bool:
    """A procurement officer of the council that publishes a dataset, or of the programme."""
    return dataset is not None and (
        dataset.publisher_id in procurement_organisations(person)
        or is_programme_procurement_officer(person)
    )


# Spend analysis: the councils' payments read as the region's buying, for those who work in it.
rules.add_perm("procurement.view_spend", is_region_member)
rules.add_perm("procurement.map_spend", works_with_publisher | buys_for_publisher)
rules.add_perm("procurement.resolve_suppliers", is_procurement_officer)
# Red flags over contracting data: read by people of the region, imported and reviewed by
# procurement officers and the programme team's admins.
rules.add_perm("procurement.view_flags", is_region_member)
rules.add_perm("procurement.review_flags", is_procurement_officer | is_programme_admin)
rules.add_perm("fund.view_fund", is_region_member)
rules.add_perm("fund.manage_fund", is_fund_manager)


def person_of(request: Any) -> Person:
    """The signed-in person of a request (views guarded by login_required only)."""
    user = request.user
    if not isinstance(user, Person):
        raise TypeError("person_of needs a signed-in request; guard the view with login_required")
    return user


def can(person: Any, permission: str, obj: Any = None) -> bool:
    """True if ``person`` holds ``permission`` (on ``obj``); the public holds none."""
    return bool(rules.has_perm(permission, person, obj))
