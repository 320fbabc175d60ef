"""Batch summary workbook (汇总, 问题清单, 修改记录, 说明) and exporting a whole workspace."""

from __future__ import annotations

import copy
import math
import re
import weakref
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, PieChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from gikai_desk.batchstats import (
    OrganRow,
    RuleRow,
    entry_figures,
    organ_findings,
    organ_rows,
    rule_rows,
    status_counts,
)
from gikai_desk.excel.common import (
    BOLD,
    BORDER,
    CENTER,
    CORRECTED_FILL,
    DATETIME_FORMAT,
    FAIL_FILL,
    FORMULA_PREFIXES,
    HEADER_FILL,
    PAPERSIZE_A4,
    atomic_save,
    clean_text,
    display_width,
    local_datetime,
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

WRAP = Alignment(wrap_text=True, vertical="top")
"""Wrapping text starts at the top of its row: a row a little short for its text then cuts the last line
instead of printing it over the row above (bottom alignment grows text upwards when printed)."""
TOP = Alignment(vertical="top")
"""The one-line cells beside wrapping ones, on the same first line."""
HEADER_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)
CHART_ORGANS = 15
"""How many organs the 「问题按机关」 chart shows (the most findings first; the 统计 sheet lists all)."""
CHART_RULES = 20
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


def _summary_sheet(wb: Any, entries: Sequence[SummaryEntry]) -> Any:
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
    # The charts below the rows are there to look at and copy; they print whole on the 统计 sheet.
    ws.print_area = f"A1:{get_column_letter(fixed + len(keys))}{2 + max(len(entries), 1)}"
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
    return ws


def _cell(ws: Any, value: Any, alignment: Alignment = TOP) -> Any:
    """A number, date-time or empty cell aligned like the wrapping text beside it."""
    cell = WriteOnlyCell(ws, value=value)
    cell.alignment = alignment
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    return cell


def _time_cell(ws: Any, iso: str | None) -> Any:
    """A stored time as an Excel date-time in local time (text when it is not a time)."""
    moment = local_datetime(iso)
    return _cell(ws, moment) if moment is not None else _text_cell(ws, iso, alignment=TOP)


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
    widths = [5, 16, 16, 6, 14, 10, 6, 6, 20, 44, 14, 18, 8, 19]
    rules = formbook().rules
    rows: list[list[Any]] = []
    for number, entry in enumerate(entries, start=1):
        file_name = _text_cell(ws, Path(entry.file).name, alignment=WRAP)
        organ = _text_cell(ws, _organ(entry), alignment=WRAP)
        year = _year(entry)
        for finding in finding_rows(entry):
            decision = finding.latest_decision
            rows.append(
                [
                    _cell(ws, number),
                    file_name,
                    organ,
                    _cell(ws, year),
                    _text_cell(ws, finding.rule, alignment=WRAP),
                    _text_cell(
                        ws, rules[finding.rule].title if finding.rule in rules else finding.rule, alignment=WRAP
                    ),
                    _text_cell(ws, SEVERITY_LABELS.get(finding.severity, finding.severity), alignment=TOP),
                    _text_cell(ws, "不符" if finding.status == "fail" else "无法检查", alignment=WRAP),
                    _text_cell(ws, finding.location, alignment=WRAP),
                    _text_cell(ws, finding.message, alignment=WRAP),
                    _text_cell(ws, finding.decision_text or "未处理", alignment=WRAP),
                    _text_cell(ws, finding.decision_note, alignment=WRAP),
                    _text_cell(ws, decision.reviewer if decision else None, alignment=WRAP),
                    _time_cell(ws, decision.time) if decision else None,
                ]
            )
    _finish(ws, 1, len(headers), len(rows), "C2", widths)
    ws.row_dimensions[1].height = _text_height([(h, w) for h, w in zip(headers, widths, strict=True)]) or 15
    ws.append([_header_cell(ws, h) for h in headers])
    _append_rows(ws, rows, widths, 2)
    return len(rows)


PRINT_LINE_HEIGHT = 15.0
"""Points per printed line of wrapped 11 pt text (LibreOffice and Excel use about 14.3-15)."""
PRINT_WIDE = 2.3
"""Column-width units a Chinese character takes when printed (measured on LibreOffice's PDF: a 44-wide column
holds about 19 characters a line); a Latin character takes about 1.15."""


