"""How the analysis keeps the engine's estimates with its result.

The analysis result (stored on ``AnalysisRun.result``) is one JSON document: the design, the
outcome analysed, the primary effect, secondary effects with Holm-adjusted p-values, effects by
council, a CONSORT-style flow, the sample-ratio check and the randomisation-inference p-value.
Each effect is kept in one shape whatever estimator made it, so pages, the API and the report
read them alike.
"""

from __future__ import annotations

from typing import Any

from infuse import stats

# What is kept of each estimate (warnings as their codes, which pages translate).
KEPT = (
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "method",
    "n_units",
    "n_clusters",
    "df",
)


def stored_estimate(result: Any) -> dict[str, Any]:
    """An engine estimate (an ``EstimateResult``) as the analysis result keeps it."""
    data = result.to_dict()
    kept = {name: data.get(name) for name in KEPT}
    kept["warnings"] = [warning["code"] for warning in data.get("warnings", [])]
    result_json: dict[str, Any] = stats.json_ready(kept)
    return result_json
