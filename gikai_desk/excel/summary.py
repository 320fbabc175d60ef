"""Batch summary workbook (汇总, 问题清单, 修改记录, 说明) and exporting a whole workspace."""

from __future__ import annotations

import copy
import re
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from gikai_desk.excel.common import (
    BOLD,
    BORDER,
    CENTER,
    CORRECTED_FILL,
    FAIL_FILL,
    FORMULA_PREFIXES,
    HEADER_FILL,
    PAPERSIZE_A4,
    atomic_save,
    clean_text,
    row_height,
)
from gikai_desk.excel.entry import SummaryEntry
from gikai_desk.excel.findings import finding_rows, where_text
from gikai_desk.excel.reimport import report_source
from gikai_desk.excel.report_book import write_report_workbook
from gikai_desk.formlayout import all_cell_keys, key_labels
from gikai_desk.forms import TABLE_NAMES, formbook
from gikai_desk.model import Number
from gikai_desk.review import DECISION_LABELS, STATUS_LABELS

if TYPE_CHECKING:
    from gikai_desk.workspace import Workspace

WRAP = Alignment(wrap_text=True)
"""Wrapping text cells keep the default bottom alignment, like the one-line cells beside them."""
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

FIXED_COLUMNS: tuple[tuple[str, int, str], ...] = (
    ("序号", 6, "报告在本批次中的序号"),
    ("文件", 22, "原始文件名"),
    ("机关", 22, "报告机关（从报告中读出）"),
    ("年度", 7, "报告年度"),
    (
        "表格样式",
        12,
        "表格样式：2019 = 国办公开办函〔2019〕60号，2021 = 〔2021〕30号；“混合”表示各表样式不一",
    ),
    ("审核状态", 9, "待审核 / 审核中 / 已审核 / 退回"),
    ("错误", 6, "未处理的“错误”级问题数（勾稽关系不符等），已作出处理决定的不计"),
    ("警告", 6, "未处理的“警告”级问题数（正文与表格不一致、表格样式与年度不符等）"),
    ("存疑", 6, "程序未能确定读数、尚待审核人确认的单元格数"),
    ("修改", 6, "审核人修改单元格的次数"),
    ("读取失败原因", 24, "文件无法读取时的原因（此时各单元格为空）"),
    ("备注", 24, "审核备注"),
)


_STYLE_TEMPLATES: weakref.WeakKeyDictionary[Any, dict[tuple[tuple[str, int], ...], Any]] = (
    weakref.WeakKeyDictionary()
)
"""Per workbook: the style array of each combination of style objects, so a styled cell costs one copy."""


def _text_cell(ws: Any, value: str | None, **style: Any) -> Any:
    """Text for a write-only row, kept as text (never a formula).

    Plain text without style is returned as a str (openpyxl only takes a leading '=' for a formula, and
    that case gets a cell); everything else becomes a cell whose style is copied from a cached template.
    """
    text = clean_text(value) if value else None
    risky = text is not None and text.startswith(FORMULA_PREFIXES)
    if not style and not risky:
        return text
    cell = WriteOnlyCell(ws, value=None)
    if text is not None:
        cell.value = text
        cell.data_type = "s"
    if style:
        templates = _STYLE_TEMPLATES.setdefault(ws.parent, {})
        key = tuple(sorted((name, id(attr)) for name, attr in style.items()))
        template = templates.get(key)
        if template is None:
            for name, attr in style.items():
                setattr(cell, name, attr)
            templates[key] = copy.copy(cell._style)
        else:
            cell._style = copy.copy(template)
    if risky:
        cell.quotePrefix = True
    return cell


def _header_cell(ws: Any, value: str | None) -> Any:
    return _text_cell(ws, value, font=BOLD, fill=HEADER_FILL, alignment=CENTER, border=BORDER)


