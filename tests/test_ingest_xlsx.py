"""Excel .xlsx: every sheet's used rows in the TAB convention, merged ranges, number formatting, bad files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from hostile.make_hostile import replace_member, xlsx_bytes

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.ingest.xlsx import format_value
from gikai_desk.limits import Limits

LIMITS = Limits()


def _workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_merged_cells_numbers_and_sheets() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "表三"
    sheet["A1"] = "本年度办理结果"
    sheet.merge_cells("A1:C2")
    sheet["D1"] = "申请人情况"
    sheet.merge_cells("D1:F1")
    sheet.append([])  # row 3 stays empty: dropped
    sheet["D2"], sheet["E2"], sheet["F2"] = "自然人", "商业企业", "总计"
    sheet["A4"] = "一、本年新收政府信息公开申请数量"
    sheet.merge_cells("A4:C4")
    sheet["D4"], sheet["E4"], sheet["F4"] = 40, 3.0, 43.0
    sheet["A5"], sheet["D5"], sheet["E5"], sheet["F5"] = "采购总金额", 2.5, "251000元", -183
    sheet["A7"] = "备注\t有\n换行"
    other = workbook.create_sheet("空表")
    del other
    last = workbook.create_sheet("表四")
    last.append(["行政复议", None, "总计"])
    last.append([0, None, 0])
    doc = read_bytes(_workbook_bytes(workbook), "report.xlsx", LIMITS)
    assert doc.kind == "xlsx"
    assert doc.structured is True
    # Columns B and C hold no value of their own (only the merged labels reach into them), and 表四's column B
    # is blank throughout: such columns carry no data and are dropped from every row.
    assert doc.text == (
        "表三\n"
        "本年度办理结果\t申请人情况\t\t\n"
        "\t自然人\t商业企业\t总计\n"
        "一、本年新收政府信息公开申请数量\t40\t3\t43\n"
        "采购总金额\t2.5\t251000元\t-183\n"
        "备注 有 换行\t\t\t\n"
        "表四\n"
        "行政复议\t总计\n"
        "0\t0\n"
    )


def test_sliver_column_of_merged_ranges_is_dropped_and_short_rows_are_padded() -> None:
    """Excel: a column only merged ranges reach into (总计 and its value merged over E:F) holds no data and is
    dropped; every position of a sheet is a cell, so a row with blanks at its end is padded to the width."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["行政复议", None, None, None, None, None, "行政诉讼"])
    sheet.merge_cells("A1:F1")
    sheet.append(["维持", "纠正", "其他", "尚未审结", "总计", None, "维持"])
    sheet.merge_cells("E2:F2")
    sheet.append([9, 2, 1, 2, 14, None, 4])
    sheet.merge_cells("E3:F3")
    sheet.append([1, 2])
    doc = read_bytes(_workbook_bytes(workbook), "t4.xlsx", LIMITS)
    assert doc.text == (
        "Sheet\n"
        "行政复议\t\t\t\t\t行政诉讼\n"
        "维持\t纠正\t其他\t尚未审结\t总计\t维持\n"
        "9\t2\t1\t2\t14\t4\n"
        "1\t2\t\t\t\t\n"
    )


def test_vertical_merges_and_merges_over_missing_rows() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"], sheet["B1"], sheet["C1"] = "三、结果", "（一）公开", 5
    sheet["B2"], sheet["C2"] = "（二）部分公开", 4
    sheet.merge_cells("A1:A3")
    sheet.merge_cells("D5:E9")  # a merged range over rows the sheet does not hold, without a value
    doc = read_bytes(_workbook_bytes(workbook), "t3.xlsx", LIMITS)
    assert doc.text == "Sheet\n三、结果\t（一）公开\t5\n\t（二）部分公开\t4\n"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""), (3.0, "3"), (-183.0, "-183"), (0.1, "0.1"), (1e20, "1e+20"), (12, "12"), (True, "TRUE"),
        (Decimal("5.00"), "5"), (Decimal("2.50"), "2.50"), (dt.datetime(2020, 1, 10), "2020-01-10"),
        (dt.datetime(2020, 1, 10, 9, 41), "2020-01-10 09:41:00"), (dt.date(2020, 1, 10), "2020-01-10"),
        ("  a\tb ", "a b"),
    ],
)  # fmt: skip
def test_values_are_written_as_a_reader_sees_them(value: object, text: str) -> None:
    assert format_value(value) == text


