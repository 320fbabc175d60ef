"""Re-importing an edited per-report workbook: only into the report it was written from, only the cells of that
report's form."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.excel.entry import WorkbookSource
from gikai_desk.excel.report_book import load_report_workbook
from gikai_desk.forms import formbook
from gikai_desk.review import WorkbookChange
from gikai_desk.workspace import Workspace, same_number


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_source(ws: Workspace, rid: int) -> WorkbookSource:
    """What a workbook of report `rid` records about where it came from."""
    summary = ws.summary(rid)
    return WorkbookSource(rid, file_hash(ws.source_bytes(rid)), summary.file, summary.agency, summary.year)


def workbook_changes(ws: Workspace, rid: int, path: str | Path) -> list[WorkbookChange]:
    """Cells of report `rid`'s form whose value in the workbook differs: (key, now, workbook).

    InputError (naming both reports) for a workbook written from another report, or one whose cells are not
    those of the report's form (edited into another form); InputError too when it cannot be read.
    """
    source = Path(path)
    values, origin = load_report_workbook(source)
    report = ws.report(rid)
    if report is None:
        raise InputError(str(source), f"报告 {rid} 无法读取，不能导入 the report could not be read")
    own = report_source(ws, rid)
    if origin is not None and origin.sha256 != own.sha256:
        raise InputError(
            str(source),
            f"工作簿来自另一份报告：{origin.describe()}；当前报告是 {own.describe()}。未导入 "
            "the workbook was exported from another report",
        )
    form = set(formbook().all_keys(report.forms))
    foreign = [key for key in values if key not in form]
    if foreign:
        raise InputError(
            str(source),
            f"工作簿的表式与 {own.describe()} 不同：{len(foreign)} 个单元格不属于该报告的表式"
            f"（如 {formbook().label(foreign[0])}）。未导入 the workbook has another form",
        )
    return [
        (key, report.value(key), value)
        for key, value in values.items()
        if not same_number(report.value(key), value)
    ]


def find_report(ws: Workspace, path: str | Path) -> int:
    """The report of the workspace a workbook was written from (InputError when none, or when the workbook does
    not say: written before version 2)."""
    source = Path(path)
    _values, origin = load_report_workbook(source)
    if origin is None:
        raise InputError(
            str(source),
            "工作簿没有记录来源报告（旧版本导出），请在窗口中选定报告后导入 the workbook does not say which report",
        )
    readable = [s.id for s in ws.reports() if s.error is None]
    for rid in sorted(readable, key=lambda r: r != origin.report_id):  # the recorded id first (then a copy's)
        if file_hash(ws.source_bytes(rid)) == origin.sha256:
            return rid
    raise InputError(
        str(source),
        f"工作区中没有这份工作簿的报告：{origin.describe()}。未导入 no such report in the workspace",
    )
