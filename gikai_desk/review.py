"""Review state a reviewer adds to a report: corrections, issue decisions, status and the queue summary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from gikai_desk.model import Number

ReviewStatus = Literal["pending", "in_review", "reviewed", "returned"]
DecisionKind = Literal["report_error", "resolved"]

STATUS_LABELS: dict[str, str] = {
    "pending": "待审核",
    "in_review": "审核中",
    "reviewed": "已审核",
    "returned": "退回",
}
"""Chinese name of each review status, for tables and exports."""

WorkbookChange = tuple[str, Number | None, Number | None]
"""A cell an edited per-report workbook would change: (cell key, value now, value in the workbook)."""

DECISION_LABELS: dict[str, str] = {
    "report_error": "报告本身有误（保留原值）",
    "resolved": "已解决",
}
"""Chinese name of each decision kind."""


class Correction(BaseModel):
    """A reviewer's change of one cell: old and new value, who, when (ISO-8601) and why."""

    key: str
    old: Number | None
    new: Number | None
    reviewer: str
    time: str
    reason: str | None = None


class Decision(BaseModel):
    """A reviewer's decision on one rule finding (Violation.ident): a source error kept, or resolved."""

    ident: str
    rule: str
    where: str
    kind: DecisionKind
    note: str = ""
    reviewer: str
    time: str


class DecisionEvent(BaseModel):
    """One entry of the decision audit log: a decision made, changed, or withdrawn (kind None)."""

    ident: str
    kind: DecisionKind | None
    note: str = ""
    reviewer: str
    time: str


class ReportEvent(BaseModel):
    """A change of a report's review status or note: what ("status"/"note"), the new value, who, when."""

    what: Literal["status", "note"]
    value: str
    reviewer: str
    time: str


class ReportSummary(BaseModel):
    """One row of the review queue, read from stored summary columns (no re-parse)."""

    id: int
    file: str
    agency: str | None = None
    year: int | None = None
    template: str | None = None
    status: ReviewStatus = "pending"
    errors: int = 0
    warnings: int = 0
    unsure: int = 0
    error: str | None = None
    """Why the file could not be read; None when it was parsed."""
    note: str = ""
    version: int = 0
    """Raised by every change to the report (a write based on an older version is refused)."""
    changed_by: str | None = None
    changed_at: str | None = None
    claimed_by: str | None = None
    """The reviewer another client has this report open for editing with (None: nobody else)."""
