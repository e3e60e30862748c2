"""The statistical engine's method codes in words, for every page, report and message.

The engine (``infuse.stats``) names each result's method by a stable code
(``stepped_wedge_cluster_period_means``); people read what was done. Every code the engine can
return has its words here — power calculations, estimators and randomisation recipes — and a
test reads the engine's source and fails on a code without them.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from infuse.adaption.models import Design

POWER_METHODS: dict[str, Promise] = {
    "two_means_t": _("t-test comparing two means"),
    "two_proportions_z": _("z-test comparing two proportions"),
    "cluster_means_t": _("t-test of means, allowing for clustering"),
    "cluster_proportions_t": _("t-test of proportions, allowing for clustering"),
    "stepped_wedge_hussey_hughes": _("Hussey and Hughes's model of a stepped-wedge roll-out"),
}

ESTIMATORS: dict[str, Promise] = {
    "welch_difference_in_means": _("Difference in means (Welch's standard error)"),
    "classical_difference_in_means": _("Difference in means (pooled standard error)"),
    "subgroup_difference_in_means": _("Difference in means within each subgroup"),
    "lin_interacted_regression": _("Regression adjusted for baseline covariates (Lin's method)"),
    "cuped": _("Difference in means adjusted for the pre-period (CUPED)"),
    "cuped_from_summary": _("Difference in means adjusted for the pre-period (CUPED)"),
    "katz_log_risk_ratio": _("Risk ratio (Katz's log method)"),
    "woolf_log_odds_ratio": _("Odds ratio (Woolf's log method)"),
    "cluster_robust_regression_cr2": _(
        "Regression with cluster-robust standard errors (CR2, small-sample corrected)"
    ),
    "stepped_wedge_cluster_period_means": _(
        "Stepped-wedge model of council-period means, adjusted for time"
    ),
    "stepped_wedge_mixed_model": _("Stepped-wedge mixed model, adjusted for time"),
    "did_2x2": _("Difference in differences (before and after, two groups)"),
    "did_twfe": _("Difference in differences (two-way fixed effects)"),
    "event_study_twfe": _("Event study (two-way fixed effects)"),
    "callaway_santanna": _(
        "Difference in differences for staggered starts (Callaway and Sant'Anna)"
    ),
    "sun_abraham": _("Event study for staggered starts (Sun and Abraham)"),
    "synthetic_control": _("Synthetic control"),
    "interrupted_time_series_newey_west": _("Interrupted time series (Newey–West errors)"),
    "comparative_interrupted_time_series_newey_west": _(
        "Comparative interrupted time series (Newey–West errors)"
    ),
}

RANDOMISATIONS: dict[str, Promise] = {
    "simple": _("Simple randomisation (a coin toss for each unit)"),
    "complete": _("Complete randomisation (fixed numbers in each arm)"),
    "blocked": _("Randomisation in permuted blocks"),
    "stratified": _("Stratified randomisation"),
    "cluster": _("Cluster randomisation"),
    "stratified_cluster": _("Stratified cluster randomisation"),
    "stepped_wedge": _("Randomised order of a stepped-wedge roll-out"),
}

# The sizes the engine solves for.
SIZES: dict[str, Promise] = {
    "n_control": _("Units in the control group"),
    "n_treatment": _("Units in the intervention group"),
    "n_clusters_per_arm": _("Clusters in each arm"),
    "cluster_size": _("Units in each cluster"),
    "n_clusters": _("Clusters"),
    "cluster_period_size": _("Units in each cluster in each period"),
}

UNNAMED = _("a method this page cannot name")


def method_name(code: str) -> str:
    """Any method code of the engine (power, estimate, randomisation, or a design), in words."""
    for table in (POWER_METHODS, ESTIMATORS, RANDOMISATIONS):
        if code in table:
            return str(table[code])
    if code in Design.values:
        return str(Design(code).label)
    return str(UNNAMED)


def size_name(code: str) -> str:
    """Which size a number is, in words."""
    return str(SIZES.get(code, gettext("Size")))


ARMS: dict[str, Promise] = {
    "control": _("Control"),
    "treatment": _("Treatment"),
}


def arm_name(code: str) -> str:
    """An arm's label in words: ``control``, ``treatment``, or a stepped wedge's ``step_3``."""
    if code in ARMS:
        return str(ARMS[code])
    prefix, _sep, number = str(code).partition("_")
    if prefix == "step" and number.isdigit():
        return gettext("Step %(number)s") % {"number": number}
    return str(code)
