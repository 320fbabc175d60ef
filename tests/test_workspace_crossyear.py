"""CROSS_YEAR_CARRY across a batch: workspace findings and counts, the check command and the summary workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from gikai_desk.cli import main
from gikai_desk.excel import export_workspace
from gikai_desk.extract import extract
from gikai_desk.model import Report, Violation
from gikai_desk.rules import cross_year_findings, organ_key
from gikai_desk.workspace import SCHEMA_VERSION, Workspace
from gikai_desk.workspace.synthetic import synthetic_report

COLUMN = "natural"
CARRIED_IN = f"t3.carried_in.{COLUMN}"
CARRIED_OUT = f"t3.carried_out.{COLUMN}"


def issue_rows(path: Path) -> list[tuple[Any, ...]]:
    """The 问题清单 sheet's rows; the read-only workbook is closed (it keeps its file open until then)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return list(wb["问题清单"].iter_rows(values_only=True))
    finally:
        wb.close()


def pair(earlier_agency: str = "泉州市人民政府信访局", later_agency: str = "泉州市 人民政府（信访局）") -> tuple[Report, Report]:
    """Two reports of one organ for 2020 and 2021 whose carry-over agrees in every column."""
    earlier = synthetic_report(1, "2019", agency=earlier_agency).model_copy(update={"year": 2020})
    later = synthetic_report(2, "2021", agency=later_agency).model_copy(update={"year": 2021})
    for key, cell in later.cells.items():
        if key.startswith("t3.carried_in."):
            carried_out = earlier.value(key.replace("carried_in", "carried_out"))
            cell.value = cell.parsed = carried_out
    return earlier, later


def cross(found: list[Violation]) -> list[Violation]:
    return [v for v in found if v.rule == "CROSS_YEAR_CARRY" and v.status == "fail"]


def open_warnings(ws: Workspace, rid: int) -> int:
    decided = ws.decisions(rid)
    return sum(1 for v in ws.violations(rid) if v.status == "fail" and v.severity == "warning" and v.ident not in decided)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("泉州市人民政府信访局", "泉州市 人民政府（信访局）", True),
        ("内蒙古自治区信访局", "内蒙古自治区\u3000信访局", True),
        ("平潭综合实验区(管委会)", "平潭综合实验区【管委会】", True),
        ("泉州市信访局", "泉州市人民政府信访局", False),
        ("丰泽区", "鲤城区", False),
    ],
)
def test_organ_names_match_after_normalising_space_and_brackets(a: str, b: str, same: bool) -> None:
    assert (organ_key(a) == organ_key(b)) is same


def test_cross_year_findings_sit_on_the_later_report_only() -> None:
    earlier, later = pair()
    assert cross_year_findings([later, earlier]) == [[], []]
    later.cells[CARRIED_IN].value = (earlier.value(CARRIED_OUT) or 0) + 2
    found_later, found_earlier = cross_year_findings([later, earlier])
    assert found_earlier == []
    assert [(v.where, v.expected, v.target) for v in cross(found_later)] == [
        (COLUMN, earlier.value(CARRIED_OUT), CARRIED_IN)
    ]
    other_organ = later.model_copy(update={"agency": "鲤城区"})
    two_years_on = later.model_copy(update={"year": 2022})
    assert cross_year_findings([earlier, other_organ, two_years_on]) == [[], [], []]


def test_workspace_shows_the_finding_and_keeps_counts_up_to_date(store: str) -> None:
    earlier, later = pair()
    with Workspace.create(store) as ws:
        # the later report first: adding its predecessor must recount it
        later_id = ws.add_document(later.file, b"", later, None)
        earlier_id = ws.add_document(earlier.file, b"", earlier, None)
        assert cross(ws.violations(later_id)) == []
        baseline = ws.summary(later_id).warnings

        old = earlier.value(CARRIED_OUT)
        assert old is not None
        ws.set_cell(earlier_id, CARRIED_OUT, old + 1, "张三", "据原件")
        (finding,) = cross(ws.violations(later_id))
        assert finding.ident == f"CROSS_YEAR_CARRY@{COLUMN}" and finding.expected == old + 1
        assert cross(ws.violations(earlier_id)) == [] and ws.cross_year_violations(later_id) == [finding]
        queue = {item.id: item for item in ws.reports()}
        assert queue[later_id].warnings == baseline + 1 == open_warnings(ws, later_id)

        ws.decide(later_id, finding.ident, "report_error", "去年报告已更正", "张三")
        assert ws.summary(later_id).warnings == baseline
        ws.decide(later_id, finding.ident, None, "", "张三")
        assert ws.summary(later_id).warnings == baseline + 1

        ws.set_cell(later_id, CARRIED_IN, old + 1, "张三")  # corrected on the later report's side
        assert cross(ws.violations(later_id)) == []
        assert ws.summary(later_id).warnings == open_warnings(ws, later_id)

        ws.set_cell(later_id, CARRIED_IN, old + 5, "张三")
        assert len(cross(ws.violations(later_id))) == 1
        ws.remove(earlier_id)  # no predecessor left: nothing to compare with
        assert cross(ws.violations(later_id)) == []
        assert ws.summary(later_id).warnings == open_warnings(ws, later_id)


