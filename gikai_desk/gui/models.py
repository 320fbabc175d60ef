"""Qt item models adapting the domain: the report queue, the form grid, the issue list and the history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from gikai_desk.forms import TABLE_NAMES, formbook, value_problem
from gikai_desk.gui import document as cellstate
from gikai_desk.gui.document import ReviewDocument, describe_location, formula_with_numbers
from gikai_desk.gui.form_grid import GridLayout, build_layout
from gikai_desk.gui.i18n import tr
from gikai_desk.gui.numbers import NotANumberError, format_number, parse_number
from gikai_desk.model import Number, Report, Violation
from gikai_desk.pending import ReviewItem, row_label
from gikai_desk.review import STATUS_LABELS, Correction, ReportSummary

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()

KEY_ROLE = Qt.ItemDataRole.UserRole
STATE_ROLE = Qt.ItemDataRole.UserRole + 1
"""Grid: bit set of document.ERROR/WARNING/... for a value cell."""
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
"""Grid: 'title', 'section', 'header', 'group', 'label', 'value' or 'empty'."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 3

ERROR_BACKGROUND = QColor("#f6b8b8")
WARNING_BACKGROUND = QColor("#fde3a7")
INFO_BACKGROUND = QColor("#e4ecf7")
DECIDED_BACKGROUND = QColor("#e6dcf0")
HEADER_BACKGROUND = QColor("#eef1f5")
TITLE_BACKGROUND = QColor("#dfe6ee")
LABEL_FOREGROUND = QColor("#202020")

STATUS_TEXT = {status: label for status, label in STATUS_LABELS.items()}
UNREADABLE = "无法读取"
"""The queue's status of a file that could not be read (its reason stands in the organ column and the tooltip)."""


def status_texts() -> list[str]:
    """Every text the queue's status column shows, in the interface language (to size the column)."""
    return [tr(text) for text in (*STATUS_TEXT.values(), UNREADABLE)]


def _right() -> int:
    return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _left() -> int:
    return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _centre() -> int:
    return int(Qt.AlignmentFlag.AlignCenter)


class RowListModel(QAbstractTableModel):
    """A flat table: one row per item of `_rows`, columns named by the translated HEADERS."""

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.HEADERS):
            return tr(self.HEADERS[section])
        return None

    def _retranslate_headers(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.HEADERS) - 1)


# ---------------------------------------------------------------------------------------------- queue


class ReportQueueModel(RowListModel):
    """One row per report in the workspace: organ, year, form, status, open errors/warnings, unsure cells."""

    FILE, AGENCY, YEAR, FORM, STATUS, ERRORS, WARNINGS, UNSURE = range(8)
    HEADERS = ("文件", "机关", "年度", "表式", "状态", "错误", "警告", "存疑")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ReportSummary] = []

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == SORT_ROLE:
            value = self._display(item, column)
            return value if value is not None else ""
        if role == KEY_ROLE:
            return item.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.error:
                return tr("无法读取：") + item.error
            return item.file + ("\n" + item.note if item.note else "")
        if role == Qt.ItemDataRole.ForegroundRole:
            if item.error:
                return QBrush(QColor("#8a1c1c"))
            if column == self.ERRORS and item.errors:
                return QBrush(QColor("#b00020"))
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _right() if column in (self.YEAR, self.ERRORS, self.WARNINGS, self.UNSURE) else _left()
        return None

    def _display(self, item: ReportSummary, column: int) -> Any:
        if column == self.FILE:
            return item.file
        if column == self.AGENCY:
            return item.error if item.error else item.agency or ""  # an unreadable file: why, where the organ would be
        if column == self.YEAR:
            return item.year if item.year is not None else ""
        if column == self.FORM:
            return item.template or ""
        if column == self.STATUS:
            if item.error:
                return tr(UNREADABLE)
            return tr(STATUS_TEXT.get(item.status, item.status))
        if column == self.ERRORS:
            return item.errors
        if column == self.WARNINGS:
            return item.warnings
        if column == self.UNSURE:
            return item.unsure
        return None

    def set_reports(self, reports: list[ReportSummary]) -> None:
        self.beginResetModel()
        self._rows = list(reports)
        self.endResetModel()

    def upsert(self, summary: ReportSummary) -> None:
        """Add a report, or refresh its row (dataChanged with the display roles)."""
        for row, item in enumerate(self._rows):
            if item.id == summary.id:
                self._rows[row] = summary
                roles = [
                    Qt.ItemDataRole.DisplayRole,
                    SORT_ROLE,
                    Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.ForegroundRole,
                ]
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1), roles)
                return
        self.beginInsertRows(ROOT, len(self._rows), len(self._rows))
        self._rows.append(summary)
        self.endInsertRows()

    def summary_at(self, row: int) -> ReportSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def append(self, summaries: list[ReportSummary]) -> None:
        """Add new reports at the end in one insertion (a batch of rows costs one layout pass, not one each)."""
        if not summaries:
            return
        self.beginInsertRows(ROOT, len(self._rows), len(self._rows) + len(summaries) - 1)
        self._rows.extend(summaries)
        self.endInsertRows()

    def ids_of_year(self, year: int) -> list[int]:
        """The reports of one year in the queue."""
        return [item.id for item in self._rows if item.year == year]

    def summary(self, rid: int) -> ReportSummary | None:
        for item in self._rows:
            if item.id == rid:
                return item
        return None

    def row_of(self, rid: int) -> int:
        for row, item in enumerate(self._rows):
            if item.id == rid:
                return row
        return -1

    def retranslate(self) -> None:
        self._retranslate_headers()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._rows) - 1, len(self.HEADERS) - 1),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )


