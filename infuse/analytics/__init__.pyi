"""Types of the analytics layer's public names; ``__init__.py`` loads each module on first use."""

from .connection import open_confined, open_duckdb
from .engine import EngineError, connect, read_parquet, spark_unavailable_reason
from .indicators.expressions import (
    compute_indicator,
    compute_indicator_from_parquet,
    council_values,
    indicator_expression,
)
from .indicators.spec import (
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
from .indicators.validation import validate_spec
from .profile import (
    ColumnProfile,
    HistogramBin,
    TableProfile,
    ValueCount,
    profile_parquet,
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
    "council_values",
    "indicator_expression",
    "open_confined",
    "open_duckdb",
    "profile_parquet",
    "read_parquet",
    "spark_unavailable_reason",
    "validate_spec",
]
