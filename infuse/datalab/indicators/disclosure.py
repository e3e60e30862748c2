"""Statistical disclosure control for tables of counts before they are published.

Why: the Data Lab publishes counts by council, ward, age band or service. A small count (say
two people in a ward who used a service) can identify people, so before a table becomes public
(pages, exports, the API) small counts are suppressed, and enough other cells are suppressed
too that no hidden value can be worked out from the published totals. The alternative,
rounding every count to a multiple of 5, is offered as well (the Office for National Statistics
and StatsWales use both).

Methods (see the ONS "Statistical disclosure control" guidance and Hundepool et al. 2012,
"Statistical Disclosure Control", Wiley, ch. 4 and 5):

- primary suppression: a count from 1 up to ``threshold - 1`` (1-4 by default) is hidden;
  zero is hidden too when ``suppress_zero`` is set (a zero can disclose that *nobody* in a group
  has an attribute). Totals are cells like any other: a small total is hidden.
- secondary (complementary) suppression: every published total is a linear equation on the
  cells of its row or column. A hidden cell is recoverable exactly when its unit vector lies in
  the row space of those equations restricted to the hidden cells (for row and column sums: when
  it is a "bridge" of the pattern of hidden cells). The classic rule "every row and column with a
  hidden cell has at least two" stops subtraction within one line, but not elimination across
  lines, so after applying that rule greedily (complements with the smallest values, preferring
  inner cells to totals and non-zero cells to zeros) the pattern is audited with linear algebra
  and further complements are added until no hidden cell is determined. This defeats any attack
  by linear equations on the published margins; it does not guarantee a minimum width of the
  interval an intruder can place a hidden value in (no "protection level" is imposed).
- rounding to base 5: conventional (to the nearest multiple; remainders of half the base or more
  go up) or unbiased random rounding (up with probability remainder / base), seeded so that the
  same table always publishes the same way. Totals are rounded independently, so a rounded
  table need not add up (ONS practice).

Pure: pandas and numpy only, no Django, so services and background tasks can call it.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from infuse.core import lazy
from infuse.datalab.indicators.suppression import (
    ComplementChoice,
    exposed_cells,
    margin_equations,
    secondary_suppression,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    from numpy.typing import NDArray

    from infuse.datalab.indicators.suppression import BoolArray, IntArray
else:
    np = lazy.module("numpy")
    pd = lazy.module("pandas")

__all__ = [
    "ComplementChoice",
    "DisclosureInputError",
    "DisclosurePolicy",
    "ProtectedTable",
    "RoundingMethod",
    "find_recoverable_cells",
    "protect_table",
    "round_to_base",
    "suppress_small_counts",
]

RoundingMethod = Literal["none", "conventional", "random"]

PRIMARY = "primary"
SECONDARY = "secondary"


class DisclosureInputError(ValueError):
    """A table that cannot be protected as given (a user can cause it with a bad dataset).

    ``key`` is stable for translation (e.g. ``"disclosure.negative-count"``); ``params`` holds
    the first problem's row, column and value; ``problems`` lists every problem found.
    """

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        super().__init__(first["message"])
        self.key: str = first["key"]
        self.params: dict[str, Any] = dict(first["params"])
        self.problems = problems


@dataclass(frozen=True, slots=True)
class DisclosurePolicy:
    """How a table is made safe to publish.

    ``threshold``: counts from 1 to ``threshold - 1`` are suppressed (fewer than 5 by default);
    ``suppress_zero``: suppress zeros as well; ``secondary``: add complementary suppression
    (needed whenever totals are published); ``rounding``: ``"none"``, ``"conventional"`` or
    ``"random"`` rounding of the published counts to multiples of ``base``; ``seed``: for random
    rounding (stored with the result, so a table always publishes the same way);
    ``suppress``: apply suppression at all (off for rounding only); ``complements``: how a
    complementary cell is chosen in a line with one hidden cell — ``"smallest"`` (the smallest
    count, the conventional rule) or ``"fewest"`` (among inner cells, first one that also
    completes its other line, then one that does not start a new one, then the smallest: fewer
    cells hidden in total, see the module's tests for the measured difference).
    """

    threshold: int = 5
    suppress_zero: bool = False
    secondary: bool = True
    rounding: RoundingMethod = "none"
    base: int = 5
    seed: int | None = None
    suppress: bool = True
    complements: ComplementChoice = "smallest"


@dataclass(frozen=True)
class ProtectedTable:
    """A table ready to publish, with a record of what was hidden and why.

    ``table``: the published values (Python ints, ``None`` where suppressed), including the
    total row and/or column when totals are published; ``suppressed``: a boolean mask of the same
    shape; ``rule``: ``"primary"`` (small count), ``"secondary"`` (complement) or ``None`` for each
    cell; ``row_totals``/``column_totals``: whether the last column / last row are totals;
    ``rounded``: whether published values were rounded (``base``, ``rounding``, ``seed`` say how).
    """

    table: pd.DataFrame
    suppressed: pd.DataFrame
    rule: pd.DataFrame
    row_totals: bool
    column_totals: bool
    threshold: int
    suppress_zero: bool
    rounding: RoundingMethod = "none"
    base: int = 5
    seed: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def n_primary(self) -> int:
        """How many cells were hidden because they are small."""
        return int((self.rule == PRIMARY).to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        """How many cells were hidden to protect others."""
        return int((self.rule == SECONDARY).to_numpy().sum())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: labels as strings, values as lists of rows (``None`` = hidden)."""
        return {
            "columns": [str(c) for c in self.table.columns],
            "index": [str(i) for i in self.table.index],
            "values": [[_json_cell(v) for v in row] for row in self.table.itertuples(index=False)],
            "rule": [[r for r in row] for row in self.rule.itertuples(index=False)],
            "row_totals": self.row_totals,
            "column_totals": self.column_totals,
            "threshold": self.threshold,
            "suppress_zero": self.suppress_zero,
            "rounding": self.rounding,
            "base": self.base,
            "seed": self.seed,
            "n_primary": self.n_primary,
            "n_secondary": self.n_secondary,
            "notes": list(self.notes),
        }


def _json_cell(value: Any) -> Any:
    if value is None:
        return None
    return int(value)


# ----------------------------------------------------------------------------- input


def _problem(key: str, message: str, **params: Any) -> dict[str, Any]:
    return {"key": key, "message": message, "params": params}


def _as_frame(table: pd.DataFrame | pd.Series | NDArray[Any] | Any) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, pd.Series):
        return table.to_frame(name=table.name if table.name is not None else "count")
    array = np.asarray(table)
    if array.ndim == 1:
        return pd.DataFrame({"count": array})
    if array.ndim == 2:
        return pd.DataFrame(array)
    raise DisclosureInputError(
        [
            _problem(
                "disclosure.not-a-table",
                f"A table must have one or two dimensions, not {array.ndim}.",
                value=int(array.ndim),
            )
        ]
    )


