"""The reviewer window's file work: 表四 as printed, Excel export and re-import, preferences, notes, English, batches."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QWidget,
)

from gikai_desk.formlayout import table_layout
from gikai_desk.gui.decision_dialog import DecisionDialog
from gikai_desk.gui.main_window import MainWindow
from tests.conftest import seed_path
from tests.test_gui import add_report, synthetic_report

pytestmark = pytest.mark.gui

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
T4_KEYS = table_layout("t4", "2021").keys


def when_modal(action: Callable[[QWidget], object]) -> None:
    """Run `action` on the modal dialog as soon as the event loop shows it (the dialog's exec() blocks)."""

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(10, act)
            return
        action(dialog)

    QTimer.singleShot(0, act)


# ---------------------------------------------------------------------------------------------- 表四


def test_table_four_is_three_rows_of_five_under_its_column_headings(window: MainWindow, qtmodeltester: object) -> None:
    """表四 folded: 行政复议 / 行政诉讼 → 未经复议直接起诉, 复议后起诉 as row labels, 结果维持 … 总计 as columns."""
    from gikai_desk.gui.models import KEY_ROLE

    add_report(window, synthetic_report({"t4.review.total": 3}))
    model, grid = window.grid_model, window.grid_view
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    positions = [model.index_of(k) for k in T4_KEYS]
    assert len(positions) == 15 and all(i.isValid() for i in positions)
    rows = sorted({i.row() for i in positions})
    assert len(rows) == 3 and rows == list(range(rows[0], rows[0] + 3))
    for n, row in enumerate(rows):
        assert [i.data(KEY_ROLE) for i in positions[5 * n : 5 * n + 5]] == list(T4_KEYS[5 * n : 5 * n + 5])
        assert [i.row() for i in positions[5 * n : 5 * n + 5]] == [row] * 5
    first = positions[0].column()
    headings = [model.index(rows[0] - 1, first + i).data() for i in range(5)]
    assert headings == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert model.index(rows[0], 0).data() == "行政复议"
    assert model.index(rows[1], 0).data() == "行政诉讼" and grid.rowSpan(rows[1], 0) == 2
    assert model.index(rows[1], 1).data() == "未经复议直接起诉"
    assert model.index(rows[2], 1).data() == "复议后起诉"


def test_grid_agrees_with_the_printed_layout_of_every_table(window: MainWindow) -> None:
    """Every table keeps its printed rows (表四: each printed column group is one grid row, in form order)."""
    add_report(window, synthetic_report({}))
    layout = window.grid_model.layout
    for table, variant in layout.variants.items():
        printed = table_layout(table, variant)
        by_row: dict[object, list[str]] = {}
        for key in printed.keys:
            group = key.split(".")[1] if table == "t4" else printed.position(key)[0]  # type: ignore[index]
            by_row.setdefault(group, []).append(key)
        for keys in by_row.values():
            assert layout.row_keys(layout.positions[keys[0]][0]) == keys
        header_texts = {c.text for c in printed.cells if c.kind == "header" and c.text}
        shown = {cell.text for r in range(len(layout.rows)) for cell in layout.rows[r] if cell.text}
        assert header_texts <= shown  # every heading of every table is in the grid (as a heading or a row label)


def test_arrows_and_tab_reach_all_fifteen_values_of_table_four(window: MainWindow, qtbot: object) -> None:
    add_report(window, synthetic_report({}))
    grid = window.grid_view
    grid.setFocus()
    window.select_cell(T4_KEYS[0])
    visited = [window.current_key()]
    labels_width = grid.frozen_labels.width()
    for n in range(3):
        for _ in range(4):
            qtbot.keyClick(grid, Qt.Key.Key_Right)  # type: ignore[attr-defined]
            visited.append(window.current_key())
            rect = grid.visualRect(grid.currentIndex())
            assert rect.left() >= labels_width - 1 and rect.right() <= grid.viewport().width()
        if n < 2:
            qtbot.keyClick(grid, Qt.Key.Key_Down)  # type: ignore[attr-defined]
            for _ in range(4):
                qtbot.keyClick(grid, Qt.Key.Key_Left)  # type: ignore[attr-defined]
            visited.append(window.current_key())
    assert visited == list(T4_KEYS)
    assert grid.horizontalScrollBar().value() == 0  # 表四 fits beside its labels: nothing scrolls sideways
    window.select_cell(T4_KEYS[0])
    qtbot.keyClick(grid, Qt.Key.Key_Tab)  # type: ignore[attr-defined]
    assert window.current_key() == T4_KEYS[1]
    qtbot.keyClick(grid, Qt.Key.Key_Up)  # type: ignore[attr-defined]
    key = window.current_key()
    assert key is not None and key.startswith("t3.")  # up leaves the headings for the table above


def test_a_pasted_line_of_fifteen_fills_table_four(window: MainWindow) -> None:
    add_report(window, synthetic_report({}))
    window.select_cell(T4_KEYS[0])
    assert window.paste_text("\t".join(str(n) for n in range(1, 16)))
    document = window.document
    assert document is not None
    assert [document.value(k) for k in T4_KEYS] == list(range(1, 16))


def test_row_tools_on_table_four_stay_within_one_form_row(window: MainWindow) -> None:
    values = {"t4.direct.upheld": 0, "t4.direct.corrected": 2, "t4.direct.other": 1, "t4.direct.pending": 0}
    add_report(window, synthetic_report({**values, "t4.direct.total": None, "t4.after_review.upheld": 7}))
    window.select_cell("t4.direct.upheld")
    window.actions_by_name["remove_cell"].trigger()
    document = window.document
    assert document is not None
    assert [document.value(k) for k in T4_KEYS[5:10]] == [2, 1, 0, None, None]
    assert document.value("t4.after_review.upheld") == 7  # the next form row did not move
    assert document.value("t4.review.total") == 0


# ---------------------------------------------------------------------------------------------- Excel


def test_export_summary_and_per_report_workbooks(window: MainWindow, tmp_path: Path) -> None:
    rid = add_report(window, synthetic_report({"t3.new.total": 6}))
    window.set_cells({"t3.new.natural": 6})
    assert window.is_modified() and "未导出" in window.windowTitle()
    assert "未导出" in window.modified_label.text()
    summary, folder = tmp_path / "汇总.xlsx", tmp_path / "per-report"
    assert window.export_excel(summary, folder)
    assert not window.is_modified() and "未导出" not in window.windowTitle()
    assert window.modified_label.text() == "无未导出的修改"

    book = openpyxl.load_workbook(summary)
    assert {"汇总", "问题清单", "修改记录", "说明"} <= set(book.sheetnames)
    assert book["汇总"].max_row >= 2 + len(window.store.reports()) - 1
    log = [[str(v) for v in row if v is not None] for row in book["修改记录"].iter_rows(values_only=True)]
    assert any("测试员" in " ".join(row) for row in log)
    files = sorted(folder.glob("*.xlsx"))
    mine = [f for f in files if f.name.startswith(f"{rid:04d}_")]
    assert len(mine) == 1
    report_book = openpyxl.load_workbook(mine[0])
    assert {"表二", "表三", "表四"} <= set(report_book.sheetnames)
    values = [c for row in report_book["表四"].iter_rows(values_only=True) for c in row if isinstance(c, int)]
    assert len(values) == 15


def _edit_workbook(path: Path, edits: dict[str, int]) -> None:
    """Change cells of a per-report workbook the way a clerk would in Excel (located by its _gikai key sheet)."""
    book = openpyxl.load_workbook(path)
    for key, sheet, cell, *_rest in book["_gikai"].iter_rows(min_row=3, values_only=True):
        if key in edits:
            book[str(sheet)][str(cell)].value = edits[key]
    book.save(path)


def test_import_excel_shows_differences_and_applies_them_undoably(window: MainWindow, tmp_path: Path) -> None:
    rid = add_report(window, synthetic_report({"t3.new.total": 6}))
    window.export_excel(None, tmp_path)
    (workbook,) = tmp_path.glob(f"{rid:04d}_*.xlsx")
    _edit_workbook(workbook, {"t3.new.total": 5, "t4.review.upheld": 2})
    changes = window.workbook_changes(workbook)
    assert sorted(changes) == [("t3.new.total", 6, 5), ("t4.review.upheld", 0, 2)]

    shown: list[int] = []

    def accept(dialog: QWidget) -> None:
        assert isinstance(dialog, QDialog) and dialog.objectName() == "importChangesDialog"
        shown.append(dialog.table.rowCount())  # type: ignore[attr-defined]
        dialog.accept()

    when_modal(accept)
    assert window.import_excel(workbook)
    assert shown == [2]
    document = window.document
    assert document is not None
    assert document.value("t3.new.total") == 5 and document.value("t4.review.upheld") == 2
    history = window.store.history(rid)
    assert {(c.key, c.reason) for c in history[-2:]} == {
        ("t3.new.total", f"imported from {workbook.name}"),
        ("t4.review.upheld", f"imported from {workbook.name}"),
    }
    assert window.is_modified()
    window.actions_by_name["undo"].trigger()
    assert document.value("t3.new.total") == 6 and document.value("t4.review.upheld") == 0
    assert window.workbook_changes(workbook)  # the workbook still differs after undo

    when_modal(lambda dialog: dialog.close())  # cancelled: nothing changes
    assert not window.import_excel(workbook)
    assert document.value("t3.new.total") == 6


# ---------------------------------------------------------------------------------------------- dialogs


def test_preferences_dialog_sets_reviewer_and_language(window: MainWindow) -> None:
    from gikai_desk.gui.i18n import install_language
    from gikai_desk.gui.preferences import PreferencesDialog

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, PreferencesDialog)
        dialog.reviewer_edit.setText("  李四 ")
        dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("en"))
        dialog.accept()

    try:
        when_modal(fill)
        window.actions_by_name["preferences"].trigger()
        assert window.preferences.reviewer == "李四"
        assert window.preferences.language == "en"
        assert window.actions_by_name["next_issue"].text() == "Next open issue"
        add_report(window, synthetic_report({"t3.new.total": 6}))
        window.set_cells({"t3.new.natural": 6})
        assert window.store.history(window.current_rid or 0)[-1].reviewer == "李四"

        def cancel(dialog: QWidget) -> None:
            assert isinstance(dialog, PreferencesDialog)
            dialog.reviewer_edit.setText("王五")
            dialog.reject()

        when_modal(cancel)
        window.actions_by_name["preferences"].trigger()
        assert window.preferences.reviewer == "李四"
    finally:
        window.preferences.reviewer = "测试员"
        window.preferences.language = "zh"
        install_language("zh")
        QApplication.processEvents()
    assert window.actions_by_name["next_issue"].text() == "下一个待处理问题"


