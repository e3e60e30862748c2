"""The analysis frame of a randomised experiment: the outcome rows, mapped and matched to the
allocation.

Input: the outcome rows (a pandas frame with the mapped columns), the mapping (which column
holds what), the design, and the engine's allocation (units, arms, and for a stepped wedge the
schedule). Output: ``y`` (the primary outcome), ``s0, s1, …`` (secondaries), ``treatment``
(0/1), and ``cluster``, ``period`` and ``unit`` where the design has them. A mapping the data
cannot follow raises :class:`~infuse.adaption.registry.outcome_data.MappingError` with the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from infuse import stats
from infuse.adaption.models import COUNCIL_UNITS, Design
from infuse.adaption.registry.outcome_data import MappingError
from infuse.core import lazy
from infuse.core.councils import council_lookup, resolve_council

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy.module("pandas")

NO_COLUMN = gettext_noop("The data has no column ‘%(column)s’")


def _check_columns(frame: pd.DataFrame, mapping: Mapping[str, Any]) -> None:
    columns = set(frame.columns)
    for key in ("outcome", "unit", "cluster", "period", "arm"):
        name = mapping.get(key)
        if name and name not in columns:
            raise MappingError(key, NO_COLUMN, {"column": name})
    for name in [*mapping.get("secondary", []), *mapping.get("covariates", [])]:
        if name not in columns:
            raise MappingError("secondary", NO_COLUMN, {"column": name})
    if not mapping.get("outcome"):
        raise MappingError("outcome", gettext_noop("Choose the column with the primary outcome"))


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


def _councils(
    frame: pd.DataFrame, mapping: Mapping[str, Any], lookup: Any, unit_ids: list[str]
) -> pd.Series:
    """Each row's council (GSS code), read from the names people write; all randomised."""
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
    outside = sorted(set(resolved) - set(unit_ids))
    if outside:
        raise MappingError(
            "cluster",
            gettext_noop("The data has councils that were not randomised: %(values)s"),
            {"values": ", ".join(outside)},
        )
    return resolved


def _wedge_exposure(
    frame: pd.DataFrame,
    mapping: Mapping[str, Any],
    data: pd.DataFrame,
    allocation: stats.AllocationResult,
    unit_ids: list[str],
) -> None:
    """A stepped wedge: each council-period row is treated when the schedule says so."""
    if not mapping.get("period"):
        raise MappingError("period", gettext_noop("Choose the column with the period of each row"))
    periods = sorted(frame[mapping["period"]].astype(str).unique())
    schedule = allocation.schedule or ()
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


def _unit_arms(
    frame: pd.DataFrame,
    mapping: Mapping[str, Any],
    data: pd.DataFrame,
    assignment: Mapping[str, str],
    lookup: Any,
) -> None:
    """Individual designs: the arm from the arm column, or each unit's allocated arm."""
    if mapping.get("arm"):
        data["treatment"] = _treatment_from_arms(frame[mapping["arm"]])
    else:
        if not mapping.get("unit"):
            raise MappingError(
                "unit", gettext_noop("Choose the column of unit identifiers (or the arm column)")
            )
        units = frame[mapping["unit"]].astype(str)
        missing = sorted(set(units) - set(assignment))[:5]
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


def prepare(
    frame: pd.DataFrame,
    mapping: Mapping[str, Any],
    *,
    design: str,
    allocation: stats.AllocationResult,
    councils: Sequence[tuple[str, str, str]],
) -> pd.DataFrame:
    """The analysis frame: y (primary), secondaries, treatment (0/1), cluster, period."""
    _check_columns(frame, mapping)
    data = pd.DataFrame(index=frame.index)
    data["y"] = pd.to_numeric(frame[mapping["outcome"]], errors="coerce")
    for i, name in enumerate(mapping.get("secondary", [])):
        data[f"s{i}"] = pd.to_numeric(frame[name], errors="coerce")
    unit_ids = [str(u) for u in allocation.unit_ids]
    assignment = dict(zip(unit_ids, allocation.assignment, strict=True))
    lookup = council_lookup(councils)
    if design not in COUNCIL_UNITS:
        _unit_arms(frame, mapping, data, assignment, lookup)
        return data
    data["cluster"] = _councils(frame, mapping, lookup, unit_ids)
    if design == Design.STEPPED_WEDGE:
        _wedge_exposure(frame, mapping, data, allocation, unit_ids)
    else:
        data["treatment"] = [1 if assignment[c] == "treatment" else 0 for c in data["cluster"]]
    return data