def _finish(
    ws: Any,
    header_rows: int,
    n_cols: int,
    n_rows: int,
    freeze: str,
    widths: Sequence[float],
    fit_width: bool = True,
    title_cols: str | None = None,
) -> None:
    """Widths, frozen headings, autofilter and A4 landscape printing with the headings on every page.

    `fit_width` shrinks the sheet to one page wide (the issue list, the audit log); the 汇总 sheet is too wide
    for that and prints across pages instead, repeating `title_cols` (序号…机关) on each.
    """
    ws.oddHeader.center.text = f"政府信息公开工作年度报告审核 {ws.title}"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.page_margins.left = ws.page_margins.right = 0.4
    if fit_width:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = 75
        ws.page_setup.pageOrder = "overThenDown"
    if title_cols:
        ws.print_title_cols = title_cols
    for i, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = freeze
    last = get_column_letter(max(n_cols, 1))
    ws.auto_filter.ref = f"A{header_rows}:{last}{max(header_rows, header_rows + n_rows)}"
    ws.print_title_rows = f"1:{header_rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERSIZE_A4


def _organ(entry: SummaryEntry) -> str | None:
    return entry.report.agency if entry.report else None


def _year(entry: SummaryEntry) -> int | None:
    return entry.report.year if entry.report else None


def _forms_text(entry: SummaryEntry) -> str | None:
    report = entry.report
    if report is None:
        return None
    if report.mixed_forms:
        return "混合 " + " ".join(f"{TABLE_NAMES[t]}:{v}" for t, v in sorted(report.forms.items()))
    return report.template or (" ".join(sorted(set(report.forms.values()))) or None)


def _summary_sheet(wb: Any, entries: Sequence[SummaryEntry]) -> None:
    ws = wb.create_sheet("汇总")
    keys = all_cell_keys()
    fixed = len(FIXED_COLUMNS)
    top: list[Any] = [_header_cell(ws, name) for name, _w, _d in FIXED_COLUMNS]
    second: list[Any] = [_header_cell(ws, None) for _ in FIXED_COLUMNS]
    groups: list[tuple[str, int, int]] = []
    for i, key in enumerate(keys):
        group, column = key_labels(key)
        col = fixed + 1 + i
        if groups and groups[-1][0] == group and groups[-1][2] == col - 1:
            groups[-1] = (group, groups[-1][1], col)
        else:
            groups.append((group, col, col))
        top.append(_header_cell(ws, group if groups[-1][1] == col else None))
        second.append(_header_cell(ws, column))
    for i in range(fixed):
        letter = get_column_letter(i + 1)
        ws.merged_cells.add(f"{letter}1:{letter}2")
    for _group, start, end in groups:
        if end > start:
            ws.merged_cells.add(f"{get_column_letter(start)}1:{get_column_letter(end)}1")
    widths: list[float] = [w for _n, w, _d in FIXED_COLUMNS] + [9.0] * len(keys)
    ws.row_dimensions[1].height = 45
    ws.row_dimensions[2].height = 30
    _finish(ws, 2, fixed + len(keys), len(entries), "D3", widths, fit_width=False, title_cols="A:C")
    ws.append(top)
    ws.append(second)
    for number, entry in enumerate(entries, start=1):
        report = entry.report
        corrected = entry.corrected_keys
        failing = {
            k for v in entry.violations if v.status == "fail" and v.severity == "error" for k in v.cells
        }
        row: list[Any] = [
            number,
            _text_cell(ws, Path(entry.file).name),
            _text_cell(ws, _organ(entry)),
            _year(entry),
            _text_cell(ws, _forms_text(entry)),
            _text_cell(ws, STATUS_LABELS.get(entry.status, entry.status)),
            entry.open_findings("error"),
            entry.open_findings("warning"),
            entry.unsure,
            len(entry.corrections),
            _text_cell(ws, entry.error),
            _text_cell(ws, entry.note),
        ]
        cells = report.cells if report is not None else {}
        for key in keys:
            cell = cells.get(key)
            value: Number | None = None if cell is None else cell.value
            if key in corrected:
                styled = WriteOnlyCell(ws, value=value)
                styled.fill = CORRECTED_FILL
                row.append(styled)
            elif key in failing:
                styled = WriteOnlyCell(ws, value=value)
                styled.fill = FAIL_FILL
                row.append(styled)
            else:
                row.append(value)
        ws.append(row)