def _validated_counts(frame: pd.DataFrame) -> IntArray:
    """Whole, non-negative, present counts; every problem is listed, not just the first."""
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DisclosureInputError(
            [_problem("disclosure.empty-table", "The table has no cells to publish.")]
        )
    numeric = frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    missing = ~np.isfinite(numeric)
    with np.errstate(invalid="ignore"):
        negative = ~missing & (numeric < 0)
        fractional = ~missing & ~negative & (numeric != np.round(numeric))
    problems: list[dict[str, Any]] = []
    for i, j in np.argwhere(missing | negative | fractional).tolist():
        raw = frame.iat[i, j]
        where = {"row": _label(frame.index[i]), "column": _label(frame.columns[j])}
        place = f"row {where['row']}, column {where['column']}"
        if missing[i, j]:
            problems.append(
                _problem(
                    "disclosure.missing-count",
                    f"The count in {place} is missing or not a number.",
                    value=None if raw is None else str(raw),
                    **where,
                )
            )
        elif negative[i, j]:
            problems.append(
                _problem(
                    "disclosure.negative-count",
                    f"The count in {place} is negative ({raw}).",
                    value=float(numeric[i, j]),
                    **where,
                )
            )
        else:
            problems.append(
                _problem(
                    "disclosure.not-a-whole-number",
                    f"The count in {place} is not a whole number ({raw}).",
                    value=float(numeric[i, j]),
                    **where,
                )
            )
    if problems:
        raise DisclosureInputError(problems)
    return np.asarray(np.round(numeric), dtype=np.int64)


def _label(value: Hashable) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value if isinstance(value, int | str) else str(value)


