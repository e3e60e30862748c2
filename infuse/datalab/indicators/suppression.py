"""Secondary (complementary) suppression: hide enough other cells that no hidden count can be
worked out from the published totals.

Every published total is a linear equation on the cells of its row or column. The classic rule
("every line with a hidden cell has at least two") runs first; then the pattern is audited with
linear algebra (and, where a hidden cell is zero, linear programming: non-negativity can pin a
cell) and complements are added until no hidden cell is determined. See
:mod:`infuse.datalab.indicators.disclosure` for the method and its references.

Cells are numbered row-major over the full table, margins included. Pure: numpy (and scipy for
the audit of zeros), no Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from infuse.core import lazy

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]
else:
    np = lazy.module("numpy")

ComplementChoice = Literal["smallest", "fewest"]

# A hidden cell counts as determined when the squared length of its projection onto the row
# space of the equations is this close to 1 (the equations have entries 0 and +/-1, so the
# projections are well away from 1 unless the cell really is determined).
_DETERMINED_TOLERANCE = 1e-8

# How many complementary candidates to try (each costs one SVD) before taking the smallest.
_CANDIDATES_TO_TRY = 12


def margin_equations(shape: tuple[int, int], *, row_totals: bool, column_totals: bool) -> Any:
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


def exposed_cells(
    equations: Any, hidden: BoolArray, values: IntArray, *, bounds: bool
) -> BoolArray:
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


def secondary_suppression(
    values: IntArray,
    hidden: BoolArray,
    *,
    row_totals: bool,
    column_totals: bool,
    complements: ComplementChoice = "smallest",
) -> BoolArray:
    """The cells to hide (``hidden`` and their complements) so that none can be recovered."""
    shape = (values.shape[0], values.shape[1])
    flat_hidden = hidden.ravel().copy()
    is_total = np.zeros(shape, dtype=bool)
    if row_totals:
        is_total[:, -1] = True
    if column_totals:
        is_total[-1, :] = True
    rank = _preference(values, is_total)
    lines = _lines(shape, row_totals=row_totals, column_totals=column_totals)
    _two_in_every_line(flat_hidden, lines, rank, is_total.ravel(), complements)
    equations = margin_equations(shape, row_totals=row_totals, column_totals=column_totals)
    _complement_until_safe(flat_hidden, values, equations, lines, rank)
    return flat_hidden.reshape(shape)


def _two_in_every_line(
    flat_hidden: BoolArray,
    lines: list[IntArray],
    rank: IntArray,
    is_total: BoolArray,
    complements: ComplementChoice,
) -> None:
    """1. The classic rule: no line may have exactly one hidden cell (hides complements in
    ``flat_hidden``). Cheap, and it settles most tables; repeated because a complement can
    leave its other line with one hidden cell."""
    lines_of_cell: list[list[int]] = [[] for _ in range(flat_hidden.size)]
    for number, line in enumerate(lines):
        for cell in line.tolist():
            lines_of_cell[cell].append(number)
    changed = True
    while changed:
        changed = False
        for number, line in enumerate(lines):
            in_line = flat_hidden[line]
            open_cells = line[~in_line]
            if in_line.sum() != 1 or open_cells.size == 0:
                continue
            choice: int
            if complements == "fewest":
                keys = [
                    (
                        bool(is_total[c]),
                        _knock_on(flat_hidden, lines, lines_of_cell[c], number),
                        int(rank[c]),
                        c,
                    )
                    for c in open_cells.tolist()
                ]
                choice = min(keys)[3]
            else:
                choice = int(open_cells[np.argmin(rank[open_cells])])
            flat_hidden[choice] = True
            changed = True


def _knock_on(
    flat_hidden: BoolArray, lines: list[IntArray], lines_of_cell: list[int], own_line: int
) -> int:
    """0 if hiding a cell also completes another of its lines (it had one hidden cell), 1 if it
    leaves the other lines as they were, 2 if it leaves a line with exactly one hidden cell
    (which then needs a complement of its own)."""
    counts = [int(flat_hidden[lines[n]].sum()) for n in lines_of_cell if n != own_line]
    if any(c == 1 for c in counts):
        return 0
    if any(c == 0 for c in counts):
        return 2
    return 1


def _complement_until_safe(
    flat_hidden: BoolArray,
    values: IntArray,
    equations: Any,
    lines: list[IntArray],
    rank: IntArray,
) -> None:
    """2. Elimination across lines: audit with linear algebra and add complements (in
    ``flat_hidden``) until no hidden cell is determined."""
    shape = (values.shape[0], values.shape[1])
    zeros = values == 0

    def exposed(mask: BoolArray) -> BoolArray:
        # Bounds matter only when a hidden cell is zero (see _always_zero).
        return exposed_cells(equations, mask, values, bounds=bool((mask & zeros).any()))

    while True:
        determined = np.flatnonzero(exposed(flat_hidden.reshape(shape)).ravel())
        if determined.size == 0:
            break
        target = int(determined[0])
        candidates = _candidates(target, flat_hidden, lines, rank)
        if candidates.size == 0:  # everything hidden: nothing left to publish or recover
            break
        chosen = int(candidates[0])
        for candidate in candidates[:_CANDIDATES_TO_TRY].tolist():
            trial = flat_hidden.copy()
            trial[candidate] = True
            if not exposed(trial.reshape(shape)).ravel()[target]:
                chosen = int(candidate)
                break
        flat_hidden[chosen] = True


def _candidates(
    target: int, flat_hidden: BoolArray, lines: list[IntArray], rank: IntArray
) -> IntArray:
    """Cells that could protect ``target``, best first: the open cells of its lines, or any
    open cell when its lines have none left."""
    sharing = [line for line in lines if target in line]
    candidates = np.unique(np.concatenate(sharing)) if sharing else np.array([], dtype=int)
    candidates = candidates[~flat_hidden[candidates]]
    if candidates.size == 0:
        candidates = np.flatnonzero(~flat_hidden)
    return np.asarray(candidates[np.argsort(rank[candidates])], dtype=np.int64)
