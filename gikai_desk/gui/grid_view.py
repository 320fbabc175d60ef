"""The form grid view: Excel-like keys, merged cells, and painting of unsure/corrected/highlighted cells."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QPolygon,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QFrame,
    QHeaderView,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QWidget,
)

from gikai_desk.gui import document as cellstate
from gikai_desk.gui.form_grid import LABEL_COLUMNS
from gikai_desk.gui.models import STATE_ROLE, CellGridModel

Index = QModelIndex | QPersistentModelIndex

UNSURE_COLOUR = QColor("#1f5fbf")
CORRECTED_COLOUR = QColor("#1e8c3a")
HIGHLIGHT_COLOUR = QColor("#c62828")
VALUE_COLUMN_WIDTH = 44
"""The narrowest value column: room for the unsure mark and a four-digit number."""
LABEL_COLUMN_WIDTHS = (44, 88, 184)
"""Row-label columns (group, sub-group, item); long labels wrap onto a second or third line."""
HEADER_MAX_LINES = 3
"""A value column is made wide enough for its heading in at most this many lines."""
CELL_PADDING = 10
LABEL_SPARE_MAX = 160
LABEL_COLUMN_FLOORS = (32, 60, 112)
"""How narrow the label columns may get (the item labels then wrap) before the value columns scroll sideways:
a 2019-form 表三, whose labels are longer, keeps its seven values in view at 1366×768."""
"""At most this much of a wide pane's spare room widens the item labels (the rest stays blank on the right)."""