@pytest.mark.parametrize(("action", "kind"), [("report_error", "report_error"), ("mark_resolved", "resolved")])
def test_note_prompts_record_the_decision_with_its_note(window: MainWindow, action: str, kind: str) -> None:
    add_report(window, synthetic_report({"t3.new.total": 6}))
    assert window.go_to_issue(1)
    violation = window.current_violation()
    assert violation is not None

    seen: dict[str, object] = {}

    def cancel(dialog: QWidget) -> None:
        if isinstance(dialog, DecisionDialog):  # (else left open: the assertion below says what was shown)
            seen["finding"] = dialog.findChild(QLabel, "decisionFinding").text()
            seen["ok_when_empty"] = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
        dialog.reject()

    when_modal(cancel)
    window.actions_by_name[action].trigger()
    document = window.document
    assert document is not None and violation.ident not in document.decisions
    assert violation.message in str(seen["finding"])  # the dialog names the finding
    assert seen["ok_when_empty"] is False  # a decision needs a reason
    assert not window.decide_current_issue(kind, "  ")  # type: ignore[arg-type]

    def answer(dialog: QWidget) -> None:
        if isinstance(dialog, DecisionDialog):
            dialog.reason.setText("原表如此，已电话告知")
            dialog.accept()
        else:
            dialog.reject()

    when_modal(answer)
    window.actions_by_name[action].trigger()
    decision = document.decisions[violation.ident]
    assert (decision.kind, decision.note) == (kind, "原表如此，已电话告知")
    assert window.store.decisions(document.rid)[violation.ident].note == "原表如此，已电话告知"
    window.actions_by_name["undo"].trigger()
    assert violation.ident not in document.decisions


