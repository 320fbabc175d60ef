"""`gikai-desk --demo`: the sample report opens in a workspace of its own, never in the remembered batch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication

import gikai_desk.gui as gui
from gikai_desk.gui.main_window import MainWindow
from gikai_desk.gui.preferences import Preferences


@pytest.fixture
def opened(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[MainWindow]]:
    """run() with its own settings and data folder; the event loop returns at once; windows are collected."""
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    monkeypatch.setattr("gikai_desk.gui.main_window.default_workspace_path", lambda: tmp_path / "data" / "default.gikai")
    monkeypatch.setattr(gui, "_optional_call", lambda *_args: None)  # no global log/crash hooks in tests
    monkeypatch.setattr(QApplication, "exec", lambda _self: 0)
    windows: list[MainWindow] = []
    create = gui.create_main_window

    def keep(*args: object, **kwargs: object) -> MainWindow:
        window = create(*args, **kwargs)  # type: ignore[arg-type]
        windows.append(window)
        return window

    monkeypatch.setattr(gui, "create_main_window", keep)
    yield windows
    for window in windows:
        window.close()
        window.store.close()


def run_and_wait(qtbot: object, windows: list[MainWindow], argv: list[str]) -> MainWindow:
    assert gui.run(argv) == 0
    window = windows[-1]
    qtbot.waitUntil(lambda: window._pending == 0 and bool(window.store.reports()), timeout=20000)  # type: ignore[attr-defined]
    return window


def test_demo_opens_its_own_workspace_and_leaves_the_remembered_one(
    opened: list[MainWindow], qtbot: object, tmp_path: Path
) -> None:
    from gikai_desk.gui.main_window import demo_path, demo_workspace_path

    real = tmp_path / "batch" / "real.gikai"
    Preferences().workspace = real
    window = run_and_wait(qtbot, opened, ["--demo"])
    assert window.store.path == demo_workspace_path() == tmp_path / "data" / "demo.gikai"
    assert [Path(window.store.source_name(s.id)).name for s in window.store.reports()] == [demo_path().name]
    assert Preferences().workspace == real  # a plain start still reopens the real batch
    assert not real.exists()  # and the sample report was never added to it
    window.close()
    window.store.close()

    again = run_and_wait(qtbot, opened, ["--demo"])  # reused, not a new one each time
    assert again.store.path == demo_workspace_path()
    assert Preferences().workspace == real


def test_demo_with_an_explicit_workspace_goes_there(opened: list[MainWindow], qtbot: object, tmp_path: Path) -> None:
    chosen = tmp_path / "chosen.gikai"
    window = run_and_wait(qtbot, opened, ["--demo", "--workspace", str(chosen)])
    assert window.store.path == chosen and len(window.store.reports()) == 1