class ReportQueueFilter(QSortFilterProxyModel):
    """Sorts the queue by any column and can hide reports without open errors."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._errors_only = False
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    @property
    def errors_only(self) -> bool:
        return self._errors_only

    def set_errors_only(self, on: bool) -> None:
        self.beginFilterChange()
        self._errors_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._errors_only:
            return True
        model = self.sourceModel()
        errors = model.data(model.index(source_row, ReportQueueModel.ERRORS, source_parent), SORT_ROLE)
        return isinstance(errors, int) and errors > 0

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, int) and isinstance(b, int):
            return a < b
        return str(a) < str(b)


# ---------------------------------------------------------------------------------------------- grid


class CellGridModel(QAbstractTableModel):
    """The report's tables laid out like the official forms; value cells are editable through `edit_handler`."""

    editRefused = Signal(str)
    """A typed text was not a number (message for the reviewer)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document: ReviewDocument | None = None
        self._layout = GridLayout()
        self.edit_handler: Callable[[dict[str, Number | None], str], object] | None = None
        """Called with {key: value} and an undo text; pushes an undo command (set by the window)."""

    # ---- structure
    @property
    def layout(self) -> GridLayout:
        return self._layout

    @property
    def document(self) -> ReviewDocument | None:
        return self._document

    def set_document(self, document: ReviewDocument | None, report: Report | None = None) -> None:
        """Show `document` (None: an empty grid, or the bare form of `report`)."""
        self.beginResetModel()
        if self._document is not None:
            self._document.cellsChanged.disconnect(self._on_document_cells_changed)
        self._document = document
        shown = document.report if document is not None else report
        self._layout = build_layout(shown) if shown is not None else GridLayout()
        if document is not None:
            document.cellsChanged.connect(self._on_document_cells_changed)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._layout.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() or not self._layout.rows else len(self._layout.rows[0])

    def index_of(self, key: str) -> QModelIndex:
        position = self._layout.positions.get(key)
        return QModelIndex() if position is None else self.index(*position)

    def key(self, index: Index) -> str | None:
        if not index.isValid():
            return None
        return self._layout.cell(index.row(), index.column()).key

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._layout.cell(index.row(), index.column()).kind == "value":
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if self._document is not None:
                flags |= Qt.ItemFlag.ItemIsEditable
            return flags
        return Qt.ItemFlag.NoItemFlags

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    # ---- data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._layout.rows):
            return None
        cell = self._layout.cell(index.row(), index.column())
        if role == KIND_ROLE:
            return cell.kind
        if cell.kind != "value":
            return self._label_data(cell.kind, cell.text, role)
        key = cell.key
        assert key is not None
        if role == KEY_ROLE:
            return key
        document = self._document
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return format_number(document.value(key)) if document is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _right()
        if document is None:
            return None
        if role == STATE_ROLE:
            return document.state(key)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(document.state(key))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(document, key)
        if role == Qt.ItemDataRole.FontRole and document.state(key) & cellstate.CORRECTED:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _label_data(self, kind: str, text: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            return text or None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _centre() if kind in ("header", "group") else _left()
        if role == Qt.ItemDataRole.BackgroundRole:
            if kind == "title":
                return QBrush(TITLE_BACKGROUND)
            if kind in ("section", "header", "group"):
                return QBrush(HEADER_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(LABEL_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and kind in ("title", "section"):
            font = QFont()
            font.setBold(True)
            return font
        return None

    @staticmethod
    def _background(state: int) -> QBrush | None:
        if state & cellstate.ERROR:
            return QBrush(ERROR_BACKGROUND)
        if state & cellstate.WARNING:
            return QBrush(WARNING_BACKGROUND)
        if state & cellstate.DECIDED:
            return QBrush(DECIDED_BACKGROUND)
        if state & cellstate.INFO:
            return QBrush(INFO_BACKGROUND)
        return None

    @staticmethod
    def _tooltip(document: ReviewDocument, key: str) -> str:
        lines = [formbook().label(key)]
        cell = document.cell(key)
        if cell is not None:
            if cell.raw:
                lines.append(tr("原文：") + cell.raw)
            if cell.corrected:
                lines.append(tr("已更正，原解析值：") + (format_number(cell.parsed) or tr("空白")))
            if not cell.settled:
                lines.append(tr("解析存疑：") + (cell.flag or ""))
        for violation in document.violations_of(key):
            lines.append("")
            rule = formbook().rules.get(violation.rule)
            lines.append(f"[{violation.rule}] {rule.title if rule else ''}")
            formula = formula_with_numbers(violation, document.report)
            if formula:
                lines.append(formula)
            lines.append(violation.message)
            if violation.expected is not None and violation.target:
                lines.append(
                    tr("满足规则的值：")
                    + f"{formbook().label(violation.target)} = {format_number(violation.expected)}"
                )
            decision = document.decisions.get(violation.ident)
            if decision is not None:
                lines.append(
                    tr("已决定：") + decision.kind + (f"（{decision.note}）" if decision.note else "")
                )
        return "\n".join(lines)

    def entry_problem(self, index: Index, text: Any) -> str | None:
        """Why typed `text` cannot go into the cell at `index` (not a number, or not what the form allows
        there: counts whole and non-negative, only 本年增/减 negative, only amounts with decimals); None: it can."""
        key = self.key(index)
        if key is None or isinstance(text, int | float):
            return None
        try:
            number = parse_number(str(text))
        except NotANumberError:
            return tr("不是数字，未修改：") + str(text)
        problem = value_problem(key, number)
        return None if problem is None else tr(problem) + f"：{text}"

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self._document is None or self.edit_handler is None:
            return False
        key = self.key(index)
        if key is None:
            return False
        problem = self.entry_problem(index, value)
        if problem is not None:
            self.editRefused.emit(problem)
            return False
        number = parse_number(str(value)) if not isinstance(value, int | float) else value
        if number == self._document.value(key) and (number is None) == (self._document.value(key) is None):
            cell = self._document.cell(key)
            if cell is not None and not cell.settled:  # typing the value the parser was unsure of confirms it
                self.edit_handler({key: number}, tr("确认 ") + formbook().label(key))
            return True
        self.edit_handler({key: number}, tr("修改 ") + formbook().label(key))
        return True

    def _on_document_cells_changed(self, keys: list[str]) -> None:
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
            Qt.ItemDataRole.BackgroundRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.FontRole,
            STATE_ROLE,
        ]
        for key in keys:
            index = self.index_of(key)
            if index.isValid():
                self.dataChanged.emit(index, index, roles)


# ---------------------------------------------------------------------------------------------- issues


class IssueListModel(RowListModel):
    """The current report's issue list (gikai_desk.pending): level, rule, location, message, status."""

    SEVERITY, RULE, LOCATION, MESSAGE, STATUS = range(5)
    HEADERS = ("级别", "规则", "位置", "说明", "状态")
    SEVERITY_TEXT: ClassVar[dict[str, str]] = {
        "error": "错误",
        "warning": "警告",
        "unsure": "存疑",
        "info": "提示",
    }
    KIND_TITLES: ClassVar[dict[str, str]] = {"unsure": "解析存疑", "blanks": "空白单元格"}

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document: ReviewDocument | None = None
        self._rows: list[ReviewItem] = []

    def set_document(self, document: ReviewDocument | None) -> None:
        if self._document is not None:
            self._document.issuesChanged.disconnect(self._on_document_issues_changed)
        self._document = document
        if document is not None:
            document.issuesChanged.connect(self._on_document_issues_changed)
        self._on_document_issues_changed()

    def _on_document_issues_changed(self) -> None:
        self.beginResetModel()
        self._rows = self._document.items() if self._document is not None else []
        self.endResetModel()

    def item(self, row: int) -> ReviewItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def violation(self, row: int) -> Violation | None:
        item = self.item(row)
        return item.violation if item is not None else None

    def row_of(self, ident: str) -> int:
        for row, item in enumerate(self._rows):
            if item.ident == ident:
                return row
        return -1

    def is_open(self, row: int) -> bool:
        """Pending: F8 stops here."""
        item = self.item(row)
        return item is not None and item.pending

    def status_text(self, item: ReviewItem) -> str:
        decision = self._document.decisions.get(item.ident) if self._document and item.decided else None
        if decision is not None:
            if decision.kind == "report_error":
                return tr("报告错误，保留原值") + (f"：{decision.note}" if decision.note else "")
            return tr("已解决") + (f"：{decision.note}" if decision.note else "")
        if item.kind == "unsure":
            return tr("待核对")
        if item.pending:
            return tr("待处理")
        if item.violation is not None and item.violation.status == "cannot_check":
            return tr("无法检查")
        return tr("仅供参考")

    def _rule_text(self, item: ReviewItem) -> str:
        if item.violation is None:
            return tr(self.KIND_TITLES.get(item.kind, item.kind))
        rule = formbook().rules.get(item.violation.rule)
        return f"{item.violation.rule} {rule.title}" if rule else item.violation.rule

    def _location(self, item: ReviewItem) -> str:
        if item.violation is not None:
            return describe_location(item.violation)
        if item.kind == "unsure":
            return row_label(item.ident.split("@", 1)[1])
        return TABLE_NAMES.get(item.ident.split("@", 1)[1], "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        column = index.column()
        if role == KEY_ROLE:
            violation = item.violation
            return (violation.rule, violation.where) if violation is not None else (item.rule, item.ident)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.SEVERITY:
                return tr(self.SEVERITY_TEXT.get(item.level, item.level))
            if column == self.RULE:
                return self._rule_text(item)
            if column == self.LOCATION:
                return self._location(item)
            if column == self.MESSAGE:
                return item.message
            if column == self.STATUS:
                return self.status_text(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            if self._document is not None and item.violation is not None:
                formula = formula_with_numbers(item.violation, self._document.report)
                return f"{formula}\n{item.message}" if formula else item.message
            return item.message
        if role == Qt.ItemDataRole.ForegroundRole:
            if not item.pending:
                return QBrush(QColor("#6b6b6b"))
            if column == self.SEVERITY:
                colour = {"error": "#b00020", "warning": "#9a6200"}.get(item.level, "#365f91")
                return QBrush(QColor(colour))
        if role == Qt.ItemDataRole.FontRole and item.pending:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def retranslate(self) -> None:
        self._retranslate_headers()
        self._on_document_issues_changed()


# ---------------------------------------------------------------------------------------------- history


class HistoryModel(RowListModel):
    """Corrections of the current report: cell, value as parsed, new value, reviewer, time, reason."""

    HEADERS = ("单元格", "解析值", "修改前", "新值", "审核人", "时间", "原因")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Correction] = []
        self._parsed: dict[str, Number | None] = {}

    def set_history(self, corrections: list[Correction], report: Report | None) -> None:
        self.beginResetModel()
        self._rows = list(reversed(corrections))
        self._parsed = {k: c.parsed for k, c in report.cells.items()} if report is not None else {}
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == KEY_ROLE:
            return item.key
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        blank = tr("空白")
        values = (
            formbook().label(item.key),
            format_number(self._parsed.get(item.key)) or blank,
            format_number(item.old) or blank,
            format_number(item.new) or blank,
            item.reviewer,
            item.time.replace("T", " ")[:19],
            item.reason or "",
        )
        return values[index.column()] if 0 <= index.column() < len(values) else None

    def retranslate(self) -> None:
        self._retranslate_headers()
