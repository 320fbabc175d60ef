"""Crash handler and logging: one Chinese dialog with a copyable report, traceback and Qt messages in the log."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from gikai_desk import applog

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Logging set up in a throw-away user data folder, with the working folder watched for stray files."""
    monkeypatch.setenv(applog.DATA_DIR_ENV, str(tmp_path / "userdata"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    applog.shutdown_logging()
    path = applog.setup_logging()
    assert path is not None
    yield path
    applog.shutdown_logging()
    assert list(cwd.iterdir()) == [], "nothing may be written in the working folder"


def flushed_log(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ logging (no Qt)


def test_log_goes_to_the_user_data_folder(log_file: Path, tmp_path: Path) -> None:
    assert log_file == tmp_path / "userdata" / "logs" / applog.LOG_FILE_NAME
    logging.getLogger("gikai_desk.test").warning("记录一条警告 %d", 42)
    assert "记录一条警告 42" in flushed_log(log_file)
    assert applog.setup_logging() == log_file, "setting up twice keeps one handler"
    writing_here = [h for h in logging.getLogger().handlers if getattr(h, "baseFilename", None) == str(log_file)]
    assert len(writing_here) == 1


@pytest.mark.parametrize(
    ("platform", "env", "expected"),
    [
        ("win32", {"APPDATA": "/users/u/AppData/Roaming"}, Path("/users/u/AppData/Roaming/gikai-desk")),
        ("linux", {"XDG_DATA_HOME": "/xdg/data"}, Path("/xdg/data/gikai-desk")),
        ("linux", {"XDG_DATA_HOME": "relative/ignored"}, Path.home() / ".local/share/gikai-desk"),
        ("linux", {}, Path.home() / ".local/share/gikai-desk"),
        ("darwin", {}, Path.home() / "Library/Application Support/gikai-desk"),
    ],
)
def test_user_data_dir_per_platform(
    monkeypatch: pytest.MonkeyPatch, platform: str, env: dict[str, str], expected: Path
) -> None:
    for name in ("APPDATA", "XDG_DATA_HOME", applog.DATA_DIR_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys, "platform", platform)
    assert applog.user_data_dir() == expected
    assert applog.log_dir() == expected / "logs"


def test_unwritable_data_folder_falls_back_without_raising(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv(applog.DATA_DIR_ENV, str(blocker))
    applog.shutdown_logging()
    try:
        path = applog.setup_logging()
        assert path is None or blocker not in path.parents
    finally:
        applog.shutdown_logging()


def test_workspace_survives_a_hard_crash(tmp_path: Path) -> None:
    """Every edit is committed at once: a process killed right after an edit leaves it in the workspace."""
    pytest.importorskip("gikai_desk.workspace", reason="workspace module absent")
    from gikai_desk.workspace import Workspace

    workspace = tmp_path / "crash.gikai"
    script = textwrap.dedent(
        f"""
        import os
        from gikai_desk.model import Cell, Report
        from gikai_desk.workspace import Workspace
        text = "示例机关2021年政府信息公开工作年度报告 总计 12"
        cell = Cell(key="t3.new.total", value=12, parsed=12, raw="12", spans=[(len(text) - 2, len(text))])
        report = Report(file="crash.txt", text=text, cells={{"t3.new.total": cell}}, forms={{"t3": "2021"}})
        ws = Workspace.create({str(workspace)!r})
        rid = ws.add_document("crash.txt", text.encode("utf-8"), report, None)
        ws.set_cell(rid, "t3.new.total", 4321, "审核员", "崩溃前的修改")
        print(rid, "t3.new.total", flush=True)
        os._exit(70)  # no close, no cleanup: as abrupt as a crash
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert done.returncode == 70, done.stderr
    rid_text, key = done.stdout.split()
    with Workspace.open(workspace) as ws:
        report = ws.report(int(rid_text))
        assert report is not None
        assert report.cells[key].value == 4321
        assert [c.new for c in ws.history(int(rid_text))] == [4321]


# ------------------------------------------------------------------ the Qt side

@pytest.fixture
def crash_handler(qapp: object, log_file: Path) -> Iterator[object]:
    from gikai_desk.gui.crash import install_crash_handler

    handler = install_crash_handler(qapp)  # type: ignore[arg-type]
    yield handler
    handler.uninstall()


def close_dialog_when_shown(handler: object, seen: list[str], copy: bool = False) -> None:
    """Poll (from the nested dialog event loop) until the crash dialog is up, record it, press 复制, close it."""
    from PySide6.QtCore import QTimer

    def poll() -> None:
        dialog = getattr(handler, "dialog", None)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog.windowTitle())
        seen.append(dialog.report_view.toPlainText())
        if copy:
            dialog.copy_button.click()
            seen.append(dialog.copy_button.text())
        dialog.reject()

    QTimer.singleShot(0, poll)


@pytest.mark.gui
def test_exception_in_a_slot_shows_one_dialog_and_logs_the_traceback(
    crash_handler: object, log_file: Path, qtbot: object
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    def failing_slot() -> None:
        raise ValueError("单元格值出错 boom-in-slot")

    seen: list[str] = []
    reports_before = len(crash_handler.reports)  # type: ignore[attr-defined]
    close_dialog_when_shown(crash_handler, seen, copy=True)
    QTimer.singleShot(0, failing_slot)
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5000)  # type: ignore[attr-defined]
    title, report, copy_label = seen
    assert title == "程序遇到意外错误"
    assert "ValueError: 单元格值出错 boom-in-slot" in report
    assert "failing_slot" in report, "the report carries the traceback"
    assert "gikai-desk" in report and str(log_file) in report
    assert copy_label == "已复制"
    assert QGuiApplication.clipboard().text() == report
    assert len(crash_handler.reports) == reports_before + 1  # type: ignore[attr-defined]
    text = flushed_log(log_file)
    assert "未处理的异常" in text and "Traceback" in text and "boom-in-slot" in text


@pytest.mark.gui
def test_exception_in_a_worker_thread_reaches_the_dialog(crash_handler: object, log_file: Path, qtbot: object) -> None:
    def worker() -> None:
        raise RuntimeError("worker thread failed boom-in-thread")

    seen: list[str] = []
    close_dialog_when_shown(crash_handler, seen)
    thread = threading.Thread(target=worker, name="parse-worker")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)  # type: ignore[attr-defined]
    assert "RuntimeError: worker thread failed boom-in-thread" in seen[1]
    assert "parse-worker" in seen[1]
    assert "boom-in-thread" in flushed_log(log_file)


@pytest.mark.gui
def test_second_exception_while_the_dialog_is_open_is_only_logged(
    crash_handler: object, log_file: Path, qtbot: object
) -> None:
    from PySide6.QtCore import QTimer

    seen: list[str] = []

    def raise_twice() -> None:
        # while the first dialog is up, a second failure arrives from the event loop
        QTimer.singleShot(0, lambda: sys.excepthook(KeyError, KeyError("second-failure"), None))
        raise LookupError("first-failure")

    close_after_second: list[int] = []

    def poll() -> None:
        dialog = crash_handler.dialog  # type: ignore[attr-defined]
        if dialog is None or len(crash_handler.reports) < 2:  # type: ignore[attr-defined]
            QTimer.singleShot(20, poll)
            return
        seen.append(dialog.report_view.toPlainText())
        close_after_second.append(1)
        dialog.reject()

    QTimer.singleShot(0, poll)
    QTimer.singleShot(0, raise_twice)
    qtbot.waitUntil(lambda: bool(close_after_second), timeout=5000)  # type: ignore[attr-defined]
    assert "first-failure" in seen[0] and "second-failure" not in seen[0]
    text = flushed_log(log_file)
    assert "first-failure" in text and "second-failure" in text


@pytest.mark.gui
def test_qt_warnings_go_to_the_log(crash_handler: object, log_file: Path) -> None:
    from PySide6.QtCore import qWarning

    qWarning("qt-warning-routed-to-log")
    assert "WARNING qt" in flushed_log(log_file)
    assert "qt-warning-routed-to-log" in flushed_log(log_file)


@pytest.mark.gui
def test_keyboard_interrupt_is_not_a_crash(crash_handler: object, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[type[BaseException]] = []
    monkeypatch.setattr(crash_handler, "_previous_excepthook", lambda t, v, tb: calls.append(t))
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert calls == [KeyboardInterrupt]
    assert crash_handler.dialog is None  # type: ignore[attr-defined]


@pytest.mark.gui
def test_install_is_idempotent_and_uninstall_restores_hooks(qapp: object, log_file: Path) -> None:
    from gikai_desk.gui.crash import install_crash_handler

    before = sys.excepthook, threading.excepthook
    handler = install_crash_handler(qapp)  # type: ignore[arg-type]
    assert install_crash_handler(qapp) is handler  # type: ignore[arg-type]
    assert sys.excepthook != before[0]
    handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
