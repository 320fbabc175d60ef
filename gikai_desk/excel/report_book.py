"""Per-report workbook laid out like the official form (表二/表三/表四), and reading it back after editing."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from gikai_desk.errors import InputError
from gikai_desk.excel.common import (
    BOLD,
    BORDER,
    CENTER,
    CORRECTED_FILL,
    DATETIME_FORMAT,
    FAIL_FILL,
    FAIL_FONT,
    HEADER_FILL,
    PAPERSIZE_A4,
    SECTION_FILL,
    TITLE_FONT,
    UNSURE_FILL,
    atomic_save,
    display_width,
    local_datetime,
    local_time_text,
    row_height,
    set_text,
)
from gikai_desk.excel.entry import SummaryEntry, WorkbookSource
from gikai_desk.excel.findings import finding_rows
from gikai_desk.formlayout import GridCell, TableLayout, report_layouts
from gikai_desk.forms import TABLE_NAMES, formbook
from gikai_desk.model import Number, Violation
from gikai_desk.review import DECISION_LABELS, STATUS_LABELS, Correction

KEY_SHEET = "_gikai"
KEY_SHEET_MARK = "gikai-desk report workbook"
KEY_SHEET_VERSION = 2
"""1: cell positions only; 2: also the report it came from (row 1, columns C-G: id, sha256, file, organ, year)."""
NUMBER_ALIGN = Alignment(horizontal="right", vertical="center", indent=1)
TOP_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)
GRID_TOP = 4
"""Worksheet row of the grid's first row (rows 1-3: title, organ and year, blank)."""
COMMENT_AUTHOR = "gikai-desk"


def _fmt(value: Number | None) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def correction_comment(correction: Correction) -> str:
    """原值 → 新值（审核人，时间，原因）"""
    parts = [correction.reviewer, local_time_text(correction.time)]
    if correction.reason:
        parts.append(correction.reason)
    return f"{_fmt(correction.old)} → {_fmt(correction.new)}（{'，'.join(parts)}）"


def cell_notes(entry: SummaryEntry) -> dict[str, list[str]]:
    """Comment lines per cell key: corrections (oldest first), failing rules, parser doubts."""
    notes: dict[str, list[str]] = defaultdict(list)
    for correction in entry.corrections:
        notes[correction.key].append(correction_comment(correction))
    for violation in entry.violations:
        if not _marks_cells(violation):
            continue
        decision = entry.decisions.get(violation.ident)
        suffix = f"【{DECISION_LABELS[decision.kind]}】" if decision else ""
        for key in violation.cells:
            notes[key].append(f"{violation.message}{suffix}")
    if entry.report is not None:
        for key, flag in entry.report.flags().items():
            notes[key].append(f"存疑：{flag}")
    return notes


def _marks_cells(violation: Violation) -> bool:
    """A finding worth a red cell and a comment on the form: a failing error or warning.

    BLANK_CELL (info) is listed on the 审核情况 sheet only; marking every blank would bury the real problems.
    """
    return violation.status == "fail" and violation.severity in ("error", "warning")


def _organ_year(entry: SummaryEntry) -> str:
    report = entry.report
    organ = (report.agency if report else None) or Path(entry.file).stem
    year = f"{report.year}年度" if report and report.year else "年度不详"
    return f"{organ} {year}"


