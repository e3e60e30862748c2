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
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

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
ComplementChoice = Literal["smallest", "fewest"]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

PRIMARY = "primary"
SECONDARY = "secondary"

# A hidden cell counts as determined when the squared length of its projection onto the row
# space of the equations is this close to 1 (the equations have entries 0 and +/-1, so the
# projections are well away from 1 unless the cell really is determined).
_DETERMINED_TOLERANCE = 1e-8

# How many complementary candidates to try (each costs one SVD) before taking the smallest.
_CANDIDATES_TO_TRY = 12


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


# ----------------------------------------------------------------------------- equations


def _margin_equations(shape: tuple[int, int], *, row_totals: bool, column_totals: bool) -> Any:
    """One row per published total: +1 on the cells it adds up, -1 on the total itself.

    Cells are numbered row-major over the full table (margins included).
    """
    n_rows, n_cols = shape
    inner_rows = n_rows - int(column_totals)
    inner_cols = n_cols - int(row_totals)
    equations: list[NDArray[np.float64]] = []
    if row_totals:
        for i in range(n_rows):
            eq = np.zeros(n_rows * n_cols)
            eq[i * n_cols : i * n_cols + inner_cols] = 1.0
            eq[i * n_cols + n_cols - 1] = -1.0
            equations.append(eq)
    if column_totals:
        for j in range(n_cols):
            eq = np.zeros(n_rows * n_cols)
            eq[[i * n_cols + j for i in range(inner_rows)]] = 1.0
            eq[(n_rows - 1) * n_cols + j] = -1.0
            equations.append(eq)
    if not equations:
        return np.zeros((0, n_rows * n_cols))
    return np.vstack(equations)


def _determined(equations: Any, hidden: BoolArray) -> BoolArray:
    """Which hidden cells the published totals pin down exactly (by any linear combination).

    A hidden cell k is determined iff e_k lies in the row space of the equations restricted to
    the hidden cells, i.e. iff its projection onto that row space has length 1.
    """
    flat = hidden.ravel()
    result = np.zeros(flat.shape, dtype=bool)
    columns = np.flatnonzero(flat)
    if columns.size == 0 or equations.shape[0] == 0:
        return result.reshape(hidden.shape)
    restricted = equations[:, columns]
    restricted = restricted[np.any(restricted != 0, axis=1)]
    if restricted.shape[0] == 0:
        return result.reshape(hidden.shape)
    _, singular, vt = np.linalg.svd(restricted, full_matrices=False)
    rank = int(np.sum(singular > singular.max() * 1e-10))
    projection = np.sum(vt[:rank] ** 2, axis=0)
    result[columns] = projection > 1.0 - _DETERMINED_TOLERANCE
    return result.reshape(hidden.shape)


def _always_zero(equations: Any, hidden: BoolArray, values: IntArray) -> BoolArray:
    """Hidden cells that are zero in *every* table consistent with what is published.

    Linear algebra alone is enough while every hidden count is positive: the true table then
    lies strictly inside the region x >= 0, so an undetermined cell can move both ways. A hidden
    zero sits on that region's edge: when the published total of a line equals its published
    cells, its hidden cells are all zero, and such cells can block other cells' moves too. The
    cells forced to zero (the implicit equalities of the polytope {x >= 0, Ax = b}) are found by
    linear programming: maximise the sum of y_k with 0 <= y_k <= min(1, x_k); every cell with
    y_k > 0 can be positive; repeat on the rest until the optimum is 0. The right-hand sides use
    only published cells, as an intruder would. Inconsistent published values (after rounding)
    admit no table at all, and then nothing is concluded.
    """
    from scipy.optimize import linprog  # scipy is needed only for this audit

    flat_hidden = hidden.ravel()
    columns = np.flatnonzero(flat_hidden)
    result = np.zeros(flat_hidden.shape, dtype=bool)
    if columns.size == 0 or equations.shape[0] == 0:
        return result.reshape(hidden.shape)
    restricted = equations[:, columns]
    keep = np.any(restricted != 0, axis=1)
    if not keep.any():
        return result.reshape(hidden.shape)
    known = ~flat_hidden
    rhs = -(equations[keep][:, known] @ values.ravel().astype(np.float64)[known])
    a_eq = restricted[keep]
    n_hidden = columns.size
    remaining = np.arange(n_hidden)
    while remaining.size:
        m = remaining.size
        objective = np.concatenate([np.zeros(n_hidden), -np.ones(m)])
        a_eq_full = np.hstack([a_eq, np.zeros((a_eq.shape[0], m))])
        a_ub = np.zeros((m, n_hidden + m))
        a_ub[np.arange(m), remaining] = -1.0
        a_ub[np.arange(m), n_hidden + np.arange(m)] = 1.0
        bounds = [(0.0, None)] * n_hidden + [(0.0, 1.0)] * m
        outcome = linprog(
            objective,
            A_ub=a_ub,
            b_ub=np.zeros(m),
            A_eq=a_eq_full,
            b_eq=rhs,
            bounds=bounds,
            method="highs",
        )
        if outcome.status != 0:
            return result.reshape(hidden.shape)
        positive = outcome.x[n_hidden:] > 1e-7
        if not positive.any():
            break
        remaining = remaining[~positive]
    result[columns[remaining]] = True
    return result.reshape(hidden.shape)


