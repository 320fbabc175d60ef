"""The window on a shared (PostgreSQL) workspace: claiming the report shown, read-only with 「正在由 X 审核」 and
「接手审核」 when another reviewer has it, live refresh on NOTIFY, heartbeat, and refused or unsaved changes.

Kept apart from main_window.py: the window calls `attach(store)`, `report_shown(rid)` and `refused(exc)`.
For a .gikai file (one window per file, QLockFile) all of this stays idle.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSocketNotifier, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gikai_desk.workspace import (
    HEARTBEAT_SECONDS,
    Change,
    ClaimedError,
    ConnectionLostError,
    Workspace,
    WorkspaceError,
)

if TYPE_CHECKING:
    from gikai_desk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

ADDRESS_HINT = "postgresql://用户名@服务器/数据库（密码放在 pgpass 或 pg_service.conf 中，不写在地址里）"


class WorkspaceAddressDialog(QDialog):
    """「打开工作区…」: a workspace file (.gikai), or a PostgreSQL server address."""

    def __init__(self, parent: QWidget | None, current: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打开工作区"))
        self.edit = QLineEdit(current)
        self.edit.setObjectName("workspaceAddress")
        self.edit.setPlaceholderText(ADDRESS_HINT)
        self.edit.setMinimumWidth(520)
        browse = QPushButton(self.tr("选择文件…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("工作区文件，或多人共用的数据库服务器地址：")))
        layout.addLayout(row)
        hint = QLabel(ADDRESS_HINT)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("打开工作区"), "", self.tr("工作区") + " (*.gikai)"
        )
        if path:
            self.edit.setText(path)

    def location(self) -> str:
        return self.edit.text().strip()


class SharedSession(QObject):
    """Claims, live refresh and heartbeat for the window's workspace when it is shared."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store: Workspace | None = None
        self.claimed: int | None = None
        self.read_only_rid: int | None = None
        self._notifier: QSocketNotifier | None = None
        self._triggers: QAbstractItemView.EditTrigger | None = None
        self.banner = QWidget()
        self.banner.setObjectName("claimBanner")
        self.banner_label = QLabel()
        self.take_over_button = QPushButton(self.tr("接手审核"))
        self.take_over_button.setObjectName("takeOverButton")
        self.take_over_button.clicked.connect(self.take_over)
        layout = QHBoxLayout(self.banner)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner_label)
        layout.addWidget(self.take_over_button)
        self.banner.hide()
        self.banner.installEventFilter(self)
        window.statusBar().addPermanentWidget(self.banner)
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(int(HEARTBEAT_SECONDS * 1000))
        self._heartbeat.timeout.connect(self._on_heartbeat)
        self._poll = QTimer(
            self
        )  # a safety net beside the socket notifier (and it re-listens after an outage)
        self._poll.setInterval(1000)
        self._poll.timeout.connect(self.refresh)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.banner and event.type() == QEvent.Type.LanguageChange:
            self.take_over_button.setText(self.tr("接手审核"))
        return False

    @property
    def active(self) -> bool:
        return self.store is not None and self.store.is_shared

    def detach(self) -> None:
        """Stop listening and renewing, and free the report held (before the workspace is closed)."""
        if self.store is not None and self.claimed is not None:
            try:
                self.store.release(self.claimed)
            except WorkspaceError:  # the server is gone: the claim expires by itself
                log.info("could not release report %s", self.claimed, exc_info=True)
            self.claimed = None
        self._heartbeat.stop()
        self._poll.stop()
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None

    def attach(self, store: Workspace) -> None:
        """The window now shows `store` (opened, or switched to)."""
        self.detach()
        self.store = store
        self.claimed = None
        self._set_read_only(None, None)
        if not store.is_shared:
            return
        try:
            store.changes()  # starts listening
        except WorkspaceError as exc:
            self.window.statusBar().showMessage(str(exc.reason), 10000)
        self._listen_socket()
        self._heartbeat.start()
        self._poll.start()

    def _listen_socket(self) -> None:
        if self._notifier is not None or self.store is None:
            return
        fileno = self.store.notify_fileno()
        if fileno is not None:
            self._notifier = QSocketNotifier(fileno, QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self.refresh)

    # ------------------------------------------------------------------ claims

    def report_shown(self, rid: int) -> None:
        """The window is about to show `rid`: claim it (releasing the previous one), or show it read-only."""
        store = self.store
        if store is None or not store.is_shared:
            return
        if self.claimed is not None and self.claimed != rid:
            try:
                store.release(self.claimed)
            except WorkspaceError:
                log.info("could not release report %s (it expires by itself)", self.claimed, exc_info=True)
            self.claimed = None
        try:
            store.claim(rid)
        except ClaimedError as exc:
            self._forget(rid)  # show the other reviewer's current state
            self._set_read_only(
                rid, self.tr("正在由 {0} 审核（只读）").format(exc.holder), can_take_over=True
            )
            return
        except WorkspaceError as exc:
            self._set_read_only(rid, self.tr("只读：") + exc.reason, can_take_over=False)
            return
        self.claimed = rid
        self._set_read_only(None, None)

    def take_over(self) -> None:
        """「接手审核」: claim the report shown although another reviewer has it (their changes stop)."""
        store, rid = self.store, self.window.current_rid
        if store is None or rid is None:
            return
        try:
            store.claim(rid, take_over=True)
        except WorkspaceError as exc:
            QMessageBox.warning(self.window, self.tr("工作区"), exc.reason)
            return
        self.claimed = rid
        self._set_read_only(None, None)
        self._reload(rid)

    def is_read_only(self) -> bool:
        return self.read_only_rid is not None and self.read_only_rid == self.window.current_rid

    def _set_read_only(self, rid: int | None, text: str | None, can_take_over: bool = False) -> None:
        self.read_only_rid = rid
        if text is None:
            self.banner.hide()
        else:
            self.banner_label.setText(text)
            self.take_over_button.setVisible(can_take_over)
            self.banner.show()
        self.apply_read_only()

    def apply_read_only(self) -> None:
        """Grid, status and note not editable while the report shown is another reviewer's."""
        read_only = self.is_read_only()
        grid = getattr(self.window, "grid_view", None)
        if isinstance(grid, QAbstractItemView):
            if self._triggers is None:
                self._triggers = grid.editTriggers()
            grid.setEditTriggers(
                QAbstractItemView.EditTrigger.NoEditTriggers if read_only else self._triggers
            )
        if read_only:
            for name in ("status_combo", "note_edit"):
                widget = getattr(self.window, name, None)
                if isinstance(widget, QWidget):
                    widget.setEnabled(False)

    def _on_heartbeat(self) -> None:
        store = self.store
        if store is None:
            return
        try:
            lost = store.heartbeat()
        except ConnectionLostError as exc:  # not a reviewer's change: no "not saved" here
            self.window.statusBar().showMessage(
                f"与数据库服务器的连接中断 connection lost: {exc.detail}", 10000
            )
            return
        except WorkspaceError as exc:
            self.window.statusBar().showMessage(exc.reason, 10000)
            return
        if self.claimed is not None and self.claimed in lost:
            self._lost_claim()

    def _lost_claim(self) -> None:
        """Another reviewer took the report shown over: read-only, showing their state."""
        store, rid = self.store, self.claimed
        if store is None or rid is None:
            return
        self.claimed = None
        holder = store.claim_of(rid)
        who = holder.reviewer if holder is not None else "?"
        self._set_read_only(rid, self.tr("已由 {0} 接手（只读）").format(who), can_take_over=True)
        self._reload(rid)

    # ------------------------------------------------------------------ live refresh

    def refresh(self) -> None:
        """Apply what other reviewers committed: queue rows, and the report shown when someone else has it."""
        store = self.store
        if store is None or not store.is_shared:
            return
        try:
            changes = store.changes()
        except WorkspaceError as exc:
            self.window.statusBar().showMessage(exc.reason, 5000)
            return
        fileno = store.notify_fileno()
        if self._notifier is not None and self._notifier.socket() != fileno:  # the listener reconnected
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._notifier is None:
            self._listen_socket()
        if changes:
            self.apply(changes)

    def apply(self, changes: list[Change]) -> None:
        store = self.store
        if store is None:
            return
        window = self.window
        everything = any(c.reports is None for c in changes)
        ids = {rid for c in changes for rid in c.reports or ()}
        try:
            if everything or len(ids) > 50:
                window.queue_model.set_reports(store.reports())
                ids |= set(window.documents)
            else:
                for rid in sorted(ids):
                    try:
                        window.queue_model.upsert(store.summary(rid))
                    except KeyError:  # removed by another reviewer
                        window.queue_model.set_reports(store.reports())
                        break
        except WorkspaceError as exc:
            window.statusBar().showMessage(exc.reason, 5000)
            return
        if self.claimed is not None and self.claimed in ids:
            try:
                claim = store.claim_of(self.claimed)
            except WorkspaceError:
                claim = None
            if claim is not None and not claim.mine:  # taken over: no need to wait for the heartbeat
                self._lost_claim()
        for rid in ids:
            if rid != self.claimed:
                self._forget(rid)
        current = window.current_rid
        if current is not None and current in ids and current != self.claimed:
            self._reload(current)

    def _forget(self, rid: int) -> None:
        """Drop the window's cached copy of a report (re-read from the workspace when shown)."""
        window = self.window
        window.documents.pop(rid, None)
        stack = window.stacks.pop(rid, None)
        if stack is not None:
            window.undo_group.removeStack(stack)

    def _reload(self, rid: int) -> None:
        window = self.window
        if window.current_rid != rid:
            return
        self._forget(rid)
        window.current_rid = None  # show it again, re-read (no half-typed input to keep: it is not ours)
        window.show_report(rid)

    # ------------------------------------------------------------------ refused changes

    def refused(self, exc: WorkspaceError) -> None:
        """A change the workspace refused or could not store: say so, and show the stored state again."""
        if isinstance(exc, ConnectionLostError):
            text = exc.reason + "\n" + self.tr("已保存的修改不受影响；窗口暂为只读，恢复连接后可继续。")
        else:
            text = exc.reason
        self.window.statusBar().showMessage(exc.reason, 15000)
        QTimer.singleShot(0, lambda: QMessageBox.warning(self.window, self.tr("修改未保存"), text))
        rid = self.window.current_rid
        if rid is not None and self.active:
            QTimer.singleShot(0, lambda: self._reload(rid))
