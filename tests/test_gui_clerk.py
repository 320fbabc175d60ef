"""The reviewer window under a hurried clerk: messy folders, two windows, closing mid-parse, small screens."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gikai_desk.gui.main_window import MainWindow
from gikai_desk.workspace import Workspace
from tests.conftest import seed_path
from tests.test_gui import add_report, synthetic_report, type_into_cell, value_at
from tests.test_pdf import make_pdf

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("active_window")]

ROOT = Path(__file__).resolve().parents[1]


def messages(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


def distinct_copy(source: Path, target: Path, tag: str) -> Path:
    """A copy of a report differing by a trailing line (identical files are queued once)."""
    target.write_bytes(source.read_bytes() + f"\n{tag}\n".encode())
    return target


# ------------------------------------------------------------------------------------------- opening


def test_messy_folder_is_queued_once_with_reasons(window: MainWindow, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    good = seed_path("000")
    (folder / good.name).write_bytes(good.read_bytes())
    (folder / "copy-of-000.txt").write_bytes(good.read_bytes())  # the same report under another name
    (folder / seed_path("002").name).write_bytes(seed_path("002").read_bytes())
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.pdf").write_bytes(bytes(range(256)) * 8)
    junk = io.BytesIO()
    with zipfile.ZipFile(junk, "w") as archive:
        archive.writestr("junk.bin", bytes(range(200)))
    (folder / "junk.docx").write_bytes(junk.getvalue())
    (folder / "locked.pdf").write_bytes(make_pdf(["BT /F1 10 Tf 50 700 Td (x) Tj ET"], encrypt=True))
    (folder / "old.doc").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504))  # legacy Word: say so
    before = window.queue_model.rowCount()

    window.open_paths([folder])
    assert window.wait_idle(60_000)
    assert window.queue_model.rowCount() == before + 7  # 2 reports + 5 unreadable; the copy is not queued
    assert "copy-of-000.txt" in messages(window) and "未重复添加" in messages(window)
    added = [s.file for s in window.store.reports()][-7:]
    assert added == sorted(p.name for p in folder.iterdir() if p.name != "copy-of-000.txt")  # folder order
    for name in ("empty.txt", "binary.pdf", "junk.docx", "locked.pdf", "old.doc"):
        (summary,) = [s for s in window.store.reports() if s.file == name]
        assert summary.error
        row = window.queue_model.row_of(summary.id)
        assert summary.error in str(window.queue_model.index(row, 1).data())  # where the organ would be
        assert window.queue_model.index(row, 4).data() == "无法读取"

    window.open_paths([folder])  # the same folder again, by mistake
    assert window.wait_idle(60_000)
    assert window.queue_model.rowCount() == before + 7
    assert "未重复添加" in messages(window)


def test_switching_report_while_parsing_keeps_the_reviewer_there(window: MainWindow, tmp_path: Path) -> None:
    first = add_report(window, synthetic_report({"t3.new.total": 6}))
    files = [distinct_copy(seed_path(p), tmp_path / f"{p}.txt", "switch") for p in ("001", "003")]
    window.open_paths(files)
    assert not window.is_idle()  # results reach the window only through its event loop
    second = add_report(window, synthetic_report({"t3.new.total": 7}))  # the clerk clicks another report
    assert window.wait_idle(60_000)
    assert window.current_rid == second != first

    window.open_paths([distinct_copy(seed_path("004"), tmp_path / "004.txt", "switch")])
    assert window.wait_idle(60_000)
    assert window.current_rid != second  # untouched during the batch: the new report is shown


# ------------------------------------------------------------------------------------------ one batch


def test_second_window_on_the_same_workspace_is_refused(
    window: MainWindow, settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gikai_desk.gui import create_main_window
    from gikai_desk.gui.domain import WorkspaceInUseError

    path = tmp_path / "shared.gikai"
    first = create_main_window(path)
    try:
        with pytest.raises(WorkspaceInUseError, match="已在另一个窗口或程序中打开") as refused:
            create_main_window(path)
        assert str(path) in str(refused.value)
        probe = (
            "import sys; from pathlib import Path; from gikai_desk.gui.domain import lock_workspace, "
            "WorkspaceInUseError\ntry:\n    lock_workspace(Path(sys.argv[1]))\nexcept WorkspaceInUseError as e:\n"
            "    print(e); sys.exit(3)"
        )
        other = subprocess.run(
            [sys.executable, "-c", probe, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert other.returncode == 3 and "pid" in other.stdout  # another process is refused too
        assert "（gikai-desk，进程 pid " in other.stdout and "python" not in other.stdout.split("：")[0]

        warnings: list[str] = []
        monkeypatch.setattr(
            "gikai_desk.gui.main_window.QMessageBox.warning", lambda _p, _t, text: warnings.append(text)
        )
        own = window.store.path
        assert not window.switch_workspace(path, create=False)
        assert window.store.path == own and warnings and "已在另一个窗口" in warnings[0]
    finally:
        first.close()
        first.store.close()
    again = create_main_window(path)  # closing the first window released the workspace
    again.close()
    again.store.close()


def test_closing_during_a_parse_loses_nothing(settings: None, tmp_path: Path, qtbot: object) -> None:
    from gikai_desk.gui import create_main_window

    path = tmp_path / "closing.gikai"
    main = create_main_window(path)
    main.preferences.reviewer = "测试员"
    main.show()
    rid = add_report(main, synthetic_report({"t3.new.total": 6}))
    main.set_cells({"t3.new.total": 5})
    main.grid_view.setFocus()
    assert main.select_cell("t3.granted.total")
    qtbot.keyClicks(main.grid_view, "4")  # type: ignore[attr-defined]  # still typing when the window is closed
    assert main._cell_editor() is not None
    files = [distinct_copy(seed_path(p), tmp_path / f"{p}.txt", "close") for p in ("000", "001", "002")]
    main.open_paths(files)
    assert not main.is_idle()
    main.close()  # waits for the parser threads and stores what they read
    assert main.is_idle()
    main.store.close()

    with Workspace.open(path) as store:
        assert len(store.reports()) == 4
        report = store.report(rid)
        assert report is not None and report.value("t3.new.total") == 5 and report.value("t3.granted.total") == 4
    reopened = create_main_window(path)
    assert reopened.queue_model.rowCount() == 4
    reopened.close()
    reopened.store.close()


# -------------------------------------------------------------------------------------------- editing


def test_undo_acts_on_the_shown_report_and_says_so(window: MainWindow, qtbot: object) -> None:
    edited = add_report(window, synthetic_report({"t3.new.total": 6}))
    window.set_cells({"t3.new.total": 5})
    add_report(window, synthetic_report({"t3.new.total": 8}))
    grid = window.grid_view
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert "只作用于当前报告" in messages(window)
    edited_report = window.store.report(edited)
    assert edited_report is not None and edited_report.value("t3.new.total") == 5  # not undone behind the back
    assert value_at(window, "t3.new.total") == "8"

    window.select_report(edited)
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.total") == "6"
    assert messages(window).startswith("已撤销")


def test_paste_past_the_last_column_and_chinese_text(window: MainWindow) -> None:
    add_report(window, synthetic_report({}))
    layout = window.grid_model.layout
    row = window.grid_model.index_of("t3.new.total").row()
    last = layout.row_keys(row)[-1]
    assert window.select_cell(last)
    assert window.paste_text("\t".join(str(n) for n in range(1, 21)))
    assert value_at(window, last) == "1"
    assert "19" in messages(window) and "未粘贴" in messages(window)

    first = layout.row_keys(row)[0]
    assert window.select_cell(first)
    assert window.paste_text("3\t—\t5件")  # a row copied from a published table: a dash is an empty cell
    keys = layout.row_keys(row)
    assert [value_at(window, k) for k in keys[:3]] == ["3", "", "5"]
    assert not window.paste_text("7\t三件")  # text among the numbers: nothing is pasted
    assert value_at(window, first) == "3"
    assert "不是数字" in messages(window)


def test_correcting_a_cell_of_a_kept_finding_says_the_decision_stays(window: MainWindow) -> None:
    rid = add_report(window, synthetic_report({"t3.new.total": 6}))
    row = window.issue_model.row_of("T3_ROW_TOTAL@new")
    window.issue_view.setCurrentIndex(window.issue_model.index(row, 0))
    assert window.decide_current_issue("report_error", "原文如此")
    window.set_cells({"t3.new.total": 5})
    assert "报告错误" in messages(window) and "撤回决定" in messages(window)
    assert "T3_ROW_TOTAL@new" in window.store.decisions(rid)


def test_unsure_cells_are_visited_by_f8_and_confirmed_by_typing(window: MainWindow, qtbot: object) -> None:
    add_report(window, synthetic_report({}))  # lays the grid out
    key = window.grid_model.layout.row_keys(  # the first value of 表二: no rule covers it, so no finding either
        next(r for r in range(window.grid_model.rowCount()) if window.grid_model.layout.row_keys(r))
    )[0]
    rid = add_report(window, synthetic_report({}, unsure=(key,)))
    assert not window.document.violations_of(key)  # type: ignore[union-attr]
    grid = window.grid_view
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_F8)  # type: ignore[attr-defined]
    assert window.current_key() == key
    assert "1/1" in messages(window) and "解析存疑" in messages(window)

    type_into_cell(qtbot, grid, value_at(window, key))  # the same value: the reading is confirmed
    qtbot.waitUntil(lambda: window.store.summary(rid).unsure == 0)  # type: ignore[attr-defined]
    cell = window.document.cell(key)  # type: ignore[union-attr]
    assert cell is not None and cell.settled
    assert window.store.summary(rid).unsure == 0
    assert window.store.history(rid)[-1].key == key
    assert window.store.history(rid)[-1].reason == "确认解析存疑的读数"
    window._on_undo_triggered()
    cell = window.document.cell(key)  # type: ignore[union-attr]
    assert cell is not None and not cell.settled

    assert window.select_cell(key)
    qtbot.keyClick(  # type: ignore[attr-defined]
        grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    cell = window.document.cell(key)  # type: ignore[union-attr]
    assert cell is not None and cell.settled
    assert window.queue_model.index(window.queue_model.row_of(rid), 7).data() == 0


# --------------------------------------------------------------------------------------------- layout


def test_small_window_keeps_the_grid_usable(window: MainWindow) -> None:
    from gikai_desk.gui.form_grid import LABEL_COLUMNS
    from gikai_desk.gui.grid_view import VALUE_COLUMN_WIDTH

    add_report(window, synthetic_report({}))
    try:
        window.resize(1024, 700)
        QApplication.processEvents()
        QApplication.processEvents()
        assert window.queue_dock.width() <= 1024 // 4
        assert window.issue_dock.height() <= 700 // 3
        labels = sum(window.grid_view.columnWidth(c) for c in range(LABEL_COLUMNS))
        assert window.grid_view.viewport().width() >= labels + 2 * VALUE_COLUMN_WIDTH
    finally:
        window.resize(1500, 900)
        QApplication.processEvents()


def test_switching_to_english_and_back(window: MainWindow) -> None:
    from gikai_desk.gui.i18n import install_language

    try:
        install_language("en")
        window.retranslate()
        assert window.actions_by_name["confirm_cells"].text().startswith("Confirm")
    finally:
        install_language("zh")
        window.retranslate()
    assert window.actions_by_name["confirm_cells"].text() == "确认存疑单元格的读数"


def test_missing_table_and_empty_issue_list_are_spelled_out(window: MainWindow) -> None:
    report = synthetic_report({})
    report.forms.pop("t2")
    report.cells = {k: c for k, c in report.cells.items() if not k.startswith("t2.")}
    add_report(window, report)
    banner = window.missing_tables_label
    assert banner.isVisibleTo(window) and "二、主动公开政府信息情况" in banner.text()
    # the rules report the missing table too (MISSING_TABLE), so it counts as one open issue
    assert "1 个待处理" in window.issue_dock.windowTitle()
    assert "2021年度" in window.report_title.text()

    add_report(window, synthetic_report({"t3.new.total": 6}))
    assert not banner.isVisibleTo(window)
    assert "个待处理" in window.issue_dock.windowTitle()
    window.set_cells({"t3.new.total": 5})
    assert "未发现问题" in window.issue_dock.windowTitle()  # the title follows the edits


def test_leaving_a_report_keeps_what_was_half_typed(window: MainWindow, qtbot: object) -> None:
    first = add_report(window, synthetic_report({"t3.new.total": 6}))
    second = add_report(window, synthetic_report({"t3.new.total": 8}))
    window.select_report(first)
    grid = window.grid_view
    grid.setFocus()
    assert window.select_cell("t3.new.total")
    qtbot.keyClicks(grid, "5")  # type: ignore[attr-defined]  # the editor is open, Enter not pressed yet
    editor = window._cell_editor()
    assert editor is not None
    qtbot.keyClick(editor, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert window.current_rid == second
    left = window.store.report(first)
    assert left is not None and left.value("t3.new.total") == 5

    window.select_report(first)
    window.note_edit.setFocus()
    qtbot.keyClicks(window.note_edit, "note")  # type: ignore[attr-defined]  # typed, Enter not pressed
    qtbot.keyClick(window.note_edit, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert window.current_rid == second
    assert window.store.summary(first).note == "note"
    assert window.store.summary(second).note == "" and window.note_edit.text() == ""


def test_next_report_at_the_end_of_the_queue_says_it_wrapped(window: MainWindow) -> None:
    add_report(window, synthetic_report({"t3.new.total": 6}))
    last = add_report(window, synthetic_report({"t3.new.total": 9}))
    assert window.queue_view.currentIndex().row() == window.queue_filter.rowCount() - 1
    assert window.go_to_next_report()
    assert window.current_rid != last
    assert "从头继续" in messages(window)


def test_a_number_too_large_for_the_workspace_is_refused_whole(window: MainWindow, qtbot: object) -> None:
    rid = add_report(window, synthetic_report({}))
    depth = window.stacks[rid].count()
    assert window.select_cell("t3.new.natural")
    before = value_at(window, "t3.new.natural")
    assert not window.paste_text("7\t99999999999999999999")
    assert "无法修改" in messages(window) and "too large" in messages(window)
    report = window.store.report(rid)
    assert report is not None and str(report.value("t3.new.natural")) == before  # nothing half-written
    assert window.stacks[rid].count() == depth  # and nothing to undo

    grid = window.grid_view
    grid.setFocus()
    type_into_cell(qtbot, grid, "1" + "0" * 18)
    qtbot.waitUntil(lambda: "无法修改" in messages(window))  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.natural") == before and window.stacks[rid].count() == depth


def test_clicking_a_row_label_selects_its_values_so_typing_lands_somewhere(
    window: MainWindow, qtbot: object
) -> None:
    add_report(window, synthetic_report({}))
    model, grid = window.grid_model, window.grid_view
    row = model.index_of("t3.granted.natural").row()
    keys = model.layout.row_keys(row)
    label = model.index(row, 2)
    assert model.key(label) is None
    grid.scrollTo(model.index_of(keys[0]))
    frozen = grid.frozen_labels
    qtbot.mouseClick(  # type: ignore[attr-defined]
        frozen.viewport(), Qt.MouseButton.LeftButton, pos=frozen.visualRect(label).center()
    )
    assert window.current_key() == keys[0]
    assert set(window.selected_keys()) == set(keys)
    type_into_cell(qtbot, grid, "7")
    qtbot.waitUntil(lambda: value_at(window, keys[0]) == "7")  # type: ignore[attr-defined]
