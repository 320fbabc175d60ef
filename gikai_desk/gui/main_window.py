"""The reviewer window: report queue, source text, form grid, issue list and history around one workspace."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QResizeEvent,
    QUndoGroup,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gikai_desk.errors import InputError
from gikai_desk.forms import formbook
from gikai_desk.gui.actions import ACTIONS, MENUS, key_sequences
from gikai_desk.gui.commands import SetCellsCommand
from gikai_desk.gui.document import ReviewDocument
from gikai_desk.gui.domain import WorkspaceInUseError, lock_workspace, open_store
from gikai_desk.gui.editing_pane import EditingPane
from gikai_desk.gui.grid_view import CellGridView, fit_header_widths
from gikai_desk.gui.i18n import install_language, tr
from gikai_desk.gui.import_dialog import ImportChangesDialog
from gikai_desk.gui.models import (
    KEY_ROLE,
    CellGridModel,
    HistoryModel,
    IssueListModel,
    ReportQueueFilter,
    ReportQueueModel,
    status_texts,
)
from gikai_desk.gui.numbers import format_number
from gikai_desk.gui.overview import BatchOverview
from gikai_desk.gui.page_view import PageView
from gikai_desk.gui.preferences import Preferences, PreferencesDialog, default_workspace_path
from gikai_desk.gui.report_ops import ReportOps
from gikai_desk.gui.shared import SharedSession, WorkspaceAddressDialog
from gikai_desk.gui.source_view import SourcePane
from gikai_desk.gui.worker import (
    SUFFIXES,
)
from gikai_desk.model import Report
from gikai_desk.resources import resource_path
from gikai_desk.review import STATUS_LABELS, ReviewStatus, WorkbookChange
from gikai_desk.rules import organ_key
from gikai_desk.workspace import Workspace, WorkspaceError, is_url

log = logging.getLogger(__name__)

DEMO_FILE = "demo-report.txt"


QUEUE_DEFAULT_WIDTH = 395
"""The queue dock's width when the screen has room for all its columns."""


def demo_path() -> Path:
    """The built-in sample report (made up, with deliberate inconsistencies)."""
    return resource_path("demo", DEMO_FILE)


DEMO_WORKSPACE = "demo.gikai"


def demo_workspace_path() -> Path:
    """The workspace `gikai-desk --demo` opens (next to the default one, created on first use, then reused):
    the sample report never joins a real batch."""
    return default_workspace_path().with_name(DEMO_WORKSPACE)


