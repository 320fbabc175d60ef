"""The reviewer window: models, Excel-like editing, undo, issues, decisions, row tools, the seeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from gikai_desk.forms import formbook
from gikai_desk.model import Cell, Report
from tests.conftest import seed_path

pytestmark = pytest.mark.gui

FORMS = {"t2": "2021", "t3": "2021", "t4": "2021"}
CONSISTENT = {
    "t3.new.natural": 5,
    "t3.new.total": 5,
    "t3.granted.natural": 3,
    "t3.granted.total": 3,
    "t3.unable_no_info.natural": 2,
    "t3.unable_no_info.total": 2,
    "t3.total.natural": 5,
    "t3.total.total": 5,
}


def synthetic_report(overrides: dict[str, int | None], unsure: tuple[str, ...] = ()) -> Report:
    """A 2021-form report: every cell 0 unless given; its text holds one line per cell with the value."""
    lines: list[str] = ["示例机关2021年政府信息公开工作年度报告"]
    cells: dict[str, Cell] = {}
    offset = len(lines[0]) + 1
    for key in formbook().all_keys(FORMS):
        value = overrides.get(key, CONSISTENT.get(key, 0))
        raw = "" if value is None else str(value)
        prefix = f"{key}："
        line = prefix + raw
        start = offset + len(prefix)
        spans = [(start, start + len(raw))] if raw else []
        cells[key] = Cell(
            key=key,
            value=value,
            parsed=value,
            raw=raw,
            spans=spans,
            sure=key not in unsure,
            flag="解析存疑" if key in unsure else None,
        )
        lines.append(line)
        offset += len(line) + 1
    return Report(
        file="synthetic.txt",
        text="\n".join(lines),
        template="2021",
        forms=dict(FORMS),
        year=2021,
        agency="示例机关",
        cells=cells,
    )


@pytest.fixture(scope="module")
def window(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    settings_dir = tmp_path_factory.mktemp("settings")
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(settings_dir))
    from gikai_desk.gui import create_main_window

    main = create_main_window(tmp_path_factory.mktemp("ws") / "test.gikai")
    main.preferences.reviewer = "测试员"
    main.show()
    main.activateWindow()
    QApplication.processEvents()
    yield main
    main.close()
    main.store.close()


def add_report(window: object, report: Report) -> int:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    rid = window.store.add_document(report.file, report.text.encode("utf-8"), report, None)
    window.queue_model.upsert(window.store.summary(rid))
    window.select_report(rid)
    return rid


def type_into_cell(qtbot: object, grid: object, text: str) -> None:
    """Type over the current cell (the editor opens on the first key) and press Enter in the editor."""
    qtbot.keyClicks(grid, text[0] if text.isascii() else "0")  # type: ignore[attr-defined]
    editor = grid.focusWidget()  # type: ignore[attr-defined]
    assert editor is not None and editor.objectName() == "cellEditor"
    if text.isascii():
        qtbot.keyClicks(editor, text[1:])  # type: ignore[attr-defined]
    else:  # QTest types ASCII only; full-width text arrives like an input method's commit
        editor.setText(text)
    assert editor.text() == text
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # type: ignore[attr-defined]
    QApplication.processEvents()  # the delegate commits and closes the editor in a queued call


def value_at(window: object, key: str) -> str:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    return str(window.grid_model.index_of(key).data())


def idents(window: object) -> set[str]:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    assert window.document is not None
    return {v.ident for v in window.document.violations if v.status == "fail"}


def test_models_pass_qtmodeltester(window: object, qtmodeltester: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({"t3.new.total": 6}))
    window.history_model.set_history(
        window.store.history(window.current_rid or 0), window.document.report if window.document else None
    )
    for model in (
        window.grid_model,
        window.queue_model,
        window.queue_filter,
        window.issue_model,
        window.history_model,
    ):
        qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_grid_shows_form_layout_and_keys(window: object) -> None:
    from gikai_desk.gui.main_window import MainWindow
    from gikai_desk.gui.models import KEY_ROLE

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({"t3.deny_secret.natural": None}))
    model = window.grid_model
    index = model.index_of("t3.granted.natural")
    assert index.data(KEY_ROLE) == "t3.granted.natural"
    assert index.data() == "3"
    assert model.index_of("t3.deny_secret.natural").data() == ""  # blank stays blank, not 0
    assert int(index.data(Qt.ItemDataRole.TextAlignmentRole)) & int(Qt.AlignmentFlag.AlignRight)
    texts = {model.index(r, c).data() for r in range(model.rowCount()) for c in range(3)}
    assert {"三、本年度办理结果", "（三）不予公开", "1.属于国家秘密", "第二十条第（一）项"} <= texts
    grid = window.grid_view
    row = index.row()
    assert grid.columnSpan(model.index_of("t3.deny_secret.natural").row(), 2) == 1
    assert grid.rowSpan(row, 0) > 10  # 三、本年度办理结果 merged down its rows


def test_keyboard_editing_loop_with_undo_redo(window: object, qtbot: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({"t3.new.total": 6}))
    assert "T3_ROW_TOTAL@new" in idents(window)
    grid = window.grid_view
    grid.setFocus()
    window.select_cell("t3.new.total")
    type_into_cell(qtbot, grid, "5")
    qtbot.waitUntil(lambda: value_at(window, "t3.new.total") == "5")  # type: ignore[attr-defined]
    assert window.current_key() == "t3.carried_in.total"  # Enter moved down
    assert "T3_ROW_TOTAL@new" not in idents(window)
    assert window.isWindowModified()
    history = window.store.history(window.current_rid or 0)
    assert history[-1].key == "t3.new.total" and history[-1].new == 5 and history[-1].reviewer == "测试员"

    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.total") == "6"
    assert "T3_ROW_TOTAL@new" in idents(window)
    assert not window.isWindowModified()
    qtbot.keyClick(grid, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.total") == "5"
    qtbot.keyClick(
        grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.total") == "5"  # nothing left to redo
    qtbot.keyClick(grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.total") == "6"

    # F8 goes to an open issue and selects its cells
    qtbot.keyClick(grid, Qt.Key.Key_F8)  # type: ignore[attr-defined]
    violation = window.current_violation()
    assert violation is not None and violation.status == "fail"
    assert window.current_key() in violation.cells
    selected = set(window.selected_keys())
    assert set(violation.cells) <= selected
    first = violation.ident
    qtbot.keyClick(grid, Qt.Key.Key_F8)  # type: ignore[attr-defined]
    qtbot.keyClick(grid, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)  # type: ignore[attr-defined]
    assert window.current_violation() is not None and window.current_violation().ident == first  # type: ignore[union-attr]


def test_typing_full_width_and_separators_and_refusing_text(window: object, qtbot: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({}))
    grid = window.grid_view
    grid.setFocus()
    window.select_cell("t2.fees.amount")
    type_into_cell(qtbot, grid, "１，２３４.５")
    qtbot.waitUntil(lambda: value_at(window, "t2.fees.amount") == "1234.5")  # type: ignore[attr-defined]
    window.select_cell("t3.new.natural")
    type_into_cell(qtbot, grid, "abc")
    qtbot.waitUntil(lambda: "不是数字" in window.statusBar().currentMessage())  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.natural") == "5"
    editor = grid.focusWidget()  # the editor stays open with the refused text, for the reviewer to fix
    assert editor is not None and editor.objectName() == "cellEditor" and editor.text() == "abc"  # type: ignore[attr-defined]
    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # type: ignore[attr-defined]
    window.select_cell("t3.new.natural")
    qtbot.keyClick(grid, Qt.Key.Key_Delete)  # type: ignore[attr-defined]
    assert value_at(window, "t3.new.natural") == ""
    assert window.document is not None and window.document.value("t3.new.natural") is None


def test_paste_a_row_fills_cells_to_the_right_in_one_undo_step(window: object, qtbot: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({}))
    grid = window.grid_view
    grid.setFocus()
    window.select_cell("t3.carried_in.natural")
    QGuiApplication.clipboard().setText("1\t2\t3\r\n")
    qtbot.keyClick(grid, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # type: ignore[attr-defined]
    assert [value_at(window, f"t3.carried_in.{c}") for c in ("natural", "commercial", "research", "ngo")] == [
        "1",
        "2",
        "3",
        "0",
    ]
    assert not window.paste_text("７ 1,000 -2")  # a count cannot be negative: nothing of the row is taken
    assert window.paste_text("７ 1,000 ＋2")
    assert [value_at(window, f"t3.carried_in.{c}") for c in ("natural", "commercial", "research")] == [
        "7",
        "1000",
        "2",
    ]
    assert not window.paste_text("4 x 5")
    assert value_at(window, "t3.carried_in.natural") == "7"
    window._on_undo_triggered()
    window._on_undo_triggered()
    assert [value_at(window, f"t3.carried_in.{c}") for c in ("natural", "commercial", "research")] == [
        "0"
    ] * 3
    window.select_cell("t3.granted.natural")
    window.grid_view.selectionModel().select(
        window.grid_model.index_of("t3.granted.total"), window.grid_view.selectionModel().SelectionFlag.Select
    )
    assert window.copy_text().split("\t")[0] == "3"


def test_decisions_survive_rechecks_and_undo(window: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    rid = add_report(window, synthetic_report({"t4.review.total": 3}))
    row = window.issue_model.row_of("T4_TOTAL@review")
    assert row >= 0
    rule_where = window.issue_model.index(row, 0).data(Qt.ItemDataRole.UserRole)
    assert rule_where == ("T4_TOTAL", "review")
    window.issue_view.setCurrentIndex(window.issue_model.index(row, 0))
    assert window.current_key() in {"t4.review.total", "t4.review.upheld"}
    assert window.decide_current_issue("report_error", "报告原文如此")
    assert window.store.decisions(rid)["T4_TOTAL@review"].note == "报告原文如此"
    window.set_cells({"t4.direct.upheld": 1})  # a re-check of other rules keeps the decision
    assert "T4_TOTAL@review" in window.document.decisions  # type: ignore[union-attr]
    status = window.issue_model.index(window.issue_model.row_of("T4_TOTAL@review"), 4).data()
    assert "保留原值" in status
    assert not window.issue_model.is_open(window.issue_model.row_of("T4_TOTAL@review"))
    window._on_undo_triggered()
    window._on_undo_triggered()
    assert "T4_TOTAL@review" not in window.store.decisions(rid)


def test_apply_suggested_value_and_row_tools(window: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(
        window,
        synthetic_report(
            {"t3.carried_out.natural": None, "t3.carried_out.commercial": 4, "t3.carried_out.total": None}
        ),
    )
    row = window.issue_model.row_of("T3_ROW_TOTAL@carried_out")
    assert row >= 0
    window.issue_view.setCurrentIndex(window.issue_model.index(row, 0))
    violation = window.current_violation()
    assert violation is not None and violation.target == "t3.carried_out.total"
    # the row total wants 4 there, but then the balance of the 总计 column fails: no value is offered
    before = window.document.value("t3.carried_out.total")  # type: ignore[union-attr]
    assert not window.apply_suggested()
    message = window.statusBar().currentMessage()
    assert "收支平衡" in message and "不提供建议值" in message
    assert window.document.value("t3.carried_out.total") == before  # type: ignore[union-attr]
    # the commercial value belongs one column left: shift the row's values left from the blank cell
    window.select_cell("t3.carried_out.natural")
    window._on_remove_cell_triggered()
    assert value_at(window, "t3.carried_out.natural") == "4"
    assert value_at(window, "t3.carried_out.other_org") == ""
    window._on_undo_triggered()
    assert value_at(window, "t3.carried_out.commercial") == "4"
    window.select_cell("t3.carried_out.natural")
    window._on_insert_blank_triggered()
    assert value_at(window, "t3.carried_out.natural") == ""
    assert value_at(window, "t3.carried_out.research") == "4"


def test_source_and_grid_follow_each_other(window: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({"t3.new.natural": 12}))
    document = window.document
    assert document is not None
    cell = document.cell("t3.new.natural")
    assert cell is not None
    window.select_cell("t3.new.natural")
    assert window.source_view.highlighted_spans() == cell.spans
    assert "“12”" in window.provenance_label.text()
    window.select_cell("t3.granted.natural")
    window.source_view.clickedAt.emit(cell.spans[0][0] + 1)
    assert window.current_key() == "t3.new.natural"
    window.source_view.clickedAt.emit(2)  # in the title: fed no cell
    assert "没有填入" in window.statusBar().currentMessage()
    # take the number under the cursor into the selected cell
    window.select_cell("t3.granted.commercial")
    assert window.take_number_at(cell.spans[0][0])
    assert value_at(window, "t3.granted.commercial") == "12"


def test_unsure_cells_are_marked_and_queue_filters(window: object) -> None:
    from gikai_desk.gui import document as cellstate
    from gikai_desk.gui.main_window import MainWindow
    from gikai_desk.gui.models import STATE_ROLE, ReportQueueModel

    assert isinstance(window, MainWindow)
    add_report(window, synthetic_report({}, unsure=("t4.review.upheld",)))
    index = window.grid_model.index_of("t4.review.upheld")
    assert int(index.data(STATE_ROLE)) & cellstate.UNSURE
    rid = add_report(window, synthetic_report({"t3.new.total": 9}))
    window.queue_filter.set_errors_only(True)
    shown = {
        window.queue_filter.index(r, 0).data(Qt.ItemDataRole.UserRole)
        for r in range(window.queue_filter.rowCount())
    }
    assert rid in shown
    for r in range(window.queue_filter.rowCount()):
        assert int(window.queue_filter.index(r, ReportQueueModel.ERRORS).data()) > 0
    window.queue_filter.set_errors_only(False)
    summary = window.queue_model.summary(rid)
    assert summary is not None and summary.errors >= 1 and summary.status == "in_review"


def test_unreadable_file_is_queued_with_its_reason(window: object, tmp_path: Path) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 not really a pdf \x00\x01")
    before = window.queue_model.rowCount()
    window.open_paths([bad])
    assert window.wait_idle(30000)
    assert window.queue_model.rowCount() == before + 1
    summaries = [s for s in window.store.reports() if s.file == "broken.pdf"]
    assert summaries and summaries[0].error
    row = window.queue_model.row_of(summaries[0].id)
    assert summaries[0].error in str(window.queue_model.index(row, 1).data())  # where the organ would be
    assert window.queue_model.index(row, 4).data() == "无法读取"


def test_english_interface(window: object) -> None:
    from gikai_desk.gui.i18n import install_language
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    try:
        install_language("en")
        QApplication.processEvents()
        assert window.actions_by_name["next_issue"].text() == "Next open issue"
        assert window.queue_model.headerData(1, Qt.Orientation.Horizontal) == "Organ"
    finally:
        install_language("zh")
        QApplication.processEvents()
    assert window.actions_by_name["next_issue"].text() == "下一个待处理问题"


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_each_seed_opens(window: object, prefix: str) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    path = seed_path(prefix)
    window.open_paths([path])
    assert window.wait_idle(60000)
    summaries = [s for s in window.store.reports() if s.file == path.name]
    assert summaries
    summary = summaries[-1]
    row = window.queue_model.row_of(summary.id)
    assert window.queue_model.index(row, 0).data() == path.name
    window.select_report(summary.id)
    assert window.current_rid == summary.id
    report = window.store.report(summary.id)
    if report is None:
        assert summary.error
        return
    shown_text = window.source_view.toPlainText()
    assert len(shown_text) == len(report.text)  # spans index the shown text
    assert shown_text == report.text.replace("\xa0", " ")  # Qt shows no-break spaces as spaces
    shown = [k for k in report.cells if window.grid_model.index_of(k).isValid()]
    for key in shown[:: max(1, len(shown) // 12)]:
        expected = report.cells[key].value
        text = value_at(window, key)
        assert text == ("" if expected is None else text)
        if expected is not None:
            assert float(text) == pytest.approx(float(expected))
    from gikai_desk.pending import review_items

    items = review_items(report, window.store.violations(summary.id), window.store.decisions(summary.id))
    assert [window.issue_model.item(r) for r in range(window.issue_model.rowCount())] == items
    # the queue counts what the issue list asks of the reviewer
    pending = [i for i in items if i.pending]
    assert summary.errors + summary.warnings + summary.unsure == len(pending)


def test_history_status_note_and_next_report(window: object, qtmodeltester: object) -> None:
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    first = add_report(window, synthetic_report({"t3.new.total": 8}))
    window.set_cells({"t3.new.natural": 8}, "test edit")
    assert window.history_model.rowCount() >= 1
    assert window.history_model.index(0, 0).data(Qt.ItemDataRole.UserRole) == "t3.new.natural"
    assert window.history_model.index(0, 3).data() == "8"
    assert window.history_model.index(0, 4).data() == "测试员"
    qtmodeltester.check(window.history_model)  # type: ignore[attr-defined]
    window.set_review_status("returned")
    window.note_edit.setText("请核对表三")
    window.note_edit.editingFinished.emit()
    summary = window.store.summary(first)
    assert summary.status == "returned" and summary.note == "请核对表三"
    second = add_report(window, synthetic_report({"t4.review.total": 5}))
    assert window.current_rid == second
    assert window.go_to_next_report()
    assert window.current_rid != second
    moved_to = window.queue_model.summary(window.current_rid or 0)
    assert moved_to is not None and (moved_to.errors or moved_to.warnings)


def test_shortcuts_are_unambiguous_and_actions_are_named(window: object) -> None:
    from gikai_desk.gui.actions import ACTIONS, key_sequences
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    for scope in ("grid", "source"):
        seen: dict[str, str] = {}
        for spec in ACTIONS:
            if spec.scope not in ("window", scope):
                continue
            for sequence in key_sequences(spec):
                text = sequence.toString()
                assert text not in seen, f"{text}: {seen.get(text)} and {spec.name}"
                seen[text] = spec.name
    for spec in ACTIONS:
        assert spec.slot.startswith("_on_") and hasattr(window, spec.slot)
        assert window.findChild(type(window.actions_by_name[spec.name]), f"action_{spec.name}") is not None


def test_drop_opens_files(window: object, qtbot: object) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    from gikai_desk.gui.main_window import MainWindow, demo_path

    assert isinstance(window, MainWindow)
    before = window.queue_model.rowCount()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(demo_path()))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.parsingIdle, timeout=30000):  # type: ignore[attr-defined]
        window.dropEvent(event)
    assert window.queue_model.rowCount() == before + 1
    added = window.store.reports()[-1]
    assert added.file == demo_path().name
    if added.error is None:
        # the demo's deliberate inconsistencies show up as findings
        assert window.current_rid == added.id
        assert window.issue_model.rowCount() >= 1


def test_issue_list_shows_cross_year_findings(window: object, qtbot: object) -> None:
    """Two made-up reports of one organ for 2020 and 2021: the later one's 上年结转 disagrees with the earlier
    one's 结转下年度; the window lists CROSS_YEAR_CARRY and follows edits of either report."""
    from gikai_desk.gui.main_window import MainWindow
    from gikai_desk.gui.models import KEY_ROLE

    assert isinstance(window, MainWindow)
    organ = "跨年度测试局"
    earlier = synthetic_report({"t3.carried_out.natural": 4, "t3.carried_out.total": 4}).model_copy(
        update={"year": 2020, "agency": organ, "file": "earlier-2020.txt"}
    )
    later = synthetic_report({"t3.carried_in.natural": 3, "t3.carried_in.total": 3}).model_copy(
        update={"year": 2021, "agency": organ, "file": "later-2021.txt"}
    )
    first = add_report(window, earlier)
    assert not any(v.rule == "CROSS_YEAR_CARRY" for v in window.document.violations)  # type: ignore[union-attr]
    second = add_report(window, later)
    crossing = {"CROSS_YEAR_CARRY@natural", "CROSS_YEAR_CARRY@total"}
    assert crossing <= idents(window)
    model = window.issue_model
    shown = {model.index(r, 0).data(KEY_ROLE) for r in range(model.rowCount())}
    assert {("CROSS_YEAR_CARRY", "natural"), ("CROSS_YEAR_CARRY", "total")} <= shown
    row = model.row_of("CROSS_YEAR_CARRY@natural")
    assert model.index(row, model.LOCATION).data() == "自然人"  # the column in words, not its key
    assert "4" in model.index(row, model.MESSAGE).data()  # last year's 结转下年度
    assert window.document is not None and window.document.state("t3.carried_in.natural") & 2  # amber
    assert window.document.counts()[1] == window.store.summary(second).warnings  # the queue agrees

    # correcting this year's 上年结转 clears the finding at once; undo brings it back
    grid = window.grid_view
    grid.setFocus()
    window.select_cell("t3.carried_in.natural")
    type_into_cell(qtbot, grid, "4")
    qtbot.waitUntil(lambda: value_at(window, "t3.carried_in.natural") == "4")  # type: ignore[attr-defined]
    assert "CROSS_YEAR_CARRY@natural" not in idents(window) and "CROSS_YEAR_CARRY@total" in idents(window)
    assert model.row_of("CROSS_YEAR_CARRY@natural") == -1
    window.undo_group.undo()
    assert "CROSS_YEAR_CARRY@natural" in idents(window)
    assert model.row_of("CROSS_YEAR_CARRY@natural") >= 0

    # correcting last year's 结转下年度 instead: the later report's list is refreshed when it is shown again
    window.select_report(first)
    assert window.document is not None and window.document.rid == first
    warnings_before = window.queue_model.summary(second).warnings  # type: ignore[union-attr]
    window.document.set_values({"t3.carried_out.natural": 3, "t3.carried_out.total": 3})
    assert window.queue_model.summary(second).warnings == warnings_before - 2  # type: ignore[union-attr]
    window.select_report(second)
    assert window.document is not None and window.document.rid == second
    assert not crossing & idents(window)
    assert model.row_of("CROSS_YEAR_CARRY@total") == -1
    assert window.document.counts()[1] == window.store.summary(second).warnings


