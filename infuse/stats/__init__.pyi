"""Types of the engine's public names; ``__init__.py`` loads each module on first use."""

from .estimation.binary import binary_effect, binary_effect_from_counts
from .estimation.cluster import cluster_randomised_effect
from .estimation.covariate_adjustment import (
    cuped_effect,
    cuped_from_summary,
    lin_adjusted_effect,
)
from .estimation.heterogeneity import HeterogeneityResult, subgroup_heterogeneity
from .estimation.means import (
    ArmSummary,
    difference_in_means,
    difference_in_means_from_summary,
)
from .estimation.meta_analysis import (
    MetaAnalysisResult,
    TauMethod,
    random_effects_meta_analysis,
)
from .estimation.multiplicity import adjust_p_values
from .estimation.sample_ratio import SampleRatioResult, sample_ratio_mismatch
from .estimation.stepped_wedge import stepped_wedge_effect
from .inference import (
    RandomisationResult,
    count_assignments,
    difference_in_means_statistic,
    random_subsets,
    randomisation_test,
    regression_adjusted_statistic,
)
from .intervals import (
    FUNNEL_LEVELS,
    ComparisonResult,
    FunnelClassification,
    FunnelLimits,
    FunnelMethod,
    IndicatorInterval,
    IntervalInputError,
    PoissonMethod,
    Polarity,
    classify_against_funnel,
    compare_with_benchmark,
    funnel_limits_poisson,
    funnel_limits_proportion,
    poisson_interval,
    rate_interval,
    wilson_interval,
)
from .power.cluster import (
    cluster_design_effect,
    power_cluster_means,
    power_cluster_proportions,
)
from .power.historical import PlaceboPowerResult, default_effects, placebo_power
from .power.result import PowerResult
from .power.simulated_designs import (
    ClusterBinaryDesign,
    ClusterContinuousDesign,
    IndividualBinaryDesign,
    IndividualContinuousDesign,
    SteppedWedgeDesign,
    stepped_wedge_fixed_effects_batch,
    stepped_wedge_gls_batch,
)
from .power.simulation import (
    CustomDesign,
    SimulatedPowerResult,
    SimulationDesign,
    simulate_power,
)
from .power.stepped_wedge import (
    SteppedWedgeSchedule,
    power_stepped_wedge,
    stepped_wedge_schedule,
    stepped_wedge_variance,
)
from .power.two_arm import power_two_means, power_two_proportions
from .quasi.callaway_santanna import CallawaySantAnnaResult, callaway_santanna
from .quasi.did import did_2x2, twfe_did
from .quasi.event_study import EventStudyResult, event_study
from .quasi.its import (
    ComparativeInterruptedTimeSeriesResult,
    InterruptedTimeSeriesResult,
    comparative_interrupted_time_series,
    interrupted_time_series,
    newey_west_covariance,
    newey_west_default_lags,
)
from .quasi.sun_abraham import SunAbrahamResult, sun_abraham
from .quasi.synthetic_control import (
    SyntheticControlResult,
    simplex_weights,
    synthetic_control,
)
from .randomisation.balance import BalanceRow, BalanceTable, balance_table
from .randomisation.clusters import (
    assignment_for_units,
    randomise_clusters,
    randomise_stepped_wedge,
)
from .randomisation.individual import (
    randomise_blocked,
    randomise_complete,
    randomise_simple,
)
from .randomisation.records import (
    AllocationResult,
    RerandomisationCriterion,
    allocation_digest,
    inputs_digest,
)
from .randomisation.stratified import (
    randomise_stratified,
    randomise_stratified_clusters,
)
from .randomisation.verify import verify_allocation
from .regression.ols import SE_TYPES, OLSFit, SEType, coefficient_result, fit_ols
from .regression.wild_bootstrap import WildBootstrapResult, wild_cluster_bootstrap
from .results import EstimateResult, StatWarning, json_ready
from .serialisation import RESULT_TYPES, from_json, to_json
from .trends import (
    TrendDirection,
    TrendTest,
    proportion_trend_test,
    weighted_trend_test,
)

__all__ = [
    "FUNNEL_LEVELS",
    "RESULT_TYPES",
    "SE_TYPES",
    "AllocationResult",
    "ArmSummary",
    "BalanceRow",
    "BalanceTable",
    "CallawaySantAnnaResult",
    "ClusterBinaryDesign",
    "ClusterContinuousDesign",
    "ComparativeInterruptedTimeSeriesResult",
    "ComparisonResult",
    "CustomDesign",
    "EstimateResult",
    "EventStudyResult",
    "FunnelClassification",
    "FunnelLimits",
    "FunnelMethod",
    "HeterogeneityResult",
    "IndicatorInterval",
    "IndividualBinaryDesign",
    "IndividualContinuousDesign",
    "InterruptedTimeSeriesResult",
    "IntervalInputError",
    "MetaAnalysisResult",
    "OLSFit",
    "PlaceboPowerResult",
    "PoissonMethod",
    "Polarity",
    "PowerResult",
    "RandomisationResult",
    "RerandomisationCriterion",
    "SEType",
    "SampleRatioResult",
    "SimulatedPowerResult",
    "SimulationDesign",
    "StatWarning",
    "SteppedWedgeDesign",
    "SteppedWedgeSchedule",
    "SunAbrahamResult",
    "SyntheticControlResult",
    "TauMethod",
    "TrendDirection",
    "TrendTest",
    "WildBootstrapResult",
    "adjust_p_values",
    "allocation_digest",
    "assignment_for_units",
    "balance_table",
    "binary_effect",
    "binary_effect_from_counts",
    "callaway_santanna",
    "classify_against_funnel",
    "cluster_design_effect",
    "cluster_randomised_effect",
    "coefficient_result",
    "comparative_interrupted_time_series",
    "compare_with_benchmark",
    "count_assignments",
    "cuped_effect",
    "cuped_from_summary",
    "default_effects",
    "did_2x2",
    "difference_in_means",
    "difference_in_means_from_summary",
    "difference_in_means_statistic",
    "event_study",
    "fit_ols",
    "from_json",
    "funnel_limits_poisson",
    "funnel_limits_proportion",
    "inputs_digest",
    "interrupted_time_series",
    "json_ready",
    "lin_adjusted_effect",
    "newey_west_covariance",
    "newey_west_default_lags",
    "placebo_power",
    "poisson_interval",
    "power_cluster_means",
    "power_cluster_proportions",
    "power_stepped_wedge",
    "power_two_means",
    "power_two_proportions",
    "proportion_trend_test",
    "random_effects_meta_analysis",
    "random_subsets",
    "randomisation_test",
    "randomise_blocked",
    "randomise_clusters",
    "randomise_complete",
    "randomise_simple",
    "randomise_stepped_wedge",
    "randomise_stratified",
    "randomise_stratified_clusters",
    "rate_interval",
    "regression_adjusted_statistic",
    "sample_ratio_mismatch",
    "simplex_weights",
    "simulate_power",
    "stepped_wedge_effect",
    "stepped_wedge_fixed_effects_batch",
    "stepped_wedge_gls_batch",
    "stepped_wedge_schedule",
    "stepped_wedge_variance",
    "subgroup_heterogeneity",
    "sun_abraham",
    "synthetic_control",
    "to_json",
    "twfe_did",
    "verify_allocation",
    "weighted_trend_test",
    "wild_cluster_bootstrap",
    "wilson_interval",
]
