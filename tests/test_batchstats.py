"""The batch at a glance (Qt-free): per-report figures, one row per organ and year, findings by rule."""

from __future__ import annotations

from pathlib import Path

from gikai_desk.batchstats import (
    NO_ORGAN,
    entry_figures,
    organ_findings,
    organ_rows,
    rule_rows,
    status_counts,
    workspace_figures,
)
from gikai_desk.excel import SummaryEntry
from gikai_desk.model import Violation
from gikai_desk.review import Decision
from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report


def _violation(rule: str, where: str, severity: str = "error", status: str = "fail") -> Violation:
    return Violation(rule=rule, where=where, severity=severity, status=status, message="m")  # type: ignore[arg-type]


def _entry(
    agency: str, template: str, violations: list[Violation], decided: tuple[str, ...] = ()
) -> SummaryEntry:
    report = synthetic_report(1 if template == "2021" else 2, template, agency=agency)
    decisions = {
        ident: Decision(
            ident=ident, rule=ident.split("@")[0], where="", kind="resolved", reviewer="r", time="t"
        )
        for ident in decided
    }
    return SummaryEntry(file="f.txt", report=report, error=None, violations=violations, decisions=decisions)


def test_figures_count_open_and_decided_findings_per_rule_and_skip_info() -> None:
    entry = _entry(
        "甲局",
        "2021",
        [
            _violation("T3_ROW_TOTAL", "new"),
            _violation("T3_ROW_TOTAL", "total"),
            _violation("T3_BALANCE", "natural"),
            _violation("NARRATIVE_MISMATCH", "t3.new.total", "warning"),
            _violation("BLANK_CELL", "t2.fees.amount", "info"),
            _violation("T4_TOTAL", "review", status="cannot_check"),
        ],
        decided=("T3_BALANCE@natural",),
    )
    figures = entry_figures(7, entry)
    assert figures.rid == 7 and figures.organ == "甲局" and figures.errors == 2 and figures.warnings == 1
    assert dict(figures.open_by_rule) == {"T3_ROW_TOTAL": 2, "NARRATIVE_MISMATCH": 1}
    assert dict(figures.decided_by_rule) == {"T3_BALANCE": 1}
    rows = rule_rows([figures])
    assert [(r.rule, r.open, r.decided) for r in rows] == [
        ("T3_ROW_TOTAL", 2, 0),
        ("NARRATIVE_MISMATCH", 1, 0),
        ("T3_BALANCE", 0, 1),
    ]


def test_one_row_per_organ_and_year() -> None:
    a1 = entry_figures(1, _entry("甲局", "2021", [_violation("T3_ROW_TOTAL", "new")]))
    a2 = entry_figures(2, _entry("甲局", "2021", [_violation("T3_BALANCE", "natural")]))
    a_other_year = entry_figures(3, _entry("甲局", "2019", []))
    b = entry_figures(
        4, _entry("乙局", "2021", [_violation("NARRATIVE_MISMATCH", "t3.new.total", "warning")])
    )
    unreadable = entry_figures(5, SummaryEntry(file="scan.pdf", report=None, error="no text", violations=[]))
    a2.status = "reviewed"
    rows = organ_rows([a1, a2, a_other_year, b, unreadable])
    assert [(r.organ, r.year, r.reports) for r in rows] == [
        ("甲局", 2022, 2),
        ("甲局", 2020, 1),
        ("乙局", 2022, 1),
        (NO_ORGAN, None, 1),
    ]
    first = rows[0]
    assert first.rids == [1, 2] and first.errors == 2 and first.reviewed == 1
    assert first.status_text() == "待审核 1，已审核 1"
    assert rows[3].unreadable == 1
    assert [r.organ for r in organ_findings(rows)] == ["甲局", "乙局"]  # errors before warnings, then by name
    assert status_counts([a1, a2, b]) == {"pending": 2, "in_review": 0, "reviewed": 1, "returned": 0}


def test_workspace_figures_use_the_queue_counts(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "b.gikai")
    report = synthetic_report(3, "2021", agency="丙局")
    rid = ws.add_document("a.txt", report.text.encode(), report, None)
    ws.set_cell(rid, "t3.new.natural", 999, "r")  # breaks a row total and the balance
    ws.add_document("scan.pdf", b"%PDF", None, "no text layer")
    figures = workspace_figures(ws)
    queue = {s.id: s for s in ws.reports()}
    for figure in figures:
        assert (figure.errors, figure.warnings, figure.unsure) == (
            queue[figure.rid].errors,
            queue[figure.rid].warnings,
            queue[figure.rid].unsure,
        )
    counted = next(f for f in figures if f.rid == rid)
    assert sum(counted.open_by_rule.values()) >= counted.errors > 0
    assert [f.readable for f in figures] == [True, False]
    ws.close()
