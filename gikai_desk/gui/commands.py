"""Undoable reviewer actions (QUndoCommand), each acting on a ReviewDocument."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QUndoCommand

from gikai_desk.gui.document import ReviewDocument
from gikai_desk.model import Number
from gikai_desk.review import DecisionKind
from gikai_desk.workspace import WorkspaceError

UNDO_REASON = "撤销"
"""Reason recorded in the audit log when an edit is undone."""
CONFIRM_REASON = "确认解析存疑的读数"
"""Reason recorded when a reviewer accepts the value of a cell the parser was unsure of, unchanged."""


class SetCellsCommand(QUndoCommand):
    """Set one or more cells in one step (typing, paste, delete, row shifts, applying a suggestion)."""

    def __init__(
        self,
        document: ReviewDocument,
        changes: Mapping[str, Number | None],
        text: str,
        reason: str | None = None,
    ) -> None:
        super().__init__(text)
        self.document = document
        self.new = dict(changes)
        self.old = {key: document.value(key) for key in changes}
        self.old_corrected = {
            key: bool(cell.corrected) if (cell := document.cell(key)) is not None else False
            for key in changes
        }
        self.reason = reason

    def redo(self) -> None:
        try:
            self.document.set_values(self.new, self.reason)
        except WorkspaceError as exc:  # another reviewer has the report, or the server is gone: not stored
            self._refused(exc)

    def undo(self) -> None:
        try:
            self.document.set_values(self.old, UNDO_REASON, corrected=self.old_corrected)
        except WorkspaceError as exc:
            self._refused(exc)

    def _refused(self, exc: WorkspaceError) -> None:
        """Drop the step (nothing or not all of it was stored) and let the window say so."""
        self.setObsolete(True)
        self.document.storeRefused.emit(exc)


class DecideCommand(QUndoCommand):
    """Record a decision on one finding (report error kept, or resolved); undo restores the previous one."""

    def __init__(
        self, document: ReviewDocument, ident: str, kind: DecisionKind | None, note: str, text: str
    ) -> None:
        super().__init__(text)
        self.document = document
        self.ident = ident
        self.kind = kind
        self.note = note
        previous = document.decisions.get(ident)
        self.old_kind: DecisionKind | None = previous.kind if previous else None
        self.old_note = previous.note if previous else ""

    def redo(self) -> None:
        self._decide(self.kind, self.note)

    def undo(self) -> None:
        self._decide(self.old_kind, self.old_note)

    def _decide(self, kind: DecisionKind | None, note: str) -> None:
        """A decision on a finding that has gone meanwhile (e.g. last year's report was edited) cannot be
        stored: the step is dropped from the history instead of failing."""
        if kind is not None and self.document.violation(self.ident) is None:
            self.setObsolete(True)
            return
        try:
            self.document.decide(self.ident, kind, note)
        except WorkspaceError as exc:
            self.setObsolete(True)
            self.document.storeRefused.emit(exc)
