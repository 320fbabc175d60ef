"""Table grids: short rows stay short, real blanks stay blank, sliver columns from merged cells are dropped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gikai_desk.ingest.grid import GridCell, kept_columns, table_rows
from gikai_desk.ingest.grid import PlacedCell as Placed
from gikai_desk.ingest.html import html_to_text


def _text(html: str) -> str:
    return html_to_text(html, 400)[0]


def _rows(*cells: str) -> str:
    return "".join(f"<tr>{row}</tr>" for row in cells)


def test_row_with_fewer_cells_than_its_peers_is_not_padded() -> None:
    html = "<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>x</td><td>1</td></tr></table>"
    assert _text(html) == "a\tb\tc\nx\t1\n"


def test_short_row_in_a_table_with_merged_cells_is_not_padded() -> None:
    html = (
        '<table><tr><td rowspan="2">三、结果</td><td>1.予以公开</td><td>5</td><td>0</td><td>5</td></tr>'
        "<tr><td>2.部分公开</td><td>4</td><td>4</td></tr></table>"
    )
    assert _text(html) == "三、结果\t1.予以公开\t5\t0\t5\n\t2.部分公开\t4\t4\n"


def test_real_blanks_stay_empty_cells() -> None:
    html = "<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>x</td><td>1</td><td>&nbsp;</td></tr>"
    html += "<tr><td>y</td><td></td><td>2</td></tr></table>"
    assert _text(html) == "a\tb\tc\nx\t1\t\ny\t\t2\n"


def test_covered_positions_stay_empty_cells() -> None:
    html = (
        '<table><tr><td rowspan="2">甲</td><td>1</td><td rowspan="2">合计</td></tr>'
        '<tr><td>2</td></tr><tr><td colspan="2">乙</td><td>3</td></tr></table>'
    )
    assert _text(html) == "甲\t1\t合计\n\t2\t\n乙\t\t3\n"


def test_row_that_runs_out_of_cells_before_a_covered_position_ends_there() -> None:
    # the second row has one cell for the two free columns: it lost one, and must not look complete
    html = '<table><tr><td>a</td><td>b</td><td rowspan="2">c</td></tr><tr><td>x</td></tr></table>'
    assert _text(html) == "a\tb\tc\nx\n"


def test_sliver_column_under_colspans_is_dropped() -> None:
    """Office HTML: a narrow extra grid column that only colspans reach into carries no TAB cell."""
    html = (
        "<table>"
        + _rows(
            '<td colspan="3">复议</td><td colspan="2">诉讼</td>',
            '<td>维持</td><td colspan="2">总计</td><td>维持</td><td>总计</td>',
            '<td>1</td><td colspan="2">2</td><td>3</td><td>4</td>',
        )
        + "</table>"
    )
    assert _text(html) == "复议\t\t诉讼\t\n维持\t总计\t维持\t总计\n1\t2\t3\t4\n"


def test_sliver_column_where_only_a_wide_header_begins_is_dropped() -> None:
    """Writer's 表四: 行政诉讼 begins in the sliver column, the leaf 总计 spans into it from the left."""
    html = (
        "<table>"
        + _rows(
            '<td colspan="3">行政复议</td><td colspan="3">行政诉讼</td>',
            '<td>维持</td><td>纠正</td><td colspan="2">总计</td><td>维持</td><td>总计</td>',
            '<td>1</td><td>2</td><td colspan="2">3</td><td>4</td><td>5</td>',
        )
        + "</table>"
    )
    assert _text(html) == "行政复议\t\t\t行政诉讼\t\n维持\t纠正\t总计\t维持\t总计\n1\t2\t3\t4\t5\n"


def test_title_row_wider_than_the_table_does_not_widen_it() -> None:
    html = "<table>" + _rows('<td colspan="4">表四</td>', "<td>a</td><td>b</td><td>c</td>") + "</table>"
    assert _text(html) == "表四\t\t\na\tb\tc\n"


def test_rows_only_covered_from_above_are_dropped_and_counted() -> None:
    html = '<table><tr><td rowspan="3">甲</td><td>1</td></tr><tr></tr><tr><td>2</td></tr><tr><td>乙</td><td>3</td></tr>'
    assert _text(html + "</table>") == "甲\t1\n\t2\n乙\t3\n"


def test_explicit_empty_column_is_kept() -> None:
    """An empty <td> in every row is a real (blank) column: only merged coverage makes a column degenerate."""
    html = "<table>" + _rows("<td>a</td><td></td><td>b</td>", "<td>1</td><td>&nbsp;</td><td>2</td>") + "</table>"
    assert _text(html) == "a\t\tb\n1\t\t2\n"


def test_kept_columns_keeps_one_column_per_cell() -> None:
    assert kept_columns(4, [Placed(0, 4, "x", 0)]) == [0]
    assert kept_columns(3, [Placed(0, 2, "a", 0), Placed(2, 3, "b", 0), Placed(0, 1, "c", 1), Placed(1, 3, "d", 1)]) == [0, 2]
    cells = [Placed(c, c + 1, "v", 0) for c in range(3)]
    assert kept_columns(3, cells) == [0, 1, 2]


def test_leading_absent_positions_are_empty_cells_and_trailing_ones_end_the_row() -> None:
    rows = [
        [GridCell("a"), GridCell("b"), GridCell("c"), GridCell("d")],
        [GridCell("", colspan=2, absent=True), GridCell("x"), GridCell("y")],
        [GridCell("p"), GridCell("q")],
    ]
    assert table_rows(rows) == [["a", "b", "c", "d"], ["", "", "x", "y"], ["p", "q"]]


_CELL = st.tuples(st.integers(1, 3), st.integers(1, 3), st.booleans())  # rowspan, colspan, absent


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_CELL, max_size=6), max_size=8))
def test_every_cell_text_shows_exactly_once(shape: list[list[tuple[int, int, bool]]]) -> None:
    names = iter(range(1000))
    rows = [
        [GridCell("", colspan=c, absent=True) if absent else GridCell(f"c{next(names)}", r, c) for r, c, absent in row]
        for row in shape
    ]
    texts = [text for row in table_rows(rows) for text in row if text]
    assert sorted(texts) == sorted(cell.text for row in rows for cell in row if cell.text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["", "1", "甲"]), min_size=1, max_size=6), max_size=8))
def test_rows_without_merged_cells_come_out_as_they_are(shape: list[list[str]]) -> None:
    assert table_rows([[GridCell(text) for text in row] for row in shape]) == shape
