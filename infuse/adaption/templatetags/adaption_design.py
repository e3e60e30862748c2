"""The experiment page shows what each step's slice keeps; the design's part comes from here,
so the registry's page reads the design without the registry importing the design slice."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infuse.adaption.design.stored import StoredDesign
from infuse.adaption.models import Design, Experiment

register = template.Library()


@register.simple_tag
def stored_design(experiment: Experiment) -> StoredDesign:
    """``{% stored_design experiment as design %}``: the experiment's design, typed."""
    return StoredDesign.of(experiment)


# What the engine's power calculations are called, in words (the page never shows the code).
POWER_METHODS = {
    "two_means_t": _("t-test comparing two means"),
    "two_proportions_z": _("z-test comparing two proportions"),
    "cluster_means_t": _("t-test of means, allowing for clustering"),
    "cluster_proportions_t": _("t-test of proportions, allowing for clustering"),
    "stepped_wedge_hussey_hughes": _("Hussey and Hughes's model of a stepped-wedge roll-out"),
}
# The sizes the engine solves for, in words.
SIZES = {
    "n_control": _("Units in the control group"),
    "n_treatment": _("Units in the intervention group"),
    "n_clusters_per_arm": _("Clusters in each arm"),
    "cluster_size": _("Units in each cluster"),
    "n_clusters": _("Clusters"),
    "cluster_period_size": _("Units in each cluster in each period"),
}


@register.filter
def power_method(code: str) -> str:
    """``{{ result.method|power_method }}``: a power calculation's method by name (a plan
    from past data is named by its design)."""
    if code in POWER_METHODS:
        return str(POWER_METHODS[code])
    if code in Design.values:
        return str(Design(code).label)
    return gettext("a method this page cannot name")


@register.filter
def size_name(code: str) -> str:
    """``{{ name|size_name }}``: which size a number is, in words."""
    return str(SIZES.get(code, gettext("Size")))
