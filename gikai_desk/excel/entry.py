"""What the Excel writers need to know about one report: the report, its findings and the review state."""

from __future__ import annotations

from dataclasses import dataclass, field

from gikai_desk.model import Report, Violation
from gikai_desk.review import Correction, Decision, DecisionEvent, ReportEvent


@dataclass(frozen=True)
class WorkbookSource:
    """The report a per-report workbook was written from, kept in the workbook (hidden _gikai sheet) so that
    importing it into another report is refused."""

    report_id: int | None
    sha256: str
    """Of the report's original file bytes."""
    file: str
    organ: str | None = None
    year: int | None = None

    def describe(self) -> str:
        """'某某局 2023 年度报告（文件 a.docx，编号 7）'."""
        organ = self.organ or "未识别机关"
        year = f" {self.year} 年度" if self.year else ""
        number = f"，编号 {self.report_id}" if self.report_id is not None else ""
        return f"{organ}{year}报告（文件 {self.file}{number}）"


@dataclass
class SummaryEntry:
    file: str
    report: Report | None
    error: str | None
    violations: list[Violation]
    corrections: list[Correction] = field(default_factory=list)
    decisions: dict[str, Decision] = field(default_factory=dict)
    status: str = "pending"
    note: str = ""
    decision_log: list[DecisionEvent] = field(default_factory=list)
    """Every decision made or withdrawn, for the audit sheet (optional)."""
    report_log: list[ReportEvent] = field(default_factory=list)
    """Every change of review status and note (who, when), for the audit sheet (optional)."""
    source: WorkbookSource | None = None
    """Where the report came from (written into its per-report workbook)."""

    def open_findings(self, severity: str) -> int:
        """Failing findings of `severity` no reviewer has decided on."""
        return sum(
            1
            for v in self.violations
            if v.status == "fail" and v.severity == severity and v.ident not in self.decisions
        )

    @property
    def unsure(self) -> int:
        return 0 if self.report is None else len(self.report.flags())

    @property
    def corrected_keys(self) -> set[str]:
        return {c.key for c in self.corrections}
