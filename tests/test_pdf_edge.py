"""PDF tables wider than the page: the columns on the page are read sure, the cells of the columns beyond the
page edge are flagged one by one (never a row flagged whole, never a sure value read from beyond the edge)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.extract import extract
from gikai_desk.ingest import OFF_PAGE_MARK, ROW_CUT_PREFIX, SourceDocument, row_cut_mark
from gikai_desk.ingest.pdf import read_pdf
from gikai_desk.limits import Limits
from gikai_desk.model import Report
from gikai_desk.parse import parse_document
from gikai_desk.parse.tokens import FLAG_OFF_PAGE, FLAG_OFF_PAGE_VALUE, FLAG_ROW_CUT
from tests.test_pdf import grid, hline, make_pdf, text, vline

HERE = Path(__file__).resolve().parent / "fixtures" / "pdfedge"
EXPECTED: dict[str, Any] = json.loads((HERE / "expected.json").read_text("utf-8"))
CUT_VARIANTS = [name for name, v in EXPECTED["variants"].items() if not name.endswith("fits")]
FIT_VARIANTS = [name for name in EXPECTED["variants"] if name.endswith("fits")]
EDGE_FLAGS = {FLAG_OFF_PAGE, FLAG_OFF_PAGE_VALUE, FLAG_ROW_CUT}

_reports: dict[str, Report] = {}


def report_of(name: str) -> Report:
    if name not in _reports:
        _reports[name] = extract(HERE / f"{name}.pdf")
    return _reports[name]


def on_page(variant: dict[str, Any], key: str) -> bool:
    table, row, col = key.split(".")
    if table == "t3":
        return col in variant["t3_columns_on_page"]
    return f"{row}.{col}" in variant["t4_cells_on_page"]


@pytest.mark.parametrize("name", CUT_VARIANTS)
def test_every_cell_of_a_table_cut_at_the_page_edge(name: str) -> None:
    report = report_of(name)
    variant = EXPECTED["variants"][name]
    off = 0
    for key, want in EXPECTED["cells"].items():
        cell = report.cells[key]
        assert not (cell.sure and cell.value != want), f"{key}: wrong sure value {cell.value}, want {want}"
        if on_page(variant, key):
            assert cell.sure and cell.value == want and cell.flag is None, (key, cell)
        else:
            off += 1
            assert not cell.sure and cell.flag in EDGE_FLAGS, (key, cell)
            assert cell.value in (None, want), (key, cell)
            if cell.value is not None:  # read from the text layer beyond the edge: said so
                assert cell.flag == FLAG_OFF_PAGE_VALUE
        if cell.raw:
            assert "".join(report.text[a:b] for a, b in cell.spans) == cell.raw, key
        else:  # a flagged cell without a value points at its mark
            assert all(
                report.text[a:b] in (OFF_PAGE_MARK,) or report.text[a:b].startswith(ROW_CUT_PREFIX)
                for a, b in cell.spans
                if b > a
            ), (key, cell.spans)
    assert off == len(EXPECTED["cells"]) - sum(on_page(variant, k) for k in EXPECTED["cells"])
    assert off > 0
    assert any("超出页面" in note or "截断" in note for note in report.notes), report.notes
    assert not any(
        "无法确定各值所在列" in (c.flag or "") for k, c in report.cells.items() if k[:2] in ("t3", "t4")
    )


@pytest.mark.parametrize("name", CUT_VARIANTS)
def test_values_beyond_the_edge_are_read_only_when_the_file_holds_them(name: str) -> None:
    report = report_of(name)
    variant = EXPECTED["variants"][name]
    beyond = [report.cells[k] for k in EXPECTED["cells"] if not on_page(variant, k)]
    with_value = [c for c in beyond if c.value is not None]
    if variant["text_beyond_edge"]:
        assert len(with_value) == len(beyond)
    else:
        # only the straddling column's figures (drawn from inside the page) are in the file
        assert 0 < len(with_value) < len(beyond)
        assert any(c.flag in (FLAG_OFF_PAGE, FLAG_ROW_CUT) and c.value is None for c in beyond)


@pytest.mark.parametrize("name", FIT_VARIANTS)
def test_a_table_that_fits_the_page_is_unchanged(name: str) -> None:
    report = report_of(name)
    for key, want in EXPECTED["cells"].items():
        cell = report.cells[key]
        assert cell.sure and cell.value == want, (key, cell)
    doc = read_pdf((HERE / f"{name}.pdf").read_bytes(), name, Limits())
    assert OFF_PAGE_MARK not in doc.text and ROW_CUT_PREFIX not in doc.text
    assert doc.notes == []


def test_fixtures_match_their_generator() -> None:
    spec = importlib.util.spec_from_file_location("make_pdfedge", HERE / "make_pdfedge.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    for variant in module.VARIANTS:
        assert (HERE / f"{variant.name}.pdf").read_bytes() == module.build(variant), variant.name
    assert json.loads((HERE / "expected.json").read_text("utf-8")) == json.loads(
        json.dumps(module.expected(), ensure_ascii=False)
    )


def test_the_reader_marks_the_cells_beyond_the_edge() -> None:
    doc = read_pdf((HERE / "kept.pdf").read_bytes(), "kept.pdf", Limits())
    lines = doc.text.splitlines()
    row = next(line for line in lines if line.startswith("一、本年新收"))
    assert row.split("\t") == [
        "一、本年新收政府信息公开申请数量",
        "",
        "78",
        "12",
        "1",
        "1",
        "3",
        "26" + OFF_PAGE_MARK,
        "121" + OFF_PAGE_MARK,
    ]
    clipped = read_pdf((HERE / "clipped.pdf").read_bytes(), "clipped.pdf", Limits())
    row = next(line for line in clipped.text.splitlines() if line.startswith("一、本年新收"))
    assert row.split("\t") == [
        "一、本年新收政府信息公开申请数量",
        "",
        "78",
        "12",
        "1",
        "1",
        "3",
        "26" + OFF_PAGE_MARK,
        row_cut_mark(6),
    ]
    t4 = next(line for line in clipped.text.splitlines() if line.startswith("3\t1\t0"))
    assert t4.split("\t")[-2:] == [OFF_PAGE_MARK, row_cut_mark(13)]


# ---------------------------------------------------------------------------------------------------------
# The marks as the parser reads them (TAB text, as any structured reader writes it)

T3_HEAD = "某局2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def t3_doc(rows: list[str]) -> Report:
    if len(rows) == 1:
        rows = [
            *rows,
            "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1",
            "（一）予以公开\t1\t0\t0\t0\t0\t0\t1",
        ]
    body = T3_HEAD + "\n".join(rows) + "\n"
    return parse_document(SourceDocument(path="t.txt", kind="pdf", text=body, structured=True))


def test_an_off_page_mark_flags_its_own_cell_only() -> None:
    report = t3_doc(
        [
            "一、本年新收政府信息公开申请数量\t5\t1\t0\t0\t0\t2" + OFF_PAGE_MARK + "\t" + OFF_PAGE_MARK,
            "二、上年结转政府信息公开申请数量\t1\t0\t0\t0\t0\t\t1",
        ]
    )
    cells = report.cells
    assert [cells[f"t3.new.{c}"].value for c in ("natural", "commercial", "research", "ngo", "legal")] == [
        5,
        1,
        0,
        0,
        0,
    ]
    assert all(cells[f"t3.new.{c}"].sure for c in ("natural", "commercial", "research", "ngo", "legal"))
    other, total = cells["t3.new.other_org"], cells["t3.new.total"]
    assert (other.value, other.sure, other.flag) == (2, False, FLAG_OFF_PAGE_VALUE)
    assert report.text[other.spans[0][0] : other.spans[0][1]] == "2"
    assert (total.value, total.sure, total.flag) == (None, False, FLAG_OFF_PAGE)
    assert report.text[total.spans[0][0] : total.spans[0][1]] == OFF_PAGE_MARK
    assert cells["t3.carried_in.total"].sure and cells["t3.carried_in.total"].value == 1


def test_a_row_cut_mark_keeps_the_page_cells_in_place_and_flags_the_rest() -> None:
    report = t3_doc(
        ["一、本年新收政府信息公开申请数量\t\t5\t\t0\t0\t" + OFF_PAGE_MARK + "\t" + row_cut_mark(5)]
    )
    cells = report.cells
    # the empty cell after the label is the merged label's covered position; the blank commercial cell stays
    assert [
        (cells[f"t3.new.{c}"].value, cells[f"t3.new.{c}"].sure)
        for c in ("natural", "commercial", "research", "ngo")
    ] == [(5, True), (None, True), (0, True), (0, True)]
    assert (cells["t3.new.legal"].sure, cells["t3.new.legal"].flag) == (False, FLAG_OFF_PAGE)
    for col in ("other_org", "total"):
        assert (cells[f"t3.new.{col}"].value, cells[f"t3.new.{col}"].sure) == (None, False)
        assert cells[f"t3.new.{col}"].flag == FLAG_ROW_CUT


def test_a_row_cut_mark_that_does_not_match_the_row_flags_the_whole_row() -> None:
    # The mark says the page shows 5 value columns but the row holds 6 filled cells: no placement is trusted.
    report = t3_doc(["一、本年新收政府信息公开申请数量\t9\t5\t1\t0\t0\t2\t" + row_cut_mark(5)])
    cells = [
        report.cells[f"t3.new.{c}"]
        for c in ("natural", "commercial", "research", "ngo", "legal", "other_org", "total")
    ]
    assert not any(c.sure for c in cells)
    assert all(c.flag for c in cells)


def test_prose_beyond_the_page_box_is_not_read() -> None:
    data = make_pdf([text(72, 700, "本机关认真落实条例要求。") + text(640, 650, "页面之外的文字")])
    doc = read_pdf(data, "t.pdf", Limits())
    assert "页面之外" not in doc.text and "本机关认真落实条例要求。" in doc.text
    assert any("页面可见区域之外" in note for note in doc.notes)


def test_a_cut_table_continued_on_the_next_page_is_marked_in_the_columns_it_takes_over() -> None:
    # Page 1: seven columns, the last two beyond the A4 edge (595). Page 2 continues it without the ruling at
    # 390 (a merged cell), so it takes page 1's columns: its marks must follow the columns, not their indices.
    xs = [72.0, 250.0, 320.0, 390.0, 460.0, 530.0, 600.0, 670.0]
    ys = [700.0, 680.0, 660.0]
    page1 = grid(xs, ys) + text(75, 686, "一行") + text(75, 666, "二行")
    for k, x in enumerate(xs[1:-1]):
        page1 += text(x + 5, 686, str(k + 1)) + text(x + 5, 666, str(k + 11))
    narrow = [x for x in xs if x != 390.0]
    page2 = grid(narrow, [800.0, 780.0]) + text(75, 786, "三行")
    for k, x in enumerate(narrow[1:-1]):
        page2 += text(x + 5, 786, str(k + 21))
    doc = read_pdf(make_pdf([page1, page2]), "t.pdf", Limits())
    rows = [line.split("\t") for line in doc.text.splitlines()]
    assert rows[0] == ["一行", "1", "2", "3", "4", "5〔超出页面〕", "6〔超出页面〕"]
    assert rows[2] == ["三行", "21", "22", "", "23", "24〔超出页面〕", "25〔超出页面〕"]
    assert any("第2页的表格宽于页面，右侧2列" in note for note in doc.notes)


def test_a_marked_cell_stays_flagged_when_table_four_is_read_from_runs_of_values() -> None:
    from gikai_desk.parse.displaced import read_t4_blocks
    from gikai_desk.parse.normalize import fold
    from gikai_desk.parse.tokens import PipeStyle

    # 表四 in PDF object order: two runs of values between header words; only one order keeps every total.
    norm = fold("3\n1\n0\n2\n6\n4\n0\n结果维持\n1\n1\n6\n2\n1\n1\n3\n7" + OFF_PAGE_MARK + "\n")
    read = read_t4_blocks(norm, 0, len(norm), PipeStyle.NONE, 15, 3, {})
    assert read is not None
    assert [c.value for c in read.cells] == [3, 1, 0, 2, 6, 4, 0, 1, 1, 6, 2, 1, 1, 3, 7]
    assert all(c.sure for c in read.cells[:14])
    assert (read.cells[14].sure, read.cells[14].flag) == (False, FLAG_OFF_PAGE_VALUE)


def test_a_sliver_column_between_labels_and_values_is_no_value_column_of_a_cut_table() -> None:
    # The header's label cell ends at 246, the body's at 246 with its values from 250: a 4 pt sliver column
    # (246-250) that holds no one-column cell with text. The table ends on the page edge (595), cutting the
    # 法律服务机构 column; 其他 and 总计 are lost.
    ys = [700.0, 680.0, 660.0, 640.0, 620.0]
    head = [72.0, 246.0, 320.0, 390.0, 460.0, 530.0, 595.0]
    body = [72.0, 246.0, 250.0, 320.0, 390.0, 460.0, 530.0, 595.0]
    page = text(72, 760, "某局2023年政府信息公开工作年度报告") + text(
        72, 730, "三、收到和处理政府信息公开申请情况"
    )
    page += "".join(hline(y, 72, 595) for y in ys)
    page += "".join(vline(x, ys[1], ys[0]) for x in head) + "".join(vline(x, ys[-1], ys[1]) for x in body)
    for name, x in zip(
        ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构"], head[1:], strict=False
    ):
        page += text(x + 3, 686, name, 8)
    figures = {
        "一、本年新收政府信息公开申请数量": [5, 1, 0, 2, 4],
        "二、上年结转政府信息公开申请数量": [1, 0, 0, 0, 3],
        "（一）予以公开": [3, 1, 0, 1, 6],
    }
    for (label, values), y in zip(figures.items(), ys[1:], strict=False):
        page += text(75, y - 14, label, 8)
        for value, x in zip(values, body[2:], strict=False):
            page += text(x + 5, y - 14, str(value))
    data = make_pdf([page])
    doc = read_pdf(data, "t.pdf", Limits())
    row = next(line for line in doc.text.splitlines() if line.startswith("一、本年新收"))
    assert row.split("\t") == [
        "一、本年新收政府信息公开申请数量",
        "",
        "5",
        "1",
        "0",
        "2",
        "4" + OFF_PAGE_MARK,
        row_cut_mark(5),
    ]
    report = parse_document(doc)
    columns = ["natural", "commercial", "research", "ngo", "legal", "other_org", "total"]
    for row_key, label in zip(["new", "carried_in", "granted"], figures, strict=True):
        cells = [report.cells[f"t3.{row_key}.{c}"] for c in columns]
        assert [(c.value, c.sure) for c in cells[:4]] == [(v, True) for v in figures[label][:4]]
        assert (cells[4].value, cells[4].sure, cells[4].flag) == (
            figures[label][4],
            False,
            FLAG_OFF_PAGE_VALUE,
        )
        assert [(c.value, c.sure, c.flag) for c in cells[5:]] == [(None, False, FLAG_ROW_CUT)] * 2


def test_cells_whose_text_lies_below_the_page_are_marked() -> None:
    xs, ys = [72.0, 250.0, 320.0, 390.0], [60.0, 40.0, 20.0, -14.0]
    page = grid(xs, ys) + text(75, 46, "一行") + text(255, 46, "1") + text(325, 46, "2")
    page += text(75, 26, "二行") + text(255, 26, "3") + text(325, 26, "4")
    page += text(75, 4, "三行") + text(255, -8, "5") + text(325, 4, "6")  # 5 sits below the page's bottom
    doc = read_pdf(make_pdf([page]), "t.pdf", Limits())
    rows = [line.split("\t") for line in doc.text.splitlines()]
    assert rows == [["一行", "1", "2"], ["二行", "3", "4"], ["三行", "5" + OFF_PAGE_MARK, "6"]]
    assert any("页面可见区域之外" in note for note in doc.notes)