def _issues_sheet(wb: Any, entries: Sequence[SummaryEntry]) -> int:
    ws = wb.create_sheet("问题清单")
    headers = [
        "序号",
        "文件",
        "机关",
        "年度",
        "规则",
        "规则名称",
        "严重程度",
        "结果",
        "位置",
        "说明",
        "处理决定",
        "决定说明",
        "审核人",
        "决定时间",
    ]
    widths = [6, 20, 20, 6, 16, 12, 6, 8, 22, 50, 16, 20, 8, 24]
    rules = formbook().rules
    rows: list[list[Any]] = []
    for number, entry in enumerate(entries, start=1):
        file_name = _text_cell(ws, Path(entry.file).name)
        organ = _text_cell(ws, _organ(entry))
        year = _year(entry)
        for finding in finding_rows(entry):
            decision = finding.latest_decision
            rows.append(
                [
                    number,
                    file_name,
                    organ,
                    year,
                    _text_cell(ws, finding.rule),
                    _text_cell(ws, rules[finding.rule].title if finding.rule in rules else finding.rule),
                    _text_cell(ws, SEVERITY_LABELS.get(finding.severity, finding.severity)),
                    _text_cell(ws, "不符" if finding.status == "fail" else "无法检查"),
                    _text_cell(ws, finding.location, alignment=WRAP),
                    _text_cell(ws, finding.message, alignment=WRAP),
                    _text_cell(ws, finding.decision_text or "未处理", alignment=WRAP),
                    _text_cell(ws, finding.decision_note, alignment=WRAP),
                    _text_cell(ws, decision.reviewer if decision else None),
                    _text_cell(ws, decision.time if decision else None),
                ]
            )
    _finish(ws, 1, len(headers), len(rows), "C2", widths)
    ws.append([_header_cell(ws, h) for h in headers])
    _append_rows(ws, rows, widths, 2)
    return len(rows)


def _append_rows(ws: Any, rows: Sequence[list[Any]], widths: Sequence[float], first_row: int) -> None:
    """Append rows to a write-only sheet, making rows tall enough for their wrapping cells' text."""
    for index, row in enumerate(rows, start=first_row):
        wrapping = [
            (cell.value, width)
            for cell, width in zip(row, widths, strict=False)
            if isinstance(getattr(cell, "value", None), str) and cell.alignment.wrap_text
        ]
        height = row_height(wrapping) if wrapping else None
        if height is not None:
            ws.row_dimensions[index].height = height
        ws.append(row)


def _audit_sheet(wb: Any, entries: Sequence[SummaryEntry]) -> None:
    ws = wb.create_sheet("修改记录")
    headers = ["序号", "文件", "机关", "类型", "对象", "名称", "原值", "新值", "审核人", "时间", "原因/说明"]
    widths = [6, 20, 20, 9, 24, 36, 8, 14, 8, 24, 30]
    rules = formbook().rules
    rows: list[list[Any]] = []
    for number, entry in enumerate(entries, start=1):
        events: list[tuple[str, list[Any]]] = []
        for c in entry.corrections:
            try:
                label = formbook().label(c.key)
            except (KeyError, ValueError):
                label = c.key
            events.append(
                (
                    c.time,
                    [
                        _text_cell(ws, "修改单元格"),
                        _text_cell(ws, c.key),
                        _text_cell(ws, label),
                        c.old,
                        c.new,
                        _text_cell(ws, c.reviewer),
                        _text_cell(ws, c.time),
                        _text_cell(ws, c.reason, alignment=WRAP),
                    ],
                )
            )
        for d in entry.decision_log:
            rule, _, where = d.ident.partition("@")
            title = rules[rule].title if rule in rules else rule
            events.append(
                (
                    d.time,
                    [
                        _text_cell(ws, "处理问题" if d.kind else "撤销决定"),
                        _text_cell(ws, d.ident),
                        _text_cell(ws, f"{title} {where_text(rule, where)}".strip()),
                        None,
                        _text_cell(ws, DECISION_LABELS[d.kind] if d.kind else "（撤销）"),
                        _text_cell(ws, d.reviewer),
                        _text_cell(ws, d.time),
                        _text_cell(ws, d.note, alignment=WRAP),
                    ],
                )
            )
        for e in entry.report_log:
            events.append(
                (
                    e.time,
                    [
                        _text_cell(ws, "审核状态" if e.what == "status" else "备注"),
                        _text_cell(ws, e.what),
                        _text_cell(ws, "审核状态" if e.what == "status" else "备注"),
                        None,
                        _text_cell(ws, STATUS_LABELS.get(e.value, e.value) if e.what == "status" else e.value),
                        _text_cell(ws, e.reviewer),
                        _text_cell(ws, e.time),
                        None,
                    ],
                )
            )
        events.sort(key=lambda event: event[0])
        for _time, cells in events:
            rows.append(
                [number, _text_cell(ws, Path(entry.file).name), _text_cell(ws, _organ(entry)), *cells]
            )
    _finish(ws, 1, len(headers), len(rows), "B2", widths)
    ws.append([_header_cell(ws, h) for h in headers])
    _append_rows(ws, rows, widths, 2)