def _text_lines(text: str, width: float) -> int:
    """Printed lines of `text` in a wrapping column `width` units wide, erring on the side of one more."""
    room = max(width - 1.5, 3.0)
    lines = 0
    for part in text.split("\n"):
        used = display_width(part)
        wide = sum(1 for ch in part if ord(ch) > 0x2E7F)
        units = wide * PRINT_WIDE + (used - 2 * wide) * 1.15
        lines += max(1, math.ceil(units / room))
    return lines


def _text_height(texts: Sequence[tuple[str | None, float]], max_lines: int = 60) -> float | None:
    """Height of a row whose wrapping cells hold (text, width), None when one line is enough.

    Spreadsheet programs do not grow rows when opening a file, so the writer sets the height; it errs on the
    tall side, since a short row cuts text off (and, bottom-aligned, would print it over the row above).
    """
    lines = min(max((_text_lines(t, w) for t, w in texts if t), default=1), max_lines)
    return PRINT_LINE_HEIGHT * lines + 4 if lines > 1 else None


def _append_rows(ws: Any, rows: Sequence[list[Any]], widths: Sequence[float], first_row: int) -> None:
    """Append rows to a write-only sheet, making rows tall enough for their wrapping cells' text."""
    for index, row in enumerate(rows, start=first_row):
        wrapping = [
            (cell.value, width)
            for cell, width in zip(row, widths, strict=False)
            if isinstance(getattr(cell, "value", None), str) and cell.alignment.wrap_text
        ]
        height = _text_height(wrapping) if wrapping else None
        if height is not None:
            ws.row_dimensions[index].height = height
        ws.append(row)


def _audit_sheet(wb: Any, entries: Sequence[SummaryEntry]) -> None:
    ws = wb.create_sheet("修改记录")
    headers = ["序号", "文件", "机关", "类型", "对象", "名称", "原值", "新值", "审核人", "时间", "原因/说明"]
    widths = [5, 16, 16, 9, 22, 30, 8, 14, 8, 19, 30]
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
                        _text_cell(ws, "修改单元格", alignment=TOP),
                        _text_cell(ws, c.key, alignment=WRAP),
                        _text_cell(ws, label, alignment=WRAP),
                        _cell(ws, c.old),
                        _cell(ws, c.new),
                        _text_cell(ws, c.reviewer, alignment=WRAP),
                        _time_cell(ws, c.time),
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
                        _text_cell(ws, "处理问题" if d.kind else "撤销决定", alignment=TOP),
                        _text_cell(ws, d.ident, alignment=WRAP),
                        _text_cell(ws, f"{title} {where_text(rule, where)}".strip(), alignment=WRAP),
                        None,
                        _text_cell(ws, DECISION_LABELS[d.kind] if d.kind else "（撤销）", alignment=WRAP),
                        _text_cell(ws, d.reviewer, alignment=WRAP),
                        _time_cell(ws, d.time),
                        _text_cell(ws, d.note, alignment=WRAP),
                    ],
                )
            )
        for e in entry.report_log:
            what = "审核状态" if e.what == "status" else "备注"
            events.append(
                (
                    e.time,
                    [
                        _text_cell(ws, what, alignment=TOP),
                        _text_cell(ws, e.what, alignment=WRAP),
                        _text_cell(ws, what, alignment=WRAP),
                        None,
                        _text_cell(
                            ws, STATUS_LABELS.get(e.value, e.value) if e.what == "status" else e.value, alignment=WRAP
                        ),
                        _text_cell(ws, e.reviewer, alignment=WRAP),
                        _time_cell(ws, e.time),
                        None,
                    ],
                )
            )
        events.sort(key=lambda event: _sort_time(event[0]))
        for _time, cells in events:
            rows.append(
                [
                    _cell(ws, number),
                    _text_cell(ws, Path(entry.file).name, alignment=WRAP),
                    _text_cell(ws, _organ(entry), alignment=WRAP),
                    *cells,
                ]
            )
    _finish(ws, 1, len(headers), len(rows), "B2", widths)
    ws.append([_header_cell(ws, h) for h in headers])
    _append_rows(ws, rows, widths, 2)


