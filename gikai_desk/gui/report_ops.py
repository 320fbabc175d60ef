"""What a reviewer does to a report as a whole: take it out of the queue (undoable; it stays in the workspace),
bring a removed one back, read it again, and replace it by a revised file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QInputDialog

from gikai_desk.errors import InputError
from gikai_desk.gui.i18n import tr
from gikai_desk.workspace import WorkspaceError

if TYPE_CHECKING:
    from gikai_desk.gui.main_window import MainWindow


class RemoveReportCommand(QUndoCommand):
    """Pushed once the removal is stored (the first redo only updates the window); a later redo or undo the
    workspace refuses (another reviewer has the report, the server is gone) says so and drops the step."""

    def __init__(self, ops: ReportOps, rid: int, text: str) -> None:
        super().__init__(text)
        self.ops = ops
        self.rid = rid
        self.stored = True

    def redo(self) -> None:
        if not self.ops.take_out(self.rid, store=not self.stored):
            self.setObsolete(True)
        self.stored = False

    def undo(self) -> None:
        if not self.ops.bring_back(self.rid):
            self.setObsolete(True)


class ReportOps(QObject):
    """Report-level actions of the window. Removals go on a stack of their own: Ctrl+Z right after a removal
    brings the report back (per-report undo stacks cannot, the report being gone)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.stack = QUndoStack(self)
        self.undo_removal_first = False
        """The reviewer's last step was a removal: the next Ctrl+Z undoes it."""

    # ------------------------------------------------------------------ remove and restore

    def remove(self, rid: int | None = None) -> bool:
        """Take a report out of the queue (undoable: Ctrl+Z, or 文件 > 恢复移出的报告)."""
        window = self.window
        rid = window.current_rid if rid is None else rid
        summary = window.queue_model.summary(rid) if rid is not None else None
        if rid is None or summary is None:
            window.statusBar().showMessage(tr("请先在报告队列中选择一份报告"), 5000)
            return False
        window.finish_pending_input()
        if not self._stored(lambda: window.store.remove(rid)):
            return False
        self.stack.push(RemoveReportCommand(self, rid, tr("移出报告 ") + summary.file))
        self.undo_removal_first = True
        window.statusBar().showMessage(
            tr("已从队列移出：") + summary.file + tr("（仍保存在工作区中；Ctrl+Z 撤销）"), 15000
        )
        return True

    def _stored(self, write: Callable[[], object]) -> bool:
        """Run a workspace write; False, with the reason in the status bar, when it was refused or not stored."""
        try:
            write()
        except WorkspaceError as exc:
            self.window.statusBar().showMessage(tr("未保存：") + str(exc), 15000)
            return False
        return True

    def take_out(self, rid: int, store: bool = True) -> bool:
        """Remove the report from the workspace (unless already stored) and from the window's queue. Its
        document and undo steps stay, for when it is brought back."""
        window = self.window
        queue_row = window.queue_model.row_of(rid)
        if store and not self._stored(lambda: window.store.remove(rid)):
            return False
        window.reload_queue()
        if window.current_rid == rid:
            window.current_rid = None
            following = window.queue_model.rowCount()
            if following:
                nearest = window.queue_model.summary_at(min(queue_row, following - 1))
                if nearest is not None:
                    window.select_report(nearest.id)
            else:
                window.show_nothing()
        return True

    def bring_back(self, rid: int) -> bool:
        window = self.window
        if not self._stored(lambda: window.store.restore(rid)):
            return False
        window.reload_queue()
        window.select_report(rid)
        window.statusBar().showMessage(tr("已恢复：") + window.store.summary(rid).file, 8000)
        return True

    def undo_removal(self) -> bool:
        """Ctrl+Z right after a removal: bring the report back. False when the last step was something else."""
        if not (self.undo_removal_first and self.stack.canUndo()):
            return False
        self.stack.undo()
        self.undo_removal_first = False
        return True

    def restore_dialog(self) -> bool:
        """Choose a removed report and bring it back into the queue."""
        window = self.window
        removed = window.store.removed_reports()
        if not removed:
            window.statusBar().showMessage(tr("没有移出的报告"), 5000)
            return False
        names = [f"{s.id:04d}  {s.file}  {s.agency or ''} {s.year or ''}".rstrip() for s in removed]
        choice, ok = QInputDialog.getItem(
            window, tr("恢复移出的报告"), tr("选择要恢复到队列中的报告："), names, 0, False
        )
        if not ok:
            return False
        return self.restore(removed[names.index(choice)].id)

    def restore(self, rid: int) -> bool:
        self.undo_removal_first = False
        return self.bring_back(rid)

    # ------------------------------------------------------------------ read again, revise

    def reparse(self, rid: int | None = None) -> bool:
        """Read the report's stored file again (corrections and decisions kept; a corrected cell the new reading
        disagrees with is flagged). The report's undo history starts afresh: its steps are stored."""
        window = self.window
        rid = window.current_rid if rid is None else rid
        if rid is None or window.queue_model.summary(rid) is None:
            window.statusBar().showMessage(tr("请先在报告队列中选择一份报告"), 5000)
            return False
        window.finish_pending_input()
        try:
            window.store.reparse(rid)
        except InputError as exc:
            window.statusBar().showMessage(
                tr("重新解析失败，保留原读数：") + f"{exc.file}: {exc.reason}", 15000
            )
            return False
        except WorkspaceError as exc:
            window.statusBar().showMessage(tr("未保存：") + str(exc), 15000)
            return False
        self.refresh(rid)
        window.statusBar().showMessage(tr("已重新解析：") + window.store.summary(rid).file, 8000)
        return True

    def refresh(self, rid: int) -> None:
        """Show a report read anew (re-parsed or revised): its document and undo steps are rebuilt."""
        window = self.window
        self.forget(rid)
        window.queue_model.upsert(window.store.summary(rid))
        if window.current_rid == rid:
            window.current_rid = None
        window.select_report(rid)

    def forget(self, rid: int) -> None:
        """Drop the window's document and undo stack of a report (its state is all in the workspace)."""
        window = self.window
        window.documents.pop(rid, None)
        stack = window.stacks.pop(rid, None)
        if stack is not None:
            window.undo_group.removeStack(stack)
            stack.deleteLater()
