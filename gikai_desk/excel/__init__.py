"""Excel output for offices: per-report workbooks shaped like the official form, batch summaries, re-import."""

from __future__ import annotations

from gikai_desk.excel.common import ExcelWriteError, atomic_save
from gikai_desk.excel.entry import SummaryEntry
from gikai_desk.excel.report_book import (
    build_report_workbook,
    correction_comment,
    read_report_workbook,
    write_report_workbook,
)
from gikai_desk.excel.summary import (
    build_summary_workbook,
    export_workspace,
    report_workbook_name,
    workspace_entries,
    write_summary,
)

__all__ = [
    "ExcelWriteError",
    "SummaryEntry",
    "atomic_save",
    "build_report_workbook",
    "build_summary_workbook",
    "correction_comment",
    "export_workspace",
    "read_report_workbook",
    "report_workbook_name",
    "workspace_entries",
    "write_report_workbook",
    "write_summary",
]
