"""A scan's first pages shown while OCR reads the rest: its cells in the grid, read-only, until the whole file is
read and stored (then the stored report replaces the preview)."""

from __future__ import annotations

from typing import cast

from gikai_desk.model import Number, Report, Violation
from gikai_desk.review import Decision, DecisionKind
from gikai_desk.workspace import Workspace, WorkspaceError

READ_ONLY = "扫描件仍在识别，先显示已读出的页面（只读）；全部读完后才能修改"


class PreviewStore:
    """What a ReviewDocument asks of its workspace, for a report not stored yet: nothing decided, no last year,
    and every write refused (the preview is read-only)."""

    def decisions(self, rid: int) -> dict[str, Decision]:
        return {}

    def cross_year_violations(self, rid: int) -> list[Violation]:
        return []

    def previous_year_report(self, rid: int) -> Report | None:
        return None

    def set_cell(
        self, rid: int, key: str, value: Number | None, reviewer: str, reason: str | None = None
    ) -> None:
        raise WorkspaceError("", READ_ONLY)

    def decide(self, rid: int, ident: str, kind: DecisionKind | None, note: str, reviewer: str) -> None:
        raise WorkspaceError("", READ_ONLY)


def preview_store() -> Workspace:
    """A PreviewStore where a ReviewDocument expects a Workspace."""
    return cast(Workspace, PreviewStore())