class MainWindow(EditingPane):
    """One workspace; one report shown at a time; every change stored as it is made."""

    parsingIdle = Signal()  # noqa: RUF100
    """Background parsing finished (nothing pending)."""
    currentReportChanged = Signal(int)  # noqa: RUF100

    def __init__(
        self,
        workspace_path: Path | str | None = None,
        preferences: Preferences | None = None,
        parent: QWidget | None = None,
        remember_workspace: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        self.preferences = preferences or Preferences()
        target = workspace_path or self.preferences.workspace or default_workspace_path()
        shared = isinstance(target, str) and is_url(target)  # a shared workspace: claims instead of a lock file
        self._workspace_lock = (
            None if shared else lock_workspace(Path(target))
        )  # raises WorkspaceInUseError: a second window must not write
        self.store: Workspace = (
            Workspace.open_or_create(target, reviewer=self.preferences.reviewer)
            if shared
            else open_store(Path(target))
        )
        self.store.reviewer = self.preferences.reviewer  # named in the status/note log and on claims
        if remember_workspace:  # else the next plain start reopens the previous workspace, not this one
            self.preferences.workspace = target
        self.documents: dict[int, ReviewDocument] = {}
        self.stacks: dict[int, QUndoStack] = {}
        self.undo_group = QUndoGroup(self)
        self.report_ops = ReportOps(self)
        self.current_rid: int | None = None
        self._init_loading()
        self._syncing_selection = False
        self.actions_by_name: dict[str, QAction] = {}
        self.menus: dict[str, Any] = {}

        self._build_widgets()
        self.overview = BatchOverview(self.store, self)  # its own window; filled when first shown
        self.overview.reportRequested.connect(self._on_overview_report_requested)
        self._build_actions()
        self.retranslate()
        self.shared = SharedSession(self)  # claims, live refresh, heartbeat (idle for a .gikai file)
        self.shared.attach(self.store)
        self.queue_model.set_reports(self.store.reports())
        self.resize(1500, 900)
        self._restore_panes()
        if self.queue_model.rowCount():
            self.select_report(int(self.queue_model.data(self.queue_model.index(0, 0), KEY_ROLE)))
        self._update_modified_label()

    # ================================================================== construction

    def _build_widgets(self) -> None:
        # queue (left)
        self.queue_model = ReportQueueModel(self)
        self.queue_filter = ReportQueueFilter(self)
        self.queue_filter.setSourceModel(self.queue_model)
        self.queue_view = QTableView()
        self.queue_view.setObjectName("reportQueue")
        self.queue_view.setModel(self.queue_filter)
        self.queue_view.setSortingEnabled(True)
        self.queue_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.queue_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.queue_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.queue_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.queue_view.verticalHeader().hide()
        self.queue_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.queue_view.setColumnHidden(ReportQueueModel.FILE, False)
        for column, width in enumerate((66, 96, 38, 38, 52, 30, 30, 30)):
            self.queue_view.setColumnWidth(column, width)
        self.queue_view.selectionModel().currentRowChanged.connect(self._on_queue_current_changed)
        self.errors_only_box = QCheckBox()
        self.errors_only_box.setObjectName("errorsOnlyFilter")
        self.errors_only_box.toggled.connect(self._on_errors_only_toggled)
        queue_panel = QWidget()
        queue_layout = QVBoxLayout(queue_panel)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.addWidget(self.errors_only_box)
        queue_layout.addWidget(self.queue_view, 1)
        self.queue_dock = QDockWidget()
        self.queue_dock.setObjectName("queueDock")
        self.queue_dock.setWidget(queue_panel)
        self.queue_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.queue_dock)

        # source (centre)
        self.source_pane = SourcePane()
        self.source_view = self.source_pane.view
        self.source_view.clickedAt.connect(self._on_source_clicked)
        self.source_view.takeAt.connect(self.take_number_at)
        # the original page (PDFs and scans), in place of the text when the reviewer switches; remembered
        self.page_view = PageView()
        self.source_tabs = QTabWidget()
        self.source_tabs.setObjectName("sourceTabs")
        self.source_tabs.addTab(self.source_pane, self.tr("文本"))
        self.source_tabs.addTab(self.page_view, self.tr("原页面"))
        self.source_tabs.setCurrentIndex(1 if self.preferences.page_view else 0)
        self.source_tabs.currentChanged.connect(self._on_source_tab_changed)
        self.page_view.clickedAt.connect(self._on_page_clicked)

        # grid (right) with the review bar above it
        self.grid_model = CellGridModel(self)
        self.grid_model.edit_handler = self._push_cell_changes
        self.grid_model.editRefused.connect(self._on_grid_edit_refused)
        self.grid_view = CellGridView()
        self.grid_view.setModel(self.grid_model)
        self.grid_view.selectionModel().currentChanged.connect(self._on_grid_current_changed)
        self.grid_view.blankRequested.connect(self._on_blank_cells_triggered)
        self.report_title = QLabel()
        self.report_title.setObjectName("reportTitle")
        self.report_title.setWordWrap(True)
        font = self.report_title.font()
        font.setBold(True)
        self.report_title.setFont(font)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("reviewStatus")
        self.status_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for status in STATUS_LABELS:
            self.status_combo.addItem("", status)
        self.status_combo.activated.connect(self._on_status_combo_activated)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("reviewNote")
        self.note_edit.editingFinished.connect(self._on_note_edit_finished)
        self.status_caption, self.note_caption = QLabel(), QLabel()
        review_bar = QWidget()
        bar = QHBoxLayout(review_bar)
        bar.setContentsMargins(2, 2, 2, 2)
        bar.addWidget(self.status_caption)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.note_caption)
        bar.addWidget(self.note_edit, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.report_title)
        right_layout.addWidget(review_bar)
        self.missing_tables_label = QLabel()
        self.missing_tables_label.setObjectName("missingTables")
        self.missing_tables_label.setWordWrap(True)
        self.missing_tables_label.setStyleSheet(
            "QLabel { color: #a01818; background: #fdeaea; padding: 3px; }"
        )
        self.missing_tables_label.hide()
        right_layout.addWidget(self.missing_tables_label)
        right_layout.addWidget(self.grid_view, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.source_tabs)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([420, 760])
        self.setCentralWidget(self.splitter)

        # issues and history (bottom)
        self.issue_model = IssueListModel(self)
        self.issue_view = QTableView()
        self.issue_view.setObjectName("issueList")
        self.issue_view.setModel(self.issue_model)
        self.issue_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.issue_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.issue_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.issue_view.verticalHeader().hide()
        self.issue_view.horizontalHeader().setStretchLastSection(False)
        for column, width in enumerate((60, 190, 230, 560, 200)):
            self.issue_view.setColumnWidth(column, width)
        header = self.issue_view.horizontalHeader()
        for column in (IssueListModel.SEVERITY, IssueListModel.RULE, IssueListModel.STATUS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)  # short, never cut
        header.setSectionResizeMode(IssueListModel.MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.issue_view.selectionModel().currentRowChanged.connect(self._on_issue_current_changed)
        self.issue_model.modelReset.connect(self._on_issue_model_reset)
        self.issue_dock = QDockWidget()
        self.issue_dock.setObjectName("issueDock")
        self.issue_dock.setWidget(self.issue_view)
        self.issue_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.issue_dock)

        self.history_model = HistoryModel(self)
        self.history_view = QTableView()
        self.history_view.setObjectName("historyPanel")
        self.history_view.setModel(self.history_model)
        self.history_view.verticalHeader().hide()
        self.history_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_view.horizontalHeader().setStretchLastSection(True)
        self.history_view.setColumnWidth(0, 320)
        self.history_dock = QDockWidget()
        self.history_dock.setObjectName("historyDock")
        self.history_dock.setWidget(self.history_view)
        self.history_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.history_dock)
        self.tabifyDockWidget(self.issue_dock, self.history_dock)
        self.issue_dock.raise_()
        self.resizeDocks([self.queue_dock], [395], Qt.Orientation.Horizontal)
        self.resizeDocks([self.issue_dock], [220], Qt.Orientation.Vertical)

        # status bar
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionLabel")
        self.provenance_label = QLabel()
        self.provenance_label.setObjectName("provenanceLabel")
        self.modified_label = QLabel()
        self.modified_label.setObjectName("modifiedLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("parseProgress")
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.cancel_scans_button = QToolButton()
        self.cancel_scans_button.setObjectName("cancelScans")
        self.cancel_scans_button.clicked.connect(self.cancel_scans)
        self.cancel_scans_button.hide()
        self._cancel_scans = threading.Event()
        status_bar = self.statusBar()
        status_bar.addWidget(self.selection_label)
        status_bar.addWidget(self.provenance_label, 1)
        status_bar.addPermanentWidget(self.progress)
        status_bar.addPermanentWidget(self.cancel_scans_button)
        status_bar.addPermanentWidget(self.modified_label)
        self.undo_group.cleanChanged.connect(self._on_undo_clean_changed)
        self.undo_group.indexChanged.connect(self._on_undo_index_changed)

    def _build_actions(self) -> None:
        menubar = self.menuBar()
        for name, _text in MENUS:
            menu = menubar.addMenu("")
            menu.setObjectName(f"menu_{name}")
            self.menus[name] = menu
        for spec in ACTIONS:
            action = QAction(self)
            action.setObjectName(f"action_{spec.name}")
            action.setShortcuts(key_sequences(spec))
            action.setCheckable(spec.checkable)
            slot = getattr(self, spec.slot)
            if spec.checkable:
                action.toggled.connect(slot)
            else:
                action.triggered.connect(lambda _checked=False, s=slot: s())
            if spec.scope in ("grid", "source"):
                action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                (self.grid_view if spec.scope == "grid" else self.source_view).addAction(action)
            else:
                self.addAction(action)
            self.menus[spec.menu].addAction(action)
            self.actions_by_name[spec.name] = action
        self.actions_by_name["wrap_lines"].setChecked(True)

    def retranslate(self) -> None:
        """Set every visible text (again, after a language change)."""
        self._update_window_title()
        for name, text in MENUS:
            self.menus[name].setTitle(tr(text))
        for spec in ACTIONS:
            self.actions_by_name[spec.name].setText(tr(spec.text))
        self.queue_dock.setWindowTitle(self.tr("报告队列"))
        self._update_issue_dock_title()
        self.history_dock.setWindowTitle(self.tr("修改记录"))
        self.errors_only_box.setText(self.tr("只显示有错误的报告"))
        self.status_caption.setText(self.tr("审核状态"))
        self.note_caption.setText(self.tr("审核备注"))
        self.note_edit.setPlaceholderText(self.tr("给本报告的备注（退回原因等）"))
        for i in range(self.status_combo.count()):
            self.status_combo.setItemText(i, tr(STATUS_LABELS[str(self.status_combo.itemData(i))]))
        self.status_combo.setMinimumContentsLength(max(len(self.status_combo.itemText(i)) for i in range(4)))
        self.source_pane.search_bar.retranslate()
        self.source_tabs.setTabText(0, self.tr("文本"))
        self.source_tabs.setTabText(1, self.tr("原页面"))
        self.page_view.retranslate()
        self.cancel_scans_button.setText(self.tr("取消识别"))
        self.cancel_scans_button.setToolTip(self.tr("停止识别本批扫描件（已读的页不保留，文件留在队列中）"))
        self.queue_model.retranslate()
        fit_header_widths(self.queue_view)  # "Warnings" needs more room than 警告
        status_width = max(self.queue_view.fontMetrics().horizontalAdvance(t) for t in status_texts()) + 12
        if self.queue_view.columnWidth(ReportQueueModel.STATUS) < status_width:  # 「审核中」, "In review", "Unreadable"
            self.queue_view.setColumnWidth(ReportQueueModel.STATUS, status_width)
        self.issue_model.retranslate()
        self.history_model.retranslate()
        self._update_modified_label()
        self._show_review_fields()

    def changeEvent(self, event: QEvent) -> None:
        # a window whose construction failed (workspace in use) has no store: nothing to retranslate
        if event.type() == QEvent.Type.LanguageChange and hasattr(self, "overview"):
            self.retranslate()
        super().changeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.open_paths(paths)

    # ================================================================== current report

    @property
    def document(self) -> ReviewDocument | None:
        return self.documents.get(self.current_rid) if self.current_rid is not None else None

    def select_report(self, rid: int) -> None:
        """Select a report in the queue (which shows it)."""
        row = self.queue_model.row_of(rid)
        if row < 0:
            return
        proxy_index = self.queue_filter.mapFromSource(self.queue_model.index(row, 0))
        if proxy_index.isValid():
            self.queue_view.setCurrentIndex(proxy_index)
            self.queue_view.scrollTo(proxy_index)
        if self.current_rid != rid:
            self.show_report(rid)

    def _on_queue_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        rid = current.data(KEY_ROLE)
        if isinstance(rid, int) and rid != self.current_rid:
            self.show_report(rid)

    def _document_for(self, rid: int) -> ReviewDocument | None:
        if rid in self.documents:
            return self.documents[rid]
        report = self.store.report(rid)
        if report is None:
            return None
        document = ReviewDocument(self.store, rid, report, lambda: self.preferences.reviewer, self)
        document.issuesChanged.connect(self._on_document_issues_changed)
        document.storeRefused.connect(self.shared.refused)
        document.carryOverChanged.connect(self._on_carry_over_changed)
        self.documents[rid] = document
        stack = QUndoStack(self)
        self.stacks[rid] = stack
        self.undo_group.addStack(stack)
        return document

    def show_report(self, rid: int) -> None:
        """Show one report: source, grid, issues, history, status."""
        summary = self.queue_model.summary(rid)
        if summary is None:
            return
        if self.current_rid is not None and self.current_rid != rid:
            self._finish_pending_input()  # a half-typed cell or note belongs to the report being left
        self.shared.report_shown(rid)  # a shared workspace: claim it, or show it read-only
        self.current_rid = rid
        unavailable: str | None = None
        try:
            document = self._document_for(rid)
            if document is not None:
                document.refresh_cross_year()  # last year's report may have changed since this one was shown
                history = self.store.history(rid)
        except WorkspaceError as exc:  # the server is gone: say so, the window stays usable
            document, unavailable = None, exc.reason
        if document is None:
            self.grid_model.set_document(None)
            self.issue_model.set_document(None)
            self.history_model.set_history([], None)
            self.source_view.set_source(
                unavailable or self.tr("无法读取此文件：") + f"{summary.file}\n\n{summary.error or ''}"
            )
            self.page_view.set_pdf(None)
            self.undo_group.setActiveStack(None)  # type: ignore[arg-type]
        else:
            self.source_view.set_source(document.report.text)
            self._show_pages(rid, document.report)
            self.grid_model.set_document(document)
            self.issue_model.set_document(document)
            self.history_model.set_history(history, document.report)
            self.undo_group.setActiveStack(self.stacks[rid])
            if summary.status == "pending" and not self.shared.is_read_only():
                self.set_review_status("in_review")
        self._show_review_fields()
        self._update_window_title()
        self._update_modified_label()
        self.selection_label.clear()
        self.provenance_label.clear()
        self.statusBar().clearMessage()  # a message about the previous report would mislead
        self.shared.apply_read_only()
        self.currentReportChanged.emit(rid)

    def finish_pending_input(self) -> None:
        """Store what the reviewer is still typing (before a step that reloads or leaves the report)."""
        self._finish_pending_input()

    def reload_queue(self) -> None:
        """Read the queue again from the workspace (after reports were removed or restored)."""
        self.queue_model.set_reports(self.store.reports())
        self.overview.report_changed(-1)

    def show_nothing(self) -> None:
        """Empty views: no report is selected (the queue is empty)."""
        self.current_rid = None
        self.grid_model.set_document(None)
        self.issue_model.set_document(None)
        self.history_model.set_history([], None)
        self.source_view.set_source("")
        self.undo_group.setActiveStack(None)  # type: ignore[arg-type]
        self._show_review_fields()
        self._update_window_title()

    def _finish_pending_input(self) -> None:
        """Store what the reviewer is still typing: an open cell editor (committed like Enter) and the note."""
        editor = self._cell_editor()
        if editor is not None:
            self.grid_view.commitData(editor)
            self.grid_view.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self._on_note_edit_finished()

    def _is_typing(self) -> bool:
        return self._cell_editor() is not None or self.note_edit.hasFocus()

    def _show_review_fields(self) -> None:
        summary = self.queue_model.summary(self.current_rid) if self.current_rid is not None else None
        readable = summary is not None and summary.error is None
        self.status_combo.setEnabled(summary is not None)
        self.note_edit.setEnabled(summary is not None)
        if summary is None:
            self.report_title.clear()
            return
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(summary.status)))
        self.note_edit.setText(summary.note)
        parts = [
            summary.agency or summary.file,
            self.tr("%1年度").replace("%1", str(summary.year)) if summary.year else "",
            self.tr("%1版表式").replace("%1", summary.template) if summary.template else "",
        ]
        self.report_title.setText(" · ".join(p for p in parts if p) if readable else summary.file)
        self._show_missing_tables()

    def _show_missing_tables(self) -> None:
        """Name the form tables the parser did not find in the report (the grid leaves them out, so say so)."""
        document = self.document
        missing = [] if document is None else [t for t in formbook().tables if t not in document.report.forms]
        if not missing:
            self.missing_tables_label.hide()
            return
        titles = "、".join(f"{formbook().table(t).title}" for t in missing)
        self.missing_tables_label.setText(
            self.tr("报告中没有找到这些表格（表格缺失或未能识别，请核对原文）：") + titles
        )
        self.missing_tables_label.show()

    def _update_window_title(self) -> None:
        shown = self.store.location if self.store.is_shared else self.store.path.name
        title = self.tr("政府信息公开年度报告审核") + f" — {shown}"
        summary = self.queue_model.summary(self.current_rid) if self.current_rid is not None else None
        if summary is not None:
            title = f"{summary.agency or summary.file} {summary.year or ''} — " + title
        if self.isWindowModified():
            title = self.tr("（有未导出的修改）") + " " + title
        self.setWindowTitle(title + "[*]")  # Qt shows the placeholder as * while modified

    def set_review_status(self, status: ReviewStatus) -> None:
        if self.current_rid is None:
            return
        try:
            self.store.set_status(self.current_rid, status)
        except WorkspaceError as exc:  # another reviewer has it, or the server is gone: nothing was stored
            self.shared.refused(exc)
            return
        self._refresh_summary(self.current_rid)
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(status)))

    def _on_status_combo_activated(self, index: int) -> None:
        status = self.status_combo.itemData(index)
        if status in STATUS_LABELS:
            self.set_review_status(status)

    def _on_note_edit_finished(self) -> None:
        if self.current_rid is None:
            return
        summary = self.queue_model.summary(self.current_rid)
        if summary is not None and summary.note != self.note_edit.text():
            try:
                self.store.set_note(self.current_rid, self.note_edit.text())
            except WorkspaceError as exc:
                self.shared.refused(exc)
                return
            self._refresh_summary(self.current_rid)

    def _refresh_summary(self, rid: int) -> None:
        self.queue_model.upsert(self.store.summary(rid))
        self.overview.report_changed(rid)

    def _on_batch_overview_triggered(self) -> None:
        self.overview.show()
        self.overview.raise_()
        self.overview.activateWindow()

    def _on_overview_report_requested(self, rid: int) -> None:
        self.select_report(rid)
        self.raise_()
        self.activateWindow()

    def _on_document_issues_changed(self) -> None:
        document = self.sender()
        if isinstance(document, ReviewDocument):
            self._refresh_summary(document.rid)
            if document.rid == self.current_rid:
                self.history_model.set_history(self.store.history(document.rid), document.report)

    def _on_carry_over_changed(self) -> None:
        """Recount the queue rows of the same organ's next-year reports (the workspace already re-checked
        their CROSS_YEAR_CARRY); their issue lists are refreshed when they are shown."""
        document = self.sender()
        if not isinstance(document, ReviewDocument) or document.report.year is None:
            return
        organ = organ_key(document.report.agency or "")
        for rid in self.queue_model.ids_of_year(document.report.year + 1):
            summary = self.store.summary(rid)
            if organ and organ_key(summary.agency or "") == organ:
                self.queue_model.upsert(summary)

    # ================================================================== grid, source, status bar

    def current_key(self) -> str | None:
        return self.grid_model.key(self.grid_view.currentIndex())

    def select_cell(self, key: str, scroll_source: bool = True) -> bool:
        index = self.grid_model.index_of(key)
        if not index.isValid():
            return False
        self._scroll_source = scroll_source
        try:
            self.grid_view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.grid_view.scrollTo(index)
        finally:
            self._scroll_source = True
        return True

    _scroll_source = True

    def selected_keys(self) -> list[str]:
        """Selected value cells in grid order (row, then column)."""
        indexes = sorted(
            self.grid_view.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column())
        )
        keys = [k for i in indexes if (k := self.grid_model.key(i)) is not None]
        current = self.current_key()
        if not keys and current is not None:
            keys = [current]
        return keys

    def _on_grid_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        document = self.document
        key = self.grid_model.key(current)
        if document is None or key is None:
            return
        cell = document.cell(key)
        value = format_number(document.value(key)) or self.tr("空白")
        self.selection_label.setText(f"{formbook().label(key)} = {value}")
        self.provenance_label.setText(self._provenance(key))
        spans = list(cell.spans) if cell is not None else []
        self.source_view.highlight_spans(spans, scroll=self._scroll_source)
        self._box_cells([key])
        failing = [v for v in document.violations_of(key) if v.status == "fail"]
        issue_ident = self._current_issue_ident()
        if not any(v.ident == issue_ident for v in failing):
            document.set_highlight(failing[0].ident if failing else None)

    def _provenance(self, key: str) -> str:
        document = self.document
        cell = document.cell(key) if document else None
        if document is None or cell is None or not cell.spans:
            text = self.tr("原文中未找到此单元格")
        else:
            line = document.report.text.count("\n", 0, cell.spans[0][0]) + 1
            text = self.tr("原文") + f"“{cell.raw}” · " + self.tr("第 %1 行").replace("%1", str(line))
        if cell is not None:
            if cell.corrected:
                text += " · " + self.tr("已更正，原解析值 ") + (format_number(cell.parsed) or self.tr("空白"))
            if not cell.settled:
                text += " · " + self.tr("解析存疑：") + (cell.flag or "")
        return text

    def _on_source_clicked(self, position: int) -> None:
        document = self.document
        if document is None:
            return
        key = document.key_at(position)
        if key is None:
            self.statusBar().showMessage(self.tr("此处的文字没有填入任何单元格"), 5000)
            return
        self.select_cell(key, scroll_source=False)
        self.statusBar().showMessage(self.tr("此数字填入了 ") + formbook().label(key), 5000)

    def _on_grid_edit_refused(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _on_undo_clean_changed(self, _clean: bool) -> None:
        self._update_modified_label()

    def _on_undo_index_changed(self, _index: int) -> None:
        self._update_modified_label()
        key = self.current_key()
        if key is not None:
            self.provenance_label.setText(self._provenance(key))

    def _update_modified_label(self) -> None:
        """'Unsaved' = changed since the last Excel export (every edit is already in the workspace file)."""
        stack = self.stacks.get(self.current_rid) if self.current_rid is not None else None
        self.setWindowModified(stack is not None and not stack.isClean())
        unexported = sum(1 for s in self.stacks.values() if not s.isClean())
        if unexported:
            text = self.tr("%n 份报告有未导出的修改（已保存到工作区）").replace("%n", str(unexported))
        else:
            text = self.tr("无未导出的修改")
        self.modified_label.setText(text)
        self._update_window_title()

    def is_modified(self) -> bool:
        return any(not stack.isClean() for stack in self.stacks.values())

    # ================================================================== the original page

    def _on_source_tab_changed(self, index: int) -> None:
        self.preferences.page_view = index == 1

    def _show_pages(self, rid: int, report: Report) -> None:
        """The report's original pages in the page view (PDFs; other files have no pages to show)."""
        if report.kind == "pdf":
            self.page_view.set_pdf(self.store.source_bytes(rid))
            return
        if report.kind == "image":  # a page image (PNG/JPEG/TIFF): shown as the PDF of its pages
            try:
                from gikai_desk.ingest.ocr import image_pages_pdf

                self.page_view.set_pdf(image_pages_pdf(self.store.source_bytes(rid), report.file))
                return
            except (ImportError, InputError) as exc:
                log.info("no page view of %s: %s", report.file, exc)
        self.page_view.set_pdf(None, self.tr("原页面只对 PDF 和扫描图片报告显示"))

    def _on_page_clicked(self, page: int, x: float, y: float) -> None:
        """A click on a number on the page selects the cell it fed (or says it fed none)."""
        document = self.document
        if document is None:
            return
        slack = 2.0
        hits = [
            start
            for start, (p, x0, y0, x1, y1) in document.report.boxes.items()
            if p == page and x0 - slack <= x <= x1 + slack and y0 - slack <= y <= y1 + slack
        ]
        if not hits:
            self.statusBar().showMessage(self.tr("此处的文字没有填入任何单元格"), 5000)
            return
        self._on_source_clicked(hits[0])

    def _box_cells(self, keys: list[str]) -> None:
        """Frame on the page the characters these cells were read from."""
        document = self.document
        if document is None:
            return
        boxes = document.report.boxes
        found = [
            boxes[start]
            for key in keys
            if (cell := document.report.cells.get(key)) is not None
            for start, _ in cell.spans
            if start in boxes
        ]
        self.page_view.show_boxes(found)

    # ================================================================== view

    def _on_find_triggered(self) -> None:
        self.source_pane.search_bar.open_bar()

    def _on_zoom_in_triggered(self) -> None:
        self.source_view.zoomIn(1)

    def _on_zoom_out_triggered(self) -> None:
        self.source_view.zoomOut(1)

    def _on_wrap_lines_toggled(self, on: bool) -> None:
        from PySide6.QtWidgets import QPlainTextEdit

        mode = QPlainTextEdit.LineWrapMode.WidgetWidth if on else QPlainTextEdit.LineWrapMode.NoWrap
        self.source_view.setLineWrapMode(mode)

    def _on_errors_only_toggled(self, on: bool) -> None:
        self.queue_filter.set_errors_only(on)
        for widget in (self.errors_only_box, self.actions_by_name.get("errors_only")):
            if widget is not None and widget.isChecked() != on:
                widget.setChecked(on)

    # ================================================================== files, workspace, preferences

    def _on_open_files_triggered(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            self.tr("打开报告文件"),
            "",
            self.tr("报告文件")
            + " ("
            + " ".join(f"*{suffix}" for suffix in sorted(SUFFIXES))
            + ");;"
            + self.tr("所有文件")
            + " (*)",
        )
        if files:
            self.open_paths(files)

    def _on_open_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("打开文件夹"))
        if folder:
            self.open_paths([folder])

    def _on_open_demo_triggered(self) -> None:
        self.open_paths([demo_path()])

    def switch_workspace(self, path: Path | str, create: bool) -> bool:
        """Close the current workspace and open (or create) another (a file, or a postgresql:// address)."""
        shared = isinstance(path, str) and is_url(path)
        if not shared:
            path = Path(path)
            if not create and not self.store.is_shared and path.resolve() == self.store.path.resolve():
                return True  # already open here
        lock = None
        try:
            lock = None if shared else lock_workspace(Path(path))
        except WorkspaceInUseError as exc:
            QMessageBox.warning(self, self.tr("工作区"), self.tr("无法打开工作区：") + f"\n{exc}")
            return False
        reviewer = self.preferences.reviewer
        try:
            if shared:
                store = Workspace.open_or_create(path, reviewer) if create else Workspace.open(path, reviewer)
            else:
                store = Workspace.create(path, reviewer) if create else Workspace.open(path, reviewer)
        except Exception as exc:
            if lock is not None:
                lock.unlock()
            shown = exc if isinstance(exc, WorkspaceError) else f"{path}\n{exc}"
            QMessageBox.warning(self, self.tr("工作区"), self.tr("无法打开工作区：") + f"{shown}")
            return False
        self._finish_pending_input()  # into the workspace being closed
        self.report_ops.stack.clear()  # removals of the workspace being closed
        self.grid_model.set_document(None)
        self.issue_model.set_document(None)
        self.history_model.set_history([], None)
        for stack in self.stacks.values():
            self.undo_group.removeStack(stack)
        self.documents.clear()
        self.stacks.clear()
        self.current_rid = None
        self.shared.detach()
        self.store.close()
        if self._workspace_lock is not None:
            self._workspace_lock.unlock()
        self._workspace_lock = lock
        self.store = store
        self.shared.attach(store)
        self.preferences.workspace = path
        self.source_view.set_source("")
        self.overview.set_store(store)
        self.queue_model.set_reports(self.store.reports())
        if self.queue_model.rowCount():
            self.select_report(int(self.queue_model.data(self.queue_model.index(0, 0), KEY_ROLE)))
        self._update_window_title()
        self._update_modified_label()
        return True

    def _on_new_workspace_triggered(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("新建工作区"), str(self.store.path.parent), self.tr("工作区") + " (*.gikai)"
        )
        if path:
            target = Path(path if path.endswith(".gikai") else path + ".gikai")
            self.switch_workspace(target, create=not target.exists())

    def _on_open_workspace_triggered(self) -> None:
        """A workspace file, or a shared workspace's server address (postgresql://…)."""
        dialog = WorkspaceAddressDialog(self, "" if self.store.is_shared else str(self.store.path))
        if dialog.exec() != WorkspaceAddressDialog.DialogCode.Accepted or not dialog.location():
            return
        location = dialog.location()
        if is_url(location):
            self.switch_workspace(location, create=True)  # an empty database gets a new workspace
        else:
            self.switch_workspace(Path(location), create=False)

    def export_excel(self, path: Path | None, per_report_dir: Path | None = None) -> bool:
        """Write the summary workbook and/or one workbook per report (gikai_desk.excel); marks the edits as
        exported (the undo stacks' clean state)."""
        try:
            from gikai_desk import excel
        except ImportError:
            self.statusBar().showMessage(self.tr("Excel 导出功能不可用"), 8000)
            return False
        try:
            excel.export_workspace(self.store, path, per_report_dir)
        except Exception as exc:
            QMessageBox.warning(self, self.tr("导出 Excel"), self.tr("导出失败：") + str(exc))
            return False
        for stack in self.stacks.values():
            stack.setClean()
        self._update_modified_label()
        self.statusBar().showMessage(self.tr("已导出：") + str(path or per_report_dir), 8000)
        return True

    def _on_export_excel_triggered(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出 Excel"), str(self.store.path.with_suffix(".xlsx")), "Excel (*.xlsx)"
        )
        if path:
            self.export_excel(Path(path if path.endswith(".xlsx") else path + ".xlsx"))

    def _on_export_per_report_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("导出单份报告 Excel 到文件夹"), str(self.store.path.parent)
        )
        if folder:
            self.export_excel(None, Path(folder))

    # ---- re-import of an edited per-report workbook

    def workbook_changes(self, path: Path) -> list[WorkbookChange]:
        """Differences between the current report and a per-report workbook (InputError when unreadable)."""
        if self.current_rid is None or self.document is None:
            raise InputError(str(path), tr("请先在报告队列中选择要导入修改的报告"))
        return self.store.workbook_changes(self.current_rid, path)

    def apply_workbook_changes(self, path: Path, changes: Sequence[WorkbookChange]) -> bool:
        """Apply workbook values as one undoable step, recorded with reason 'imported from <file>'."""
        document = self.document
        if document is None or not changes:
            return False
        values = {key: new for key, _now, new in changes}
        text = self.tr("导入Excel修改") + f" {path.name}"
        refusal = self._refusal(values)
        if refusal is not None:
            self.statusBar().showMessage(refusal, 10000)
            return False
        self.stacks[document.rid].push(
            SetCellsCommand(document, values, text, reason=f"imported from {path.name}")
        )
        self.statusBar().showMessage(
            self.tr("已从 %1 导入 %2 处修改").replace("%1", path.name).replace("%2", str(len(values))), 8000
        )
        return True

    def import_excel(self, path: Path) -> bool:
        """Show the differences of an edited per-report workbook and, when confirmed, apply them."""
        try:
            changes = self.workbook_changes(path)
        except (InputError, ValueError) as exc:
            QMessageBox.warning(self, self.tr("导入Excel修改"), str(exc))
            return False
        if not changes:
            self.statusBar().showMessage(self.tr("工作簿与报告没有不同：") + path.name, 8000)
            return False
        summary = self.queue_model.summary(self.current_rid) if self.current_rid is not None else None
        report = (summary.agency or summary.file) if summary is not None else ""
        dialog = ImportChangesDialog(changes, path.name, report, self)
        if not dialog.exec():
            return False
        return self.apply_workbook_changes(path, changes)

    def _on_import_excel_triggered(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("导入Excel修改"), str(self.store.path.parent), "Excel (*.xlsx)"
        )
        if path:
            self.import_excel(Path(path))

    def _on_preferences_triggered(self) -> None:
        dialog = PreferencesDialog(self.preferences, self)
        if dialog.exec():
            self.store.reviewer = self.preferences.reviewer  # claims and 'changed by' use the new name
            install_language(self.preferences.language)
            self.retranslate()  # at once; the LanguageChange event repeats it for the other widgets

    def _on_quit_triggered(self) -> None:
        self.close()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_panes()

    def _fit_panes(self) -> None:
        """In a small window keep the queue and the issue list from crowding out the grid: cap them at a share
        of the window and give the grid the larger part of the centre (a wider dock the reviewer set is kept
        until the window shrinks below it)."""
        queue_max = max(230, min(QUEUE_DEFAULT_WIDTH, self.width() - 1050))  # all the queue's columns from 1450 px up
        if self.queue_dock.width() > queue_max:
            self.resizeDocks([self.queue_dock], [queue_max], Qt.Orientation.Horizontal)
        issues_max = max(140, self.height() * 24 // 100)
        if self.issue_dock.height() > issues_max:
            self.resizeDocks([self.issue_dock], [issues_max], Qt.Orientation.Vertical)
        sizes = self.splitter.sizes()
        total = sum(sizes)
        grid_min = min(total * 62 // 100, 620)
        if len(sizes) == 2 and total > 0 and sizes[1] < grid_min:
            self.splitter.setSizes([total - grid_min, grid_min])

    def _restore_panes(self) -> None:
        """The dock and splitter sizes the reviewer left last time (QSettings); the defaults otherwise."""
        state = self.preferences.pane_layout("window")
        if state is not None:
            self.restoreState(state)
        else:  # the queue as wide as its columns (capped on smaller screens by _fit_panes)
            self.resizeDocks([self.queue_dock], [QUEUE_DEFAULT_WIDTH], Qt.Orientation.Horizontal)
        splitter = self.preferences.pane_layout("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def _save_panes(self) -> None:
        self.preferences.set_pane_layout("window", self.saveState())
        self.preferences.set_pane_layout("splitter", self.splitter.saveState())

    def closeEvent(self, event: QCloseEvent) -> None:
        self._finish_pending_input()
        self.shared.detach()
        self._save_panes()
        self.overview.close()
        self._cancel_scans.set()  # a long scan stops after its current page rather than holding the window open
        self._pool.waitForDone(30000)
        self._process_parser.shutdown()
        QApplication.processEvents()  # store the files parsed meanwhile: nothing the window started is lost
        self._store_ready(None)
        self.preferences.sync()
        if self._workspace_lock is not None:
            self._workspace_lock.unlock()  # another window may open the workspace now
        super().closeEvent(event)