def test_sheet_whose_used_range_claims_the_whole_grid_is_read_quickly() -> None:
    data = xlsx_bytes([["规章", 1]])
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>规章</t></is></c><c r="XFD1"><v>9</v></c></row>'
        '<row r="5000"><c r="B5000"><v>7</v></c></row>'
        '<row r="1048576"><c r="C1048576"><v>8</v></c></row>'
        "</sheetData></worksheet>"
    )
    doc = read_bytes(replace_member(data, "xl/worksheets/sheet1.xml", sheet.encode()), "wide.xlsx", LIMITS)
    assert doc.text.splitlines()[1:] == ["规章\t", "\t7"]  # columns beyond 256 and rows beyond the cap dropped
    assert any("其余未读" in note for note in doc.notes)


def test_workbook_with_no_values_is_refused() -> None:
    with pytest.raises(InputError, match="without any cell values"):
        read_bytes(_workbook_bytes(openpyxl.Workbook()), "empty.xlsx", LIMITS)


def test_corrupt_workbook_is_a_clear_input_error() -> None:
    data = replace_member(xlsx_bytes([["规章", 1]]), "xl/workbook.xml", b"<workbook><sheets")
    with pytest.raises(InputError) as caught:
        read_bytes(data, "bad.xlsx", LIMITS)
    assert caught.value.file == "bad.xlsx"
    assert "损坏的Excel文件" in caught.value.reason


def test_truncated_workbook() -> None:
    data = xlsx_bytes([["规章", 1]] * 50)
    with pytest.raises(InputError, match="corrupt"):
        read_bytes(data[: len(data) - 100], "cut.xlsx", LIMITS)


def test_entity_bomb_in_shared_strings_is_refused() -> None:
    data = xlsx_bytes([["规章", 1]])
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>'
    )
    with pytest.raises(InputError, match="DTD"):
        read_bytes(replace_member(data, "xl/sharedStrings.xml", bomb.encode()), "bomb.xlsx", LIMITS)


def test_openpyxl_parses_with_defusedxml() -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


def _inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


FORMULA_SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1">' + _inline("A1", "一") + '<c r="B1"><v>40</v></c><c r="C1"><v>3</v></c>'
    '<c r="D1"><f>SUM(B1:C1)</f><v/></c><c r="E1"><f>B1*2</f></c><c r="F1"><f>SUM(B1:C1)</f><v>43</v></c>'
    '<c r="G1" t="str"><f>IF(B1&gt;0,"","x")</f><v></v></c></row>'
    '<row r="2">' + _inline("A2", "二") + '<c r="B2"><v>2.5</v></c><c r="C2"><v>0.1</v></c>'
    '<c r="D2"><f t="shared" ref="D2:D3" si="0">SUM(B2:C2)</f></c></row>'
    '<row r="3">' + _inline("A3", "三") + '<c r="B3"><v>5</v></c><c r="D3"><f t="shared" si="0"/></c></row>'
    '<row r="4">' + _inline("A4", "四") + _inline("B4", "1,862") + '<c r="C4"><v>5</v></c>'
    '<c r="D4"><f>SUM(B4:C4)</f><v/></c></row>'
    '<row r="5">' + _inline("A5", "合计") + '<c r="D5"><f>D1+D2-1</f></c><c r="E5"><f>E5+1</f></c></row>'
    "</sheetData></worksheet>"
)


