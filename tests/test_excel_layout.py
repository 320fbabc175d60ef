"""The printed form layout (gikai_desk.formlayout) the Excel writer and the GUI grid share."""

from __future__ import annotations

import pytest

from gikai_desk.formlayout import TableLayout, report_layouts, table_layout
from gikai_desk.forms import formbook

ALL_FORMS = [(t, v) for t, tdef in formbook().tables.items() for v in tdef.variants]


@pytest.mark.parametrize(("table", "variant"), ALL_FORMS)
def test_every_key_has_exactly_one_grid_position(table: str, variant: str) -> None:
    layout = table_layout(table, variant)
    assert sorted(layout.keys) == sorted(formbook().keys(table, variant))
    assert layout.keys == formbook().keys(table, variant)  # reading order = form order
    for key in layout.keys:
        row, col = layout.position(key)  # type: ignore[misc]
        assert layout.key_at(row, col) == key


@pytest.mark.parametrize(("table", "variant"), ALL_FORMS)
def test_grid_is_fully_covered_without_overlaps(table: str, variant: str) -> None:
    layout: TableLayout = table_layout(table, variant)
    covered: dict[tuple[int, int], int] = {}
    for cell in layout.cells:
        assert cell.rowspan >= 1 and cell.colspan >= 1
        for r in range(cell.row, cell.row + cell.rowspan):
            for c in range(cell.col, cell.col + cell.colspan):
                covered[(r, c)] = covered.get((r, c), 0) + 1
    assert all(n == 1 for n in covered.values()), "merged cells overlap"
    assert set(covered) == {(r, c) for r in range(layout.n_rows) for c in range(layout.n_cols)}


def test_table_three_row_hierarchy() -> None:
    layout = table_layout("t3", "2021")
    labels = {c.text: c for c in layout.cells if c.kind == "label"}
    results = labels["三、本年度办理结果"]
    assert (results.level, results.col, results.rowspan) == (0, 0, 22)
    deny = labels["（三）不予公开"]
    assert (deny.level, deny.col, deny.rowspan) == (1, 1, 8)
    secret = labels["1.属于国家秘密"]
    assert (secret.level, secret.row, secret.col) == (2, deny.row, 2)
    assert layout.position("t3.deny_secret.natural") == (secret.row, layout.label_cols)
    assert labels["一、本年新收政府信息公开申请数量"].colspan == layout.label_cols == 3
    assert labels["（六）其他处理"].rowspan == 3
    headers = {c.text: c for c in layout.cells if c.kind == "header"}
    assert headers["申请人情况"].colspan == 7 and headers["法人或其他组织"].colspan == 5
    assert headers["自然人"].rowspan == 2 and layout.header_rows == 3
    corner = next(c for c in layout.cells if c.kind == "corner")
    assert "勾稽关系" in corner.text and corner.rowspan == 3
    single = {c.text: c for c in table_layout("t3", "2019").cells if c.kind == "label"}["（六）其他处理"]
    assert single.rowspan == 1 and single.colspan == 2


def test_table_two_sections_and_table_four_groups() -> None:
    t2 = table_layout("t2", "2021")
    sections = [c.text for c in t2.cells if c.kind == "section"]
    assert sections == [s.label for s in formbook().table("t2").variants["2021"].layout()]
    assert "行政规范性文件" in {c.text for c in t2.cells if c.kind == "label"}
    fee = t2.position("t2.fees.amount")
    assert fee is not None and t2.cell_at(*fee).colspan == 3  # type: ignore[union-attr]
    t4 = table_layout("t4", "2019")
    headers = {c.text: c for c in t4.cells if c.kind == "header"}
    assert headers["行政诉讼"].colspan == 10 and headers["行政复议"].rowspan == 2
    assert t4.n_rows == 4 and t4.label_cols == 0
    assert [t4.position(f"t4.{g}.total") for g in ("review", "direct", "after_review")] == [(3, 4), (3, 9), (3, 14)]


def test_report_layouts_follow_the_forms_of_a_report() -> None:
    layouts = report_layouts({"t2": "2021", "t3": "2019", "t4": "2019"})
    assert [(lay.table, lay.variant) for lay in layouts] == [("t2", "2021"), ("t3", "2019"), ("t4", "2019")]
    assert report_layouts({}) == []
    with pytest.raises(KeyError):
        table_layout("t3", "1999")
