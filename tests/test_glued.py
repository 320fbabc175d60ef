"""Unit tests of the glued-cell solver: splitting digits run together, with the form's sums as constraints."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gikai_desk.forms import formbook
from gikai_desk.parse.glued import (
    REASON_CONFLICT,
    REASON_NO_RULE,
    REASON_ROW_CONFLICT,
    REASON_SEVERAL,
    REASON_TOO_MANY,
    REASON_UNREADABLE,
    Constraint,
    GluedSolution,
    rule_constraints,
    solve_glued,
)


def row_total(row: int, width: int = 7) -> Constraint:
    """The last cell of row `row` is the sum of the others (like T3_ROW_TOTAL)."""
    base = row * width
    return Constraint(tuple(range(base, base + width - 1)), (base + width - 1,))


def values(solution: GluedSolution) -> list[int | float | None]:
    return [cell.value for cell in solution.cells]


def spans(solution: GluedSolution) -> list[tuple[int, int]]:
    return [(cell.start, cell.end) for cell in solution.cells]


def sure(solution: GluedSolution) -> list[bool]:
    return [cell.sure for cell in solution.cells]


# --- unique splits ---------------------------------------------------------------------------------


def test_row_total_selects_the_only_split() -> None:
    solution = solve_glued(["640020470"], [7], [row_total(0)])
    assert values(solution) == [64, 0, 0, 2, 0, 4, 70]
    assert spans(solution) == [(0, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 9)]
    assert all(sure(solution))
    assert solution.solutions == 1
    assert solution.candidates == 1
    assert not solution.ambiguous
    assert solution.reason is None
    assert solution.ambiguous_rows == ()


def test_as_many_digits_as_cells_is_one_digit_each_without_constraints() -> None:
    solution = solve_glued(["7000007", "000"], [7, 3], [])
    assert values(solution) == [7, 0, 0, 0, 0, 0, 7, 0, 0, 0]
    assert all(sure(solution))
    assert solution.solutions == 1


def test_constraints_across_rows_settle_rows_ambiguous_on_their_own() -> None:
    # Alone, each of the first two rows has two splits meeting its row total; the third row is
    # their column-wise sum, which leaves exactly one combination.
    blobs = ["270020130", "220000325", "490020455"]
    column_sums = [Constraint((c, 7 + c), (14 + c,)) for c in range(7)]
    alone = solve_glued(blobs[:1], [7], [row_total(0)])
    assert alone.solutions == 2
    solution = solve_glued(blobs, [7, 7, 7], [row_total(r) for r in range(3)] + column_sums)
    assert values(solution) == [27, 0, 0, 2, 0, 1, 30, 22, 0, 0, 0, 0, 3, 25, 49, 0, 0, 2, 0, 4, 55]
    assert all(sure(solution))
    assert solution.solutions == 1
    assert not solution.ambiguous


def test_independent_rows_multiply_the_solution_count() -> None:
    solution = solve_glued(["350", "12"], [2, 2], [])
    assert solution.solutions == 2  # 3|50 or 35|0, times the single 1|2
    assert solution.ambiguous_rows == (0,)
    assert values(solution)[2:] == [1, 2]
    assert sure(solution) == [False, False, True, True]


# --- ambiguous splits -------------------------------------------------------------------------------


def test_row_without_constraint_is_flagged_with_a_plausible_value() -> None:
    solution = solve_glued(["898989"], [3], [])
    assert values(solution) == [89, 89, 89]  # equal numbers repeating: the reading a reviewer expects
    assert not any(sure(solution))
    assert solution.ambiguous
    assert solution.solutions == 10
    assert solution.reason == REASON_NO_RULE
    assert all(cell.reason == REASON_NO_RULE for cell in solution.cells)
    assert solution.ambiguous_rows == (0,)


def test_plausible_value_prefers_even_lengths() -> None:
    solution = solve_glued(["123456"], [3], [])
    assert values(solution) == [12, 34, 56]
    assert not any(sure(solution))


def test_cells_all_splits_agree_on_stay_sure() -> None:
    # 2|7|0|0|20|1|30 and 27|0|0|2|0|1|30 both meet the row total: the last two cells agree.
    solution = solve_glued(["270020130"], [7], [row_total(0)])
    assert sure(solution) == [False, False, False, False, False, True, True]
    assert values(solution)[5:] == [1, 30]
    assert solution.solutions == 2
    assert solution.reason == REASON_SEVERAL


def test_same_value_at_another_place_is_not_sure() -> None:
    # 2|0|200 and 202|0|0 both sum to 202: the middle cell is 0 in both, but read from another place.
    solution = solve_glued(["20200", "202"], [3, 1], [Constraint((0, 1, 2), (3,))])
    assert solution.solutions == 2
    assert sure(solution) == [False, False, False, True]
    assert {(c.value, c.start) for c in solution.cells[1:2]} <= {(0, 1), (0, 3)}


def test_cell_after_a_space_can_be_sure_while_the_rest_is_not() -> None:
    solution = solve_glued(["7 898989"], [4], [])
    assert sure(solution) == [True, False, False, False]
    assert values(solution) == [7, 89, 89, 89]


def test_max_solutions_caps_the_count() -> None:
    solution = solve_glued(["123456789123"], [4], [], max_solutions=5)
    assert solution.solutions == 5
    assert solution.ambiguous


# --- spaces, leading zeros, decimals, units, signs --------------------------------------------------


def test_space_is_always_a_boundary() -> None:
    solution = solve_glued(["230 000023"], [7], [row_total(0)])
    assert values(solution) == [23, 0, 0, 0, 0, 0, 23]
    assert spans(solution)[:3] == [(0, 2), (2, 3), (4, 5)]
    assert all(sure(solution))
    # "12 3" is 12|3, never 1|23
    assert values(solve_glued(["12 3"], [2], [])) == [12, 3]
    assert all(sure(solve_glued(["12 3"], [2], [])))


def test_spaces_with_doubled_zeros_and_outer_spaces() -> None:
    solution = solve_glued([" 0 0 00 00 0 ", "23 0 00 0 023"], [7, 7], [row_total(0), row_total(1)])
    assert values(solution) == [0] * 7 + [23, 0, 0, 0, 0, 0, 23]
    assert spans(solution)[:7] == [(1, 2), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10), (11, 12)]
    assert all(sure(solution))


def test_space_cannot_be_bridged() -> None:
    solution = solve_glued(["22 93"], [1], [])
    assert values(solution) == [None]
    assert not solution.cells[0].sure
    assert solution.cells[0].reason == REASON_UNREADABLE
    assert solution.solutions == 0


def test_no_leading_zeros() -> None:
    assert values(solve_glued(["105"], [2], [])) == [10, 5]  # 1|05 is not a split
    assert all(sure(solve_glued(["105"], [2], [])))
    assert values(solve_glued(["05"], [2], [])) == [0, 5]
    assert values(solve_glued(["05"], [1], [])) == [None]


def test_decimal_point_stays_inside_one_number() -> None:
    solution = solve_glued(["3.25"], [2], [])
    assert values(solution) == [3.2, 5]  # 3|.25 and 3.|25 are not numbers
    assert all(sure(solution))
    assert values(solve_glued(["1.5"], [2], [])) == [None, None]


def test_trailing_unit_belongs_to_the_last_cell() -> None:
    blob = "13575394432.52元"
    solution = solve_glued([blob], [2], [])
    items, amount = solution.cells
    assert solution.ambiguous and not items.sure and not amount.sure
    assert isinstance(items.value, int)
    assert isinstance(amount.value, float)
    assert amount.unit == "元"
    assert amount.end == len(blob)
    assert items.end == amount.start
    assert "." in blob[amount.start : amount.end]


def test_single_amount_with_unit_is_sure() -> None:
    solution = solve_glued(["12.5万元"], [1], [])
    (cell,) = solution.cells
    assert (cell.value, cell.start, cell.end, cell.unit, cell.sure) == (12.5, 0, 6, "万元", True)


def test_decimals_sum_exactly() -> None:
    # 0.1 + 0.2 == 0.3 must hold exactly, not in floating point.
    solution = solve_glued(["0.10.20.3"], [3], [Constraint((0, 1), (2,))])
    assert values(solution) == [0.1, 0.2, 0.3]
    assert all(sure(solution))


def test_sign_only_at_the_start_of_a_cell() -> None:
    assert values(solve_glued(["+5174-183"], [2], [])) == [5174, -183]
    assert values(solve_glued(["12-3"], [3], [])) == [1, 2, -3]
    assert values(solve_glued(["5-"], [2], [])) == [None, None]


def test_full_width_digits_keep_offsets() -> None:
    solution = solve_glued(["１２　３"], [2], [])
    assert values(solution) == [12, 3]
    assert spans(solution) == [(0, 2), (3, 4)]


# --- no split satisfies every constraint --------------------------------------------------------------


def test_conflicting_columns_fall_back_to_row_splits() -> None:
    blobs = ["270020130", "220000325", "500020456"]  # the third row's 50 is no sum of the first two
    column_sums = [Constraint((c, 7 + c), (14 + c,)) for c in range(7)]
    solution = solve_glued(blobs, [7, 7, 7], [row_total(r) for r in range(3)] + column_sums)
    assert solution.solutions == 0
    assert solution.ambiguous
    assert solution.ambiguous_rows == (0, 1)
    assert REASON_CONFLICT in (solution.reason or "")
    first, second, third = (solution.cells[r * 7 : r * 7 + 7] for r in range(3))
    assert [c.sure for c in first] == [False] * 5 + [True, True]
    assert [c.sure for c in second] == [False, False, True, True, True, True, True]
    assert all(c.sure for c in third)  # its text allows one split only: a report error, not a misread
    assert [c.value for c in third] == [50, 0, 0, 2, 0, 4, 56]
    assert all(c.reason == REASON_CONFLICT for c in first if not c.sure)


def test_row_total_that_never_holds() -> None:
    # One split of seven cells only, but glued digits do not show how many cells they hold: 10 0 0 0 0 2
    # with its total 12 lost reads the same, so a row no split explains keeps no cell sure (it used to be
    # read sure, a silent misread when the row had lost a cell).
    unique = solve_glued(["1000002"], [7], [row_total(0)])
    assert values(unique) == [1, 0, 0, 0, 0, 0, 2]
    assert not any(sure(unique))
    assert unique.solutions == 0
    assert unique.cells[0].reason == REASON_ROW_CONFLICT
    several = solve_glued(["22000009"], [7], [row_total(0)])
    assert not any(sure(several))
    assert several.cells[0].reason == REASON_ROW_CONFLICT


# --- pathological input -------------------------------------------------------------------------------


def test_too_many_digits_for_the_cells() -> None:
    solution = solve_glued(["1" * 200], [7], [row_total(0)])
    assert values(solution) == [None] * 7
    assert not any(sure(solution))
    assert solve_glued(["9" * 5000], [7], []).cells[0].reason == REASON_UNREADABLE


def test_enumeration_is_bounded() -> None:
    blob = "1234567890" * 20
    solution = solve_glued([blob], [20], [Constraint(tuple(range(19)), (19,))])
    assert solution.ambiguous
    assert not any(sure(solution))
    assert {cell.reason for cell in solution.cells} <= {REASON_TOO_MANY, REASON_ROW_CONFLICT}
    # still a complete reading of the text, cell after cell
    assert all(cell.value is not None for cell in solution.cells)
    assert solution.cells[0].start == 0 and solution.cells[-1].end == len(blob)
    assert all(a.end == b.start for a, b in zip(solution.cells, solution.cells[1:], strict=False))


def test_enumeration_is_bounded_without_constraints() -> None:
    solution = solve_glued(["12" * 100], [30], [])
    assert solution.ambiguous and solution.reason == REASON_TOO_MANY
    assert solution.solutions == 64


def test_many_cells_and_empty_rows() -> None:
    zeros = solve_glued(["0" * 200], [200], [])
    assert values(zeros) == [0] * 200 and all(sure(zeros))
    huge = solve_glued(["1" * 500], [500], [])
    assert values(huge) == [None] * 500
    empty = solve_glued(["", "5"], [0, 1], [])
    assert values(empty) == [5]
    blank = solve_glued(["  "], [2], [])
    assert values(blank) == [None, None]


def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        solve_glued(["1"], [1, 2], [])
    with pytest.raises(ValueError):
        solve_glued(["12"], [2], [Constraint((0,), (5,))])


# --- the form's rules as constraints ------------------------------------------------------------------


def test_rule_constraints_of_table_three() -> None:
    book = formbook()
    keys = book.keys("t3", "2021")
    constraints = rule_constraints(keys, book)
    rows = len(book.table("t3").variants["2021"].rows)
    assert len(constraints) == rows + 7 + 7  # row totals, result totals per column, balance per column
    index = {key: g for g, key in enumerate(keys)}
    assert (
        Constraint(
            tuple(index[f"t3.new.{c}"] for c in book.rules["T3_ROW_TOTAL"].parts), (index["t3.new.total"],)
        )
        in constraints
    )
    balance = Constraint(
        (index["t3.new.natural"], index["t3.carried_in.natural"]),
        (index["t3.total.natural"], index["t3.carried_out.natural"]),
    )
    assert balance in constraints
    t4 = rule_constraints(book.keys("t4", "2019"), book)
    assert len(t4) == 3
    # a row missing from the glued cells drops the rules that need it
    partial = [k for k in keys if not k.startswith("t3.carried_out.")]
    assert len(rule_constraints(partial, book)) == rows - 1 + 7


def test_whole_table_three_with_form_rules() -> None:
    book = formbook()
    keys = book.keys("t3", "2021")
    rows = (
        ["640020470", "0000000", "270020130", "500000 5"]
        + ["0000000"] * 4
        + ["1000001", "0000000", "6000006", "1000001", "220000325"]
        + ["0000000"] * 9
        + ["1000001", "630020469", "1000001 "]
    )
    solution = solve_glued(rows, [7] * len(rows), rule_constraints(keys, book))
    assert solution.solutions == 1 and not solution.ambiguous
    got = dict(zip(keys, values(solution), strict=True))
    assert [got[f"t3.granted.{c}"] for c in ("natural", "ngo", "other_org", "total")] == [27, 2, 1, 30]
    assert [got[f"t3.unable_no_info.{c}"] for c in ("natural", "commercial", "other_org", "total")] == [
        22,
        0,
        3,
        25,
    ]


# --- soundness on random tables -----------------------------------------------------------------------

counts_strategy = st.integers(min_value=0, max_value=120)


@st.composite
def tables(draw: st.DrawFn) -> list[list[int]]:
    """Rows of six counts and their total, the last row being the column sums of the others."""
    height = draw(st.integers(min_value=1, max_value=4))
    rows = [draw(st.lists(counts_strategy, min_size=6, max_size=6)) for _ in range(height)]
    rows.append([sum(col) for col in zip(*rows, strict=True)])
    return [[*row, sum(row)] for row in rows]


@settings(max_examples=150, deadline=None)
@given(tables())
def test_sure_cells_are_always_right(table: list[list[int]]) -> None:
    height = len(table)
    blobs = ["".join(str(v) for v in row) for row in table]
    constraints = [row_total(r) for r in range(height)]
    constraints += [
        Constraint(tuple(r * 7 + c for r in range(height - 1)), ((height - 1) * 7 + c,)) for c in range(7)
    ]
    solution = solve_glued(blobs, [7] * height, constraints)
    truth = [v for row in table for v in row]
    assert solution.solutions >= 1  # the true split satisfies every constraint
    for cell, true_value in zip(solution.cells, truth, strict=True):
        if cell.sure:
            assert cell.value == true_value
    if not solution.ambiguous:
        assert values(solution) == truth
