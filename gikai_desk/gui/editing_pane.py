"""Editing cells: typing (checked against the form), undo and redo per report, confirming unsure readings,
copy and paste of ranges, taking a number from the source, and the row tools (shift, insert, remove a cell). A base
of MainWindow: the grid and the source it works on are built there."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QGuiApplication, QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from gikai_desk.forms import formbook, value_problem
from gikai_desk.gui.batch_pane import BatchPane
from gikai_desk.gui.commands import CONFIRM_REASON, SetCellsCommand
from gikai_desk.gui.document import describe_location
from gikai_desk.gui.i18n import tr
from gikai_desk.gui.numbers import NotANumberError, format_number, number_at, parse_number, split_pasted
from gikai_desk.gui.scan_preview import READ_ONLY
from gikai_desk.model import Number
from gikai_desk.workspace import check_value


class EditingPane(BatchPane):
    """Changing the cells of the report shown, each change one undoable step stored at once."""

    def selected_keys(self) -> list[str]:
        raise NotImplementedError

    def current_key(self) -> str | None:
        raise NotImplementedError

    def _push_cell_changes(self, changes: dict[str, Number | None], text: str) -> bool:
        """Change cells of the current report as one undoable step; False (with a message) when refused."""
        document = self.document
        if document is None and self.previewing:
            self.statusBar().showMessage(self.tr(READ_ONLY), 8000)
            return False
        if document is None or not changes:
            return False
        kept = sorted(  # findings decided "report error — value kept as published" whose value is now changed
            {
                describe_location(v) or v.rule
                for key in changes
                for v in document.violations_of(key)
                if (decision := document.decisions.get(v.ident)) is not None
                and decision.kind == "report_error"
            }
        )
        refusal = self._refusal(changes)
        if refusal is not None:
            self.statusBar().showMessage(refusal, 10000)
            return False
        unchanged = all(
            (document.value(k) is None) == (v is None) and document.value(k) == v for k, v in changes.items()
        )
        reason = (
            CONFIRM_REASON if unchanged else None
        )  # only an unsure cell is ever 'changed' to its own value
        self.stacks[document.rid].push(SetCellsCommand(document, changes, text, reason))
        self.report_ops.undo_removal_first = False
        if kept:
            self.statusBar().showMessage(
                self.tr(
                    "注意：此处的问题已标记为“报告错误，保留原值”，现在值被修改了；决定仍保留，如不再适用请撤回决定："
                )
                + "、".join(kept),
                15000,
            )
        return True

    def _refusal(self, changes: Mapping[str, Number | None]) -> str | None:
        """Why the workspace would refuse these values (too large, not finite), checked before the undo
        command runs: an exception inside QUndoCommand.redo is swallowed by PySide after a partial write."""
        document = self.document
        for key, value in changes.items():
            try:
                check_value(value)
            except ValueError as exc:
                return self.tr("无法修改：") + f"{formbook().label(key)}：{exc}"
            problem = value_problem(key, value)
            if problem is not None and (document is None or document.value(key) != value):
                return self.tr("无法修改：") + f"{formbook().label(key)}：{tr(problem)}（{format_number(value)}）"
        return None

    def set_cells(self, changes: dict[str, Number | None], text: str = "") -> None:
        """Change cells of the current report as one undoable step."""
        self._push_cell_changes(changes, text or self.tr("修改单元格"))

    def _active_stack(self) -> QUndoStack | None:
        return self.stacks.get(self.current_rid) if self.current_rid is not None else None

    def _on_undo_triggered(self) -> None:
        if self.report_ops.undo_removal():  # Ctrl+Z right after removing a report brings it back
            return
        stack = self._active_stack()
        if stack is not None and stack.canUndo():
            text = stack.undoText()
            stack.undo()
            self.statusBar().showMessage(self.tr("已撤销：") + text, 5000)
        else:  # undo works per report: say so rather than do nothing (edits of other reports stay theirs)
            self.statusBar().showMessage(self.tr("本报告没有可撤销的修改（撤销只作用于当前报告）"), 5000)

    def _on_redo_triggered(self) -> None:
        stack = self._active_stack()
        if stack is not None and stack.canRedo():
            text = stack.redoText()
            stack.redo()
            self.statusBar().showMessage(self.tr("已重做：") + text, 5000)
        else:
            self.statusBar().showMessage(self.tr("本报告没有可重做的修改"), 5000)

    def _on_edit_cell_triggered(self) -> None:
        index = self.grid_view.currentIndex()
        if index.isValid():
            self.grid_view.edit(index)

    def _on_blank_cells_triggered(self) -> None:
        keys = self.selected_keys()
        document = self.document
        if document is None or not keys:
            return
        changes: dict[str, Number | None] = {k: None for k in keys if document.value(k) is not None}
        self._push_cell_changes(changes, self.tr("清空单元格"))

    def confirm_cells(self, keys: list[str]) -> bool:
        """Accept the parser's reading of the unsure cells among `keys` as correct (one undoable step; each
        becomes a correction to the same value, so the rules they take part in are checked again)."""
        document = self.document
        if document is None:
            return False
        unsure = [k for k in keys if (cell := document.cell(k)) is not None and not cell.settled]
        if not unsure:
            self.statusBar().showMessage(self.tr("所选单元格没有解析存疑的读数"), 5000)
            return False
        self._push_cell_changes({k: document.value(k) for k in unsure}, self.tr("确认存疑读数"))
        return True

    def _on_confirm_cells_triggered(self) -> None:
        self.confirm_cells(self.selected_keys())

    def _selection_block(self) -> tuple[int, int, int, int] | None:
        indexes = [i for i in self.grid_view.selectionModel().selectedIndexes() if self.grid_model.key(i)]
        if not indexes:
            current = self.grid_view.currentIndex()
            if self.grid_model.key(current) is None:
                return None
            indexes = [current]
        rows = [i.row() for i in indexes]
        columns = [i.column() for i in indexes]
        return min(rows), min(columns), max(rows), max(columns)

    def copy_text(self) -> str:
        """The selected cells as tab-separated lines (blank cells as empty strings)."""
        block = self._selection_block()
        if block is None:
            return ""
        top, left, bottom, right = block
        lines = []
        for row in range(top, bottom + 1):
            cells = []
            for column in range(left, right + 1):
                index = self.grid_model.index(row, column)
                cells.append(str(index.data()) if self.grid_model.key(index) else "")
            lines.append("\t".join(cells))
        return "\n".join(lines)

    def _cell_editor(self) -> QLineEdit | None:
        """The open cell editor, when the reviewer is typing in a cell."""
        if self.grid_view.state() != QAbstractItemView.State.EditingState:
            return None
        editor = self.grid_view.focusWidget()
        return editor if isinstance(editor, QLineEdit) else None

    def _on_copy_cells_triggered(self) -> None:
        editor = self._cell_editor()
        if editor is not None:
            editor.copy()
            return
        text = self.copy_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def _on_paste_cells_triggered(self) -> None:
        editor = self._cell_editor()
        if editor is not None:
            editor.paste()
            return
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> bool:
        """Fill cells from the current one: each pasted line to the right, following lines below."""
        start = self.grid_view.currentIndex()
        if self.document is None or self.grid_model.key(start) is None:
            return False
        rows = split_pasted(text)
        changes: dict[str, Number | None] = {}
        layout = self.grid_model.layout
        row = start.row()
        left_out = 0
        for values in rows:
            while row < len(layout.rows) and not layout.row_keys(row):
                row += 1
            if row >= len(layout.rows):
                left_out += len(values)
                continue
            targets = layout.paste_targets(row, start.column())  # a folded 表四 continues on its next rows
            left_out += max(0, len(values) - len(targets))
            for key, raw in zip(targets, values, strict=False):
                try:
                    changes[key] = parse_number(raw)
                except NotANumberError:
                    self.statusBar().showMessage(self.tr("粘贴的内容不是数字，未粘贴：") + raw, 8000)
                    return False
            row = max([row] + [layout.positions[k][0] for k in targets[: len(values)]]) + 1
        if not self._push_cell_changes(changes, self.tr("粘贴")):
            return False
        if left_out:  # say so: a clerk pasting a whole row at the last column would not see values vanish
            self.statusBar().showMessage(
                self.tr("已粘贴 %1 个值；%2 个值超出表格范围，未粘贴")
                .replace("%1", str(len(changes)))
                .replace("%2", str(left_out)),
                10000,
            )
        return bool(changes)

    def _on_take_number_triggered(self) -> None:
        """Ctrl+T: the number under the mouse pointer (when it is over the source), else at the text cursor."""
        under_mouse = self.source_view.position_under_mouse()
        self.take_number_at(self.source_view.textCursor().position() if under_mouse is None else under_mouse)

    def take_number_at(self, position: int) -> bool:
        """Put the number written at `position` of the source text into the current cell; the selection stays
        (Ctrl+T, or Ctrl+click in the source)."""
        key = self.current_key()
        if self.document is None or key is None:
            self.statusBar().showMessage(self.tr("请先在表格中选择一个单元格"), 5000)
            return False
        text = self.document.report.text
        span = number_at(text, position)
        if span is None:
            self.statusBar().showMessage(self.tr("原文光标处没有数字"), 5000)
            return False
        try:
            value = parse_number(text[span[0] : span[1]])
        except NotANumberError:
            self.statusBar().showMessage(self.tr("原文光标处没有数字"), 5000)
            return False
        self._push_cell_changes({key: value}, self.tr("取原文数字"))
        return True

    # ---- row tools

    def _row_range(self, whole_row: bool) -> list[str]:
        """Keys to shift: the selected cells of the current row, or (whole_row) from the current cell to the
        row's end."""
        current = self.grid_view.currentIndex()
        key = self.grid_model.key(current)
        if key is None:
            return []
        row_keys = self.grid_model.layout.line_keys(current.row(), current.column())
        selected = [k for k in self.selected_keys() if k in row_keys]
        if not whole_row and len(selected) > 1:
            return selected
        if whole_row:
            return row_keys[row_keys.index(key) :]
        return row_keys

    def shift_cells(self, keys: list[str], direction: int, text: str, drop: bool = False) -> bool:
        """Move the values of `keys` one place left (-1) or right (+1); the freed cell becomes blank.

        A value pushed off the end is refused unless `drop` (removing a cell discards its value).
        """
        document = self.document
        if document is None or not keys:
            return False
        values = [document.value(k) for k in keys]
        falling = values[-1] if direction > 0 else values[0]
        if falling is not None and not drop:
            self.statusBar().showMessage(self.tr("移出范围的单元格有数值，未移动"), 6000)
            return False
        moved: list[Number | None] = [None, *values[:-1]] if direction > 0 else [*values[1:], None]
        changes = {
            k: v
            for k, v, old in zip(keys, moved, values, strict=True)
            if v != old or (v is None) != (old is None)
        }
        if not changes:
            return False
        self._push_cell_changes(changes, text)
        return True

    def _on_shift_left_triggered(self) -> None:
        self.shift_cells(self._row_range(whole_row=False), -1, self.tr("本行左移"))

    def _on_shift_right_triggered(self) -> None:
        self.shift_cells(self._row_range(whole_row=False), 1, self.tr("本行右移"))

    def _on_insert_blank_triggered(self) -> None:
        self.shift_cells(self._row_range(whole_row=True), 1, self.tr("插入空白单元格"))

    def _on_remove_cell_triggered(self) -> None:
        self.shift_cells(self._row_range(whole_row=True), -1, self.tr("删除单元格"), drop=True)

