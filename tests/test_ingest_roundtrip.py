"""End to end: a seed's tables as GBK HTML, .xlsx and .docx read back through dispatch+parser match the text;
a row that lost a cell is flagged, not read shifted."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from conftest import seed_path
from hostile.make_hostile import docx_bytes
from report_render import report_docx, report_html, report_xlsx

from gikai_desk.ingest.dispatch import read_bytes, read_path
from gikai_desk.limits import Limits
from gikai_desk.model import Report
from gikai_desk.parse import parse_document

LIMITS = Limits()
KEY_CELLS = (
    "t3.new.total", "t3.new.natural", "t3.carried_in.total", "t3.granted.total", "t3.total.total",
    "t3.carried_out.total", "t4.review.total", "t4.direct.total",
)  # fmt: skip


def _prose(text: str) -> tuple[list[str], list[str]]:
    """Prose lines before the first table heading and from part 五 on."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first_table = next(i for i, line in enumerate(lines) if "主动公开政府信息情况" in line)
    after = next((i for i, line in enumerate(lines) if "存在的主要问题" in line and i > first_table), len(lines))
    return lines[:first_table], lines[after:]


def _text_report(prefix: str) -> Report:
    return parse_document(read_path(seed_path(prefix), LIMITS))


def _assert_same_cells(text_report: Report, other: Report) -> None:
    assert other.forms == text_report.forms
    assert other.year == text_report.year
    sure = {key: cell.value for key, cell in text_report.cells.items() if cell.sure}
    assert {key: other.value(key) for key in sure} == sure
    for key in KEY_CELLS:
        if key in text_report.cells:
            assert other.value(key) == text_report.value(key), key


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_tables_as_gbk_html_read_back_identically(prefix: str) -> None:
    text_report = _text_report(prefix)
    before, after = _prose(text_report.text)
    values = {key: cell.value for key, cell in text_report.cells.items()}
    page = report_html(before, text_report.forms, values, after, charset="gbk")
    doc = read_bytes(page, f"{prefix}.html", LIMITS)
    assert doc.kind == "html" and doc.structured
    _assert_same_cells(text_report, parse_document(doc))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_tables_as_xlsx_read_back_identically(prefix: str) -> None:
    text_report = _text_report(prefix)
    before, _ = _prose(text_report.text)
    values = {key: cell.value for key, cell in text_report.cells.items()}
    doc = read_bytes(report_xlsx(before, text_report.forms, values), f"{prefix}.xlsx", LIMITS)
    assert doc.kind == "xlsx" and doc.structured
    _assert_same_cells(text_report, parse_document(doc))


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_tables_as_docx_read_back_identically(prefix: str) -> None:
    text_report = _text_report(prefix)
    before, _ = _prose(text_report.text)
    values = {key: cell.value for key, cell in text_report.cells.items()}
    doc = read_bytes(report_docx(before, text_report.forms, values), f"{prefix}.docx", LIMITS)
    assert doc.kind == "docx" and doc.structured
    _assert_same_cells(text_report, parse_document(doc))


def _drop_last_cell(page: str, row_marker: str, cell_start: str, cell_end: str, row_end: str) -> str:
    """The page with the last cell of the table row holding `row_marker` deleted (the row ends early)."""
    marker = page.index(row_marker)
    last_start = page.rindex(cell_start, marker, page.index(row_end, marker))
    return page[:last_start] + page[page.index(cell_end, last_start) + len(cell_end) :]


def _assert_only_row_unsure(text_report: Report, other: Report, row: str) -> None:
    row_keys = {key for key in other.cells if key.startswith(f"t3.{row}.")}
    assert row_keys and all(not other.cells[key].sure for key in row_keys)
    sure = {key: cell.value for key, cell in text_report.cells.items() if cell.sure and key not in row_keys}
    assert {key: other.value(key) for key in sure} == sure


def test_html_row_with_a_missing_cell_is_flagged_not_read_shifted() -> None:
    text_report = _text_report("000")
    before, after = _prose(text_report.text)
    values = {key: cell.value for key, cell in text_report.cells.items()}
    page = report_html(before, text_report.forms, values, after).decode("utf-8")
    page = _drop_last_cell(page, "本机关不掌握", "<td", "</td>", "</tr>")
    doc = read_bytes(page.encode("utf-8"), "000.html", LIMITS)
    short = next(line for line in doc.text.splitlines() if "本机关不掌握" in line)
    assert short.count("\t") == next(line for line in doc.text.splitlines() if "重复申请" in line).count("\t") - 1
    _assert_only_row_unsure(text_report, parse_document(doc), "unable_no_info")


def test_docx_row_with_a_deleted_cell_is_flagged_not_read_shifted() -> None:
    text_report = _text_report("000")
    before, _ = _prose(text_report.text)
    values = {key: cell.value for key, cell in text_report.cells.items()}
    archive = zipfile.ZipFile(BytesIO(report_docx(before, text_report.forms, values)))
    xml = archive.read("word/document.xml").decode("utf-8")
    xml = _drop_last_cell(xml, "本机关不掌握", "<w:tc>", "</w:tc>", "</w:tr>")
    doc = read_bytes(docx_bytes(xml), "000.docx", LIMITS)
    _assert_only_row_unsure(text_report, parse_document(doc), "unable_no_info")
