"""The batch overview (objectName `batchOverview`): the whole workspace at a glance, for a supervisor.

One row per organ and year (reports, review status, open errors, warnings, unsure cells, the rules failing
most), sortable and filterable; a click opens the organ's report in the main window. Above the table three
charts drawn with QPainter (no Qt Charts add-on: three bar charts do not justify ~10 MB more in the
installer): findings by rule, open findings by organ, review progress.

The figures come from `gikai_desk.batchstats` — the same the Excel summary's charts use. Counts per report are
the queue's stored counts (one query); the findings per rule need each report's findings, which cost about a
millisecond a report, so they are computed in time-boxed slices after the table is shown and kept per report
until that report changes (`report_changed`).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QRect,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gikai_desk.batchstats import (
    OrganRow,
    ReportFigures,
    organ_findings,
    organ_rows,
    rule_counts,
    rule_rows,
    status_counts,
    summary_figures,
)
from gikai_desk.forms import formbook
from gikai_desk.gui.i18n import tr
from gikai_desk.gui.models import SORT_ROLE, Index, RowListModel
from gikai_desk.review import STATUS_LABELS, ReportSummary

if TYPE_CHECKING:
    from gikai_desk.workspace import Workspace

RIDS_ROLE = Qt.ItemDataRole.UserRole + 4
SLICE_S = 0.03
"""Main-thread time per slice of counting findings by rule."""

ERROR_COLOUR = QColor("#c62828")
WARNING_COLOUR = QColor("#ef9f27")
DECIDED_COLOUR = QColor("#8e7cc3")
STATUS_COLOURS = {
    "pending": QColor("#b0bec5"),
    "in_review": QColor("#4f8fd6"),
    "reviewed": QColor("#43a047"),
    "returned": QColor("#e57373"),
}


def _paint_title(painter: QPainter, chart: QWidget, title: str) -> int:
    """A chart's title in bold at its top left; the height of a line of text."""
    line = painter.fontMetrics().height()
    bold = painter.font()
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(QColor("#202020"))
    painter.drawText(QRect(8, 4, chart.width() - 16, line + 2), Qt.AlignmentFlag.AlignLeft, title)
    painter.setFont(chart.font())
    return line


def _rule_title(rule: str) -> str:
    rules = formbook().rules
    return rules[rule].title if rule in rules else rule


# ---------------------------------------------------------------------------------------------- table


