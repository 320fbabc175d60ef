"""The whole batch at a glance (Qt-free): per-report figures, one row per organ and year, counts by rule.

The Excel summary's charts and the window's batch overview both read these, so the workbook and the window
show the same picture. The figures of one report come from one function each (`entry_figures` for an Excel
entry, `workspace_figures` for a workspace), which is where "what counts as open" is decided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gikai_desk.model import Violation
from gikai_desk.review import STATUS_LABELS

if TYPE_CHECKING:
    from gikai_desk.excel.entry import SummaryEntry
    from gikai_desk.review import ReportSummary
    from gikai_desk.workspace import Workspace

COUNTED_SEVERITIES = ("error", "warning")
"""Findings that count in the overview (BLANK_CELL and other info findings do not)."""
STATUS_ORDER = ("pending", "in_review", "reviewed", "returned")
NO_ORGAN = "（未读出机关）"
"""Organ shown for a report whose organ could not be read (or an unreadable file)."""


@dataclass
class ReportFigures:
    """What the overview needs of one report."""

    rid: int
    file: str
    organ: str | None
    year: int | None
    status: str
    errors: int
    """Open (undecided) failing error findings."""
    warnings: int
    unsure: int
    readable: bool = True
    open_by_rule: Counter[str] = field(default_factory=Counter)
    """Open failing error/warning findings per rule."""
    decided_by_rule: Counter[str] = field(default_factory=Counter)
    """Failing error/warning findings a reviewer decided on, per rule."""


def rule_counts(violations: Iterable[Violation], decided: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """(open, decided) failing error/warning findings per rule."""
    done = set(decided)
    open_: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for v in violations:
        if v.status == "fail" and v.severity in COUNTED_SEVERITIES:
            (closed if v.ident in done else open_)[v.rule] += 1
    return open_, closed


def entry_figures(rid: int, entry: SummaryEntry) -> ReportFigures:
    """Figures of an Excel summary entry (the same counts as the 汇总 sheet's columns)."""
    report = entry.report
    open_, closed = rule_counts(entry.violations, entry.decisions)
    return ReportFigures(
        rid=rid,
        file=entry.file,
        organ=report.agency if report else None,
        year=report.year if report else None,
        status=entry.status,
        errors=entry.open_findings("error"),
        warnings=entry.open_findings("warning"),
        unsure=entry.unsure,
        readable=report is not None,
        open_by_rule=open_,
        decided_by_rule=closed,
    )


def summary_figures(
    item: ReportSummary, violations: Sequence[Violation], decided: Iterable[str]
) -> ReportFigures:
    """Figures of a queue row (its stored counts) plus its findings per rule."""
    open_, closed = rule_counts(violations, decided)
    return ReportFigures(
        rid=item.id,
        file=item.file,
        organ=item.agency,
        year=item.year,
        status=item.status,
        errors=item.errors,
        warnings=item.warnings,
        unsure=item.unsure,
        readable=item.error is None,
        open_by_rule=open_,
        decided_by_rule=closed,
    )


def workspace_figures(ws: Workspace, rids: Iterable[int] | None = None) -> list[ReportFigures]:
    """Figures of the workspace's reports (all, or those of `rids`), counts as the review queue shows them."""
    wanted = None if rids is None else set(rids)
    out: list[ReportFigures] = []
    for item in ws.reports():
        if wanted is not None and item.id not in wanted:
            continue
        if item.error is not None:
            out.append(summary_figures(item, [], []))
        else:
            out.append(summary_figures(item, ws.violations(item.id), ws.decisions(item.id)))
    return out


@dataclass
class OrganRow:
    """One organ and year of the batch."""

    organ: str
    year: int | None
    rids: list[int] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    warnings: int = 0
    unsure: int = 0
    unreadable: int = 0
    open_by_rule: Counter[str] = field(default_factory=Counter)

    @property
    def reports(self) -> int:
        return len(self.rids)

    @property
    def reviewed(self) -> int:
        return self.statuses["reviewed"] + self.statuses["returned"]

    def status_text(self) -> str:
        """「已审核 2/3」 or the single status of a one-report row."""
        if self.reports == 1:
            (status,) = self.statuses
            return STATUS_LABELS.get(status, status)
        parts = [f"{STATUS_LABELS.get(s, s)} {self.statuses[s]}" for s in STATUS_ORDER if self.statuses[s]]
        return "，".join(parts)

    def top_rules(self, n: int = 3) -> list[tuple[str, int]]:
        return sorted(self.open_by_rule.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def organ_rows(figures: Iterable[ReportFigures]) -> list[OrganRow]:
    """One row per organ and year, in the order the organs first appear."""
    rows: dict[tuple[str, int | None], OrganRow] = {}
    for f in figures:
        organ = f.organ or NO_ORGAN
        row = rows.get((organ, f.year))
        if row is None:
            row = rows[(organ, f.year)] = OrganRow(organ, f.year)
        row.rids.append(f.rid)
        row.statuses[f.status] += 1
        row.errors += f.errors
        row.warnings += f.warnings
        row.unsure += f.unsure
        row.unreadable += 0 if f.readable else 1
        row.open_by_rule.update(f.open_by_rule)
    return list(rows.values())


@dataclass
class RuleRow:
    rule: str
    open: int
    decided: int

    @property
    def total(self) -> int:
        return self.open + self.decided


def rule_rows(figures: Iterable[ReportFigures]) -> list[RuleRow]:
    """Failing error/warning findings per rule, most first (ties by rule id)."""
    open_: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for f in figures:
        open_.update(f.open_by_rule)
        closed.update(f.decided_by_rule)
    rules = set(open_) | set(closed)
    rows = [RuleRow(r, open_[r], closed[r]) for r in rules]
    return sorted(rows, key=lambda r: (-r.total, r.rule))


def status_counts(figures: Iterable[ReportFigures]) -> dict[str, int]:
    """Reports per review status, every status present (0 when none), in queue order."""
    counts = Counter(f.status for f in figures)
    return {s: counts[s] for s in STATUS_ORDER}


def organ_findings(rows: Iterable[OrganRow]) -> list[OrganRow]:
    """Organ rows with open errors or warnings, most first (ties: organ name, year)."""
    hit = [r for r in rows if r.errors + r.warnings]
    return sorted(hit, key=lambda r: (-(r.errors + r.warnings), -r.errors, r.organ, r.year or 0))
