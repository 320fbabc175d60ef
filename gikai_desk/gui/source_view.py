"""The source text pane: read-only text with span highlighting, a Ctrl+F search bar, zoom and wrapping."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QMouseEvent, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

SPAN_COLOUR = QColor("#ffd54f")
FOUND_COLOUR = QColor("#b3e5fc")


class SourceView(QPlainTextEdit):
    """Shows Report.text; `clickedAt(offset)` when the reviewer clicks in it, `takeAt(offset)` on Ctrl+click (take
    the number there into the selected cell)."""

    clickedAt = Signal(int)  # noqa: RUF100
    takeAt = Signal(int)  # noqa: RUF100

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 10))
        self.setFont(font)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 8)
        self._spans: list[tuple[int, int]] = []
        self._found: list[QTextEdit.ExtraSelection] = []

    def set_source(self, text: str) -> None:
        self._spans = []
        self._found = []
        self.setPlainText(text)

    def highlight_spans(self, spans: list[tuple[int, int]], scroll: bool = True) -> None:
        """Mark the character spans a cell came from; scroll to the first."""
        self._spans = list(spans)
        self._apply_selections()
        if scroll and spans:
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(spans[0][0], len(self.toPlainText())))
            self.setTextCursor(cursor)
            self.centerCursor()

    def highlighted_spans(self) -> list[tuple[int, int]]:
        return list(self._spans)

    def _apply_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = list(self._found)
        length = len(self.toPlainText())
        for start, end in self._spans:
            selection = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(SPAN_COLOUR)
            fmt.setFontWeight(QFont.Weight.Bold)
            selection.format = fmt  # type: ignore[attr-defined]
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(start, length))
            cursor.setPosition(min(end, length), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor  # type: ignore[attr-defined]
            selections.append(selection)
        self.setExtraSelections(selections)

    def find_text(self, text: str, backward: bool = False) -> bool:
        """Select the next (previous) occurrence of `text`, wrapping around; mark every occurrence."""
        self._found = []
        if text:
            cursor = QTextCursor(self.document())
            fmt = QTextCharFormat()
            fmt.setBackground(FOUND_COLOUR)
            while True:
                cursor = self.document().find(text, cursor)
                if cursor.isNull() or len(self._found) > 500:
                    break
                selection = QTextEdit.ExtraSelection()
                selection.format = fmt  # type: ignore[attr-defined]
                selection.cursor = cursor  # type: ignore[attr-defined]
                self._found.append(selection)
        self._apply_selections()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        if self.find(text, flags):
            return True
        cursor = self.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
        self.setTextCursor(cursor)
        return self.find(text, flags)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            position = self.textCursor().position()
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.takeAt.emit(position)
            else:
                self.clickedAt.emit(position)

    def position_under_mouse(self) -> int | None:
        """Text offset under the mouse pointer, when the pointer is over the text."""
        point = self.viewport().mapFromGlobal(QCursor.pos())
        if not self.viewport().rect().contains(point):
            return None
        return self.cursorForPosition(point).position()


class SearchBar(QWidget):
    """Find field over the source text: Enter next, Shift+Enter previous, Esc closes."""

    def __init__(self, view: SourceView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourceSearchBar")
        self._view = view
        self.field = QLineEdit()
        self.field.setObjectName("sourceSearchField")
        self.field.setClearButtonEnabled(True)
        self.result = QLabel()
        previous, following, close = QToolButton(), QToolButton(), QToolButton()
        previous.setArrowType(Qt.ArrowType.UpArrow)
        following.setArrowType(Qt.ArrowType.DownArrow)
        close.setText("×")
        self._buttons = (previous, following, close)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self._label = QLabel()
        layout.addWidget(self._label)
        layout.addWidget(self.field, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.result)
        layout.addWidget(close)
        self.field.returnPressed.connect(self._on_field_return_pressed)
        self.field.textChanged.connect(self._on_field_text_changed)
        previous.clicked.connect(lambda: self.search(backward=True))
        following.clicked.connect(lambda: self.search())
        close.clicked.connect(self.close_bar)
        self.retranslate()
        self.hide()

    def retranslate(self) -> None:
        self._label.setText(self.tr("查找"))
        self._buttons[0].setToolTip(self.tr("上一个"))
        self._buttons[1].setToolTip(self.tr("下一个"))
        self._buttons[2].setToolTip(self.tr("关闭查找"))

    def open_bar(self) -> None:
        self.show()
        self.field.setFocus()
        self.field.selectAll()

    def close_bar(self) -> None:
        self._view.find_text("")
        self.hide()
        self._view.setFocus()

    def search(self, backward: bool = False) -> bool:
        found = self._view.find_text(self.field.text(), backward)
        self.result.setText("" if found or not self.field.text() else self.tr("未找到"))
        return found

    def _on_field_return_pressed(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.search(backward=bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier))

    def _on_field_text_changed(self, _text: str) -> None:
        self.search()

    def keyPressEvent(self, event: object) -> None:
        from PySide6.QtGui import QKeyEvent

        if isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]


class SourcePane(QWidget):
    """The search bar above the source view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = SourceView()
        self.search_bar = SearchBar(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.view, 1)
