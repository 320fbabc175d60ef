"""The workbooks open in a real spreadsheet program: LibreOffice headless converts them (skipped without it).

What is checked on LibreOffice's own output: the summary's text stays text and blanks stay blank (CSV); the
printed report is A4 landscape, one page per form sheet with every row of 表三 whole on its page, the organ and
year in every page header (PDF); comments, merged headings, numbers and print titles survive a save by
LibreOffice (xlsx round trip, read back with openpyxl).
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from gikai_desk.excel import SummaryEntry, build_report_workbook, write_report_workbook, write_summary
from gikai_desk.excel.summary import FIXED_COLUMNS
from gikai_desk.formlayout import all_cell_keys
from gikai_desk.forms import formbook
from gikai_desk.model import Report
from gikai_desk.review import Correction
from gikai_desk.rules import check
from gikai_desk.workspace.synthetic import synthetic_report

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice/libreoffice) is not installed"),
]


def convert(source: Path, target_format: str, out: Path, profile: Path) -> Path:
    assert OFFICE is not None
    out.mkdir(exist_ok=True)
    subprocess.run(
        [OFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    (result,) = [p for p in out.iterdir() if p.stem == source.stem]
    return result


def entry(index: int, template: str, agency: str | None = None) -> SummaryEntry:
    report = synthetic_report(index, template, agency=agency)
    return SummaryEntry(file=report.file, report=report, error=None, violations=check(report))


def corrected_entry() -> SummaryEntry:
    """A 2021 report with one blank cell, one correction that breaks a row total, and its findings."""
    report: Report = synthetic_report(3, "2021", agency="测试市第3局")
    report.cells["t2.fees.amount"].value = None
    old = report.value("t3.new.natural")
    assert isinstance(old, int)
    report.cells["t3.new.natural"].value = old + 5
    report.cells["t3.new.natural"].corrected = True
    correction = Correction(key="t3.new.natural", old=old, new=old + 5, reviewer="张三",
                            time="2024-03-01T10:00:00+08:00", reason="据原件")
    return SummaryEntry(file=report.file, report=report, error=None, violations=check(report),
                        corrections=[correction])


def test_libreoffice_reads_the_summary_as_csv(tmp_path: Path) -> None:
    entries = [entry(1, "2021", agency='=HYPERLINK("x","测试1")'), entry(2, "2019", agency="测试市第2局")]
    source = tmp_path / "summary.xlsx"
    write_summary(entries, source)
    result = convert(source, "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "out", tmp_path / "profile")
    rows = list(csv.reader(result.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "序号" and rows[1][12] != ""
    assert rows[2][2] == '=HYPERLINK("x","测试1")'  # shown as text, not evaluated to a link
    natural = 12 + next(i for i, r in enumerate(rows[1][12:]) if r == "自然人")
    assert rows[2][natural] == str(entries[0].report.value("t3.new.natural"))  # type: ignore[union-attr]
    # a key only the 2019 form has is blank (not 0) on the 2021 report's row, filled on the 2019 report's row
    key_2019_only = next(k for k in formbook().keys("t2", "2019") if k not in formbook().keys("t2", "2021"))
    column = len(FIXED_COLUMNS) + all_cell_keys().index(key_2019_only)
    assert rows[2][column] == ""
    assert rows[3][column] == str(entries[1].report.value(key_2019_only))  # type: ignore[union-attr]


def pdf_pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60)
    return [page for page in text.stdout.decode("utf-8", errors="replace").split("\f") if page.strip()]


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftotext, pdfinfo) not installed")
def test_libreoffice_prints_the_report_form_on_a4_landscape(tmp_path: Path) -> None:
    item = corrected_entry()
    source = tmp_path / "report.xlsx"
    write_report_workbook(item, source)
    pdf = convert(source, "pdf", tmp_path / "out", tmp_path / "profile")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, timeout=60).stdout.decode()
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())  # type: ignore[union-attr]
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    pages = pdf_pages(pdf)
    report = item.report
    assert report is not None
    first_lines = [next(ln.strip() for ln in page.splitlines() if ln.strip()) for page in pages]
    assert all(line.startswith(f"测试市第3局 {report.year}年度") for line in first_lines), "organ, year in page header"
    assert [line.split()[-1] for line in first_lines] == ["表二", "表三", "表四", "审核情况"]  # one page per sheet
    form_pages = pages[:3]
    table3 = form_pages[1]
    for row, rdef in formbook().table("t3").rows.items():
        if row not in formbook().table("t3").variants["2021"].rows or row in ("deny", "unable", "reject"):
            continue
        if "\n" in rdef.label or len(rdef.label) > 14:
            continue  # long labels wrap onto two lines; their values are checked through the short ones
        (line,) = [ln for ln in table3.splitlines() if rdef.label in ln and re.search(r"\d\s*$", ln)]
        numbers = [int(n) for n in re.findall(r"(?<![.\d])\d+(?![.\d])", line.split(rdef.label, 1)[1])]
        expected = [report.value(f"t3.{row}.{col}") for col in formbook().table("t3").columns]
        assert numbers == expected, f"row {row} printed whole, values in column order"
    fees_line = next(ln for ln in form_pages[0].splitlines() if "行政事业性收费" in ln)
    assert fees_line.split("行政事业性收费", 1)[1].strip() == ""  # a blank cell prints blank, not 0
    assert "表三行合计" in pages[3] and "据原件" not in pages[3]  # the review sheet lists the broken row total


def test_libreoffice_keeps_comments_merges_and_print_titles(tmp_path: Path) -> None:
    item = corrected_entry()
    source = tmp_path / "report.xlsx"
    write_report_workbook(item, source)
    saved = convert(source, 'xlsx:Calc MS Excel 2007 XML', tmp_path / "out", tmp_path / "profile")
    ours = build_report_workbook(item)
    theirs = openpyxl.load_workbook(saved)
    for name in ("表二", "表三", "表四"):
        mine, back = ours[name], theirs[name]
        assert {str(r) for r in mine.merged_cells.ranges} == {str(r) for r in back.merged_cells.ranges}
        assert (back.print_title_rows or "").replace("$", "") == mine.print_title_rows.replace("$", "")
        assert back.page_setup.orientation == "landscape" and back.sheet_properties.pageSetUpPr.fitToPage
        for row in mine.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float):
                    assert back[cell.coordinate].value == cell.value
    commented = {c.coordinate: c.comment.text for row in theirs["表三"].iter_rows() for c in row if c.comment}
    mine_commented = {c.coordinate for row in ours["表三"].iter_rows() for c in row if c.comment}
    assert set(commented) == mine_commented
    assert any("→" in text and "张三" in text and "据原件" in text for text in commented.values())


def test_libreoffice_keeps_the_summary_charts_and_prints_the_issue_list_apart(tmp_path: Path) -> None:
    """The 汇总/统计 charts are native: LibreOffice opens them and saves them back as charts; the 问题清单 rows
    print with the row heights and top alignment the writer set (rows never printed over each other)."""
    entries = [corrected_entry(), entry(4, "2019", agency="乙局"), entry(5, "2021", agency="丙局")]
    source = tmp_path / "summary.xlsx"
    write_summary(entries, source)
    saved = convert(source, "xlsx:Calc MS Excel 2007 XML", tmp_path / "out", tmp_path / "profile")
    wb = openpyxl.load_workbook(saved)
    assert len(wb["汇总"]._charts) == 3 and len(wb["统计"]._charts) == 3
    issues = wb["问题清单"]
    original = openpyxl.load_workbook(source)["问题清单"]
    for row in range(2, original.max_row + 1):
        height = original.row_dimensions[row].height
        if height:
            assert (issues.row_dimensions[row].height or 0) >= height - 1
        assert issues.cell(row, 10).alignment.vertical == "top"