def _sort_time(iso: str) -> tuple[int, Any]:
    """Events in time order across UTC offsets (text that is not a time last, as text)."""
    moment = local_datetime(iso)
    return (0, moment) if moment is not None else (1, iso)


def _readme_sheet(wb: Any) -> None:
    ws = wb.create_sheet("说明")
    widths = (16, 80)
    ws.column_dimensions["A"].width = widths[0]
    ws.column_dimensions["B"].width = widths[1]
    lines: list[tuple[str, str]] = [
        ("工作表", "内容"),
        (
            "汇总",
            "每份报告一行：前几列为报告信息与问题计数，其后每列为一个表格单元格（第1行为表格与行，第2行为列）。"
            "黄色底 = 审核人修改过的值；红色底 = 参与了不符的勾稽关系；空白 = 报告中该格为空或该样式无此格。"
            "表格下方是三幅图：问题按规则、问题按机关、审核进度（Excel 原生图表，可复制到其他文档）。",
        ),
        (
            "统计",
            "全批次的统计：各规则的问题数（未处理 / 已处理）、有问题的机关（按未处理问题数排序）、各审核状态的报告数，"
            "以及同样的三幅图。只计“错误”和“警告”，不计空白单元格等提示。",
        ),
        (
            "问题清单",
            "每个检查发现一行：报告、规则、位置、说明、审核人的处理决定及说明。"
            "同一报告的空白单元格（提示）合并为一行（位置为“N 个空白单元格”，说明列出前几个）；"
            "因存疑单元格而无法检查的，同一规则合并为一行（位置列出各处）。错误和警告每项一行。",
        ),
        (
            "修改记录",
            "审核记录：对单元格的每一次修改（原值、新值、审核人、时间、原因），以及对问题作出或撤销的处理决定。"
            "时间为导出所在计算机的本地时间（Excel 日期时间，可排序、筛选）。",
        ),
        ("", ""),
        ("汇总表列", "含义"),
        *[(name, desc) for name, _w, desc in FIXED_COLUMNS],
        ("", ""),
        ("规则", "含义"),
        *[(rid, f"{r.title}：{r.formula}" if r.formula else r.title) for rid, r in formbook().rules.items()],
    ]
    ws.oddHeader.center.text = "政府信息公开工作年度报告审核 说明"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.print_options.gridLines = True
    for index, (label, text) in enumerate(lines, start=1):
        bold = label in ("工作表", "汇总表列", "规则")
        height = _text_height([(label, widths[0]), (text, widths[1])])
        if height is not None:
            ws.row_dimensions[index].height = height
        style: dict[str, Any] = {"font": BOLD} if bold else {}
        ws.append([_text_cell(ws, label, alignment=WRAP, **style), _text_cell(ws, text, alignment=WRAP, **style)])


STATS_WIDTHS = (24, 8, 8, 10, 8, 8, 8, 30)


