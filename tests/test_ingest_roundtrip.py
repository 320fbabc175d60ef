"""End to end: a seed's tables as GBK HTML, .xlsx and .docx read back through dispatch+parser match the text."""

from __future__ import annotations

import pytest
from conftest import seed_path
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