def _write_grid(
    ws: Any, layout: TableLayout, entry: SummaryEntry, notes: dict[str, list[str]]
) -> list[tuple[str, str, str, str]]:
    """Draw the form; returns (key, value coordinate, guard label coordinate, guard label text) per value cell."""
    report = entry.report
    assert report is not None
    corrected = entry.corrected_keys
    failing = {k for v in entry.violations if _marks_cells(v) for k in v.cells}
    unsure = set(report.flags())
    placed: list[tuple[str, str, str, str]] = []
    widths: dict[int, int] = defaultdict(int)
    for cell in layout.cells:
        row, col = GRID_TOP + cell.row, 1 + cell.col
        target = ws.cell(row=row, column=col)
        target.border = BORDER  # merge_cells() carries the top-left border to the merged range's edges
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(
                start_row=row,
                start_column=col,
                end_row=row + cell.rowspan - 1,
                end_column=col + cell.colspan - 1,
            )
        if cell.kind == "value":
            assert cell.key is not None
            value = report.value(cell.key)
            target.value = value
            target.alignment = NUMBER_ALIGN
            if isinstance(value, float) and not value.is_integer():
                target.number_format = "0.00"
            if cell.key in failing:
                target.fill = FAIL_FILL
                target.font = FAIL_FONT
            elif cell.key in unsure:
                target.fill = UNSURE_FILL
            if cell.key in corrected:
                target.fill = CORRECTED_FILL
            if notes.get(cell.key):
                text = "\n".join(notes[cell.key])
                comment = Comment(text, COMMENT_AUTHOR)
                comment.width = 320
                comment.height = 40 + 20 * text.count("\n") + 20 * (len(text) // 30)
                target.comment = comment
            guard = _guard_label(layout, cell)
            guard_coordinate = ws.cell(row=GRID_TOP + guard.row, column=1 + guard.col).coordinate
            placed.append((cell.key, target.coordinate, guard_coordinate, guard.text))
            widths[cell.col] = max(widths[cell.col], VALUE_WIDTH)
            continue
        set_text(target, cell.text)
        if cell.kind == "label":
            target.alignment = (
                Alignment(horizontal="left", vertical="center", wrap_text=True, indent=cell.level)
                if cell.rowspan == 1
                else CENTER
            )
        else:
            target.alignment = CENTER
            target.font = BOLD
            target.fill = SECTION_FILL if cell.kind == "section" else HEADER_FILL
        _widen(widths, cell)
    for cell in layout.cells:
        if cell.kind == "label" and cell.colspan > 1:
            _widen_span(widths, cell)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(1 + col)].width = width
    for row, height in _row_heights(layout, widths).items():
        ws.row_dimensions[GRID_TOP + row].height = height
    return placed


def _row_heights(layout: TableLayout, widths: dict[int, int]) -> dict[int, float]:
    """Heights of grid rows whose one-row labels wrap: spreadsheet programs do not grow such rows on opening."""
    heights: dict[int, float] = {}
    for cell in layout.cells:
        if cell.kind == "value" or cell.rowspan != 1 or not cell.text:
            continue
        room = sum(widths.get(col, 8) for col in range(cell.col, cell.col + cell.colspan)) - 2 * cell.level
        height = row_height([(cell.text, room)])
        if height is not None:
            heights[cell.row] = max(heights.get(cell.row, 0.0), height)
    return heights


def _guard_label(layout: TableLayout, cell: GridCell) -> GridCell:
    """The label that must stay beside a value cell (its row label, or for 表四 its column heading)."""
    if layout.label_cols:
        found = layout.cell_at(cell.row, layout.label_cols - 1)
    else:
        found = layout.cell_at(layout.header_rows - 1, cell.col)
    assert found is not None and found.kind in ("label", "header")
    return found


VALUE_WIDTH = 10
LABEL_MAX_WIDTH = 36
"""Widest a label column gets; longer labels wrap (rows grow to fit)."""
TALL_LABEL_WIDTH = 16
"""Width of a column holding only tall merged labels such as 三、本年度办理结果 (they wrap onto several lines)."""


def _label_width(cell: GridCell) -> int:
    return display_width(cell.text) + 2 + 2 * cell.level


def _widen(widths: dict[int, int], cell: GridCell) -> None:
    """Column width from the single-column cells (multi-column labels are fitted afterwards)."""
    if cell.colspan > 1:
        return
    if cell.kind == "label" and cell.rowspan > 2:
        text_width = min(_label_width(cell), TALL_LABEL_WIDTH)
    elif cell.kind == "label":
        text_width = min(_label_width(cell), LABEL_MAX_WIDTH)
    else:
        text_width = min(display_width(cell.text) + 2, 16)
    widths[cell.col] = max(widths[cell.col], max(text_width, 8))


def _widen_span(widths: dict[int, int], cell: GridCell) -> None:
    """Widen the last spanned column when a multi-column label would not fit its columns (up to the cap)."""
    span = range(cell.col, cell.col + cell.colspan)
    have = sum(widths.get(col, 8) for col in span)
    need = min(_label_width(cell), LABEL_MAX_WIDTH + TALL_LABEL_WIDTH)
    if have < need:
        last = cell.col + cell.colspan - 1
        widths[last] = widths.get(last, 8) + need - have