def test_row_tool_and_confirm_shortcuts_fire_from_real_key_events(window: object, qtbot: object) -> None:
    """The keys as a keyboard delivers them: Ctrl+Shift+= arrives as Key_Plus with Ctrl+Shift on US/Chinese
    layouts; the shift tools are on Alt+Shift+Left/Right (Ctrl+Alt+arrows belong to the desktop's workspace
    switching on GNOME/UKUI/DDE); the keypad's Enter confirms as Return does."""
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    ctrl, shift, alt = (
        Qt.KeyboardModifier.ControlModifier,
        Qt.KeyboardModifier.ShiftModifier,
        Qt.KeyboardModifier.AltModifier,
    )
    press = qtbot.keyClick  # type: ignore[attr-defined]
    add_report(
        window,
        synthetic_report(
            {"t3.carried_out.natural": None, "t3.carried_out.commercial": 4, "t3.carried_out.total": None},
            unsure=("t3.new.natural",),
        ),
    )
    grid = window.grid_view
    grid.setFocus()
    QApplication.processEvents()

    def undo() -> None:
        press(grid, Qt.Key.Key_Z, ctrl)
        assert (value_at(window, "t3.carried_out.natural"), value_at(window, "t3.carried_out.commercial")) == ("", "4")

    window.select_cell("t3.carried_out.natural")
    press(grid, Qt.Key.Key_Minus, ctrl)  # remove cell: the rest moves left
    assert value_at(window, "t3.carried_out.natural") == "4"
    undo()
    for key, modifiers in ((Qt.Key.Key_Plus, ctrl | shift), (Qt.Key.Key_Equal, ctrl | shift)):
        window.select_cell("t3.carried_out.natural")
        press(grid, key, modifiers)  # insert a blank cell: the rest moves right
        assert value_at(window, "t3.carried_out.commercial") == ""
        assert value_at(window, "t3.carried_out.research") == "4"
        undo()
    window.select_cell("t3.carried_out.natural")
    press(grid, Qt.Key.Key_Left, alt | shift)
    assert value_at(window, "t3.carried_out.natural") == "4"
    undo()
    window.select_cell("t3.carried_out.natural")
    press(grid, Qt.Key.Key_Right, alt | shift)
    assert value_at(window, "t3.carried_out.research") == "4"
    undo()
    window.select_cell("t3.carried_out.natural")
    press(grid, Qt.Key.Key_Left, ctrl | alt)  # the old binding no longer moves anything
    assert value_at(window, "t3.carried_out.commercial") == "4"

    document = window.document
    assert document is not None
    for key, modifiers in (
        (Qt.Key.Key_Return, ctrl | shift),
        (Qt.Key.Key_Enter, ctrl | shift | Qt.KeyboardModifier.KeypadModifier),
    ):
        window.select_cell("t3.new.natural")
        assert not document.cell("t3.new.natural").settled  # type: ignore[union-attr]
        press(grid, key, modifiers)
        assert document.cell("t3.new.natural").settled  # type: ignore[union-attr]
        press(grid, Qt.Key.Key_Z, ctrl)


def test_a_decision_step_on_a_finding_that_went_away_is_dropped_not_raised(window: object) -> None:
    """The store refuses decisions on findings a report does not have (e.g. a CROSS_YEAR_CARRY finding gone
    after last year's report was edited): the undo step is then dropped from the history instead."""
    from gikai_desk.gui.commands import DecideCommand
    from gikai_desk.gui.main_window import MainWindow

    assert isinstance(window, MainWindow)
    rid = add_report(window, synthetic_report({"t4.review.total": 3}))
    document = window.document
    assert document is not None
    with pytest.raises(ValueError, match="not a current finding"):
        window.store.decide(rid, "T4_TOTAL@nowhere", "resolved", "", "测试员")
    step = DecideCommand(document, "T4_TOTAL@nowhere", "resolved", "", "gone")
    step.redo()
    assert step.isObsolete() and "T4_TOTAL@nowhere" not in window.store.decisions(rid)
    kept = DecideCommand(document, "T4_TOTAL@review", "resolved", "", "kept")
    kept.redo()
    assert not kept.isObsolete() and window.store.decisions(rid)["T4_TOTAL@review"].kind == "resolved"
    kept.undo()
    assert "T4_TOTAL@review" not in window.store.decisions(rid)