def test_counts_survive_reopening_and_other_organs_are_left_alone(store: str) -> None:
    earlier, later = pair()
    stranger = later.model_copy(update={"agency": "鲤城区", "file": "stranger.txt"})
    later.cells[CARRIED_IN].value = (earlier.value(CARRIED_OUT) or 0) + 3
    path = store
    with Workspace.create(path) as ws:
        ids = ws.add_documents([(r.file, b"", r, None) for r in (earlier, later, stranger)])
    with Workspace.open(path) as ws:
        queue = {item.id: item for item in ws.reports()}
        assert len(cross(ws.violations(ids[1]))) == 1
        assert cross(ws.violations(ids[0])) == [] and cross(ws.violations(ids[2])) == []
        assert queue[ids[1]].warnings == open_warnings(ws, ids[1]) >= 1


def test_summary_workbook_lists_the_cross_year_finding(tmp_path: Path) -> None:
    earlier, later = pair()
    later.cells[CARRIED_IN].value = (earlier.value(CARRIED_OUT) or 0) + 1
    with Workspace.create(tmp_path / "b.gikai") as ws:
        ws.add_documents([(r.file, b"", r, None) for r in (earlier, later)])
        export_workspace(ws, tmp_path / "summary.xlsx", None)
    rows = issue_rows(tmp_path / "summary.xlsx")
    header = rows[0]
    hits = [r for r in rows[1:] if r[header.index("规则")] == "CROSS_YEAR_CARRY"]
    assert [r[header.index("文件")] for r in hits] == [later.file]
    assert str(earlier.value(CARRIED_OUT)) in str(hits[0][header.index("说明")])


def test_check_command_reports_cross_year_for_loosely_matching_organs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = synthetic_report(5, "2019", agency="平潭综合实验区")
    second = synthetic_report(6, "2019", agency="（平潭）综合实验区")
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(first.text, encoding="utf-8")
    b.write_text(second.text.replace("2020年", "2021年"), encoding="utf-8")
    read_a, read_b = extract(a), extract(b)
    assert (read_a.year, read_b.year) == (2020, 2021) and read_a.agency != read_b.agency
    differing = [
        col for col in ("natural", "commercial", "research", "ngo", "legal", "other_org", "total")
        if read_b.value(f"t3.carried_in.{col}") != read_a.value(f"t3.carried_out.{col}")
    ]
    assert differing, "the two synthetic reports happen to agree; pick other indexes"
    summary = tmp_path / "summary.xlsx"
    main(["check", str(a), str(b), "--xlsx", str(summary)])
    out = capsys.readouterr().out
    assert "CROSS_YEAR_CARRY" in out
    rows = issue_rows(summary)
    header = rows[0]
    found = [r[header.index("位置")] for r in rows[1:] if r[header.index("规则")] == "CROSS_YEAR_CARRY"]
    assert len(found) == len(differing)
    assert all(r[header.index("文件")] == "b.txt" for r in rows[1:] if r[header.index("规则")] == "CROSS_YEAR_CARRY")


def test_opening_a_version_2_file_recounts_with_cross_year(tmp_path: Path) -> None:
    import sqlite3

    earlier, later = pair()
    later.cells[CARRIED_IN].value = (earlier.value(CARRIED_OUT) or 0) + 1
    path = tmp_path / "old.gikai"
    with Workspace.create(path) as ws:
        ids = ws.add_documents([(r.file, b"", r, None) for r in (earlier, later)])
        expected = ws.summary(ids[1]).warnings
    conn = sqlite3.connect(path)
    conn.execute("DROP INDEX reports_by_year")  # undo versions 3, 4 and 5
    for table in ("claims", "report_log", "report_versions"):
        conn.execute(f"DROP TABLE {table}")
    for column in ("version", "changed_by", "changed_at", "last_tx", "removed"):
        conn.execute(f"ALTER TABLE reports DROP COLUMN {column}")
    conn.execute("UPDATE reports SET warnings = 0")  # counted by a version without the cross-year check
    conn.execute("PRAGMA user_version = 2")
    conn.commit()
    conn.close()
    with Workspace.open(path) as ws:
        assert ws.schema_version == SCHEMA_VERSION
        assert ws.summary(ids[1]).warnings == expected >= 1
