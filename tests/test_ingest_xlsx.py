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
    sheet["B6"] = "=SUM(D4:E4)"  # a formula without a cached value reads as blank
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
