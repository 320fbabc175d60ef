"""Two windows on one shared (PostgreSQL) workspace: the report shown is claimed, the other window shows it
read-only with 「正在由 X 审核」 and can take it over; edits arrive live; a refused edit says so and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QAbstractItemView, QApplication

from gikai_desk.gui.main_window import MainWindow
from gikai_desk.workspace import Workspace
from gikai_desk.workspace.synthetic import synthetic_report

pytestmark = pytest.mark.gui

KEY = "t3.new.natural"


@pytest.fixture
def windows(
    qapp: QApplication, tmp_path: Path, pg_server: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[MainWindow, MainWindow, int, list[str]]]:
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    warnings: list[str] = []
    monkeypatch.setattr(
        "gikai_desk.gui.shared.QMessageBox.warning", lambda _parent, _title, text: warnings.append(text)
    )
    url = pg_server.create_database()
    with Workspace.create(url, reviewer="setup") as ws:
        report = synthetic_report(1)
        rid = ws.add_document(report.file, report.text.encode("utf-8"), report, None)
    from gikai_desk.gui import create_main_window

    first = create_main_window(url, remember_workspace=False)
    second = create_main_window(url, remember_workspace=False)
    first.store.reviewer, second.store.reviewer = "甲", "乙"
    yield first, second, rid, warnings
    for window in (second, first):
        window.close()
        window.store.close()


def wait_for(condition: Any, timeout: float = 3.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        QApplication.processEvents()
        time.sleep(0.02)


def test_claimed_report_is_read_only_elsewhere_and_can_be_taken_over(
    windows: tuple[MainWindow, MainWindow, int, list[str]],
) -> None:
    first, second, rid, warnings = windows
    first.current_rid = None
    first.show_report(rid)  # claims it as 甲
    assert first.shared.claimed == rid and not first.shared.is_read_only()
    second.current_rid = None
    second.show_report(rid)
    assert second.shared.is_read_only()
    assert "正在由 甲 审核" in second.shared.banner_label.text()
    assert second.grid_view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    assert not second.status_combo.isEnabled()

    # an edit in the first window reaches the second one live (NOTIFY), queue and open report
    assert first._push_cell_changes({KEY: 4321}, "edit")
    wait_for(lambda: second.queue_model.summary(rid).version == first.store.version(rid))  # type: ignore[union-attr]
    wait_for(lambda: second.document is not None and second.document.value(KEY) == 4321)

    # a paste in the read-only window is refused and stores nothing
    assert second.document is not None
    second._push_cell_changes({KEY: 1}, "edit")
    wait_for(lambda: any("甲" in w and "未保存" in w for w in warnings))
    assert [c.new for c in second.store.history(rid)] == [4321]

    second.shared.take_over()  # 「接手审核」
    assert not second.shared.is_read_only() and second.shared.claimed == rid
    wait_for(first.shared.is_read_only)  # the first window learns it lost the report (NOTIFY)
    assert "乙" in first.shared.banner_label.text()
    first.shared._on_heartbeat()
    assert first.shared.is_read_only()
    assert second._push_cell_changes({KEY: 77}, "edit")
    assert [c.new for c in first.store.history(rid)] == [4321, 77]


def test_server_gone_leaves_the_window_usable_and_says_not_saved(
    windows: tuple[MainWindow, MainWindow, int, list[str]], pg_server: Any
) -> None:
    first, second, rid, warnings = windows
    first.current_rid = None
    first.show_report(rid)
    assert first._push_cell_changes({KEY: 11}, "edit")
    pg_server.stop("immediate")
    try:
        first._push_cell_changes({KEY: 12}, "edit")  # in flight when the server went away
        wait_for(lambda: any("未保存" in w for w in warnings))
        second.current_rid = None
        second.show_report(rid)  # no crash: a message where the report would be, read-only
        assert second.shared.is_read_only()
        assert "连接" in second.shared.banner_label.text()
    finally:
        pg_server.start()
    second.current_rid = None
    second.show_report(rid)  # back: reconnects and shows the stored state
    assert second.document is not None and second.document.value(KEY) == 11
    assert [c.new for c in second.store.history(rid)] == [11]