# ---------------------------------------------------------------------------------------------- English


def _visible_texts(main: MainWindow) -> list[tuple[str, str]]:
    """(where, text) of every interface string: menus, actions, docks, labels, buttons, fields, headers."""
    out: list[tuple[str, str]] = [("title", main.windowTitle())]
    for menu in main.findChildren(QMenu):
        out.append((f"menu {menu.objectName()}", menu.title()))
    for action in main.findChildren(type(main.actions_by_name["undo"])):
        out += [(f"action {action.objectName()}", action.text()), ("tooltip", action.toolTip())]
    for dock in main.findChildren(QDockWidget):
        out.append((f"dock {dock.objectName()}", dock.windowTitle()))
    for widget in main.findChildren(QWidget):
        where = f"{type(widget).__name__} {widget.objectName()}"
        if widget.toolTip():
            out.append((where + " tooltip", widget.toolTip()))
        if isinstance(widget, QLabel | QAbstractButton):
            out.append((where, widget.text()))
        if isinstance(widget, QLineEdit):
            out.append((where + " placeholder", widget.placeholderText()))
        if isinstance(widget, QComboBox):
            out += [(where, widget.itemText(i)) for i in range(widget.count())]
    for model in (main.queue_model, main.issue_model, main.history_model):
        for section in range(model.columnCount()):
            out.append((type(model).__name__, str(model.headerData(section, Qt.Orientation.Horizontal))))
    return out