def _readme_sheet(wb: Any) -> None:
    ws = wb.create_sheet("说明")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    lines: list[tuple[str, str]] = [
        ("工作表", "内容"),
        (
            "汇总",
            "每份报告一行：前几列为报告信息与问题计数，其后每列为一个表格单元格（第1行为表格与行，第2行为列）。"
            "黄色底 = 审核人修改过的值；红色底 = 参与了不符的勾稽关系；空白 = 报告中该格为空或该样式无此格。",
        ),
        (
            "问题清单",
            "每个检查发现一行：报告、规则、位置、说明、审核人的处理决定及说明。"
            "同一报告的空白单元格（提示）合并为一行（位置为“N 个空白单元格”，说明列出前几个）；"
            "因存疑单元格而无法检查的，同一规则合并为一行（位置列出各处）。错误和警告每项一行。",
        ),
        (
            "修改记录",
            "审核记录：对单元格的每一次修改（原值、新值、审核人、时间、原因），以及对问题作出或撤销的处理决定。",
        ),
        ("", ""),
        ("汇总表列", "含义"),
        *[(name, desc) for name, _w, desc in FIXED_COLUMNS],
        ("", ""),
        ("规则", "含义"),
        *[(rid, f"{r.title}：{r.formula}" if r.formula else r.title) for rid, r in formbook().rules.items()],
    ]
    for label, text in lines:
        bold = label in ("工作表", "汇总表列", "规则")
        ws.append(
            [
                _text_cell(ws, label, font=BOLD) if bold else _text_cell(ws, label),
                _text_cell(ws, text, font=BOLD) if bold else _text_cell(ws, text),
            ]
        )


def build_summary_workbook(entries: Sequence[SummaryEntry]) -> Any:
    wb = openpyxl.Workbook(write_only=True)
    _summary_sheet(wb, entries)
    _issues_sheet(wb, entries)
    _audit_sheet(wb, entries)
    _readme_sheet(wb)
    return wb


def write_summary(entries: Sequence[SummaryEntry], path: Path) -> None:
    """Write the batch summary workbook atomically (ExcelWriteError when the target is locked)."""
    atomic_save(lambda tmp: build_summary_workbook(entries).save(tmp), path)


def workspace_entries(ws: Workspace) -> list[tuple[int, SummaryEntry]]:
    """(report id, entry) for every report of a workspace, with corrections applied."""
    out: list[tuple[int, SummaryEntry]] = []
    for item in ws.reports():
        report = ws.report(item.id)
        out.append(
            (
                item.id,
                SummaryEntry(
                    file=item.file,
                    report=report,
                    error=item.error,
                    violations=ws.violations(item.id) if report is not None else [],
                    corrections=ws.history(item.id),
                    decisions=ws.decisions(item.id),
                    decision_log=ws.decision_history(item.id),
                    report_log=ws.report_log(item.id),
                    status=item.status,
                    note=item.note,
                    source=report_source(ws, item.id),
                ),
            )
        )
    return out


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def report_workbook_name(rid: int, entry: SummaryEntry) -> str:
    """File name of a per-report workbook: 0007_机关_2021.xlsx (characters Windows forbids removed)."""
    organ = _organ(entry) or Path(entry.file).stem
    year = _year(entry)
    stem = _UNSAFE_NAME.sub("_", f"{rid:04d}_{organ}" + (f"_{year}" if year else "")).strip(". ")
    return f"{stem[:120]}.xlsx"


def export_workspace(ws: Workspace, xlsx: Path | None, per_report_dir: Path | None) -> None:
    """Write the batch summary and/or one workbook per readable report."""
    entries = workspace_entries(ws)
    if xlsx is not None:
        write_summary([e for _rid, e in entries], Path(xlsx))
    if per_report_dir is not None:
        folder = Path(per_report_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for rid, entry in entries:
            if entry.report is not None:
                write_report_workbook(entry, folder / report_workbook_name(rid, entry))