def _exposed(equations: Any, hidden: BoolArray, values: IntArray, *, bounds: bool) -> BoolArray:
    """Hidden cells an intruder can recover exactly from the published totals.

    With ``bounds``, non-negativity is used too: cells forced to zero are recovered, and are
    then as good as published for the linear check of the others.
    """
    determined = _determined(equations, hidden)
    if not bounds:
        return determined
    zero = _always_zero(equations, hidden, values)
    if not zero.any():
        return determined
    return determined | zero | _determined(equations, hidden & ~zero)


def _lines(shape: tuple[int, int], *, row_totals: bool, column_totals: bool) -> list[IntArray]:
    """Cells (flat indices) of each published equation, totals included."""
    n_rows, n_cols = shape
    lines: list[IntArray] = []
    if row_totals:
        lines.extend(np.arange(i * n_cols, (i + 1) * n_cols) for i in range(n_rows))
    if column_totals:
        lines.extend(np.arange(j, n_rows * n_cols, n_cols) for j in range(n_cols))
    return lines


def _preference(values: IntArray, is_total: BoolArray) -> IntArray:
    """Order of complementary candidates: inner before totals, non-zero before zero, smallest
    value, then position (so the choice is deterministic)."""
    flat_values = values.ravel()
    order = np.lexsort(
        (np.arange(flat_values.size), flat_values, flat_values == 0, is_total.ravel())
    )
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return np.asarray(rank, dtype=np.int64)


