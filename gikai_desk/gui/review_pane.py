"""The issue list and what the reviewer does from it: walk the pending items (F8), take a suggested value, record
a decision, and the report-level actions of the 审核 menu. A base of MainWindow: the window's panes and
models are declared here and built there."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QDockWidget, QMainWindow, QTableView

from gikai_desk.forms import formbook
from gikai_desk.gui.commands import DecideCommand
from gikai_desk.gui.decision_dialog import DecisionDialog
from gikai_desk.gui.document import ReviewDocument
from gikai_desk.gui.grid_view import CellGridView
from gikai_desk.gui.models import KEY_ROLE, CellGridModel, IssueListModel, ReportQueueFilter, ReportQueueModel
from gikai_desk.gui.numbers import format_number
from gikai_desk.gui.report_ops import ReportOps
from gikai_desk.gui.source_view import SourceView
from gikai_desk.model import Number, Violation
from gikai_desk.pending import ReviewItem
from gikai_desk.review import DecisionKind


class ReviewPane(QMainWindow):
    """Issue-list navigation, suggestions, decisions and report actions of the main window."""

    issue_model: IssueListModel
    issue_view: QTableView
    issue_dock: QDockWidget
    grid_model: CellGridModel
    grid_view: CellGridView
    queue_model: ReportQueueModel
    queue_filter: ReportQueueFilter
    queue_view: QTableView
    source_view: SourceView
    stacks: dict[int, QUndoStack]
    report_ops: ReportOps
    current_rid: int | None
    _syncing_selection: bool

    # built by MainWindow
    @property
    def document(self) -> ReviewDocument | None:
        raise NotImplementedError

    def select_cell(self, key: str, scroll_source: bool = True) -> bool:
        raise NotImplementedError

    def select_report(self, rid: int) -> None:
        raise NotImplementedError

    def _push_cell_changes(self, changes: dict[str, Number | None], text: str) -> bool:
        raise NotImplementedError

    def _box_cells(self, keys: list[str]) -> None:
        raise NotImplementedError

    # ================================================================== issues

    def _current_issue_ident(self) -> str | None:
        violation = self.issue_model.violation(self.issue_view.currentIndex().row())
        return violation.ident if violation else None

    def current_violation(self) -> Violation | None:
        return self.issue_model.violation(self.issue_view.currentIndex().row())

    def _update_issue_dock_title(self) -> None:
        """The issue list's title says how many items are pending, so an empty list reads as 'nothing found'."""
        document = self.document
        title = self.tr("问题清单")
        if document is not None:
            pending = len(document.pending_items())
            if pending:
                title += self.tr("（%n 个待处理，按 F8 逐个处理）").replace("%n", str(pending))
            elif document.items():
                title += self.tr("（没有待处理的问题）")
            else:
                title += self.tr("（未发现问题）")
        self.issue_dock.setWindowTitle(title)

    def _on_issue_model_reset(self) -> None:
        self._update_issue_dock_title()
        document = self.document
        if document is not None and document.highlighted:
            row = self.issue_model.row_of(document.highlighted)
            if row >= 0:
                self._syncing_selection = True
                try:
                    self.issue_view.selectionModel().setCurrentIndex(
                        self.issue_model.index(row, 0),
                        QItemSelectionModel.SelectionFlag.ClearAndSelect
                        | QItemSelectionModel.SelectionFlag.Rows,
                    )
                finally:
                    self._syncing_selection = False

    def _on_issue_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._syncing_selection:
            return
        item = self.issue_model.item(current.row())
        if item is not None:
            self.show_item(item)

    def current_item(self) -> ReviewItem | None:
        return self.issue_model.item(self.issue_view.currentIndex().row())

    def show_item(self, item: ReviewItem) -> None:
        """Select an issue-list item's cells in the grid: a finding's (highlighted together), a row's unsure
        cells (so one Ctrl+Shift+Enter confirms them), a table's blank cells."""
        if item.violation is not None:
            self.show_violation(item.violation)
            return
        document = self.document
        if document is None:
            return
        document.set_highlight(None)
        self._select_keys(list(item.cells))
        self.statusBar().showMessage(item.message, 15000)

    def _select_keys(self, keys: list[str], current: str | None = None) -> list[str]:
        """Select `keys` in the grid (`current`, else the first, becomes the current cell) and scroll them into
        view; returns the keys the grid shows."""
        cells = [k for k in keys if self.grid_model.index_of(k).isValid()]
        first = current if current in cells else (cells[0] if cells else None)
        if first is None:
            return cells
        self.select_cell(first)
        selection = QItemSelection()
        for key in cells:
            index = self.grid_model.index_of(key)
            selection.select(index, index)
        self.grid_view.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        indexes = sorted((self.grid_model.index_of(k) for k in cells), key=lambda i: (i.row(), i.column()))
        for index in (indexes[-1], indexes[0], self.grid_model.index_of(first)):
            self.grid_view.scrollTo(index)  # the whole group in view where it fits, its current cell surely
        self._box_cells(cells)  # framed together on the original page (after the current cell framed itself)
        return cells

    def show_violation(self, violation: Violation) -> None:
        """Select every cell of a finding in the grid (its target cell current) and highlight them."""
        document = self.document
        if document is None:
            return
        document.set_highlight(violation.ident)
        self._select_keys(list(violation.cells), violation.target)
        prose = [f.span for f in document.report.narrative if f.key == violation.where]
        if violation.rule == "NARRATIVE_MISMATCH" and prose:
            cell = document.cell(violation.where)
            self.source_view.highlight_spans([*prose, *(cell.spans if cell else [])])
        message = violation.message
        offer = document.suggestion(violation) if violation.target and violation.status == "fail" else None
        if offer is not None:
            message += self.tr("（按 Ctrl+Shift+A 采用建议值）") if offer.safe else f"（{offer.reason}）"
        self.statusBar().showMessage(message, 15000)

    def go_to_issue(self, step: int) -> bool:
        """Select the next (step 1) or previous (step -1) pending item of the issue list, wrapping around."""
        count = self.issue_model.rowCount()
        row = self.issue_view.currentIndex().row()
        start = row if row >= 0 else (-1 if step > 0 else count)
        for i in range(1, count + 1):
            candidate = (start + step * i) % count
            item = self.issue_model.item(candidate)
            if item is not None and item.pending:
                if candidate == row:  # the only pending item: show it again (its cells may have moved)
                    self.show_item(item)
                self.issue_view.setCurrentIndex(self.issue_model.index(candidate, 0))
                self.grid_view.setFocus()
                pending = [i.ident for i in self.document.pending_items()] if self.document else []
                place = f"{pending.index(item.ident) + 1}/{len(pending)}" if item.ident in pending else ""
                self.statusBar().showMessage(self.tr("待处理 ") + place + "：" + item.message, 15000)
                return True
        self.statusBar().showMessage(self.tr("本报告没有待处理的问题"), 5000)
        return False

    def _on_next_issue_triggered(self) -> None:
        self.go_to_issue(1)

    def _on_previous_issue_triggered(self) -> None:
        self.go_to_issue(-1)

    def _on_next_report_triggered(self) -> None:
        self.go_to_next_report()

    def go_to_next_report(self) -> bool:
        """Select the next report in the queue's order with pending items (errors, warnings, unsure rows)."""
        rows = self.queue_filter.rowCount()
        if rows == 0:
            return False
        current = self.queue_view.currentIndex().row()
        for i in range(1, rows + 1):
            row = (current + i) % rows
            index = self.queue_filter.index(row, 0)
            summary = self.queue_model.summary(int(index.data(KEY_ROLE)))
            if (
                summary is not None
                and summary.id != self.current_rid
                and (summary.errors or summary.warnings or summary.unsure)
            ):
                self.select_report(summary.id)
                if row <= current:  # past the end of the queue: say so, or it looks like progress
                    self.statusBar().showMessage(self.tr("已到队列末尾，从头继续：") + summary.file, 8000)
                return True
        self.statusBar().showMessage(self.tr("没有其他有待处理问题的报告"), 5000)
        return False

    def apply_suggested(self) -> bool:
        """Take the selected finding's suggested value, where it makes every rule of its cell hold (so following
        suggestions never goes round in circles); otherwise say which rules want which values."""
        violation = self.current_violation()
        document = self.document
        offer = document.suggestion(violation) if document is not None and violation is not None else None
        if offer is None:
            self.statusBar().showMessage(self.tr("此问题没有可直接采用的建议值"), 5000)
            return False
        if not offer.safe:
            self.statusBar().showMessage(self.tr("不提供建议值：") + offer.reason, 15000)
            return False
        label = formbook().label(offer.key)
        self._push_cell_changes({offer.key: offer.value}, self.tr("采用建议值 ") + label)
        self.statusBar().showMessage(
            self.tr("已采用建议值：") + f"{label} = {format_number(offer.value)}" + self.tr("，问题已解决"),
            10000,
        )
        return True

    def _on_apply_suggested_triggered(self) -> None:
        self.apply_suggested()

    def decide_current_issue(self, kind: DecisionKind | None, note: str = "") -> bool:
        """Record a decision on the selected finding (undoable; a decision needs a reason), then go on to the
        next pending item."""
        document = self.document
        violation = self.current_violation()
        if document is None or violation is None or violation.status != "fail":
            item = self.current_item()
            self.statusBar().showMessage(
                self.tr("解析存疑的单元格无需决定：核对原文后改正，或按 Ctrl+Shift+Enter 确认读数")
                if item is not None and item.kind == "unsure"
                else self.tr("请先在问题清单中选择一个问题"),
                8000,
            )
            return False
        if kind is not None and not note.strip():
            self.statusBar().showMessage(self.tr("请填写理由"), 5000)
            return False
        texts = {
            "report_error": self.tr("报告错误，保留原值"),
            "resolved": self.tr("标记为已解决"),
            None: self.tr("撤回决定"),
        }
        self.stacks[document.rid].push(
            DecideCommand(document, violation.ident, kind, note.strip(), texts[kind])
        )
        self.report_ops.undo_removal_first = False
        if kind is not None and document.pending_items():
            self.go_to_issue(1)
        return True

    def _ask_note(self, title: str) -> str | None:
        """The reason for a decision on the selected finding (None: cancelled or nothing selected)."""
        violation = self.current_violation()
        if violation is None or violation.status != "fail":
            self.decide_current_issue("resolved")  # says what to do instead
            return None
        decision = self.document.decisions.get(violation.ident) if self.document else None
        dialog = DecisionDialog(title, violation, decision.note if decision else "", self)
        return dialog.note() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _on_report_error_triggered(self) -> None:
        note = self._ask_note(self.tr("报告错误——保留原值"))
        if note is not None:
            self.decide_current_issue("report_error", note)

    def _on_mark_resolved_triggered(self) -> None:
        note = self._ask_note(self.tr("标记为已解决"))
        if note is not None:
            self.decide_current_issue("resolved", note)

    def _on_remove_report_triggered(self) -> None:
        self.report_ops.remove()

    def _on_restore_report_triggered(self) -> None:
        self.report_ops.restore_dialog()

    def _on_reparse_report_triggered(self) -> None:
        self.report_ops.reparse()

    def _on_clear_decision_triggered(self) -> None:
        self.decide_current_issue(None)
