"""One crash handler: unexpected exceptions and Qt's own messages go to the log; the user sees one Chinese dialog."""

from __future__ import annotations

import datetime
import logging
import platform
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
    qVersion,
)
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gikai_desk import __version__
from gikai_desk.applog import current_log_file

log = logging.getLogger("gikai_desk.crash")
qt_log = logging.getLogger("qt")

CRASH_TITLE = "程序遇到意外错误"
CRASH_MESSAGE = (
    "gikai-desk 遇到了一个意外错误。\n"
    "您已完成的审核和修改在每一步都已保存到工作区，不会丢失；可以继续工作，或关闭后重新打开工作区。\n"
    "如需反馈，请点击“复制”，把下面的错误报告发给维护人员。"
)

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def crash_report(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str
) -> str:
    """Plain-text report for the dialog and the log: versions, place, time, log file and the traceback."""
    log_file = current_log_file()
    lines = [
        f"gikai-desk {__version__}",
        f"时间 time: {datetime.datetime.now().isoformat(timespec='seconds')}",
        f"位置 where: {where}",
        f"Python {platform.python_version()} · Qt {qVersion()} · {platform.platform()}",
        f"日志 log: {log_file if log_file else '(未启用 not enabled)'}",
        "",
        "".join(traceback.format_exception(exc_type, exc, tb)).rstrip(),
    ]
    return "\n".join(lines)


class CrashDialog(QDialog):
    """The error dialog: a Chinese explanation, the report in a read-only box, 复制 and 关闭 buttons."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(CRASH_TITLE)
        self.setObjectName("crashDialog")
        self.report = report
        message = QLabel(CRASH_MESSAGE)
        message.setWordWrap(True)
        self.report_view = QPlainTextEdit(report)
        self.report_view.setReadOnly(True)
        self.report_view.setObjectName("crashReport")
        self.report_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.report_view.setMinimumSize(560, 240)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("复制")
        self.copy_button.setObjectName("crashCopy")
        self.copy_button.setToolTip("把错误报告复制到剪贴板")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close_button = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close_button.setText("关闭")
        self.copy_button.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.report_view)
        layout.addWidget(buttons)

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("已复制")


class CrashHandler(QObject):
    """Installed once per application by install_crash_handler(); uninstall() restores the previous hooks."""

    crashed = Signal(str)
    """Emitted (in the GUI thread) with the report of every unexpected exception."""
    _thread_crash = Signal(str)

    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.app = app
        self.reports: list[str] = []
        self.dialog: CrashDialog | None = None
        self._showing = False
        self._previous_excepthook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self._previous_qt_handler: Callable[..., object] | None = None
        self._thread_crash.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        sys.excepthook = self._on_exception
        threading.excepthook = self._on_thread_exception
        self._previous_qt_handler = qInstallMessageHandler(_qt_message_to_log)

    def uninstall(self) -> None:
        if sys.excepthook == self._on_exception:
            sys.excepthook = self._previous_excepthook
        if threading.excepthook == self._on_thread_exception:
            threading.excepthook = self._previous_thread_hook
        qInstallMessageHandler(self._previous_qt_handler)  # type: ignore[arg-type]
        self.setParent(None)

    def _on_exception(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous_excepthook(exc_type, exc, tb)
            return
        report = self._record(exc_type, exc, tb, "主线程 main thread")
        if threading.current_thread() is threading.main_thread():
            self._show(report)
        else:
            self._thread_crash.emit(report)

    def _on_thread_exception(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        report = self._record(args.exc_type, args.exc_value, args.exc_traceback, f"线程 thread {name}")
        self._thread_crash.emit(report)

    def _record(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None, where: str
    ) -> str:
        report = crash_report(exc_type, exc, tb, where)
        log.error("未处理的异常 unhandled exception in %s", where, exc_info=(exc_type, exc, tb))
        self.reports.append(report)
        return report

    @Slot(str)
    def _show(self, report: str) -> None:
        self.crashed.emit(report)
        if self._showing or not isinstance(self.app, QApplication):
            return  # one dialog at a time; further reports are in the log
        self._showing = True
        try:
            parent = QApplication.activeWindow()
            self.dialog = CrashDialog(report, parent)
            self.dialog.exec()
        finally:
            self._showing = False
            self.dialog = None


def _qt_message_to_log(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    level = _QT_LEVELS.get(mode, logging.WARNING)
    category = context.category if context is not None and context.category else ""
    if category and category != "default":
        qt_log.log(level, "[%s] %s", category, message)
    else:
        qt_log.log(level, "%s", message)


def route_qt_messages_to_log() -> None:
    """Send Qt's warnings to the log from now on; may be called before the QApplication exists, so messages
    printed while it starts (platform plugin, locale, fonts) are logged too. install_crash_handler() does it."""
    qInstallMessageHandler(_qt_message_to_log)


def install_crash_handler(app: QCoreApplication) -> CrashHandler:
    """Route unexpected exceptions (any thread) to the log and one dialog, and Qt's messages to the log."""
    existing = app.findChild(CrashHandler)
    if isinstance(existing, CrashHandler):
        return existing
    handler = CrashHandler(app)
    handler.install()
    return handler