def _secondary_suppression(
    values: IntArray,
    hidden: BoolArray,
    *,
    row_totals: bool,
    column_totals: bool,
    complements: ComplementChoice = "smallest",
) -> BoolArray:
    shape = (values.shape[0], values.shape[1])
    flat_hidden = hidden.ravel().copy()
    is_total = np.zeros(shape, dtype=bool)
    if row_totals:
        is_total[:, -1] = True
    if column_totals:
        is_total[-1, :] = True
    rank = _preference(values, is_total)
    lines = _lines(shape, row_totals=row_totals, column_totals=column_totals)
    lines_of_cell: list[list[int]] = [[] for _ in range(values.size)]
    for number, line in enumerate(lines):
        for cell in line.tolist():
            lines_of_cell[cell].append(number)

    def knock_on(cell: int, own_line: int) -> int:
        """0 if hiding ``cell`` also completes another line (it had one hidden cell), 1 if it
        leaves the other lines as they were, 2 if it leaves a line with exactly one hidden
        cell (which then needs a complement of its own)."""
        counts = [int(flat_hidden[lines[n]].sum()) for n in lines_of_cell[cell] if n != own_line]
        if any(c == 1 for c in counts):
            return 0
        if any(c == 0 for c in counts):
            return 2
        return 1

    # 1. The classic rule: no line may have exactly one hidden cell. Cheap, and it settles most
    #    tables; repeat because a complement can leave its other line with one hidden cell.
    changed = True
    while changed:
        changed = False
        for number, line in enumerate(lines):
            in_line = flat_hidden[line]
            if in_line.sum() == 1:
                open_cells = line[~in_line]
                if open_cells.size == 0:
                    continue
                choice: int
                if complements == "fewest":
                    keys = [
                        (bool(is_total.ravel()[c]), knock_on(c, number), int(rank[c]), c)
                        for c in open_cells.tolist()
                    ]
                    choice = min(keys)[3]
                else:
                    choice = int(open_cells[np.argmin(rank[open_cells])])
                flat_hidden[choice] = True
                changed = True

    # 2. Elimination across lines: audit with linear algebra and add complements until no
    #    hidden cell is determined.
    equations = _margin_equations(shape, row_totals=row_totals, column_totals=column_totals)
    zeros = values == 0

    def exposed(mask: BoolArray) -> BoolArray:
        # Bounds matter only when a hidden cell is zero (see _always_zero).
        return _exposed(equations, mask, values, bounds=bool((mask & zeros).any()))

    while True:
        determined = np.flatnonzero(exposed(flat_hidden.reshape(shape)).ravel())
        if determined.size == 0:
            break
        target = int(determined[0])
        sharing = [line for line in lines if target in line]
        candidates = np.unique(np.concatenate(sharing)) if sharing else np.array([], dtype=int)
        candidates = candidates[~flat_hidden[candidates]]
        if candidates.size == 0:
            candidates = np.flatnonzero(~flat_hidden)
        if candidates.size == 0:  # everything hidden: nothing left to publish or recover
            break
        candidates = candidates[np.argsort(rank[candidates])]
        chosen = int(candidates[0])
        for candidate in candidates[:_CANDIDATES_TO_TRY].tolist():
            trial = flat_hidden.copy()
            trial[candidate] = True
            if not exposed(trial.reshape(shape)).ravel()[target]:
                chosen = int(candidate)
                break
        flat_hidden[chosen] = True
    return flat_hidden.reshape(shape)


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
    if chosen.threshold < 1 or chosen.base < 1:
        raise DisclosureInputError(
            [
                _problem(
                    "disclosure.invalid-policy",
                    "The threshold and the rounding base must be at least 1.",
                    value=min(chosen.threshold, chosen.base),
                )
            ]
        )
    if chosen.rounding == "random" and chosen.seed is None:
        raise DisclosureInputError(
            [
                _problem(
                    "disclosure.missing-seed",
                    "Random rounding needs a seed, so that a table always publishes the same way.",
                )
            ]
        )
    frame = _as_frame(table)
    full_frame, values = _with_totals(
        frame,
        row_totals=row_totals,
        column_totals=column_totals,
        totals_included=totals_included,
        total_label=total_label,
    )
    shape = (values.shape[0], values.shape[1])
    rule = np.full(shape, None, dtype=object)
    hidden = np.zeros(shape, dtype=bool)
    notes: list[str] = []
    if chosen.suppress:
        primary = (values > 0) & (values < chosen.threshold)
        if chosen.suppress_zero:
            primary |= values == 0
        hidden = primary.copy()
        if chosen.secondary and (row_totals or column_totals) and primary.any():
            hidden = _secondary_suppression(
                values,
                primary,
                row_totals=row_totals,
                column_totals=column_totals,
                complements=chosen.complements,
            )
        rule[primary] = PRIMARY
        rule[hidden & ~primary] = SECONDARY
        if not chosen.secondary and (row_totals or column_totals) and primary.any():
            notes.append("secondary-suppression-skipped")
    published = values.copy()
    if chosen.rounding != "none":
        published = _rounded(values, chosen)
    out = np.empty(shape, dtype=object)
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
    equations = _margin_equations(
        shape, row_totals=protected.row_totals, column_totals=protected.column_totals
    )
    published = protected.table.to_numpy()
    values = np.zeros(shape, dtype=np.int64)
    for (i, j), value in np.ndenumerate(published):
        values[i, j] = 0 if value is None else int(value)
    determined = _exposed(equations, hidden, values, bounds=True)
    index, columns = protected.table.index, protected.table.columns
    return [(index[i], columns[j]) for i, j in np.argwhere(determined).tolist()]
