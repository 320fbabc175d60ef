"""The reviewer window (PySide6): create_main_window() for automation, run(argv) for `gikai-desk [FILE...]`."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gikai_desk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

APP_NAME = "gikai-desk"


def _application() -> object:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    try:
        from gikai_desk.resources import resource_path

        icon = resource_path("icons", "gikai-desk.png")
        if icon.is_file() and isinstance(app, QApplication):
            app.setWindowIcon(QIcon(str(icon)))
    except FileNotFoundError:
        pass
    return app


def create_main_window(workspace_path: Path | str | None = None, remember_workspace: bool = True) -> MainWindow:
    """The main window (a QApplication is created when none exists; no event loop is started).

    remember_workspace False: the workspace opened is not stored as the one to reopen next time (the demo's).
    """
    _application()
    from gikai_desk.gui.i18n import install_language
    from gikai_desk.gui.main_window import MainWindow
    from gikai_desk.gui.preferences import Preferences

    preferences = Preferences()
    install_language(preferences.language)
    return MainWindow(
        workspace_path=workspace_path, preferences=preferences, remember_workspace=remember_workspace
    )


def _optional_call(module: str, function: str, *args: object) -> None:
    """Call a helper that another part of the project provides, when it is there."""
    try:
        getattr(importlib.import_module(module), function)(*args)
    except (ImportError, AttributeError):
        log.debug("%s.%s not available", module, function)


def run(argv: Sequence[str]) -> int:
    """`gikai-desk [FILE...] [--demo] [--workspace WS]`: open the window and run the event loop."""
    parser = argparse.ArgumentParser(prog=APP_NAME, description="政府信息公开工作年度报告审核窗口")
    parser.add_argument("files", nargs="*", help="要打开的报告文件或文件夹")
    parser.add_argument("--demo", action="store_true", help="打开内置示例报告")
    parser.add_argument("--workspace", metavar="WS", default=None, help="工作区文件（.gikai）或服务器地址 postgresql://…")
    args, _unknown = parser.parse_known_args([a for a in argv if a != "--smoke-test-gui"])

    _optional_call("gikai_desk.applog", "setup_logging")
    _optional_call("gikai_desk.gui.crash", "route_qt_messages_to_log")
    app = _application()
    _optional_call("gikai_desk.gui.crash", "install_crash_handler", app)
    from PySide6.QtWidgets import QApplication

    from gikai_desk.gui.domain import WorkspaceInUseError
    from gikai_desk.gui.main_window import demo_path, demo_workspace_path
    from gikai_desk.workspace.db import is_url

    workspace: Path | str | None = None
    if args.workspace:
        workspace = args.workspace if is_url(args.workspace) else Path(args.workspace)
    remember = True
    if args.demo and workspace is None:  # the sample report must not land in a real batch (nor its exports)
        workspace, remember = demo_workspace_path(), False
    try:
        window = create_main_window(workspace, remember_workspace=remember)
    except (
        WorkspaceInUseError
    ) as exc:  # a second window on the same batch would overwrite the first one's work
        from PySide6.QtWidgets import QMessageBox

        log.warning("%s", exc)
        QMessageBox.critical(None, APP_NAME, str(exc))
        return 2
    window.show()
    paths: list[str | Path] = list(args.files)
    if args.demo:
        paths.append(demo_path())
    if paths:
        window.open_paths(paths)
    try:
        from gikai_desk.gui.smoke import arm_smoke_exit

        assert isinstance(app, QApplication)
        arm_smoke_exit(app, window, list(argv))
    except ImportError:
        pass
    assert isinstance(app, QApplication)
    return int(app.exec())


__all__ = ["create_main_window", "run"]
