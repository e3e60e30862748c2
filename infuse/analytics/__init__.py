"""The analytics layer: aggregations written once as Ibis expressions.

DuckDB runs them in-process over Parquet files by default; the same expressions run on Spark.
This package imports nothing from Django or the rest of InFuSe, so services and background
tasks can call it and it can be tested alone.
"""

from infuse.analytics.engine import EngineError, connect, read_parquet, spark_unavailable_reason
from infuse.analytics.indicators.expressions import (
    compute_indicator,
    compute_indicator_from_parquet,
    indicator_expression,
)
from infuse.analytics.indicators.spec import (
    Aggregation,
    Condition,
    IndicatorSpec,
    IndicatorSpecError,
    Measure,
    Operator,
    Period,
    PeriodGrain,
    Polarity,
    PopulationDenominator,
    SpecProblem,
    Unit,
)
from infuse.analytics.indicators.validation import validate_spec
from infuse.analytics.profile import (
    ColumnProfile,
    HistogramBin,
    TableProfile,
    ValueCount,
    profile_parquet,
    profile_table,
)

__all__ = [
    "Aggregation",
    "ColumnProfile",
    "Condition",
    "EngineError",
    "HistogramBin",
    "IndicatorSpec",
    "IndicatorSpecError",
    "Measure",
    "Operator",
    "Period",
    "PeriodGrain",
    "Polarity",
    "PopulationDenominator",
    "SpecProblem",
    "TableProfile",
    "Unit",
    "ValueCount",
    "compute_indicator",
    "compute_indicator_from_parquet",
    "connect",
    "indicator_expression",
    "profile_parquet",
    "profile_table",
    "read_parquet",
    "spark_unavailable_reason",
    "validate_spec",
]