def _stats_sheet(
    wb: Any, rule_table: list[RuleRow], organ_table: list[OrganRow], statuses: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """The 统计 sheet: findings by rule, by organ, reports by status; returns each table's (first, last) data row
    (the charts' ranges)."""
    ws = wb.create_sheet("统计")
    rules = formbook().rules
    for i, width in enumerate(STATS_WIDTHS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ranges: dict[str, tuple[int, int]] = {}
    row = 0

    def put(cells: list[Any]) -> None:
        nonlocal row
        ws.append(cells)
        row += 1

    def title(text: str) -> None:
        put([_text_cell(ws, text, font=BOLD)])

    title("问题按规则（错误和警告；不含空白单元格等提示）")
    put([_header_cell(ws, h) for h in ("规则名称", "未处理", "已处理", "规则", "合计")])
    first = row + 1
    for r in rule_table:
        name = rules[r.rule].title if r.rule in rules else r.rule
        put([_text_cell(ws, name), r.open, r.decided, _text_cell(ws, r.rule), r.total])
    ranges["rules"] = (first, row)
    put([])
    title("问题按机关（有未处理错误或警告的机关，多者在前）")
    put([_header_cell(ws, h) for h in ("机关", "错误", "警告", "年度", "报告数", "存疑", "审核状态", "最常见的问题")])
    first = row + 1
    for o in organ_table:
        common = "、".join(
            f"{rules[rule].title if rule in rules else rule}×{n}" for rule, n in o.top_rules()
        )
        put(
            [
                _text_cell(ws, o.organ),
                o.errors,
                o.warnings,
                o.year,
                o.reports,
                o.unsure,
                _text_cell(ws, o.status_text()),
                _text_cell(ws, common or None),
            ]
        )
    ranges["organs"] = (first, row)
    put([])
    title("审核进度")
    put([_header_cell(ws, h) for h in ("审核状态", "报告数")])
    first = row + 1
    for status, count in statuses.items():
        put([_text_cell(ws, STATUS_LABELS.get(status, status)), count])
    ranges["status"] = (first, row)
    ws.oddHeader.center.text = "政府信息公开工作年度报告审核 统计"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ranges


def _charts(ranges: dict[str, tuple[int, int]]) -> list[Any]:
    """Native Excel charts over the 统计 sheet's tables: findings by rule, by organ, review progress."""
    charts: list[Any] = []
    sheet = "统计"

    def bar(title: str, first: int, last: int, series: tuple[int, int]) -> Any:
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = title
        chart.style = 10
        data = Reference(_Sheet(sheet), min_col=series[0], max_col=series[1], min_row=first - 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(_Sheet(sheet), min_col=1, min_row=first, max_row=last))
        chart.x_axis.scaling.orientation = "maxMin"  # the first (largest) row at the top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.majorGridlines = None
        chart.legend.position = "b"
        chart.width = 18
        chart.height = max(6.0, 2.5 + 0.6 * (last - first + 1))
        return chart

    first, last = ranges["rules"]
    if last >= first:
        charts.append(bar("问题按规则", first, min(last, first + CHART_RULES - 1), (2, 3)))
    first, last = ranges["organs"]
    if last >= first:
        shown = min(last, first + CHART_ORGANS - 1)
        more = "" if shown == last else f"（前 {CHART_ORGANS} 个）"
        charts.append(bar(f"未处理问题按机关{more}", first, shown, (2, 3)))
    first, last = ranges["status"]
    pie = PieChart()
    pie.title = "审核进度（报告数）"
    pie.add_data(Reference(_Sheet(sheet), min_col=2, min_row=first - 1, max_row=last), titles_from_data=True)
    pie.set_categories(Reference(_Sheet(sheet), min_col=1, min_row=first, max_row=last))
    pie.dataLabels = DataLabelList()
    pie.dataLabels.showVal = True
    pie.dataLabels.showPercent = False
    pie.dataLabels.showCatName = False
    pie.dataLabels.showSerName = False
    pie.dataLabels.showLegendKey = False
    pie.legend.position = "r"
    pie.width = 12
    pie.height = 7
    charts.append(pie)
    return charts


class _Sheet:
    """What openpyxl's Reference needs of a worksheet (its title), for a sheet written later."""

    def __init__(self, title: str) -> None:
        self.title = title


def _place_charts(ws: Any, charts: list[Any], row: int, col: int) -> None:
    """Stack charts downwards from (row, col), about one row per 0.5 cm of chart height."""
    for chart in charts:
        ws.add_chart(chart, f"{get_column_letter(col)}{row}")
        row += int(chart.height / 0.53) + 2


def build_summary_workbook(entries: Sequence[SummaryEntry]) -> Any:
    figures = [entry_figures(i, e) for i, e in enumerate(entries, start=1)]
    wb = openpyxl.Workbook(write_only=True)
    summary = _summary_sheet(wb, entries)
    ranges = _stats_sheet(wb, rule_rows(figures), organ_findings(organ_rows(figures)), status_counts(figures))
    _place_charts(summary, _charts(ranges), len(entries) + 5, 2)
    last_row = max(r[1] for r in ranges.values())
    _place_charts(wb["统计"], _charts(ranges), last_row + 3, 1)
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
                entry.source = report_source(ws, rid)  # (its file's bytes hashed only for the workbooks)
                write_report_workbook(entry, folder / report_workbook_name(rid, entry))