def test_english_covers_every_interface_string(window: MainWindow, tmp_path: Path) -> None:
    from gikai_desk.gui import create_main_window
    from gikai_desk.gui.i18n import install_language

    fresh = create_main_window(tmp_path / "empty.gikai")  # no report: no document text anywhere
    try:
        fresh.source_pane.search_bar.open_bar()
        fresh.set_review_status("returned")  # harmless without a report
        install_language("en")
        QApplication.processEvents()
        chinese = [(where, text) for where, text in _visible_texts(fresh) if CJK.search(text)]
        assert chinese == []
        assert fresh.modified_label.text() == "No changes since the last Excel export"
        assert fresh.windowTitle().startswith("Disclosure report review")
    finally:
        install_language("zh")
        QApplication.processEvents()
        fresh.close()
        fresh.store.close()


def test_every_interface_string_has_an_english_entry() -> None:
    from gikai_desk.gui.i18n import load_table

    english = load_table("en")
    literal = re.compile(r'\b(?:tr|_t)\(\s*"([^"]*)"')
    gui = Path(__file__).resolve().parents[1] / "gikai_desk" / "gui"
    missing = {
        (path.name, text)
        for path in gui.glob("*.py")
        for text in literal.findall(path.read_text(encoding="utf-8"))
        if text not in english
    }
    assert missing == set()


def test_a_missing_translation_falls_back_to_the_source_text(qapp: QApplication) -> None:
    from PySide6.QtCore import QCoreApplication

    from gikai_desk.gui.i18n import DictTranslator

    translator = DictTranslator({"审核": "Review"})
    QCoreApplication.installTranslator(translator)
    try:
        assert QCoreApplication.translate("gikai", "审核") == "Review"
        assert QCoreApplication.translate("gikai", "没有译文的句子") == "没有译文的句子"
    finally:
        QCoreApplication.removeTranslator(translator)


# ---------------------------------------------------------------------------------------------- batches


def test_twenty_files_open_without_blocking_the_window(window: MainWindow, tmp_path: Path, seeds_dir: Path) -> None:
    sources = sorted(seed_path(p) for p in ("000", "001", "002", "003", "004"))
    for copy in range(4):
        for source in sources:
            # each copy differs by a trailing line: identical files are deliberately not queued twice
            (tmp_path / f"{copy}_{source.name}").write_bytes(source.read_bytes() + f"\ncopy {copy}\n".encode())
    before = window.queue_model.rowCount()
    progress: list[int] = []
    heartbeats: list[int] = []
    window.progress.valueChanged.connect(progress.append)
    timer = QTimer()
    timer.setInterval(0)  # fires on every pass of the event loop
    timer.timeout.connect(lambda: heartbeats.append(window.progress.value()))
    timer.start()
    try:
        window.open_paths([tmp_path])
        assert window.progress.isVisible() and window.progress.maximum() == 20
        assert window.wait_idle(120_000)
    finally:
        timer.stop()
        window.progress.valueChanged.disconnect(progress.append)
    assert window.queue_model.rowCount() == before + 20
    assert progress[-1] == 20 and len(set(progress)) >= 10  # the bar moved file by file
    assert any(0 < value < 20 for value in heartbeats)  # the event loop ran while files were still parsing
    assert not window.progress.isVisible()
