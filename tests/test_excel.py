"""Excel output: per-report form workbooks, batch summary, text safety, atomic saving, re-import."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from gikai_desk.errors import InputError
from gikai_desk.excel import (
    ExcelWriteError,
    SummaryEntry,
    export_workspace,
    read_report_workbook,
    write_report_workbook,
    write_summary,
)
from gikai_desk.excel.common import local_datetime, local_time_text
from gikai_desk.formlayout import all_cell_keys, key_labels
from gikai_desk.model import Report, Violation
from gikai_desk.review import Correction, Decision
from gikai_desk.rules import check
from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report

INJECTION = '=HYPERLINK("http://evil.example/","点我")'


def make_entry(index: int = 1, template: str = "2021", agency: str | None = None) -> SummaryEntry:
    report = synthetic_report(index, template, agency=agency)
    report.cells["t3.new.natural"].value = 40
    report.cells["t3.new.natural"].corrected = True
    report.cells["t3.deny_secret.ngo"].value = None
    report.cells["t3.granted.legal"].sure = False
    report.cells["t3.granted.legal"].flag = "此格位置无法确定"
    correction = Correction(key="t3.new.natural", old=12, new=40, reviewer="张三", time="2024-03-01T10:00:00+08:00",
                            reason="据原件")
    violation = Violation(rule="T3_ROW_TOTAL", where="new", severity="error",
                          cells=["t3.new.total", "t3.new.natural"], message="表三 一、本年新收 行：总计不符 测试消息")
    warning = Violation(rule="NARRATIVE_MISMATCH", where="t3.new.total", severity="warning",
                        cells=["t3.new.total"], message="正文为 45，表中为 42")
    decision = Decision(ident=warning.ident, rule=warning.rule, where=warning.where, kind="report_error",
                        note="报告本身有误", reviewer="张三", time="2024-03-01T10:05:00+08:00")
    return SummaryEntry(file=f"/in/{report.file}", report=report, error=None, violations=[violation, warning],
                        corrections=[correction], decisions={warning.ident: decision}, status="in_review",
                        note="请复核")


def merged_range_of(ws: openpyxl.worksheet.worksheet.Worksheet, text: str) -> str:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                for merged in ws.merged_cells.ranges:
                    if cell.coordinate in merged:
                        return str(merged)
                return str(cell.coordinate)
    raise AssertionError(f"{text!r} not on sheet {ws.title}")


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))


def test_report_workbook_is_laid_out_like_the_form(tmp_path: Path) -> None:
    entry = make_entry()
    path = tmp_path / "r.xlsx"
    write_report_workbook(entry, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["表二", "表三", "表四", "审核情况"]
    assert wb["_gikai"].sheet_state == "hidden"
    t3 = wb["表三"]
    assert merged_range_of(t3, "申请人情况") == "D4:J4"
    assert merged_range_of(t3, "法人或其他组织") == "E5:I5"
    assert merged_range_of(t3, "自然人") == "D5:D6"
    assert merged_range_of(t3, "三、本年度办理结果") == "A9:A30"
    assert merged_range_of(t3, "（三）不予公开") == "B11:B18"
    assert merged_range_of(t3, "一、本年新收政府信息公开申请数量") == "A7:C7"
    assert t3["C11"].value == "1.属于国家秘密" and t3["C11"].alignment.indent == 2
    t2 = wb["表二"]
    assert merged_range_of(t2, "第二十条第（一）项") == "A4:D4"
    t4 = wb["表四"]
    assert merged_range_of(t4, "行政诉讼") == "F4:O4"
    assert merged_range_of(t4, "行政复议") == "A4:E5"


def test_report_workbook_values_comments_and_print_setup(tmp_path: Path) -> None:
    entry = make_entry()
    report = entry.report
    assert report is not None
    path = tmp_path / "r.xlsx"
    write_report_workbook(entry, path)
    wb = openpyxl.load_workbook(path)
    where = {k: (s, c) for k, s, c, *_ in wb["_gikai"].iter_rows(min_row=3, values_only=True)}
    assert set(where) == set(report.cells)

    def cell(key: str) -> openpyxl.cell.cell.Cell:
        sheet, coordinate = where[key]
        return wb[sheet][coordinate]

    assert cell("t3.new.natural").value == 40 and cell("t3.new.natural").data_type == "n"
    assert cell("t3.deny_secret.ngo").value is None
    amount = cell("t2.fees.amount")
    assert isinstance(amount.value, float) and amount.value == report.value("t2.fees.amount")
    assert isinstance(cell("t4.review.total").value, int)
    assert cell("t3.new.natural").border.left.style == "thin"
    corrected = cell("t3.new.natural")
    assert corrected.fill.fgColor.rgb.endswith("FFF2CC")
    assert f"12 → 40（张三，{local_time_text('2024-03-01T10:00:00+08:00')}，据原件）" in corrected.comment.text
    assert "测试消息" in corrected.comment.text
    total = cell("t3.new.total")
    assert "测试消息" in total.comment.text and "正文为 45" in total.comment.text and "报告本身有误" in total.comment.text
    assert "此格位置无法确定" in cell("t3.granted.legal").comment.text
    assert cell("t3.carried_in.legal").comment is None
    t3 = wb["表三"]
    assert t3.page_setup.orientation == "landscape" and str(t3.page_setup.paperSize) == "9"
    assert report.agency in t3.oddHeader.center.text and str(report.year) in t3.oddHeader.center.text
    assert t3.print_title_rows == "$4:$6"
    review = wb["审核情况"]
    texts = [c.value for row in review.iter_rows() for c in row if c.value]
    assert "审核中" in texts and "请复核" in texts and "报告本身有误（保留原值）" in texts


def test_document_text_never_becomes_a_formula(tmp_path: Path) -> None:
    entry = make_entry(agency=INJECTION)
    entry.note = "+1+2"
    entry.corrections[0].reason = "@SUM(A1)"
    report_path, summary_path = tmp_path / "r.xlsx", tmp_path / "s.xlsx"
    write_report_workbook(entry, report_path)
    write_summary([entry, SummaryEntry(file="-bad.pdf", report=None, error="-1 scanned", violations=[])],
                  summary_path)
    for path in (report_path, summary_path):
        assert "<f>" not in sheet_xml(path) and "<f " not in sheet_xml(path)
    summary = openpyxl.load_workbook(summary_path)["汇总"]
    assert summary["C3"].value == INJECTION and summary["C3"].data_type == "s"
    assert summary["B4"].value == "-bad.pdf" and summary["K4"].value == "-1 scanned"
    title = openpyxl.load_workbook(report_path)["表三"]["A2"]
    assert title.value.startswith(INJECTION) and title.data_type == "s"


def test_summary_workbook(tmp_path: Path) -> None:
    entries = [make_entry(1, "2021"), make_entry(2, "2019"),
               SummaryEntry(file="scan.pdf", report=None, error="no text layer: scanned document", violations=[])]
    path = tmp_path / "summary.xlsx"
    write_summary(entries, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["汇总", "统计", "问题清单", "修改记录", "说明"]
    ws = wb["汇总"]
    assert ws.freeze_panes == "D3" and ws.auto_filter.ref.startswith("A2:")
    assert ws.max_row == 2 + len(entries)
    headers = {(ws.cell(1, c).value, ws.cell(2, c).value): c for c in range(1, ws.max_column + 1)}
    keys = all_cell_keys()
    assert ws.max_column == 12 + len(keys)
    natural = 13 + keys.index("t3.new.natural")
    group, column = key_labels("t3.new.natural")
    assert ws.cell(2, natural).value == column == "自然人"
    assert any(str(r) == f"{ws.cell(1, natural).coordinate}:{ws.cell(1, natural + 6).coordinate}"
               for r in ws.merged_cells.ranges)
    assert ws.cell(1, natural).value == group
    assert ("机关", None) in headers and ("序号", None) in headers
    assert ws.cell(3, natural).value == 40 and ws.cell(3, natural).fill.fgColor.rgb.endswith("FFF2CC")
    assert ws.cell(3, 7).value == 1 and ws.cell(3, 8).value == 0  # open errors, warnings (the warning is decided)
    assert ws.cell(3, 9).value == 1 and ws.cell(3, 10).value == 1  # unsure, corrections
    assert ws.cell(3, 6).value == "审核中"
    fees_2021 = 13 + keys.index("t2.fees.amount")
    assert isinstance(ws.cell(3, fees_2021).value, float)
    procurement = 13 + keys.index("t2.procurement.amount")
    assert ws.cell(3, procurement).value is None and ws.cell(4, procurement).value is not None
    assert ws.cell(5, 11).value == "no text layer: scanned document"
    assert ws.cell(5, natural).value is None
    issues = wb["问题清单"]
    assert issues.max_row == 1 + 4 and issues.freeze_panes == "C2"
    rows = list(issues.iter_rows(min_row=2, values_only=True))
    assert {r[4] for r in rows} == {"T3_ROW_TOTAL", "NARRATIVE_MISMATCH"}
    decided = next(r for r in rows if r[4] == "NARRATIVE_MISMATCH")
    assert decided[10] == "报告本身有误（保留原值）" and decided[11] == "报告本身有误"
    assert "表三" in str(decided[8])
    audit = list(wb["修改记录"].iter_rows(min_row=2, values_only=True))
    assert len(audit) == 2 and audit[0][3:5] == ("修改单元格", "t3.new.natural") and audit[0][6:9] == (12, 40, "张三")
    readme = [r[0] for r in wb["说明"].iter_rows(values_only=True)]
    assert "汇总" in readme and "T3_BALANCE" in readme


def test_atomic_save_refuses_locked_targets(tmp_path: Path) -> None:
    entry = make_entry()
    target = tmp_path / "summary.xlsx"
    target.write_bytes(b"previous contents")
    for lock in (tmp_path / "~$summary.xlsx", tmp_path / ".~lock.summary.xlsx#"):
        lock.write_text("locked by someone")
        with pytest.raises(ExcelWriteError, match="锁文件"):
            write_summary([entry], target)
        lock.unlink()
        assert target.read_bytes() == b"previous contents"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.xlsx"]
    write_summary([entry], target)
    assert openpyxl.load_workbook(target).sheetnames[0] == "汇总"


def test_atomic_save_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = make_entry()
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"previous contents")

    def refused(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(ExcelWriteError, match="正被 Excel/WPS 打开"):
        write_report_workbook(entry, target)
    assert target.read_bytes() == b"previous contents"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
    monkeypatch.undo()

    def disk_full(self: object, filename: object) -> None:
        Path(str(filename)).write_bytes(b"PK partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", disk_full)
    with pytest.raises(ExcelWriteError, match="No space"):
        write_report_workbook(entry, target)
    assert target.read_bytes() == b"previous contents"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]
    with pytest.raises(ExcelWriteError, match="文件夹不存在"):
        write_summary([entry], tmp_path / "missing" / "s.xlsx")


def test_round_trip_reimport_of_an_edited_workbook(tmp_path: Path) -> None:
    entry = make_entry()
    report = entry.report
    assert report is not None
    path = tmp_path / "r.xlsx"
    write_report_workbook(entry, path)
    values = read_report_workbook(path)
    assert values == {k: c.value for k, c in report.cells.items()}
    wb = openpyxl.load_workbook(path)
    where = {k: (s, c) for k, s, c, *_ in wb["_gikai"].iter_rows(min_row=3, values_only=True)}

    def put(key: str, value: object) -> None:
        sheet, coordinate = where[key]
        wb[sheet][coordinate].value = value

    put("t3.carried_in.natural", "12")  # typed as text in WPS
    put("t3.new.commercial", float(report.value("t3.new.commercial") or 0))  # unchanged, comes back as 3.0
    put("t3.granted.ngo", None)  # cleared
    put("t2.regulations.made", " 1,200件 ")
    put("t2.fees.amount", "12.50")
    put("t4.review.total", 7.0)
    wb.save(path)
    back = read_report_workbook(path)
    assert back["t3.carried_in.natural"] == 12 and isinstance(back["t3.carried_in.natural"], int)
    assert back["t3.new.commercial"] == report.value("t3.new.commercial")
    assert isinstance(back["t3.new.commercial"], int)
    assert back["t3.granted.ngo"] is None
    assert back["t2.regulations.made"] == 1200 and back["t2.fees.amount"] == 12.5
    assert back["t4.review.total"] == 7 and isinstance(back["t4.review.total"], int)

    put("t3.new.legal", "−5")  # U+2212 minus, as some input methods type it
    wb.save(path)
    assert read_report_workbook(path)["t3.new.legal"] == -5

    wb["表三"].insert_rows(8)  # someone inserted a row: positions no longer hold their keys
    wb.save(path)
    with pytest.raises(InputError, match="结构已被改动"):
        read_report_workbook(path)
    wb["表三"].delete_rows(8)
    put("t3.new.legal", "十二")
    wb.save(path)
    with pytest.raises(InputError, match="十二"):
        read_report_workbook(path)
    other = tmp_path / "other.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(InputError, match="_gikai"):
        read_report_workbook(other)
    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_text("hello")
    with pytest.raises(InputError, match=r"fake\.xlsx"):
        read_report_workbook(not_xlsx)


def test_workspace_import_and_export(tmp_path: Path) -> None:
    ws = Workspace.create(tmp_path / "b.gikai")
    report = synthetic_report(4, "2019", agency=INJECTION)
    rid = ws.add_document("/x/a.txt", report.text.encode(), report, None)
    ws.add_document("/x/scan.pdf", b"%PDF", None, "no text layer: scanned document")
    ws.set_cell(rid, "t3.new.natural", 77, "张三", "核对")
    ws.decide(rid, "T3_BALANCE@natural", "report_error", "原文如此", "张三")
    ws.decide(rid, "T3_BALANCE@natural", None, "", "李四")
    per_report = tmp_path / "per"
    export_workspace(ws, tmp_path / "summary.xlsx", per_report)
    (book,) = sorted(per_report.iterdir())
    assert book.name.startswith("0001_") and book.suffix == ".xlsx"
    summary = openpyxl.load_workbook(tmp_path / "summary.xlsx")
    assert summary["汇总"].max_row == 4
    audit = list(summary["修改记录"].iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[4], r[7]) for r in audit] == [
        ("修改单元格", "t3.new.natural", 77),
        ("处理问题", "T3_BALANCE@natural", "报告本身有误（保留原值）"),
        ("撤销决定", "T3_BALANCE@natural", "（撤销）"),
    ]
    assert "表三 自然人" in audit[1][5]
    wb = openpyxl.load_workbook(book)
    where = {k: (s, c) for k, s, c, *_ in wb["_gikai"].iter_rows(min_row=3, values_only=True)}
    sheet, coordinate = where["t3.carried_in.natural"]
    wb[sheet][coordinate].value = "9"
    sheet, coordinate = where["t3.new.natural"]
    wb[sheet][coordinate].value = 77.0
    wb.save(book)
    preview = ws.workbook_changes(rid, book)
    assert preview == [("t3.carried_in.natural", report.value("t3.carried_in.natural"), 9)]
    applied = ws.import_workbook(rid, book, reviewer="机关回填")
    assert [(c.key, c.new, c.reviewer, c.reason) for c in applied] == [
        ("t3.carried_in.natural", 9, "机关回填", f"imported from {book.name}")
    ]
    assert ws.report(rid).value("t3.carried_in.natural") == 9  # type: ignore[union-attr]
    assert ws.import_workbook(rid, book) == []
    ws.close()


def test_report_workbook_for_an_unreadable_file(tmp_path: Path) -> None:
    entry = SummaryEntry(file="scan.pdf", report=None, error="no text layer: scanned document", violations=[])
    write_report_workbook(entry, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames == ["审核情况", "_gikai"]
    assert read_report_workbook(tmp_path / "x.xlsx") == {}


def test_summary_keys_cover_every_form() -> None:
    from gikai_desk.forms import formbook

    keys = all_cell_keys()
    assert len(keys) == len(set(keys))
    every = {k for t, tdef in formbook().tables.items() for v in tdef.variants for k in formbook().keys(t, v)}
    assert set(keys) == every


def test_seed_report_exports(tmp_path: Path) -> None:
    from tests.conftest import seed_path

    ws = Workspace.create(tmp_path / "s.gikai")
    rid = ws.add_file(seed_path("003"))
    report: Report | None = ws.report(rid)
    export_workspace(ws, tmp_path / "s.xlsx", tmp_path / "per")
    assert openpyxl.load_workbook(tmp_path / "s.xlsx")["汇总"].max_row == 3
    if report is not None and report.forms:
        (book,) = (tmp_path / "per").iterdir()
        back = read_report_workbook(book)
        assert back and all(back[key] == report.value(key) for key in back)
    ws.close()


def test_printed_form_is_readable(tmp_path: Path) -> None:
    """Numbers right-aligned, label columns not wider than the cap, wrapping labels get taller rows,
    a blank cell left blank and unmarked, and only error/warning findings colour cells."""
    from gikai_desk.excel.report_book import GRID_TOP, LABEL_MAX_WIDTH, TALL_LABEL_WIDTH

    report = synthetic_report(9, "2021")
    blank_key = next(k for k, c in report.cells.items() if k.startswith("t3.deny") and c.value == 0)
    report.cells[blank_key].value = None  # a blank: BLANK_CELL (info) only, the sums still hold
    violations = check(report)
    assert [v.rule for v in violations if blank_key in v.cells and v.status == "fail"] == ["BLANK_CELL"]
    path = tmp_path / "r.xlsx"
    write_report_workbook(SummaryEntry(file=report.file, report=report, error=None, violations=violations), path)
    ws = openpyxl.load_workbook(path)["表三"]
    by_label = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    numbers = [c for row in ws.iter_rows(min_row=GRID_TOP + 3) for c in row if isinstance(c.value, int)]
    assert numbers and all(c.alignment.horizontal == "right" for c in numbers)
    widths = [ws.column_dimensions[letter].width for letter in "ABC"]
    assert widths[0] <= TALL_LABEL_WIDTH and max(widths) <= LABEL_MAX_WIDTH
    long_label = next(text for text in by_label if str(text).startswith("2.申请人逾期未按收费通知"))
    assert (ws.row_dimensions[by_label[long_label].row].height or 0) > 20  # wraps onto two lines
    where = {r[0]: (r[1], r[2]) for r in openpyxl.load_workbook(path)["_gikai"].iter_rows(min_row=3, values_only=True)}
    sheet, coordinate = where[blank_key]
    blank = ws[coordinate]
    assert sheet == "表三" and blank.value is None and blank.comment is None
    assert blank.fill.fgColor.rgb in (None, "00000000")
    assert ws.print_title_rows and ws.page_setup.orientation == "landscape"
    review = openpyxl.load_workbook(path)["审核情况"]
    assert review.sheet_properties.pageSetUpPr.fitToPage and review.print_title_rows
    findings = [(r[1], r[4]) for r in review.iter_rows(values_only=True) if r[1] and r[4]]
    (blank_row,) = [f for f in findings if f[0] == "1 个空白单元格"]  # the blank, folded like on 问题清单
    assert "表三" in str(blank_row[1]) and blank_key not in str(blank_row[1])  # named in words, not by its key


def folding_entry() -> SummaryEntry:
    """A report with seven blank cells, one row of unsure cells (several cannot-check findings per rule),
    one failing sum and a decision on one of the blanks."""
    report = synthetic_report(9, "2021")
    blanks = [k for k, c in report.cells.items() if k.startswith("t3.deny") and c.value == 0][:7]
    for key in blanks:
        report.cells[key].value = None
    for col in ("natural", "commercial", "research"):
        report.cells[f"t3.partial.{col}"].sure = False
        report.cells[f"t3.partial.{col}"].flag = "该行有8个值，应为7个，无法确定各值所在列"
    report.cells["t3.new.natural"].value = (report.value("t3.new.natural") or 0) + 3
    violations = check(report)
    decision = Decision(ident=f"BLANK_CELL@{blanks[0]}", rule="BLANK_CELL", where=blanks[0], kind="report_error",
                        note="原件即为空白", reviewer="张三", time="2024-03-02T09:00:00+08:00")
    return SummaryEntry(file=f"/in/{report.file}", report=report, error=None, violations=violations,
                        decisions={decision.ident: decision})


def test_issue_list_folds_blank_cells_and_cannot_check_findings(tmp_path: Path) -> None:
    from gikai_desk.forms import formbook

    entry = folding_entry()
    violations = entry.violations
    blanks = [v for v in violations if v.rule == "BLANK_CELL" and v.status == "fail"]
    unsure = [v for v in violations if v.status == "cannot_check"]
    real = [v for v in violations if v.status == "fail" and v.rule != "BLANK_CELL"]
    unsure_rules = {v.rule for v in unsure}
    assert len(blanks) == 7 and real and any(sum(v.rule == r for v in unsure) > 1 for r in unsure_rules)
    path = tmp_path / "summary.xlsx"
    write_summary([entry], path)
    rows = list(openpyxl.load_workbook(path)["问题清单"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in ("规则", "结果", "位置", "说明", "处理决定", "决定说明", "严重程度")}
    assert len(body) == 1 + len(unsure_rules) + len(real)
    (blank_row,) = [r for r in body if r[col["规则"]] == "BLANK_CELL" and r[col["结果"]] == "不符"]
    assert blank_row[col["位置"]] == "7 个空白单元格" and blank_row[col["严重程度"]] == "提示"
    message = str(blank_row[col["说明"]])
    first_label = formbook().label(blanks[0].where)
    assert first_label in message and "等 7 个" in message
    assert formbook().label(blanks[-1].where) not in message  # only the first cells are named
    assert blank_row[col["处理决定"]] == "已处理 1 / 7 项" and blank_row[col["决定说明"]] == "原件即为空白"
    for rule in unsure_rules:
        members = [v for v in unsure if v.rule == rule]
        (row,) = [r for r in body if r[col["规则"]] == rule and r[col["结果"]] == "无法检查"]
        if len(members) > 1:
            assert str(row[col["位置"]]).startswith(f"{len(members)} 处：")
            assert f"{len(members)} 处无法核对" in str(row[col["说明"]])
            assert "该行有8个值" in str(row[col["说明"]])
    for v in real:  # errors and warnings stay one row each, with their own message
        assert sum(r[col["规则"]] == v.rule and r[col["说明"]] == v.message for r in body) == 1


def test_review_sheet_folds_the_same_way(tmp_path: Path) -> None:
    entry = folding_entry()
    path = tmp_path / "r.xlsx"
    write_report_workbook(entry, path)
    review = openpyxl.load_workbook(path)["审核情况"]
    rows = [r for r in review.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "规则") + 1
    findings = rows[start:]
    blank_rows = [r for r in findings if r[1] and str(r[1]).endswith("个空白单元格")]
    assert len(blank_rows) == 1 and blank_rows[0][1] == "7 个空白单元格" and "等 7 个" in str(blank_rows[0][4])
    failing_real = [v for v in entry.violations if v.status == "fail" and v.rule != "BLANK_CELL"]
    unsure_rules = {v.rule for v in entry.violations if v.status == "cannot_check"}
    assert len(findings) == 1 + len(unsure_rules) + len(failing_real)


def test_seed_summary_lists_one_row_per_problem(tmp_path: Path) -> None:
    from gikai_desk.extract import extract
    from tests.conftest import seed_path

    report = extract(seed_path("001"))
    violations = check(report)
    blanks = sum(v.rule == "BLANK_CELL" and v.status == "fail" for v in violations)
    unsure_rules = {v.rule for v in violations if v.status == "cannot_check"}
    others = sum(v.status == "fail" and v.rule != "BLANK_CELL" for v in violations)
    path = tmp_path / "s.xlsx"
    write_summary([SummaryEntry(file=report.file, report=report, error=None, violations=violations)], path)
    body = list(openpyxl.load_workbook(path)["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(body) == (1 if blanks else 0) + len(unsure_rules) + others < len(violations)
    if blanks:
        assert sum(r[8] == f"{blanks} 个空白单元格" for r in body) == 1


def test_summary_charts_and_statistics(tmp_path: Path) -> None:
    """汇总 carries native charts (findings by rule, by organ, review progress) over the 统计 sheet's tables."""
    entries = [make_entry(1, "2021"), make_entry(2, "2019", agency="乙局"),
               SummaryEntry(file="scan.pdf", report=None, error="no text layer", violations=[])]
    entries[1].status = "reviewed"
    path = tmp_path / "summary.xlsx"
    write_summary(entries, path)
    wb = openpyxl.load_workbook(path)
    assert len(wb["汇总"]._charts) == 3 and wb["汇总"].max_row == 2 + len(entries)  # charts add no rows
    assert len(wb["统计"]._charts) == 3
    titles = []
    for chart in wb["汇总"]._charts:
        runs = chart.title.tx.rich.p[0].r
        titles.append("".join(r.t for r in runs))
    assert titles[0] == "问题按规则" and titles[1].startswith("未处理问题按机关") and titles[2].startswith("审核进度")
    stats = [r for r in wb["统计"].iter_rows(values_only=True)]
    by_rule = {r[3]: (r[0], r[1], r[2], r[4]) for r in stats if r[3] in ("T3_ROW_TOTAL", "NARRATIVE_MISMATCH")}
    # each entry has one open T3_ROW_TOTAL error and one decided NARRATIVE_MISMATCH warning
    assert by_rule["T3_ROW_TOTAL"][1:] == (2, 0, 2) and by_rule["NARRATIVE_MISMATCH"][1:] == (0, 2, 2)
    organs = {r[0]: r for r in stats if r[0] in ("乙局", entries[0].report.agency)}  # type: ignore[union-attr]
    assert organs["乙局"][1:3] == (1, 0) and organs["乙局"][6] == "已审核"
    progress = {r[0]: r[1] for r in stats if r[0] in ("待审核", "审核中", "已审核", "退回")}
    assert progress == {"待审核": 1, "审核中": 1, "已审核": 1, "退回": 0}
    # the chart references the 统计 table it draws
    rule_chart = wb["统计"]._charts[0]
    ref = rule_chart.series[0].val.numRef.f
    assert ref.startswith("'统计'!$B$")