def test_formula_without_a_cached_value_is_never_a_blank() -> None:
    """A workbook written by an export library holds formulas never calculated (<v/> or no <v>): openpyxl reads
    them as blank. A simple sum over the sheet's own numbers is worked out exactly and written before its formula
    (`43 (=SUM(B1:C1))`, which the parser reads as the number with extra text and flags); any other formula,
    or a sum over text (`1,862` stored as text), a formula that reads itself, shows the formula alone. A cached
    value is used as it is; a cached empty string stays a blank."""
    data = replace_member(xlsx_bytes([["x"]]), "xl/worksheets/sheet1.xml", FORMULA_SHEET.encode())
    doc = read_bytes(data, "export.xlsx", LIMITS)
    assert doc.text == (
        "Sheet\n"
        "一\t40\t3\t43 (=SUM(B1:C1))\t=B1*2\t43\n"
        "二\t2.5\t0.1\t2.6 (=SUM(B2:C2))\t\t\n"  # exact decimal sum, not 2.6000000000000001
        "三\t5\t\t5 (=SUM(B3:C3))\t\t\n"  # a shared formula moved to its own cell
        "四\t1,862\t5\t=SUM(B4:C4)\t\t\n"
        "合计\t\t\t44.6 (=D1+D2-1)\t=E5+1\t\n"  # a sum over sums
    )
    assert any("7 formula cells without a cached value: 4 simple sums" in note for note in doc.notes)


def test_worked_out_sum_is_read_as_an_unsure_value() -> None:
    from gikai_desk.parse.tokens import Kind, Token, classify

    tokens: list[Token] = []
    classify("43 (=SUM(B1:C1))", 0, 16, 0, True, tokens)
    assert [(t.kind, t.value, t.extra) for t in tokens] == [(Kind.NUMBER, 43, True)]
    tokens.clear()
    classify("=SUM(B4:C4)", 0, 11, 0, True, tokens)
    assert [t.kind for t in tokens] == [Kind.TEXT]


@pytest.mark.parametrize(
    ("formula", "value"),
    [("=SUM(A1:B2)", "10"), ("=sum($A$1, B2) - 1", "4"), ("=A1+A2+B1+B2", "10"), ("=SUM(A1:A2,-2.5)", "1.5")],
)
def test_simple_sums_are_worked_out(formula: str, value: str) -> None:
    from gikai_desk.ingest.xlsx_sums import evaluate_sums, sum_parts

    sheet = {(1, 0): 1, (1, 1): 2, (2, 0): 3, (2, 1): 4.0}
    known = evaluate_sums({(9, 9): sum_parts(formula)}, sheet.get)
    assert format_value(known[9, 9]) == value


@pytest.mark.parametrize("formula", ["=AVERAGE(A1:B2)", "=SUM(Sheet2!A1)", "=(A1+B1)", "=A1*2", "=SUM(A:A)", "=X"])
def test_other_formulas_are_not_sums(formula: str) -> None:
    from gikai_desk.ingest.xlsx_sums import sum_parts

    assert sum_parts(formula) is None


def _two_sheets(first_state: str, second_state: str = "visible") -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    old = workbook.active
    assert old is not None
    old.title = "2020年"
    old.append(["2020年度报告"])
    old.append(["规章", 1, 2])
    new = workbook.create_sheet("2021年")
    new.append(["2021年度报告"])
    new.append(["规章", 3, 4])
    old.sheet_state = first_state
    new.sheet_state = second_state
    workbook.active = 1 if first_state != "visible" else 0
    return workbook


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheets_are_skipped_with_a_note(state: str) -> None:
    """A workbook carried over from last year keeps last year's tables on a hidden sheet: Excel does not show it,
    so neither does the reader."""
    doc = read_bytes(_workbook_bytes(_two_sheets(state)), "report.xlsx", LIMITS)
    assert doc.text == "2021年\n2021年度报告\t\t\n规章\t3\t4\n"
    assert "隐藏的工作表未读：2020年 hidden sheets skipped" in doc.notes


def test_hidden_sheets_are_read_when_no_visible_sheet_holds_a_table() -> None:
    workbook = _two_sheets("hidden")
    cover = workbook["2021年"]
    cover.delete_rows(2)  # the visible sheet keeps only its title
    doc = read_bytes(_workbook_bytes(workbook), "report.xlsx", LIMITS)
    assert doc.text == "2020年\n2020年度报告\t\t\n规章\t1\t2\n2021年\n2021年度报告\n"
    assert any(note.startswith("只有隐藏的工作表中有表格，已读取：2020年") for note in doc.notes)