def _print_setup(ws: Any, layout: TableLayout, header: str) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddHeader.center.text = header
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.8
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if layout.header_rows:
        ws.print_title_rows = f"{GRID_TOP}:{GRID_TOP + layout.header_rows - 1}"
    ws.freeze_panes = ws.cell(row=GRID_TOP + layout.header_rows, column=1 + layout.label_cols).coordinate


REVIEW_WIDTHS = (14, 26, 8, 8, 60, 18, 22, 8, 24)


def _review_sheet(wb: Any, entry: SummaryEntry) -> None:
    ws = wb.create_sheet("审核情况")
    report = entry.report
    info = [
        ("文件", entry.file),
        ("机关", report.agency if report else None),
        ("年度", str(report.year) if report and report.year else None),
        (
            "表格样式",
            " ".join(f"{TABLE_NAMES[t]}:{v}" for t, v in sorted(report.forms.items())) if report else None,
        ),
        ("审核状态", STATUS_LABELS.get(entry.status, entry.status)),
        ("备注", entry.note),
        ("读取失败原因", entry.error),
    ]
    for label, value in info:
        ws.append([label])
        set_text(ws.cell(row=ws.max_row, column=2), value)
        ws.cell(row=ws.max_row, column=1).font = BOLD
        ws.cell(row=ws.max_row, column=1).alignment = TOP_WRAP
    ws.append([])
    headers = ["规则", "位置", "严重程度", "结果", "说明", "处理决定", "决定说明", "审核人", "时间"]
    ws.append(headers)
    findings_header = ws.max_row
    for i in range(len(headers)):
        c = ws.cell(row=ws.max_row, column=i + 1)
        c.font, c.fill, c.border = BOLD, HEADER_FILL, BORDER
    rules = formbook().rules
    for finding in finding_rows(entry):
        decision = finding.latest_decision
        row = [
            rules[finding.rule].title if finding.rule in rules else finding.rule,
            finding.location,
            {"error": "错误", "warning": "警告", "info": "提示"}.get(finding.severity, finding.severity),
            "不符" if finding.status == "fail" else "无法检查",
            finding.message,
            finding.decision_text or "",
            finding.decision_note or "",
            decision.reviewer if decision else "",
            decision.time if decision else "",
        ]
        ws.append([None] * len(row))
        moment = local_datetime(decision.time) if decision else None
        for i, value in enumerate(row):
            target = ws.cell(row=ws.max_row, column=i + 1)
            if moment is not None and i == len(row) - 1:
                target.value, target.number_format = moment, DATETIME_FORMAT
            else:
                set_text(target, value)
            target.border = BORDER
            target.alignment = TOP_WRAP
    for col, width in zip("ABCDEFGHI", REVIEW_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=findings_header + 1):
        texts = [c.value if isinstance(c.value, str) else None for c in row]
        height = row_height(list(zip(texts, REVIEW_WIDTHS, strict=False)))
        if height is not None:
            ws.row_dimensions[row[0].row].height = height
    for i in range(1, len(info) + 1):
        ws.cell(row=i, column=2).alignment = Alignment(horizontal="left", vertical="top", wrap_text=False)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_title_rows = f"{findings_header}:{findings_header}"
    ws.freeze_panes = ws.cell(row=findings_header + 1, column=1).coordinate
    ws.oddHeader.center.text = f"{_organ_year(entry)} 审核情况"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def build_report_workbook(entry: SummaryEntry) -> Any:
    """The per-report workbook (not saved)."""
    wb = openpyxl.Workbook()
    default = wb.active
    notes = cell_notes(entry)
    organ_year = _organ_year(entry)
    placed: list[tuple[str, str, str, str, str]] = []
    if entry.report is not None:
        for layout in report_layouts(entry.report.forms):
            ws = wb.create_sheet(TABLE_NAMES[layout.table])
            title = ws.cell(row=1, column=1)
            set_text(title, f"{TABLE_NAMES[layout.table]} {layout.title}")
            title.font = TITLE_FONT
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=layout.n_cols)
            set_text(ws.cell(row=2, column=1), f"{organ_year}　　文件：{Path(entry.file).name}")
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=layout.n_cols)
            for key, coordinate, guard, guard_text in _write_grid(ws, layout, entry, notes):
                placed.append((key, ws.title, coordinate, guard, guard_text))
            _print_setup(ws, layout, f"{organ_year} 政府信息公开工作年度报告 {TABLE_NAMES[layout.table]}")
    _review_sheet(wb, entry)
    wb.remove(default)
    keys = wb.create_sheet(KEY_SHEET)
    source = entry.source
    keys.append(
        [KEY_SHEET_MARK, KEY_SHEET_VERSION]
        + ([] if source is None else [source.report_id, source.sha256, source.file, source.organ, source.year])
    )
    keys.append(["key", "sheet", "cell", "label cell", "label"])
    for row in placed:
        keys.append(list(row))
    keys.sheet_state = "hidden"
    return wb


