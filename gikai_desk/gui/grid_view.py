"""The form grid view: Excel-like keys, merged cells, and painting of unsure/corrected/highlighted cells."""

from __future__ import annotations

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
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygon
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
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
VALUE_COLUMN_WIDTH = 64
HEADER_CHARS_PER_LINE = 4
"""About this many CJK characters fit on one line of a value column's heading."""


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

    def _frozen_label_view(self) -> QTableView:
        """The row-label columns drawn again over the left edge, so they stay put when 表四 scrolls sideways."""
        frozen = QTableView(self)
        frozen.setObjectName("cellGridLabels")
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.horizontalHeader().hide()
        frozen.verticalHeader().hide()
        frozen.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        frozen.setWordWrap(True)
        frozen.setFrameShape(QFrame.Shape.NoFrame)
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        frozen.setStyleSheet("QTableView { border-right: 1px solid #9aa5b1; }")
        self.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        return frozen

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        self.frozen_labels.setModel(model)
        self.frozen_labels.setSelectionModel(self.selectionModel())
        if isinstance(model, CellGridModel):
            model.modelReset.connect(self._on_model_reset)
            self._on_model_reset()

    def _frozen_width(self) -> int:
        return sum(self.columnWidth(c) for c in range(min(LABEL_COLUMNS, self.grid_model().columnCount())))

    def _place_frozen_labels(self) -> None:
        frame = self.frameWidth()
        self.frozen_labels.setGeometry(frame, frame, self._frozen_width(), self.viewport().height())
        self.frozen_labels.setVisible(self.grid_model().columnCount() > LABEL_COLUMNS)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._place_frozen_labels()

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

    def grid_model(self) -> CellGridModel:
        model = self.model()
        assert isinstance(model, CellGridModel)
        return model

    def _on_model_reset(self) -> None:
        self.clearSpans()
        frozen = self.frozen_labels
        frozen.clearSpans()
        model = self.grid_model()
        for span in model.layout.spans:
            self.setSpan(span.row, span.column, span.rows, span.columns)
            frozen.setSpan(span.row, span.column, span.rows, span.columns)
        widths = (46, 92, 210)
        for column in range(model.columnCount()):
            width = widths[column] if column < LABEL_COLUMNS else VALUE_COLUMN_WIDTH
            self.setColumnWidth(column, width)
            frozen.setColumnWidth(column, width)
            frozen.setColumnHidden(column, column >= LABEL_COLUMNS)
        self.horizontalScrollBar().setValue(0)
        self.verticalScrollBar().setValue(0)
        layout = model.layout
        widths_of = {(span.row, span.column): span.columns for span in layout.spans}
        for row, cells in enumerate(layout.rows):
            long_label = max((len(c.text) for c in cells if c.kind == "label"), default=0)
            lines = 2 if long_label > 14 else 1
            if row in layout.header_rows:
                for column in range(LABEL_COLUMNS, len(cells)):
                    if cells[column].kind == "header" and cells[column].text:
                        per_line = HEADER_CHARS_PER_LINE * widths_of.get((row, column), 1)
                        lines = max(lines, -(-len(cells[column].text) // per_line))
            height = 26 if lines == 1 else min(lines, 4) * 17 + 8
            self.setRowHeight(row, height)
            frozen.setRowHeight(row, height)
        self._place_frozen_labels()

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