def test_summary_with_no_findings_still_charts_progress(tmp_path: Path) -> None:
    entry = SummaryEntry(file="scan.pdf", report=None, error="no text layer", violations=[])
    write_summary([entry], tmp_path / "s.xlsx")
    assert len(openpyxl.load_workbook(tmp_path / "s.xlsx")["汇总"]._charts) == 1


def test_summary_times_are_local_excel_dates_and_sheets_print(tmp_path: Path) -> None:
    import datetime as dt

    path = tmp_path / "summary.xlsx"
    write_summary([make_entry()], path)
    wb = openpyxl.load_workbook(path)
    issues = wb["问题清单"]
    header = [c.value for c in issues[1]]
    decided = next(r for r in issues.iter_rows(min_row=2) if r[header.index("规则")].value == "NARRATIVE_MISMATCH")
    when = decided[header.index("决定时间")]
    assert isinstance(when.value, dt.datetime) and when.is_date
    assert when.value == local_datetime("2024-03-01T10:05:00+08:00")
    audit = wb["修改记录"]
    assert isinstance(audit.cell(2, 10).value, dt.datetime)
    # wrapping cells are top-aligned and rows are tall enough for the 说明 text (no overprinting rows)
    message = decided[header.index("说明")]
    assert message.alignment.wrap_text and message.alignment.vertical == "top"
    long_row = next(r for r in issues.iter_rows(min_row=2) if r[header.index("规则")].value == "T3_ROW_TOTAL")
    assert long_row[0].alignment.vertical == "top"
    readme = wb["说明"]
    assert int(readme.page_setup.paperSize) == 9 and readme.sheet_properties.pageSetUpPr.fitToPage
    assert "说明" in readme.oddHeader.center.text and readme.oddFooter.center.text
    assert readme["B2"].alignment.wrap_text and readme.row_dimensions[2].height


def test_local_datetime_converts_the_stored_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert local_datetime("2024-03-01T02:00:00+00:00") == dt.datetime(2024, 3, 1, 10, 0, 0)
        assert local_time_text("2024-03-01T10:00:00+08:00") == "2024-03-01 10:00:00"
        assert local_datetime("not a time") is None and local_time_text("not a time") == "not a time"
    finally:
        monkeypatch.undo()
        time.tzset()