def write_report_workbook(entry: SummaryEntry, path: Path) -> None:
    """Write the per-report workbook atomically (ExcelWriteError when the target is locked)."""
    atomic_save(lambda tmp: build_report_workbook(entry).save(tmp), path)


_UNIT_RE = re.compile(r"(万元|元|件|个|项|笔)$")
_BLANK_TEXT = {"", "-", "—", "－", "/", "／", "无"}


def workbook_number(value: object, where: str, path: Path) -> Number | None:
    """A cell value read back from Excel/WPS as a cell value: '3', 3.0 -> 3; '' -> None; '1,200元' -> 1200."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(str(path), f"{where} 的值 {value!r} 不是数字 not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        rounded = round(value, 6)
        return int(rounded) if rounded.is_integer() else rounded
    if isinstance(value, str):
        text = (
            unicodedata.normalize("NFKC", value).strip().replace(",", "").replace(" ", "").replace("−", "-")
        )
        text = _UNIT_RE.sub("", text)
        if text in _BLANK_TEXT:
            return None
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise InputError(str(path), f"{where} 的值“{value}”不是数字 not a number") from None
        return workbook_number(number, where, path)
    raise InputError(str(path), f"{where} 的值 {value!r} 不是数字 not a number")


def _squash(value: object) -> str:
    return "" if value is None else re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def read_report_workbook(path: str | Path) -> dict[str, Number | None]:
    """Cell key -> value of a per-report workbook written by write_report_workbook (maybe edited since)."""
    return load_report_workbook(path)[0]


def _source(row: tuple[Any, ...]) -> WorkbookSource | None:
    """The report a workbook came from, from row 1 of its _gikai sheet (None: written before version 2)."""
    _mark, _version, rid, sha256, file, organ, year = (tuple(row) + (None,) * 7)[:7]
    if not sha256:
        return None
    return WorkbookSource(
        report_id=int(rid) if isinstance(rid, int | float) else None,
        sha256=str(sha256),
        file=str(file or ""),
        organ=str(organ) if organ else None,
        year=int(year) if isinstance(year, int | float) else None,
    )


def load_report_workbook(path: str | Path) -> tuple[dict[str, Number | None], WorkbookSource | None]:
    """(cell key -> value, the report it was written from) of a per-report workbook."""
    source = Path(path)
    try:
        wb = openpyxl.load_workbook(source, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        raise InputError(str(source), f"无法读取工作簿 cannot read workbook: {exc}") from exc
    try:
        if KEY_SHEET not in wb.sheetnames or wb[KEY_SHEET].cell(row=1, column=1).value != KEY_SHEET_MARK:
            raise InputError(
                str(source),
                "不是本工具导出的单份报告工作簿（缺少 _gikai 表）not a gikai-desk report workbook",
            )
        keys = wb[KEY_SHEET]
        origin = _source(next(keys.iter_rows(min_row=1, max_row=1, max_col=7, values_only=True)))
        out: dict[str, Number | None] = {}
        for key, sheet, coordinate, guard, guard_text in keys.iter_rows(min_row=3, max_col=5, values_only=True):
            if not key or not sheet or not coordinate:
                continue
            if sheet not in wb.sheetnames:
                raise InputError(str(source), f"工作表“{sheet}”已被删除 sheet missing")
            grid = wb[str(sheet)]
            if guard and _squash(grid[str(guard)].value) != _squash(guard_text):
                raise InputError(
                    str(source),
                    f"工作表“{sheet}”的表格结构已被改动（{guard} 应为“{guard_text}”，插入或删除了行/列？），"
                    "无法按位置导入 the form layout was changed",
                )
            value = grid[str(coordinate)].value
            out[str(key)] = workbook_number(
                value, f"{sheet}!{coordinate}（{formbook().label(str(key))}）", source
            )
        return out, origin
    finally:
        wb.close()