class CellDelegate(QStyledItemDelegate):
    """Paints cell markings over the usual item and edits with a right-aligned line edit."""

    def __init__(self, view: CellGridView) -> None:
        super().__init__(view)
        self._view = view

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        super().paint(painter, option, index)
        state = index.data(STATE_ROLE)
        if not isinstance(state, int) or not state:
            return
        rect: QRect = option.rect  # type: ignore[attr-defined]
        painter.save()
        if state & cellstate.UNSURE:
            painter.fillRect(rect, QBrush(QColor(31, 95, 191, 70), Qt.BrushStyle.BDiagPattern))
            painter.setPen(QPen(UNSURE_COLOUR, 2, Qt.PenStyle.DashLine))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
            painter.setPen(UNSURE_COLOUR)
            painter.drawText(
                rect.adjusted(3, 0, 0, 0),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                "?",
            )
        if state & cellstate.CORRECTED:
            corner = QPolygon([rect.topLeft(), rect.topLeft() + QPoint(8, 0), rect.topLeft() + QPoint(0, 8)])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(CORRECTED_COLOUR)
            painter.drawPolygon(corner)
        if state & cellstate.HIGHLIGHT:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(HIGHLIGHT_COLOUR, 2))
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.restore()

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setObjectName("cellEditor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        self._view.open_editor = editor
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(
                "" if self._view.replacing_edit else str(index.data(Qt.ItemDataRole.EditRole) or "")
            )

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter/Tab on text the cell cannot take keeps the editor open with the text, and says why beside it."""
        if (
            isinstance(watched, QLineEdit)
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab)
        ):
            problem = self._view.grid_model().entry_problem(self._view.currentIndex(), watched.text())
            if problem is not None:
                self._view.refuse_entry(watched, problem)
                return True
        return bool(super().eventFilter(watched, event))


class CellGridView(QTableView):
    """Arrows/Tab/Enter move, typing overwrites, F2 edits, Delete blanks (through `blankRequested`)."""

    blankRequested = Signal()  # noqa: RUF100
    """Delete/Backspace on selected cells."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cellGrid")
        self.replacing_edit = False
        self.last_refusal = ""
        self.open_editor: QLineEdit | None = None
        """The editor the delegate made last (Qt deletes old ones later, so a search can find a stale one)."""
        """Why the last typed entry was not taken (shown beside the editor and in the status bar)."""
        self.setItemDelegate(CellDelegate(self))
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(26)
        self.setTabKeyNavigation(True)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen_labels = self._frozen_label_view()
        self.frozen_labels.viewport().installEventFilter(self)
        self.frozen_headers = self._frozen_header_view()
        self.frozen_headers.viewport().installEventFilter(self)
        self._heading_blocks: list[tuple[int, int, int]] = []
        self._shown_headings = (0, 0)
        self._natural_widths: list[int] = []
        self._fitted_for = -1
        """Per table: (title row, last heading row, last row)."""
        self.verticalScrollBar().valueChanged.connect(self._place_frozen_headers)

    def select_row_of_label(self, index: Index) -> bool:
        """A click on a row label selects that row's values, the first one current (typing then goes there,
        Delete blanks the row, Ctrl+C copies it), instead of leaving no current cell, where typing did nothing."""
        if not index.isValid() or index.column() >= LABEL_COLUMNS:
            return False
        model = self.grid_model()
        keys = model.layout.row_keys(index.row())
        if not keys:
            return False
        first, last = model.index_of(keys[0]), model.index_of(keys[-1])
        self.selectionModel().setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.selectionModel().select(
            QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.scrollTo(first)
        self.setFocus()
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.select_row_of_label(
            self.indexAt(event.position().toPoint())
        ):
            return
        super().mousePressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        headers: QTableView | None = getattr(self, "frozen_headers", None)
        if event.type() == QEvent.Type.Wheel and (
            (headers is not None and watched is headers.viewport())
            or watched is getattr(getattr(self, "frozen_labels", None), "viewport", lambda: None)()
        ):
            QApplication.sendEvent(self.viewport(), event)  # the overlays scroll with the grid, never alone
            return True
        frozen: QTableView | None = getattr(self, "frozen_labels", None)  # filters run during construction
        if (
            frozen is not None
            and watched is frozen.viewport()
            and event.type() == QEvent.Type.MouseButtonPress
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            return self.select_row_of_label(frozen.indexAt(event.position().toPoint()))
        return super().eventFilter(watched, event)

    def _overlay_view(self, name: str, border: str) -> QTableView:
        """A read-only view of the same model drawn over an edge of the grid (no scroll bars, no focus)."""
        overlay = QTableView(self)
        overlay.setObjectName(name)
        overlay.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        overlay.horizontalHeader().hide()
        overlay.verticalHeader().hide()
        overlay.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        overlay.setWordWrap(True)
        overlay.setFrameShape(QFrame.Shape.NoFrame)
        overlay.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        overlay.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        overlay.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        overlay.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        overlay.setStyleSheet(f"QTableView {{ {border}: 1px solid #9aa5b1; }}")
        return overlay

    def _frozen_label_view(self) -> QTableView:
        """The row-label columns drawn again over the left edge, so they stay put when 表四 scrolls sideways."""
        frozen = self._overlay_view("cellGridLabels", "border-right")
        self.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        return frozen

    def _frozen_header_view(self) -> QTableView:
        """The title and column headings of the table being read, drawn again over the top edge once they have
        scrolled away, so 表三's seven column names stay in view down to its last row."""
        frozen = self._overlay_view("cellGridHeadings", "border-bottom")
        frozen.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.horizontalScrollBar().valueChanged.connect(frozen.horizontalScrollBar().setValue)
        frozen.hide()
        return frozen

    def heading_rows_shown(self) -> tuple[int, int] | None:
        """(first, last) grid rows the frozen heading overlay shows, or None when it is hidden."""
        if not self.frozen_headers.isVisible():
            return None
        return self._shown_headings

    def _place_frozen_headers(self) -> None:
        """Show the headings of the table at the top of the viewport when its own have scrolled out of view."""
        frozen = self.frozen_headers
        if not self._heading_blocks or not isinstance(self.model(), CellGridModel):
            frozen.hide()
            return
        top = self.rowAt(0)
        block = next((b for b in self._heading_blocks if b[0] <= top <= b[2]), None)
        if block is None or self.rowViewportPosition(block[0]) >= 0:  # its headings are in view
            frozen.hide()
            return
        first, last_heading, last = block
        height = sum(self.rowHeight(r) for r in range(first, last_heading + 1))
        bottom_of_table = self.rowViewportPosition(last) + self.rowHeight(last)
        if bottom_of_table < height + self.rowHeight(last):  # the table is leaving: let its headings go too
            frozen.hide()
            return
        frame = self.frameWidth()
        frozen.setGeometry(frame, frame, self.viewport().width(), height)
        frozen.verticalScrollBar().setValue(self.rowViewportPosition(first) + self.verticalOffset())
        frozen.horizontalScrollBar().setValue(self.horizontalScrollBar().value())
        self._shown_headings = (first, last_heading)
        frozen.show()
        frozen.raise_()

    def _heading_blocks_of(self, model: CellGridModel) -> list[tuple[int, int, int]]:
        layout = model.layout
        titles = [r for r, cells in enumerate(layout.rows) if cells and cells[0].kind == "title"]
        blocks = []
        for i, first in enumerate(titles):
            last = (titles[i + 1] - 1) if i + 1 < len(titles) else len(layout.rows) - 1
            heading = first
            while heading + 1 <= last and heading + 1 in layout.header_rows:
                heading += 1
            blocks.append((first, heading, last))
        return blocks

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        self.frozen_headers.setModel(model)
        self.frozen_labels.setModel(model)
        self.frozen_labels.setSelectionModel(self.selectionModel())
        if isinstance(model, CellGridModel):
            model.modelReset.connect(self._on_model_reset)
            model.dataChanged.connect(self._on_data_changed)
            self._on_model_reset()

    def _frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in range(min(LABEL_COLUMNS, self.grid_model().columnCount())))

    def _place_frozen_labels(self) -> None:
        frame = self.frameWidth()
        self.frozen_labels.setGeometry(frame, frame, self._frozen_width(), self.viewport().height())
        self.frozen_labels.setVisible(self.grid_model().columnCount() > LABEL_COLUMNS)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._fit_to_width()
        self._place_frozen_labels()
        self._place_frozen_headers()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if hasattr(self, "frozen_labels") and isinstance(self.model(), CellGridModel):
            self._place_frozen_labels()

    def scrollTo(
        self, index: Index, hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible
    ) -> None:
        super().scrollTo(index, hint)
        if not index.isValid() or index.column() < LABEL_COLUMNS:
            return
        hidden = self._frozen_width() - self.visualRect(index).left()
        if hidden > 0:  # under the frozen labels: scroll right of them
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() - hidden)
        self._place_frozen_headers()
        if self.frozen_headers.isVisible():
            covered = self.frozen_headers.height() - self.visualRect(index).top()
            if covered > 0:  # under the frozen headings: scroll down to below them
                bar = self.verticalScrollBar()
                bar.setValue(bar.value() - covered)

    def grid_model(self) -> CellGridModel:
        model = self.model()
        assert isinstance(model, CellGridModel)
        return model

    def _on_model_reset(self) -> None:
        self.clearSpans()
        frozen = self.frozen_labels
        frozen.clearSpans()
        self.frozen_headers.clearSpans()
        model = self.grid_model()
        for span in model.layout.spans:
            for view in (self, frozen, self.frozen_headers):
                view.setSpan(span.row, span.column, span.rows, span.columns)
        self._heading_blocks = self._heading_blocks_of(model)
        self._natural_widths = self._column_widths()
        self._fitted_for = -1
        for column in range(model.columnCount()):
            frozen.setColumnHidden(column, column >= LABEL_COLUMNS)
        self.horizontalScrollBar().setValue(0)
        self.verticalScrollBar().setValue(0)
        self._fit_to_width()

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Any = ()) -> None:
        """A longer number (12345 typed into a column of 0s) widens its column instead of being elided; only
        the changed cells are measured (an edit repaints within a few milliseconds)."""
        if not isinstance(self.model(), CellGridModel) or not self._natural_widths:
            return
        if roles and Qt.ItemDataRole.DisplayRole not in roles:
            return
        model = self.grid_model()
        metrics = self.fontMetrics()
        grown = False
        for row in range(top_left.row(), bottom_right.row() + 1):
            for column in range(max(top_left.column(), LABEL_COLUMNS), bottom_right.column() + 1):
                if column >= len(self._natural_widths) or model.layout.cell(row, column).kind != "value":
                    continue
                text = model.index(row, column).data()
                need = metrics.horizontalAdvance(f"?{text or ''}") + CELL_PADDING + 6
                if need > self._natural_widths[column]:
                    self._natural_widths[column] = need
                    grown = True
        if grown:
            self._fitted_for = -1
            self._fit_to_width()

    def _fit_to_width(self) -> None:
        """Column widths and row heights for the viewport's width: the natural widths, and room to spare goes
        to the item-label column (up to LABEL_SPARE_MAX more) so long labels need fewer lines."""
        if not isinstance(self.model(), CellGridModel) or not self._natural_widths:
            return
        available = self.viewport().width()
        if available == self._fitted_for:
            return
        self._fitted_for = available
        widths = list(self._natural_widths)
        spare = available - sum(widths) - 2
        if spare > 0 and len(widths) > LABEL_COLUMNS:
            widths[LABEL_COLUMNS - 1] += min(spare, LABEL_SPARE_MAX)
        for column, floor in enumerate(LABEL_COLUMN_FLOORS[::-1]):  # too narrow: labels wrap onto more lines
            column = LABEL_COLUMNS - 1 - column
            if spare >= 0 or column >= len(widths):
                break
            give = min(widths[column] - floor, -spare)
            if give > 0:
                widths[column] -= give
                spare += give
        frozen = self.frozen_labels
        for column, width in enumerate(widths):
            for view in (self, frozen, self.frozen_headers):
                view.setColumnWidth(column, width)
        layout = self.grid_model().layout
        metrics = self.fontMetrics()
        line_height = cjk_line_height(self.font())
        spans = {(span.row, span.column): (span.rows, span.columns) for span in layout.spans}
        for row, cells in enumerate(layout.rows):
            lines = 1
            for column, cell in enumerate(cells):
                if cell.kind not in ("label", "group", "header", "section") or not cell.text:
                    continue
                rows, columns = spans.get((row, column), (1, 1))
                if rows > 1:
                    continue  # a label over several rows (三、本年度办理结果, （三）不予公开) has their height
                width = sum(widths[column : column + columns]) - CELL_PADDING
                lines = max(lines, -(-metrics.horizontalAdvance(cell.text) // max(width, 1)))
            height = 26 if lines == 1 else min(lines, 4) * line_height + 8
            for view in (self, frozen, self.frozen_headers):
                if view.rowHeight(row) != height:
                    view.setRowHeight(row, height)
        self._place_frozen_labels()
        self._place_frozen_headers()

    def _column_widths(self) -> list[int]:
        """Label columns fixed (their text wraps); each value column as wide as its widest number and its
        heading set in at most HEADER_MAX_LINES lines, at least VALUE_COLUMN_WIDTH."""
        model = self.grid_model()
        layout = model.layout
        metrics = self.fontMetrics()
        widths = [
            LABEL_COLUMN_WIDTHS[c] if c < LABEL_COLUMNS else VALUE_COLUMN_WIDTH for c in range(layout.columns)
        ]
        multi = {(span.row, span.column) for span in layout.spans if span.columns > 1}
        wide = metrics.horizontalAdvance("中")
        for row, cells in enumerate(layout.rows):
            for column in range(LABEL_COLUMNS, len(cells)):
                cell = cells[column]
                need = 0
                if cell.kind == "header" and cell.text and (row, column) not in multi:
                    per_line = -(-len(cell.text) // HEADER_MAX_LINES)
                    need = per_line * wide + CELL_PADDING
                elif cell.kind == "value":
                    text = model.index(row, column).data()
                    need = metrics.horizontalAdvance(f"?{text or ''}") + CELL_PADDING + 6
                widths[column] = max(widths[column], need)
        return widths

    def edit(  # type: ignore[override]
        self, index: Index, trigger: QAbstractItemView.EditTrigger | None = None, event: Any = None
    ) -> bool:
        replacing = trigger == QAbstractItemView.EditTrigger.AnyKeyPressed
        self.replacing_edit = replacing
        try:
            if trigger is None:
                super().edit(index)
                started = True
            else:
                started = bool(super().edit(index, trigger, event))
        finally:
            self.replacing_edit = False
        editor = self.open_editor if started and not replacing else None
        if editor is not None:
            editor.deselect()  # F2 / double-click: the cursor at the end, so a key adds to the value
            editor.end(False)
        return started

    def refuse_entry(self, editor: QLineEdit, problem: str) -> None:
        """Say beside the open editor why its text was not taken (the text stays for the reviewer to fix)."""
        self.last_refusal = problem
        QToolTip.showText(editor.mapToGlobal(QPoint(editor.width(), editor.height())), problem, editor)
        self.grid_model().editRefused.emit(problem)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._move(-1 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1, 0)
            return
        if not editing and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
            self.blankRequested.emit()
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            self._move(1, 0)
        elif hint == QAbstractItemDelegate.EndEditHint.EditNextItem:
            self._move(0, 1)
        elif hint == QAbstractItemDelegate.EndEditHint.EditPreviousItem:
            self._move(0, -1)

    def _move(self, rows: int, columns: int) -> None:
        """Move the current cell like the arrow keys (skipping labels), Excel-style after Enter/Tab."""
        if rows > 0:
            action = QAbstractItemView.CursorAction.MoveDown
        elif rows < 0:
            action = QAbstractItemView.CursorAction.MoveUp
        elif columns > 0:
            action = QAbstractItemView.CursorAction.MoveNext
        else:
            action = QAbstractItemView.CursorAction.MovePrevious
        index = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
        if index.isValid():
            self.setCurrentIndex(index)


def cjk_line_height(font: QFont) -> int:
    """The height of a line of Chinese text: the CJK glyphs come from a fallback font whose lines are taller than
    the default font's metrics say (18 px against 14 here), so wrapped labels sized by those metrics lose a line."""
    layout = QTextLayout("国", font)
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    return max(QFontMetrics(font).height(), math.ceil(line.height())) + 1


def fit_header_widths(view: QTableView, padding: int = 10) -> None:
    """Widen each column of `view` to show its whole heading (in the current language); never narrows."""
    model = view.model()
    if model is None:
        return
    metrics = view.horizontalHeader().fontMetrics()
    for column in range(model.columnCount()):
        text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        need = metrics.horizontalAdvance(text) + padding
        if view.columnWidth(column) < need:
            view.setColumnWidth(column, need)
