"""Packaging smoke hook: with GIKAI_SMOKE_GUI=1 (or --smoke-test-gui) run() shows its window, reports it, quits."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

SMOKE_ENV = "GIKAI_SMOKE_GUI"
SMOKE_FLAG = "--smoke-test-gui"
SMOKE_REPORT_ENV = "GIKAI_SMOKE_REPORT"
"""When set, the one-line smoke result is also written to this file (a windowed Windows build has no stdout)."""
SMOKE_DELAY_MS = 500
SMOKE_EXIT_NOT_VISIBLE = 3

log = logging.getLogger("gikai_desk.smoke")


def smoke_requested(argv: Sequence[str]) -> bool:
    return SMOKE_FLAG in argv or os.environ.get(SMOKE_ENV, "") not in ("", "0")


def without_smoke_flag(argv: Sequence[str]) -> list[str]:
    return [arg for arg in argv if arg != SMOKE_FLAG]


def smoke_result_line(app: QApplication, window: QWidget) -> str:
    return (
        f"smoke-gui ok={window.isVisible()} title={window.windowTitle()!r} "
        f"platform={app.platformName()} size={window.width()}x{window.height()}"
    )


def _finish(app: QApplication, window: QWidget) -> None:
    line = smoke_result_line(app, window)
    log.info("%s", line)
    if sys.stderr is not None:
        print(line, file=sys.stderr, flush=True)
    report = os.environ.get(SMOKE_REPORT_ENV)
    if report:
        with open(report, "w", encoding="utf-8") as out:
            out.write(line + "\n")
    visible = window.isVisible()
    window.close()
    app.exit(0 if visible else SMOKE_EXIT_NOT_VISIBLE)


def arm_smoke_exit(app: QApplication, window: QWidget, argv: Sequence[str] = ()) -> bool:
    """Call in run() after window.show() and before app.exec(): when a smoke run was asked for, the event loop
    ends by itself once the window has been shown (exit code 0, or 3 when the window is not visible)."""
    if not smoke_requested(argv):
        return False
    QTimer.singleShot(SMOKE_DELAY_MS, lambda: _finish(app, window))
    return True
