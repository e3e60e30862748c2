"""The registered analysis of an experiment's outcome data, design by design, via the engine.

Input: the outcome rows (a pandas frame with the mapped columns), the design, and the
allocation (units, arms, and for a stepped wedge each council's step and the schedule).
Output: one JSON-ready dict the results page, the API and the report read — the primary
effect, secondary effects with Holm-adjusted p-values, effects by council, a CONSORT-style
flow, the sample-ratio check and the randomisation-inference p-value. Mapping problems are
raised as :class:`MappingError` with a field and a bilingual message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from infuse.adaption.models import COUNCIL_UNITS, Design
from infuse.core.councils import council_lookup, resolve_council
from infuse.stats import (
    adjust_p_values,
    cluster_randomised_effect,
    difference_in_means,
    inference,
    interrupted_time_series,
    sample_ratio_mismatch,
    stepped_wedge_effect,
    synthetic_control,
    twfe_did,
)
from infuse.stats.results import json_ready

PERMUTATIONS = 2_000  # randomisation inference: exact when fewer assignments exist


@dataclass
class MappingError(Exception):
    """A mapping the data cannot follow. ``message`` is the untranslated text (with
    ``%(name)s`` placeholders filled from ``params``), translated when it is shown."""

    field: str
    message: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def text(self) -> str:
        return _(self.message) % self.params if self.params else _(self.message)


def _estimate(result: Any) -> dict[str, Any]:
    data = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    keep = (
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
    out = {k: data.get(k) for k in keep}
    out["warnings"] = [
        w["code"] if isinstance(w, dict) else w.code for w in data.get("warnings", [])
    ]
    return json_ready(out)


def _treatment_from_arms(arms: pd.Series) -> pd.Series:
    labels = arms.astype(str).str.strip().str.lower()
    unknown = sorted(set(labels) - {"treatment", "control"})
    if unknown:
        raise MappingError(
            "arm",
            gettext_noop(
                "The arm column holds values other than treatment and control: %(values)s"
            ),
            {"values": ", ".join(unknown[:5])},
        )
    return (labels == "treatment").astype(int)


def prepare(
    frame: pd.DataFrame,
    mapping: Mapping[str, Any],
    *,
    design: str,
    allocation: Mapping[str, Any],
    councils: Sequence[tuple[str, str, str]],
) -> pd.DataFrame:
    """The analysis frame: y (primary), secondaries, treatment (0/1), cluster, period."""
    columns = set(frame.columns)
    for key in ("outcome", "unit", "cluster", "period", "arm"):
        name = mapping.get(key)
        if name and name not in columns:
            raise MappingError(
                key, gettext_noop("The data has no column ‘%(column)s’"), {"column": name}
            )
    for name in [*mapping.get("secondary", []), *mapping.get("covariates", [])]:
        if name not in columns:
            raise MappingError(
                "secondary", gettext_noop("The data has no column ‘%(column)s’"), {"column": name}
            )
    if not mapping.get("outcome"):
        raise MappingError("outcome", gettext_noop("Choose the column with the primary outcome"))
    data = pd.DataFrame(index=frame.index)
    data["y"] = pd.to_numeric(frame[mapping["outcome"]], errors="coerce")
    for i, name in enumerate(mapping.get("secondary", [])):
        data[f"s{i}"] = pd.to_numeric(frame[name], errors="coerce")
    unit_ids = [str(u) for u in allocation["unit_ids"]]
    assignment = dict(zip(unit_ids, allocation["assignment"], strict=True))
    lookup = council_lookup(councils)
    if design in COUNCIL_UNITS:
        if not mapping.get("cluster"):
            raise MappingError(
                "cluster", gettext_noop("Choose the column that names each row's council")
            )
        resolved = frame[mapping["cluster"]].map(lambda v: resolve_council(v, lookup))
        if resolved.isna().any():
            bad = sorted({str(v) for v in frame.loc[resolved.isna(), mapping["cluster"]]})[:5]
            raise MappingError(
                "cluster",
                gettext_noop("These values are not councils in the experiment: %(values)s"),
                {"values": ", ".join(bad)},
            )
        data["cluster"] = resolved
        outside = sorted(set(resolved) - set(unit_ids))
        if outside:
            raise MappingError(
                "cluster",
                gettext_noop("The data has councils that were not randomised: %(values)s"),
                {"values": ", ".join(outside)},
            )
        if design == Design.STEPPED_WEDGE:
            if not mapping.get("period"):
                raise MappingError(
                    "period", gettext_noop("Choose the column with the period of each row")
                )
            periods = sorted(frame[mapping["period"]].astype(str).unique())
            schedule = allocation.get("schedule") or []
            if schedule and len(periods) > len(schedule[0]):
                raise MappingError(
                    "period",
                    gettext_noop("The data has %(found)s periods but the schedule has %(planned)s"),
                    {"found": len(periods), "planned": len(schedule[0])},
                )
            index = {p: i for i, p in enumerate(periods)}
            rows = dict(zip(unit_ids, schedule, strict=False))
            data["period"] = frame[mapping["period"]].astype(str)
            data["treatment"] = [
                int(rows[c][index[p]]) for c, p in zip(data["cluster"], data["period"], strict=True)
            ]
        else:
            data["treatment"] = [1 if assignment[c] == "treatment" else 0 for c in data["cluster"]]
    else:
        if mapping.get("arm"):
            data["treatment"] = _treatment_from_arms(frame[mapping["arm"]])
        else:
            if not mapping.get("unit"):
                raise MappingError(
                    "unit",
                    gettext_noop("Choose the column of unit identifiers (or the arm column)"),
                )
            units = frame[mapping["unit"]].astype(str)
            missing = sorted(set(units) - set(unit_ids))[:5]
            if missing:
                raise MappingError(
                    "unit",
                    gettext_noop("These units were not randomised: %(values)s"),
                    {"values": ", ".join(missing)},
                )
            data["treatment"] = [1 if assignment[u] == "treatment" else 0 for u in units]
            data["unit"] = units
        if mapping.get("cluster"):
            data["cluster"] = frame[mapping["cluster"]].map(
                lambda v: resolve_council(v, lookup) or str(v)
            )
    return data


def _effect(design: str, data: pd.DataFrame, column: str, seed: int) -> dict[str, Any]:
    rows = data[data[column].notna()]
    y = rows[column].to_numpy(dtype=float)
    z = rows["treatment"].to_numpy(dtype=int)
    if design == Design.STEPPED_WEDGE:
        return _estimate(
            stepped_wedge_effect(y, z, rows["cluster"].to_numpy(), rows["period"].to_numpy())
        )
    if design == Design.CLUSTER_RCT:
        return _estimate(
            cluster_randomised_effect(
                y, z, rows["cluster"].to_numpy(), n_permutations=PERMUTATIONS, seed=seed
            )
        )
    return _estimate(difference_in_means(y, z))


def _randomisation_p(design: str, data: pd.DataFrame, seed: int) -> float | None:
    rows = data[data["y"].notna()]
    if design == Design.STEPPED_WEDGE or len(rows) < 4:
        return None
    clusters = rows["cluster"].to_numpy() if design == Design.CLUSTER_RCT else None
    result = inference.randomisation_test(
        rows["y"].to_numpy(dtype=float),
        rows["treatment"].to_numpy(dtype=int),
        design="cluster" if clusters is not None else "complete",
        clusters=clusters,
        n_permutations=PERMUTATIONS,
        seed=seed,
    )
    value = float(result.p_value)
    return value if math.isfinite(value) else None


def _by_council(design: str, data: pd.DataFrame, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """Effects within each council (exploratory): individual designs and stepped wedges."""
    if "cluster" not in data or design == Design.CLUSTER_RCT:
        return []
    rows = []
    for council, group in data[data["y"].notna()].groupby("cluster", sort=True):
        arms = group["treatment"].value_counts()
        if arms.get(0, 0) < 2 or arms.get(1, 0) < 2:
            continue
        effect = _estimate(
            difference_in_means(group["y"].to_numpy(float), group["treatment"].to_numpy(int))
        )
        rows.append(
            {"council": str(council), "name": names.get(str(council), str(council)), **effect}
        )
    return rows


def _flow(design: str, data: pd.DataFrame, allocation: Mapping[str, Any]) -> dict[str, Any]:
    """CONSORT-style counts per arm: allocated, with data, lost (no outcome), analysed."""
    allocated = dict(allocation.get("counts") or {})
    flow: dict[str, Any] = {"unit": "council" if design in COUNCIL_UNITS else "unit", "arms": []}
    # In a stepped wedge every council is in both conditions, one period after another: the
    # flow counts council-period rows per condition rather than allocated units.
    for label, code in (("control", 0), ("treatment", 1)):
        group = data[data["treatment"] == code]
        analysed = int(group["y"].notna().sum())
        flow["arms"].append(
            {
                "arm": label,
                "allocated": int(allocated.get(label, 0))
                if design != Design.STEPPED_WEDGE
                else None,
                "received": len(group),
                "lost": int(len(group) - analysed),
                "analysed": analysed,
            }
        )
    return flow


def analyse(
    data: pd.DataFrame,
    *,
    design: str,
    mapping: Mapping[str, Any],
    allocation: Mapping[str, Any],
    council_names: Mapping[str, str],
    seed: int,
) -> dict[str, Any]:
    """Run the analysis; returns the JSON-ready result the pages show."""
    if data["y"].notna().sum() < 4:
        raise MappingError(
            "outcome", gettext_noop("Fewer than four rows have an outcome: nothing to analyse")
        )
    if data.loc[data["y"].notna(), "treatment"].nunique() < 2:
        raise MappingError("arm", gettext_noop("All the rows with an outcome are in one arm"))
    primary = _effect(design, data, "y", seed)
    secondaries = []
    for i, name in enumerate(mapping.get("secondary", [])):
        try:
            effect = _effect(design, data, f"s{i}", seed)
        except (ValueError, np.linalg.LinAlgError):
            continue
        secondaries.append({"name": name, **effect})
    if secondaries:
        adjusted = adjust_p_values([s["p_value"] for s in secondaries], method="holm")
        for row, p in zip(secondaries, adjusted, strict=True):
            row["p_adjusted"] = float(p)
    flow = _flow(design, data, allocation)
    srm = None
    if design not in COUNCIL_UNITS:
        counts = [arm["received"] for arm in flow["arms"]]
        if all(counts):
            check = sample_ratio_mismatch(counts, [1, 1])
            srm = json_ready(
                {"p_value": check.p_value, "mismatch": bool(check.mismatch), "counts": counts}
            )
    return json_ready(
        {
            "design": design,
            "outcome": mapping["outcome"],
            "primary": primary,
            "randomisation_p": _randomisation_p(design, data, seed),
            "secondary": secondaries,
            "by_council": _by_council(design, data, council_names),
            "flow": flow,
            "sample_ratio": srm,
            "rows": len(data),
        }
    )


QUASI = frozenset(
    {Design.DIFFERENCE_IN_DIFFERENCES, Design.INTERRUPTED_TIME_SERIES, Design.SYNTHETIC_CONTROL}
)


def analyse_quasi(
    frame: pd.DataFrame,
    *,
    design: str,
    mapping: Mapping[str, Any],
    treated: Sequence[str],
    councils: Sequence[tuple[str, str, str]],
) -> dict[str, Any]:
    """Quasi-experimental designs, where nothing was randomised: the experiment's councils are
    treated from ``mapping["start"]`` (a period number); councils in the data that are not in
    the experiment are the comparison. DiD: two-way fixed effects, CR2 by council. ITS:
    segmented regression of the treated councils' mean, Newey-West errors, the level change.
    Synthetic control: the first treated council against a weighted mix of the others, with
    the in-space placebo p-value."""
    for key in ("outcome", "cluster", "period"):
        name = mapping.get(key)
        if not name:
            raise MappingError(
                key, gettext_noop("Choose the columns of the outcome, the council and the period")
            )
        if name not in frame.columns:
            raise MappingError(
                key, gettext_noop("The data has no column ‘%(column)s’"), {"column": name}
            )
    try:
        start = float(mapping.get("start", ""))
    except ValueError:
        raise MappingError(
            "start", gettext_noop("Give the first period of the intervention as a number")
        ) from None
    lookup = council_lookup(councils)
    data = pd.DataFrame(
        {
            "council": frame[mapping["cluster"]].map(lambda v: resolve_council(v, lookup)),
            "time": pd.to_numeric(frame[mapping["period"]], errors="coerce"),
            "y": pd.to_numeric(frame[mapping["outcome"]], errors="coerce"),
        }
    ).dropna()
    if data.empty:
        raise MappingError(
            "period", gettext_noop("No rows have a council, a numeric period and an outcome")
        )
    treated_set = set(treated)
    data["treated"] = data["council"].isin(treated_set).astype(int)
    if not data["treated"].any():
        raise MappingError(
            "cluster", gettext_noop("None of the experiment's councils is in the data")
        )
    data["D"] = ((data["treated"] == 1) & (data["time"] >= start)).astype(int)
    comparison = sorted(set(data["council"]) - treated_set)
    if design == Design.INTERRUPTED_TIME_SERIES:
        series = data[data["treated"] == 1].groupby("time", as_index=False)["y"].mean()
        fitted = interrupted_time_series(
            series["y"].to_numpy(float), series["time"].to_numpy(float), interruption=start
        )
        primary = _estimate(fitted.level_change)
        extra: dict[str, Any] = {
            "slope_change": _estimate(fitted.slope_change) if fitted.slope_change else None
        }
    else:
        if not comparison:
            raise MappingError(
                "cluster",
                gettext_noop("The data needs councils outside the experiment to compare with"),
            )
        if design == Design.SYNTHETIC_CONTROL:
            fitted_sc = synthetic_control(
                data,
                unit="council",
                time="time",
                outcome="y",
                treated_unit=sorted(treated_set & set(data["council"]))[0],
                intervention_time=start,
                # The other experiment councils are treated too: never donors.
                donors=comparison,
            )
            primary = _estimate(fitted_sc.effect)
            extra = {"weights": fitted_sc.weights, "pre_rmspe": fitted_sc.pre_rmspe}
        else:
            primary = _estimate(
                twfe_did(data, unit="council", time="time", outcome="y", treatment="D")
            )
            extra = {}
    counts = data.groupby("treated")["council"].nunique().to_dict()
    return json_ready(
        {
            "design": design,
            "outcome": mapping["outcome"],
            "primary": primary,
            "randomisation_p": None,
            "secondary": [],
            "by_council": [],
            "flow": {
                "unit": "council",
                "arms": [
                    {
                        "arm": label,
                        "allocated": int(counts.get(code, 0)),
                        "received": int((data["treated"] == code).sum()),
                        "lost": 0,
                        "analysed": int((data["treated"] == code).sum()),
                    }
                    for label, code in (("control", 0), ("treatment", 1))
                ],
            },
            "sample_ratio": None,
            "rows": len(data),
            "quasi": {"start": start, "comparison": comparison, **extra},
        }
    )
