"""Tests for datalab.indicators.disclosure: each published table is attacked and must not leak.

The attackers are written here, independently of the module:
- subtraction: every published row or column total with exactly one hidden cell gives that
  cell away; recovered cells become known and elimination repeats across rows and columns until
  nothing more falls out;
- linear programming (scipy ``linprog``): the smallest and largest value each hidden cell can
  take, given every published total and that counts are non-negative. A hidden cell is
  recovered when the two coincide. This also catches combinations of several equations that
  subtraction within one line misses.

Real data: the StatsWales export of live births by council and birth weight, 2023
(``shared/data/health/low_birth_weight.csv``), whose published totals must add up and whose
small "Not stated" counts must be protected.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from infuse.datalab.indicators.disclosure import (
    ComplementChoice,
    DisclosureInputError,
    DisclosurePolicy,
    ProtectedTable,
    find_recoverable_cells,
    protect_table,
    round_to_base,
    suppress_small_counts,
)

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


# ----------------------------------------------------------------------------- attackers


def _published_equations(
    protected: ProtectedTable,
) -> list[list[tuple[tuple[int, int], int]]]:
    """Each published total as a list of ((row, col), sign): sum(sign * cell) == 0."""
    n_rows, n_cols = protected.table.shape
    inner_rows = n_rows - int(protected.column_totals)
    inner_cols = n_cols - int(protected.row_totals)
    equations: list[list[tuple[tuple[int, int], int]]] = []
    if protected.row_totals:
        for i in range(n_rows):
            equations.append([((i, j), 1) for j in range(inner_cols)] + [((i, n_cols - 1), -1)])
    if protected.column_totals:
        for j in range(n_cols):
            equations.append([((i, j), 1) for i in range(inner_rows)] + [((n_rows - 1, j), -1)])
    return equations


def subtraction_attack(protected: ProtectedTable) -> dict[tuple[int, int], int]:
    """Recover hidden cells by subtraction from totals, iterating across rows and columns."""
    known: dict[tuple[int, int], int] = {}
    values = protected.table.to_numpy()
    for (i, j), value in np.ndenumerate(values):
        if value is not None:
            known[(i, j)] = int(value)
    recovered: dict[tuple[int, int], int] = {}
    progress = True
    while progress:
        progress = False
        for equation in _published_equations(protected):
            unknown = [(cell, sign) for cell, sign in equation if cell not in known]
            if len(unknown) == 1:
                cell, sign = unknown[0]
                rest = sum(s * known[c] for c, s in equation if c in known)
                known[cell] = -rest * sign
                recovered[cell] = known[cell]
                progress = True
    return recovered


def linear_programming_attack(protected: ProtectedTable) -> dict[tuple[int, int], float]:
    """Hidden cells whose feasible range (given totals and non-negativity) is a single value."""
    values = protected.table.to_numpy()
    hidden = [cell for cell, value in np.ndenumerate(values) if value is None]
    if not hidden:
        return {}
    position = {cell: k for k, cell in enumerate(hidden)}
    rows, rhs = [], []
    for equation in _published_equations(protected):
        coefficients = np.zeros(len(hidden))
        constant = 0.0
        for cell, sign in equation:
            if cell in position:
                coefficients[position[cell]] += sign
            else:
                constant += sign * values[cell]
        if np.any(coefficients):
            rows.append(coefficients)
            rhs.append(-constant)
    if not rows:
        return {}
    a_eq, b_eq = np.array(rows), np.array(rhs)
    pinned: dict[tuple[int, int], float] = {}
    for cell, k in position.items():
        objective = np.zeros(len(hidden))
        objective[k] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0, low.message
        if high.status == 3:  # unbounded above: certainly not pinned
            continue
        assert high.status == 0, high.message
        if -high.fun - low.fun < 0.5:  # counts are whole numbers
            pinned[cell] = float(low.fun)
    return pinned


def assert_nothing_recoverable(protected: ProtectedTable) -> None:
    assert subtraction_attack(protected) == {}
    assert linear_programming_attack(protected) == {}
    assert find_recoverable_cells(protected) == []


def naive_publication(values: np.ndarray[Any, Any], hidden: np.ndarray[Any, Any]) -> ProtectedTable:
    """A table with margins where exactly ``hidden`` is suppressed (to test the attackers)."""
    full = np.column_stack([values, values.sum(axis=1)])
    full = np.vstack([full, full.sum(axis=0)])
    mask = np.zeros(full.shape, dtype=bool)
    mask[: hidden.shape[0], : hidden.shape[1]] = hidden
    table = pd.DataFrame(np.where(mask, None, full.astype(object)), dtype=object)
    return ProtectedTable(
        table=table,
        suppressed=pd.DataFrame(mask),
        rule=pd.DataFrame(np.where(mask, "primary", None), dtype=object),
        row_totals=True,
        column_totals=True,
        threshold=5,
        suppress_zero=False,
    )


# ----------------------------------------------------------------------------- the attackers work


def test_attackers_recover_primary_suppression_alone() -> None:
    values = np.array([[3, 10, 20], [12, 15, 8], [30, 11, 40]])
    hidden = values < 5
    published = naive_publication(values, hidden)
    assert subtraction_attack(published) == {(0, 0): 3}
    assert linear_programming_attack(published) == {(0, 0): 3.0}


def test_two_per_line_is_not_enough_and_the_audit_knows() -> None:
    # Every row and column with a hidden cell has two or more, yet cell (1, 2) joins two
    # otherwise separate blocks (a "bridge"): rows 0 + 1 minus columns 0 + 1 give it away.
    values = np.array(
        [[2, 3, 40, 50], [4, 1, 2, 60], [70, 80, 3, 4], [90, 11, 2, 1]],
    )
    pattern = np.array(
        [[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1], [0, 0, 1, 1]],
        dtype=bool,
    )
    published = naive_publication(values, pattern)
    assert subtraction_attack(published) == {}  # nothing falls out of a single line...
    assert linear_programming_attack(published) == {(1, 2): 2.0}  # ...but it is recoverable
    assert find_recoverable_cells(published) == [(1, 2)]

    protected = suppress_small_counts(values, row_totals=True, column_totals=True)
    assert protected.suppressed.to_numpy()[:4, :4][pattern].all()
    assert_nothing_recoverable(protected)


# ----------------------------------------------------------------------------- suppression


def test_two_way_table_with_totals() -> None:
    table = pd.DataFrame(
        [[3, 10, 20], [12, 15, 8], [30, 2, 40]],
        index=["Cardiff", "Newport", "Torfaen"],
        columns=["0-15", "16-64", "65+"],
    )
    protected = suppress_small_counts(table, row_totals=True, column_totals=True)
    assert list(protected.table.index) == ["Cardiff", "Newport", "Torfaen", "Total"]
    assert list(protected.table.columns) == ["0-15", "16-64", "65+", "Total"]
    assert protected.rule.loc["Cardiff", "0-15"] == "primary"
    assert protected.rule.loc["Torfaen", "16-64"] == "primary"
    assert protected.table.loc["Total", "Total"] == 140
    assert protected.n_primary == 2 and protected.n_secondary == 2
    # The complements are the smallest cells that close the pattern: Cardiff 16-64 (10) and
    # Torfaen 0-15 (30) rather than totals.
    assert protected.rule.loc["Cardiff", "16-64"] == "secondary"
    assert protected.rule.loc["Torfaen", "0-15"] == "secondary"
    assert protected.table.loc["Newport", "65+"] == 8
    assert_nothing_recoverable(protected)
    data = json.loads(json.dumps(protected.to_dict()))
    assert data["values"][0][0] is None and data["rule"][0][0] == "primary"
    assert data["values"][3][3] == 140


def test_one_way_table_with_a_total() -> None:
    counts = pd.Series([3, 10, 20, 7, 0], index=list("abcde"), name="people")
    protected = suppress_small_counts(counts, column_totals=True)
    published = protected.table["people"].tolist()
    # 3 is small; its complement is the smallest non-zero other count (7), not the zero.
    assert published == [None, 10, 20, None, 0, 40]
    assert protected.rule["people"].tolist() == [
        "primary", None, None, "secondary", None, None
    ]  # fmt: skip
    assert_nothing_recoverable(protected)


def test_a_small_total_is_itself_suppressed() -> None:
    protected = suppress_small_counts(np.array([2, 0, 1]), column_totals=True)
    assert protected.table["count"].tolist() == [None, 0, None, None]
    assert protected.rule["count"].tolist()[-1] == "primary"
    assert_nothing_recoverable(protected)


def test_table_without_totals_needs_only_primary_suppression() -> None:
    values = np.array([[3, 10], [0, 4]])
    protected = suppress_small_counts(values)
    assert protected.table.to_numpy().tolist() == [[None, 10], [0, None]]
    assert protected.n_secondary == 0
    with_zeros = suppress_small_counts(values, suppress_zero=True, threshold=4)
    assert with_zeros.table.to_numpy().tolist() == [[None, 10], [None, 4]]


def test_threshold_is_configurable() -> None:
    values = np.array([[9, 10, 11, 50]])
    protected = suppress_small_counts(values, threshold=10, row_totals=True)
    assert protected.rule.iloc[0, 0] == "primary"
    assert protected.rule.iloc[0, 1] == "secondary"  # smallest other cell
    assert protected.table.iloc[0, 4] == 80
    assert_nothing_recoverable(protected)


def test_totals_included_are_checked() -> None:
    table = pd.DataFrame([[3, 10, 13], [12, 15, 27], [15, 25, 40]])
    protected = suppress_small_counts(
        table, row_totals=True, column_totals=True, totals_included=True
    )
    assert protected.table.shape == (3, 3)
    assert_nothing_recoverable(protected)
    wrong = table.copy()
    wrong.iloc[1, 2] = 28
    wrong.iloc[2, 1] = 26
    with pytest.raises(DisclosureInputError) as error:
        suppress_small_counts(wrong, row_totals=True, column_totals=True, totals_included=True)
    assert error.value.key == "disclosure.inconsistent-total"
    assert {(p["params"]["row"], p["params"]["column"]) for p in error.value.problems} >= {
        (1, 2),
        (2, 1),
    }


def test_bad_counts_raise_with_every_problem_listed() -> None:
    table = pd.DataFrame({"a": [1.0, -2.0, 3.5], "b": [np.nan, 4.0, 5.0]})
    with pytest.raises(DisclosureInputError) as error:
        suppress_small_counts(table)
    keys = [p["key"] for p in error.value.problems]
    assert keys == [
        "disclosure.missing-count",
        "disclosure.negative-count",
        "disclosure.not-a-whole-number",
    ]
    assert error.value.key == "disclosure.missing-count"
    assert error.value.params == {"row": 0, "column": "b", "value": "nan"}
    assert isinstance(error.value, ValueError)
    with pytest.raises(DisclosureInputError) as error:
        suppress_small_counts(pd.DataFrame())
    assert error.value.key == "disclosure.empty-table"
    with pytest.raises(DisclosureInputError) as error:
        protect_table([[1]], DisclosurePolicy(rounding="random"))
    assert error.value.key == "disclosure.missing-seed"


def _read_low_birth_weight() -> pd.DataFrame:
    path = DATA / "health" / "low_birth_weight.csv"
    if not path.exists():
        pytest.fail(f"Reference data missing: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = [cell.strip() for cell in rows[6]]
    columns = header[3:]
    records: dict[str, list[int]] = {}
    for row in rows[7:]:
        if len(row) < 10 or not any(row):
            continue
        area = row[2].strip()
        if not area and row[0].strip() == "Wales" and not row[1].strip():
            area = "Wales"
        if not area:
            continue  # health-board subtotals
        records[area] = [0 if cell.strip() == "." else int(cell) for cell in row[3:10]]
    frame = pd.DataFrame.from_dict(records, orient="index", columns=columns)
    # Put the all-Wales row last: it is the column totals of the council rows.
    return pd.concat([frame.drop(index="Wales"), frame.loc[["Wales"]]])


def test_real_statswales_births_table_is_protected() -> None:
    table = _read_low_birth_weight()
    assert table.shape == (24, 7)  # 22 councils, "Not stated" and Wales; 6 bands and Total
    assert table.loc["Cardiff", "Total"] == 3526
    # The published margins add up (the module checks them) ...
    protected = suppress_small_counts(
        table, row_totals=True, column_totals=True, totals_included=True
    )
    # ... the small "Not stated" counts are hidden, with complements, and nothing leaks.
    not_stated = protected.table["Not stated (1)"]
    assert not_stated["Conwy"] is None and not_stated["Cardiff"] == 31
    assert protected.rule.loc["Conwy", "Not stated (1)"] == "primary"
    assert protected.table.loc["Wales", "Total"] == 27457
    assert protected.n_primary == 15 and protected.n_secondary >= 1
    assert_nothing_recoverable(protected)
    # The zero rule hides StatsWales' zeros ("." in the file) as well.
    strict = suppress_small_counts(
        table, row_totals=True, column_totals=True, totals_included=True, suppress_zero=True
    )
    assert strict.table.loc["Wrexham", "Not stated (1)"] is None
    assert_nothing_recoverable(strict)


# ----------------------------------------------------------------------------- property tests

cell_values = st.one_of(
    st.integers(min_value=0, max_value=6), st.integers(min_value=7, max_value=200)
)


@st.composite
def count_tables(draw: st.DrawFn) -> np.ndarray[Any, Any]:
    n_rows = draw(st.integers(min_value=1, max_value=6))
    n_cols = draw(st.integers(min_value=1, max_value=6))
    cells = draw(st.lists(cell_values, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    return np.array(cells, dtype=np.int64).reshape(n_rows, n_cols)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=count_tables(),
    margins=st.sampled_from([(True, True), (True, False), (False, True)]),
    threshold=st.sampled_from([3, 5, 10]),
    suppress_zero=st.booleans(),
    complements=st.sampled_from(["smallest", "fewest"]),
)
def test_random_tables_leak_nothing(
    values: np.ndarray[Any, Any],
    margins: tuple[bool, bool],
    threshold: int,
    suppress_zero: bool,
    complements: ComplementChoice,
) -> None:
    row_totals, column_totals = margins
    policy = DisclosurePolicy(
        threshold=threshold, suppress_zero=suppress_zero, complements=complements
    )
    protected = protect_table(values, policy, row_totals=row_totals, column_totals=column_totals)
    full = np.asarray(values)
    if row_totals:
        full = np.column_stack([full, full.sum(axis=1)])
    if column_totals:
        full = np.vstack([full, full.sum(axis=0)])
    published = protected.table.to_numpy()
    rules = protected.rule.to_numpy()
    small = (full > 0) & (full < threshold)
    if suppress_zero:
        small |= full == 0
    for (i, j), value in np.ndenumerate(full):
        if small[i, j]:
            assert published[i, j] is None and rules[i, j] == "primary"
        elif published[i, j] is None:
            assert rules[i, j] == "secondary"
        else:
            assert published[i, j] == value and rules[i, j] is None
    assert protected.suppressed.to_numpy().tolist() == (published == None).tolist()  # noqa: E711
    assert_nothing_recoverable(protected)


def test_fewest_complements_hide_fewer_cells_smallest_hide_less() -> None:
    # Measured on 300 random 2..24 x 2..24 tables (2-30% small cells): "smallest" hid 2,272
    # complementary cells worth 102,112; "fewest" 1,480 cells worth 110,189. A smaller sample
    # here, seeded, shows the same trade-off.
    rng = np.random.default_rng(5)
    hidden = {"smallest": [0, 0], "fewest": [0, 0]}
    for _ in range(40):
        n_rows, n_cols = rng.integers(2, 15, size=2)
        small = rng.random((n_rows, n_cols)) < 0.15
        values = np.where(
            small, rng.integers(1, 5, (n_rows, n_cols)), rng.integers(5, 300, (n_rows, n_cols))
        )
        full = np.column_stack([values, values.sum(axis=1)])
        full = np.vstack([full, full.sum(axis=0)])
        choices: tuple[ComplementChoice, ...] = ("smallest", "fewest")
        for choice in choices:
            protected = protect_table(
                values,
                DisclosurePolicy(complements=choice),
                row_totals=True,
                column_totals=True,
            )
            secondary = (protected.rule == "secondary").to_numpy()
            hidden[choice][0] += int(secondary.sum())
            hidden[choice][1] += int(full[secondary].sum())
            assert find_recoverable_cells(protected) == []
    assert hidden["fewest"][0] < hidden["smallest"][0]
    assert hidden["smallest"][1] < hidden["fewest"][1]


# ----------------------------------------------------------------------------- rounding


def test_conventional_rounding_to_base_five() -> None:
    values = np.array([[0, 1, 2, 3], [4, 5, 7, 8], [12, 13, 102, 103]])
    rounded = round_to_base(values)
    assert rounded.table.to_numpy().tolist() == [[0, 0, 0, 5], [5, 5, 5, 10], [10, 15, 100, 105]]
    assert rounded.n_primary == 0 and not rounded.suppressed.to_numpy().any()
    with_totals = round_to_base(values, row_totals=True, column_totals=True)
    # Totals are rounded from their true values, not re-added from the rounded cells: the
    # third column's total 2 + 7 + 102 = 111 publishes as 110 although its rounded cells add
    # to 0 + 5 + 100 = 105 (so a rounded table need not add up).
    assert with_totals.table.iloc[0, 4] == 5  # 6
    assert with_totals.table.iloc[3, 2] == 110
    assert with_totals.table.iloc[3, 4] == 260


def test_random_rounding_is_seeded_and_unbiased() -> None:
    values = np.full((200, 50), 7)
    first = round_to_base(values, method="random", seed=42).table.to_numpy().astype(int)
    again = round_to_base(values, method="random", seed=42).table.to_numpy().astype(int)
    other = round_to_base(values, method="random", seed=43).table.to_numpy().astype(int)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert set(np.unique(first).tolist()) == {5, 10}
    # 7 rounds up with probability 2/5: the mean stays 7 (10,000 cells: SE 0.024).
    assert abs(first.mean() - 7) < 0.1
    exact = round_to_base(np.array([[0, 5, 10]]), method="random", seed=1)
    assert exact.table.to_numpy().tolist() == [[0, 5, 10]]
    assert round_to_base(values[:1, :1], method="random", seed=42).seed == 42


def test_suppression_then_rounding() -> None:
    policy = DisclosurePolicy(rounding="conventional")
    protected = protect_table(
        np.array([[3, 12], [14, 18]]), policy, row_totals=True, column_totals=True
    )
    published = protected.table.to_numpy().tolist()
    assert published[0][0] is None
    assert all(v is None or v % 5 == 0 for row in published for v in row)
    assert protected.to_dict()["rounding"] == "conventional"
    assert find_recoverable_cells(protected) == []