def _with_totals(
    frame: pd.DataFrame,
    *,
    row_totals: bool,
    column_totals: bool,
    totals_included: bool,
    total_label: str,
) -> tuple[pd.DataFrame, IntArray]:
    """The full table (cells and margins) and its values, checking given totals add up."""
    values = _validated_counts(frame)
    if totals_included:
        inner = values[: values.shape[0] - int(column_totals), : values.shape[1] - int(row_totals)]
        if inner.size == 0:
            raise DisclosureInputError(
                [_problem("disclosure.empty-table", "The table has totals but no cells.")]
            )
        expected = _full_values(inner, row_totals=row_totals, column_totals=column_totals)
        bad = np.argwhere(expected != values)
        if bad.size:
            problems = [
                _problem(
                    "disclosure.inconsistent-total",
                    f"The total in row {_label(frame.index[i])}, column "
                    f"{_label(frame.columns[j])} is {values[i, j]} but its cells add up to "
                    f"{expected[i, j]}.",
                    row=_label(frame.index[i]),
                    column=_label(frame.columns[j]),
                    value=int(values[i, j]),
                )
                for i, j in bad.tolist()
            ]
            raise DisclosureInputError(problems)
        return frame, values
    full = _full_values(values, row_totals=row_totals, column_totals=column_totals)
    index = list(frame.index) + ([total_label] if column_totals else [])
    columns = list(frame.columns) + ([total_label] if row_totals else [])
    return pd.DataFrame(full, index=index, columns=columns), full


def _full_values(inner: IntArray, *, row_totals: bool, column_totals: bool) -> IntArray:
    full = inner
    if row_totals:
        full = np.column_stack([full, full.sum(axis=1)])
    if column_totals:
        full = np.vstack([full, full.sum(axis=0)])
    return np.asarray(full, dtype=np.int64)


# ----------------------------------------------------------------------------- public API


def suppress_small_counts(
    table: pd.DataFrame | pd.Series | NDArray[Any],
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    totals_included: bool = False,
    threshold: int = 5,
    suppress_zero: bool = False,
    secondary: bool = True,
    total_label: str = "Total",
) -> ProtectedTable:
    """Hide small counts, and enough other cells that no hidden count can be recovered.

    Parameters
    ----------
    table : counts (DataFrame, 2-D array; a Series or 1-D array is one column).
    row_totals : publish (or, with ``totals_included``, the table's last column is) a total for
        each row. column_totals : likewise a total for each column (the last row). With both,
        the corner cell is the grand total.
    totals_included : the totals are already in ``table`` (checked to add up); otherwise they
        are computed from the cells and appended under ``total_label``.
    threshold : counts from 1 to ``threshold - 1`` are hidden (fewer than 5 by default).
    suppress_zero : hide zero counts as well.
    secondary : add complementary suppression (only skip it when no totals are published, or
        for a preview of the primary cells).

    Returns
    -------
    ProtectedTable. Raises DisclosureInputError for missing, negative or fractional counts and
    for totals that do not add up.
    """
    policy = DisclosurePolicy(threshold=threshold, suppress_zero=suppress_zero, secondary=secondary)
    return protect_table(
        table,
        policy,
        row_totals=row_totals,
        column_totals=column_totals,
        totals_included=totals_included,
        total_label=total_label,
    )


def round_to_base(
    table: pd.DataFrame | pd.Series | NDArray[Any],
    *,
    base: int = 5,
    method: Literal["conventional", "random"] = "conventional",
    seed: int | None = None,
    row_totals: bool = False,
    column_totals: bool = False,
    totals_included: bool = False,
    total_label: str = "Total",
) -> ProtectedTable:
    """Round every count (totals independently) to a multiple of ``base``; nothing is hidden.

    ``method="conventional"`` rounds to the nearest multiple (a remainder of half the base or
    more rounds up: with base 5, 1-2 become 0 and 3-4 become 5); ``"random"`` rounds up with
    probability remainder / base (unbiased), drawn from ``numpy.random.default_rng(seed)``.
    """
    policy = DisclosurePolicy(suppress=False, rounding=method, base=base, seed=seed)
    return protect_table(
        table,
        policy,
        row_totals=row_totals,
        column_totals=column_totals,
        totals_included=totals_included,
        total_label=total_label,
    )