class OrganTableModel(RowListModel):
    """One row per organ and year."""

    ORGAN, YEAR, REPORTS, STATUS, ERRORS, WARNINGS, UNSURE, RULES = range(8)
    HEADERS = ("机关", "年度", "报告数", "审核状态", "错误", "警告", "存疑", "最常见的问题")
    NUMERIC = (YEAR, REPORTS, ERRORS, WARNINGS, UNSURE)

    def set_rows(self, rows: list[OrganRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[OrganRow]:
        return list(self._rows)

    def retranslate(self) -> None:
        self._retranslate_headers()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def _value(self, row: OrganRow, column: int) -> Any:
        if column == self.ORGAN:
            return row.organ
        if column == self.YEAR:
            return row.year
        if column == self.REPORTS:
            return row.reports
        if column == self.STATUS:
            return _status_text(row)
        if column == self.ERRORS:
            return row.errors
        if column == self.WARNINGS:
            return row.warnings
        if column == self.UNSURE:
            return row.unsure
        if column == self.RULES:
            return "、".join(f"{_rule_title(rule)} ×{n}" for rule, n in row.top_rules())
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._value(row, column)
            return "" if value is None else value
        if role == SORT_ROLE:
            value = self._value(row, column)
            if column == self.STATUS:  # least reviewed first when ascending
                return row.reviewed / max(row.reports, 1)
            return value if value is not None else (-1 if column in self.NUMERIC else "")
        if role == RIDS_ROLE:
            return list(row.rids)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            align = Qt.AlignmentFlag.AlignRight if column in self.NUMERIC else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == self.ERRORS and row.errors:
                return QBrush(ERROR_COLOUR)
            if column == self.WARNINGS and row.warnings:
                return QBrush(QColor("#9a5b00"))
        if role == Qt.ItemDataRole.ToolTipRole:
            rules = "\n".join(f"{_rule_title(rule)}：{n}" for rule, n in row.top_rules(10))
            unreadable = tr("无法读取的文件：%1").replace("%1", str(row.unreadable)) if row.unreadable else ""
            return "\n".join(t for t in (row.organ, rules, unreadable) if t)
        return None


def _status_text(row: OrganRow) -> str:
    if row.reports == 1:
        (status,) = row.statuses
        return tr(STATUS_LABELS.get(status, status))
    return "，".join(f"{tr(STATUS_LABELS[s])} {row.statuses[s]}" for s in STATUS_LABELS if row.statuses[s])


class OrganFilter(QSortFilterProxyModel):
    """Sorts by any column; filters by organ text and, optionally, to organs with open findings."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._problems_only = False
        self.setSortRole(SORT_ROLE)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_problems_only(self, on: bool) -> None:
        self.beginFilterChange()
        self._problems_only = on
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if self._text:
            organ = str(model.index(source_row, OrganTableModel.ORGAN, source_parent).data())
            rules = str(model.index(source_row, OrganTableModel.RULES, source_parent).data())
            if self._text not in organ.casefold() and self._text not in rules.casefold():
                return False
        if self._problems_only:
            errors = model.index(source_row, OrganTableModel.ERRORS, source_parent).data(SORT_ROLE)
            warnings = model.index(source_row, OrganTableModel.WARNINGS, source_parent).data(SORT_ROLE)
            return bool(errors or warnings)
        return True

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if isinstance(a, int | float) and isinstance(b, int | float):
            return a < b
        return str(a) < str(b)


# ---------------------------------------------------------------------------------------------- charts


class BarChart(QWidget):
    """Horizontal stacked bars with a title, a legend and the total at the end of each bar (QPainter)."""

    BAR = 16
    GAP = 6

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.title = ""
        self.series: list[tuple[str, QColor]] = []
        self.bars: list[tuple[str, list[int]]] = []
        self.empty_text = ""
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(
        self, title: str, series: list[tuple[str, QColor]], bars: list[tuple[str, list[int]]], empty_text: str
    ) -> None:
        self.title, self.series, self.bars, self.empty_text = title, series, bars, empty_text
        self.setToolTip("\n".join(f"{label}：{'，'.join(str(v) for v in values)}" for label, values in bars))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        rows = max(len(self.bars), 3)
        return QSize(360, 56 + rows * (self.BAR + self.GAP))

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        metrics = painter.fontMetrics()
        line = _paint_title(painter, self, self.title)
        # legend
        x = 8
        y = 8 + line
        for name, colour in self.series:
            painter.fillRect(QRect(x, y + 3, 10, 10), colour)
            painter.setPen(QColor("#404040"))
            painter.drawText(x + 14, y + metrics.ascent(), name)
            x += 24 + metrics.horizontalAdvance(name)
        top = y + line + 6
        if not self.bars:
            painter.setPen(QColor("#707070"))
            painter.drawText(
                QRect(8, top, self.width() - 16, line * 2), Qt.AlignmentFlag.AlignLeft, self.empty_text
            )
            painter.end()
            return
        label_width = min(
            max(metrics.horizontalAdvance(label) for label, _v in self.bars) + 8, self.width() // 3
        )
        biggest = max((sum(values) for _label, values in self.bars), default=0) or 1
        number_width = metrics.horizontalAdvance(str(biggest)) + 8
        room = max(self.width() - label_width - number_width - 16, 10)
        rows_fit = max(1, (self.height() - top) // (self.BAR + self.GAP))
        for i, (label, values) in enumerate(self.bars[:rows_fit]):
            y = top + i * (self.BAR + self.GAP)
            painter.setPen(QColor("#202020"))
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, label_width - 6)
            painter.drawText(
                QRect(8, y, label_width - 6, self.BAR),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                shown,
            )
            x0 = 8.0 + label_width
            for value, (_name, colour) in zip(values, self.series, strict=False):
                width = room * value / biggest
                if width > 0:
                    painter.fillRect(QRectF(x0, y, width, self.BAR), colour)
                    x0 += width
            painter.setPen(QColor("#202020"))
            painter.drawText(
                QRect(int(x0) + 4, y, number_width, self.BAR),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                str(sum(values)),
            )
        painter.end()


class ProgressChart(QWidget):
    """Review progress: one bar split by review status, with the counts and the share reviewed (QPainter)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewProgressChart")
        self.title = ""
        self.counts: dict[str, int] = {}
        self.labels: dict[str, str] = {}
        self.setMinimumHeight(96)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_data(self, title: str, counts: dict[str, int], labels: dict[str, str]) -> None:
        self.title, self.counts, self.labels = title, counts, labels
        self.setToolTip("\n".join(f"{labels[s]}：{n}" for s, n in counts.items()))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 96)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        metrics = painter.fontMetrics()
        line = _paint_title(painter, self, self.title)
        total = sum(self.counts.values())
        top = 10 + line
        width = self.width() - 16
        x = 8.0
        if total:
            for status, count in self.counts.items():
                part = width * count / total
                if part > 0:
                    painter.fillRect(QRectF(x, top, part, 22), STATUS_COLOURS.get(status, QColor("#999999")))
                    if part > metrics.horizontalAdvance(str(count)) + 6:
                        painter.setPen(QColor("#ffffff") if status != "pending" else QColor("#202020"))
                        painter.drawText(QRectF(x, top, part, 22), Qt.AlignmentFlag.AlignCenter, str(count))
                    x += part
        else:
            painter.setPen(QPen(QColor("#b0b0b0")))
            painter.drawRect(QRect(8, top, width - 1, 21))
        y = top + 30
        x = 8
        for status, count in self.counts.items():
            painter.fillRect(QRect(x, y + 3, 10, 10), STATUS_COLOURS.get(status, QColor("#999999")))
            painter.setPen(QColor("#404040"))
            text = f"{self.labels.get(status, status)} {count}"
            painter.drawText(x + 14, y + metrics.ascent(), text)
            x += 28 + metrics.horizontalAdvance(text)
        painter.end()


# ---------------------------------------------------------------------------------------------- the view


class BatchOverview(QWidget):
    """The whole workspace: organ table, filter, charts. Emits `reportRequested(rid)` on a click."""

    reportRequested = Signal(int)  # noqa: RUF100

    CHART_RULES = 10
    CHART_ORGANS = 10

    def __init__(self, store: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("batchOverview")
        self.store = store
        self._summaries: list[ReportSummary] = []
        self._by_rule: dict[int, tuple[Counter[str], Counter[str]]] = {}
        """Open and decided failing findings per rule of each report counted so far."""
        self._to_count: list[int] = []
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(0)
        self._count_timer.timeout.connect(self._count_slice)
        self._stale = True
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(300)  # edits in a row: one recount
        self._refresh_timer.timeout.connect(self.refresh)

        self.totals_label = QLabel()
        self.totals_label.setObjectName("overviewTotals")
        self.totals_label.setWordWrap(True)
        self.rule_chart = BarChart("overviewRuleChart")
        self.organ_chart = BarChart("overviewOrganChart")
        self.progress_chart = ProgressChart()
        charts = QHBoxLayout()
        charts.addWidget(self.rule_chart, 1)
        charts.addWidget(self.organ_chart, 1)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("overviewFilter")
        self.filter_edit.setClearButtonEnabled(True)
        self.problems_only_box = QCheckBox()
        self.problems_only_box.setObjectName("overviewProblemsOnly")
        self.model = OrganTableModel(self)
        self.proxy = OrganFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("overviewTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(OrganTableModel.ERRORS, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((220, 52, 56, 130, 48, 48, 48)):
            self.table.setColumnWidth(column, width)
        self.table.clicked.connect(self._on_clicked)
        self.table.activated.connect(self._on_clicked)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.problems_only_box.toggled.connect(self.proxy.set_problems_only)
        filters = QHBoxLayout()
        filters.addWidget(self.filter_edit, 1)
        filters.addWidget(self.problems_only_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.progress_chart)
        layout.addLayout(charts, 2)
        layout.addLayout(filters)
        layout.addWidget(self.table, 3)
        self.resize(1100, 720)
        self.retranslate()

    # ------------------------------------------------------------------ data

    def set_store(self, store: Workspace) -> None:
        """Another workspace was opened."""
        self.store = store
        self._by_rule.clear()
        self._to_count = []
        self._count_timer.stop()
        if self.isVisible():
            self.refresh()
        else:
            self._summaries = []
            self._stale = True

    def report_changed(self, rid: int) -> None:
        """A report was edited, decided on or re-checked: count it again (now if shown, else when shown)."""
        self._by_rule.pop(rid, None)
        if self.isVisible():
            self._refresh_timer.start()
        else:
            self._stale = True

    def refresh(self) -> None:
        """Rows and charts from the queue's stored counts now; findings per rule counted in slices."""
        self._stale = False
        self._summaries = self.store.reports()
        present = {s.id for s in self._summaries}
        for rid in [r for r in self._by_rule if r not in present]:
            del self._by_rule[rid]
        self._to_count = [s.id for s in self._summaries if s.id not in self._by_rule and s.error is None]
        self._rebuild()
        if self._to_count:
            self._count_timer.start()

    def counting(self) -> bool:
        """Findings per rule are still being counted."""
        return bool(self._to_count)

    def _count_slice(self) -> None:
        deadline = time.perf_counter() + SLICE_S
        while self._to_count and time.perf_counter() < deadline:
            rid = self._to_count.pop()
            try:
                self._by_rule[rid] = rule_counts(self.store.violations(rid), self.store.decisions(rid))
            except KeyError:  # removed meanwhile
                continue
        if self._to_count:
            self._count_timer.start()
        else:
            self._rebuild()

    def figures(self) -> list[ReportFigures]:
        """Each report's figures: the queue's counts, and its findings per rule once counted."""
        out: list[ReportFigures] = []
        for item in self._summaries:
            figure = summary_figures(item, [], [])
            counted = self._by_rule.get(item.id)
            if counted is not None:
                figure.open_by_rule, figure.decided_by_rule = counted
            out.append(figure)
        return out

    def _rebuild(self) -> None:
        figures = self.figures()
        rows = organ_rows(figures)
        self.model.set_rows(rows)
        statuses = status_counts(figures)
        reviewed = statuses["reviewed"] + statuses["returned"]
        errors = sum(f.errors for f in figures)
        warnings = sum(f.warnings for f in figures)
        unsure = sum(f.unsure for f in figures)
        self.totals_label.setText(
            self.tr(
                "%1 份报告，%2 个机关（年度）；已审核或退回 %3 份；未处理错误 %4 个，警告 %5 个，待核对的存疑行 %6 个"
            )
            .replace("%1", str(len(figures)))
            .replace("%2", str(len(rows)))
            .replace("%3", str(reviewed))
            .replace("%4", str(errors))
            .replace("%5", str(warnings))
            .replace("%6", str(unsure))
        )
        by_rule = rule_rows(figures)[: self.CHART_RULES]
        pending = self.tr("（正在统计…）") if self._to_count else ""
        self.rule_chart.set_data(
            self.tr("问题按规则") + pending,
            [(self.tr("未处理"), ERROR_COLOUR), (self.tr("已处理"), DECIDED_COLOUR)],
            [(_rule_title(r.rule), [r.open, r.decided]) for r in by_rule],
            self.tr("没有不符的勾稽关系"),
        )
        worst = organ_findings(rows)[: self.CHART_ORGANS]
        self.organ_chart.set_data(
            self.tr("未处理问题最多的机关"),
            [(self.tr("错误"), ERROR_COLOUR), (self.tr("警告"), WARNING_COLOUR)],
            [(_organ_label(o), [o.errors, o.warnings]) for o in worst],
            self.tr("没有未处理的错误或警告"),
        )
        self.progress_chart.set_data(
            self.tr("审核进度"), statuses, {s: tr(label) for s, label in STATUS_LABELS.items()}
        )

    # ------------------------------------------------------------------ interaction

    def organs(self) -> list[str]:
        """The organs listed (in the table's current order, filter applied)."""
        return [
            str(self.proxy.index(row, OrganTableModel.ORGAN).data()) for row in range(self.proxy.rowCount())
        ]

    def _on_clicked(self, index: QModelIndex) -> None:
        rids = index.data(RIDS_ROLE)
        if not rids:
            return
        open_first = sorted(
            rids, key=lambda rid: (-(self._errors_of(rid) + self._warnings_of(rid)), rids.index(rid))
        )
        self.reportRequested.emit(int(open_first[0]))

    def _errors_of(self, rid: int) -> int:
        return next((s.errors for s in self._summaries if s.id == rid), 0)

    def _warnings_of(self, rid: int) -> int:
        return next((s.warnings for s in self._summaries if s.id == rid), 0)

    def hideEvent(self, event: Any) -> None:
        """Closed or hidden: no counting in the background (and none after the workspace is closed)."""
        if self._refresh_timer.isActive() or self._count_timer.isActive():
            self._stale = True
        self._refresh_timer.stop()
        self._count_timer.stop()
        super().hideEvent(event)

    def showEvent(self, event: Any) -> None:
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("批次概览"))
        self.filter_edit.setPlaceholderText(self.tr("筛选机关或问题…"))
        self.problems_only_box.setText(self.tr("只显示有未处理问题的机关"))
        self.model.retranslate()
        if self._summaries:
            self._rebuild()

    def changeEvent(self, event: Any) -> None:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _organ_label(row: OrganRow) -> str:
    return f"{row.organ}（{row.year}）" if row.year else row.organ
