"""The workbooks open in a real spreadsheet program: LibreOffice headless converts them (skipped without it)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from gikai_desk.excel import SummaryEntry, write_report_workbook, write_summary
from gikai_desk.rules import check
from gikai_desk.workspace.synthetic import synthetic_report

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(OFFICE is None, reason="LibreOffice (soffice/libreoffice) is not installed"),
]


def convert(source: Path, target_format: str, out: Path, profile: Path) -> Path:
    assert OFFICE is not None
    subprocess.run(
        [OFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target_format, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    (result,) = [p for p in out.iterdir() if p.stem == source.stem]
    return result


def entry(index: int, template: str) -> SummaryEntry:
    report = synthetic_report(index, template, agency=f'=HYPERLINK("x","测试{index}")')
    return SummaryEntry(file=report.file, report=report, error=None, violations=check(report))


def test_libreoffice_reads_the_summary_as_csv(tmp_path: Path) -> None:
    entries = [entry(1, "2021"), entry(2, "2019")]
    source = tmp_path / "summary.xlsx"
    write_summary(entries, source)
    out = tmp_path / "out"
    out.mkdir()
    result = convert(source, "csv:Text - txt - csv (StarCalc):44,34,76,1", out, tmp_path / "profile")
    rows = list(csv.reader(result.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][0] == "序号" and rows[1][12] != ""
    assert rows[2][2] == '=HYPERLINK("x","测试1")'  # shown as text, not evaluated to a link
    natural = 12 + next(i for i, r in enumerate(rows[1][12:]) if r == "自然人")
    assert rows[2][natural] == str(entries[0].report.value("t3.new.natural"))  # type: ignore[union-attr]


def test_libreoffice_prints_a_report_workbook_to_pdf(tmp_path: Path) -> None:
    source = tmp_path / "report.xlsx"
    write_report_workbook(entry(3, "2021"), source)
    out = tmp_path / "out"
    out.mkdir()
    result = convert(source, "pdf", out, tmp_path / "profile")
    data = result.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 2000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(result), "-"], capture_output=True, check=True, timeout=60).stdout
        decoded = text.decode("utf-8", errors="replace")
        assert "不予公开" in decoded and "测试3" in decoded