def protect_table(
    table: pd.DataFrame | pd.Series | NDArray[Any],
    policy: DisclosurePolicy | None = None,
    *,
    row_totals: bool = False,
    column_totals: bool = False,
    totals_included: bool = False,
    total_label: str = "Total",
) -> ProtectedTable:
    """Apply a :class:`DisclosurePolicy`: suppression, rounding, or suppression then rounding.

    See :func:`suppress_small_counts` for the parameters.
    """
    chosen = policy or DisclosurePolicy()
    _check_policy(chosen)
    full_frame, values = _with_totals(
        _as_frame(table),
        row_totals=row_totals,
        column_totals=column_totals,
        totals_included=totals_included,
        total_label=total_label,
    )
    hidden, rule, notes = _suppression(
        values, chosen, row_totals=row_totals, column_totals=column_totals
    )
    published = _rounded(values, chosen) if chosen.rounding != "none" else values.copy()
    out = np.empty(values.shape, dtype=object)
    for (i, j), value in np.ndenumerate(published):
        out[i, j] = None if hidden[i, j] else int(value)
    index, columns = full_frame.index, full_frame.columns
    return ProtectedTable(
        table=pd.DataFrame(out, index=index, columns=columns, dtype=object),
        suppressed=pd.DataFrame(hidden, index=index, columns=columns),
        rule=pd.DataFrame(rule, index=index, columns=columns, dtype=object),
        row_totals=row_totals,
        column_totals=column_totals,
        threshold=chosen.threshold,
        suppress_zero=chosen.suppress_zero,
        rounding=chosen.rounding,
        base=chosen.base,
        seed=chosen.seed,
        notes=tuple(notes),
    )


def _check_policy(policy: DisclosurePolicy) -> None:
    if policy.threshold < 1 or policy.base < 1:
        raise DisclosureInputError(
            [
                _problem(
                    "disclosure.invalid-policy",
                    "The threshold and the rounding base must be at least 1.",
                    value=min(policy.threshold, policy.base),
                )
            ]
        )
    if policy.rounding == "random" and policy.seed is None:
        raise DisclosureInputError(
            [
                _problem(
                    "disclosure.missing-seed",
                    "Random rounding needs a seed, so that a table always publishes the same way.",
                )
            ]
        )


def _suppression(
    values: IntArray, policy: DisclosurePolicy, *, row_totals: bool, column_totals: bool
) -> tuple[BoolArray, NDArray[Any], list[str]]:
    """Which cells are hidden, the rule that hid each (primary, secondary or None), and notes."""
    shape = (values.shape[0], values.shape[1])
    rule = np.full(shape, None, dtype=object)
    if not policy.suppress:
        return np.zeros(shape, dtype=bool), rule, []
    primary = (values > 0) & (values < policy.threshold)
    if policy.suppress_zero:
        primary |= values == 0
    hidden = primary.copy()
    notes: list[str] = []
    if (row_totals or column_totals) and primary.any():
        if policy.secondary:
            hidden = secondary_suppression(
                values,
                primary,
                row_totals=row_totals,
                column_totals=column_totals,
                complements=policy.complements,
            )
        else:
            notes.append("secondary-suppression-skipped")
    rule[primary] = PRIMARY
    rule[hidden & ~primary] = SECONDARY
    return hidden, rule, notes


def _rounded(values: IntArray, policy: DisclosurePolicy) -> IntArray:
    base = policy.base
    remainder = values % base
    down = values - remainder
    if policy.rounding == "conventional":
        up = 2 * remainder >= base
    else:
        rng = np.random.default_rng(policy.seed)
        up = rng.random(values.shape) < remainder / base
    return np.asarray(np.where(up & (remainder > 0), down + base, down), dtype=np.int64)


def find_recoverable_cells(protected: ProtectedTable) -> list[tuple[Any, Any]]:
    """Hidden cells that the published totals determine exactly (should be empty).

    Uses only what is published (the visible values and which cells are hidden): linear
    algebra on the margin equations, with the cells that non-negativity forces to zero found
    by linear programming (see ``_always_zero``). The audit the suppression itself runs,
    exposed so services can assert it before publishing. After rounding, the audit reads the
    rounded values as if they were exact (rounded totals are usually inconsistent, and then
    nothing is pinned).
    """
    if not (protected.row_totals or protected.column_totals):
        return []
    hidden = protected.suppressed.to_numpy(dtype=bool)
    shape = (hidden.shape[0], hidden.shape[1])
    equations = margin_equations(
        shape, row_totals=protected.row_totals, column_totals=protected.column_totals
    )
    published = protected.table.to_numpy()
    values = np.zeros(shape, dtype=np.int64)
    for (i, j), value in np.ndenumerate(published):
        values[i, j] = 0 if value is None else int(value)
    determined = exposed_cells(equations, hidden, values, bounds=True)
    index, columns = protected.table.index, protected.table.columns
    return [(index[i], columns[j]) for i, j in np.argwhere(determined).tolist()]
