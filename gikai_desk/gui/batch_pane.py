"""Opening files: parsing in the background (threads, or worker processes for a big batch), storing the results
in the order asked for without stalling the window, a revised file replacing its report, and a scan's first pages
shown while OCR reads the rest. A base of MainWindow: the panes it fills are built there."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QEventLoop, QThreadPool, QTimer, SignalInstance
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QToolButton

from gikai_desk.gui.document import ReviewDocument
from gikai_desk.gui.loading import PROGRESS_EVERY_S, STORE_SLICE_S, ChunkSizer, DuplicateIndex
from gikai_desk.gui.models import HistoryModel
from gikai_desk.gui.overview import BatchOverview
from gikai_desk.gui.page_view import PageView
from gikai_desk.gui.preferences import Preferences
from gikai_desk.gui.review_pane import ReviewPane
from gikai_desk.gui.scan_preview import preview_store
from gikai_desk.gui.worker import (
    AHEAD,
    PROCESS_MIN_FILES,
    ParsedFile,
    ParseSignals,
    ParseTask,
    ProcessParser,
    expand_paths,
)
from gikai_desk.model import Report
from gikai_desk.workspace import Workspace

log = logging.getLogger(__name__)


class BatchPane(ReviewPane):
    """Background parsing and storing of the files a reviewer opens."""

    store: Workspace
    preferences: Preferences
    progress: QProgressBar
    cancel_scans_button: QToolButton
    report_title: QLabel
    page_view: PageView
    overview: BatchOverview
    history_model: HistoryModel
    documents: dict[int, ReviewDocument]
    undo_group: QUndoGroup
    parsingIdle: SignalInstance

    def _is_typing(self) -> bool:
        raise NotImplementedError

    def _finish_pending_input(self) -> None:
        raise NotImplementedError

    def show_nothing(self) -> None:
        raise NotImplementedError

    def _init_loading(self) -> None:
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, min(4, QThreadPool.globalInstance().maxThreadCount())))
        self._signals: list[ParseSignals] = []
        self._process_parser = ProcessParser(self._pool, self)
        self._process_parser.finished.connect(self._on_parse_finished)
        self._pending = 0
        self._batch_total = 0
        self._batch_done = 0
        self._select_after_parse: int | None = None
        self._duplicates: list[str] = []
        """'new file = file in the workspace' for files of this batch not added again."""
        self._revisions: list[str] = []
        """Files of this batch that replaced a report as its new version (said when the batch is done)."""
        self._added_in_batch: set[int] = set()
        """Reports this batch added (a file of the same batch is never taken for their revision)."""
        self._preview: ReviewDocument | None = None
        """The document of a scan's first pages, shown while the rest is read (gui/scan_preview.py)."""
        self._preview_file = ""
        self._next_order = 0
        self._store_next = 0
        self._finished_early: dict[int, ParsedFile] = {}
        """Parsed files waiting for an earlier one to be stored first."""
        self._duplicate_index: DuplicateIndex | None = None
        self._chunk_sizer = ChunkSizer()
        self._progress_shown = 0.0
        self._store_timer = QTimer(self)
        self._store_timer.setSingleShot(True)
        self._store_timer.setInterval(0)
        self._store_timer.timeout.connect(self._store_ready)
        self._report_at_batch_start: int | None = None
        """The report shown when the batch began (the first new one is shown at the end only if still so)."""

    def open_paths(self, paths: Sequence[str | Path]) -> None:
        """Parse files (and the report files inside folders) in the background and add them to the workspace."""
        files = expand_paths([Path(p) for p in paths])
        if not files:
            return
        if self._pending == 0:
            self._batch_total = self._batch_done = 0
            self._report_at_batch_start = self.current_rid
        self._batch_total += len(files)
        self._pending += len(files)
        self.progress.setRange(0, self._batch_total)
        self.progress.setValue(self._batch_done)
        self.progress.show()
        self.statusBar().showMessage(
            self.tr("正在解析 %n 个文件…", "", len(files)).replace("%n", str(len(files)))
        )
        if self._pending == len(files):
            self._cancel_scans = threading.Event()  # a new batch: an earlier cancel does not stop it
        signals = ParseSignals()
        signals.finished.connect(self._on_parse_finished)
        signals.page.connect(self._on_scan_page)
        signals.partial.connect(self._on_scan_partial)
        self._signals.append(signals)
        for path in files:
            if len(files) >= PROCESS_MIN_FILES:  # a big batch: worker processes keep the window responsive
                self._process_parser.start(path, self._next_order)
            else:
                self._pool.start(ParseTask(path, signals, self._next_order, self._cancel_scans))
            self._next_order += 1

    def _on_scan_page(self, name: str, done: int, total: int) -> None:
        """Progress of a scan read by OCR, page by page (the window stays live: reading is in the background)."""
        text = self.tr("正在识别扫描件 {0}：第 {1}/{2} 页").format(Path(name).name, done, total)
        self.statusBar().showMessage(text, 10000)
        self.cancel_scans_button.setVisible(self._pending > 0 and not self._cancel_scans.is_set())

    def _on_scan_partial(self, name: str, report: Report) -> None:
        """The pages of a scan read so far: shown read-only while later pages are read, when the reviewer is not
        at work on another report (the same rule as showing the first new report at the end of a batch)."""
        if not (self.previewing or self.current_rid == self._report_at_batch_start) or self._is_typing():
            return
        self._finish_pending_input()
        self.current_rid = None  # nothing is edited while the preview is shown
        old = self._preview
        self._preview = ReviewDocument(preview_store(), -1, report, lambda: self.preferences.reviewer, self)
        self.grid_model.set_document(self._preview)
        self.issue_model.set_document(None)  # the findings of a part of the report would only mislead
        self.history_model.set_history([], report)
        self.source_view.set_source(report.text)
        self.undo_group.setActiveStack(None)  # type: ignore[arg-type]
        if old is not None:
            old.deleteLater()
        if name != self._preview_file and report.kind == "pdf":
            self._preview_file = name
            with contextlib.suppress(OSError):
                self.page_view.set_pdf(Path(name).read_bytes())
        self.report_title.setText(self.tr("预览（只读）：") + Path(name).name)

    @property
    def previewing(self) -> bool:
        """The grid shows the first pages of a scan still being read (read-only)."""
        return self._preview is not None and self.current_rid is None

    def cancel_scans(self) -> None:
        """Stop reading the scans of this batch after their current page (they stay in the queue, with a reason)."""
        self._cancel_scans.set()
        self.cancel_scans_button.hide()
        self.statusBar().showMessage(self.tr("正在取消扫描件识别…"), 5000)

    def is_idle(self) -> bool:
        return self._pending == 0

    def wait_idle(self, timeout_ms: int = 30000) -> bool:
        """Process events until background parsing is done (or `timeout_ms` passes). True when idle."""
        if self._pending == 0:
            QApplication.processEvents()
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        self.parsingIdle.connect(loop.quit)
        timer.start(timeout_ms)
        if self._pending:
            loop.exec()
        self.parsingIdle.disconnect(loop.quit)
        timer.stop()
        return self._pending == 0

    def _on_parse_finished(self, parsed: ParsedFile) -> None:
        """A file is parsed: keep it until the files before it are stored (the queue then follows the folder's
        order, not the threads' finishing order); storing runs in slices from a timer (gui/loading.py)."""
        self._batch_done += 1
        self._show_progress()
        self._finished_early[parsed.order] = parsed
        if not self._store_timer.isActive():
            self._store_timer.start()

    def _show_progress(self) -> None:
        """Move the bar once per 2 % of the batch or per PROGRESS_EVERY_S, and at the end (QProgressBar.setValue
        repaints at once: a thousand files must not cost a thousand repaints)."""
        now = time.perf_counter()
        moved = self._batch_done - self.progress.value()
        if moved > 0 and (
            moved * 50 >= self._batch_total
            or now - self._progress_shown >= PROGRESS_EVERY_S
            or self._batch_done == self._batch_total
        ):
            self.progress.setValue(self._batch_done)
            self._progress_shown = now

    def _store_ready(self, budget_s: float | None = STORE_SLICE_S) -> None:
        """Store the parsed files that are next in order, a few per transaction, for about `budget_s` (None: all
        of them); the timer comes back for the rest after the event loop has run (gui/loading.py)."""
        start = time.perf_counter()
        self._show_progress()
        if self._duplicate_index is None or self._duplicate_index.store is not self.store:
            self._duplicate_index = DuplicateIndex(self.store)
        added: list[int] = []
        while self._store_next in self._finished_early:
            now = time.perf_counter()
            left = None if budget_s is None else start + budget_s - now
            if left is not None and left <= 0:
                break
            chunk: list[ParsedFile] = []
            while self._store_next in self._finished_early and len(chunk) < self._chunk_sizer.size(left):
                chunk.append(self._finished_early.pop(self._store_next))
                self._store_next += 1
            added += self._store_chunk(chunk, self._duplicate_index)
            self._chunk_sizer.took(len(chunk), time.perf_counter() - now)
        if added:
            self.queue_model.append([self.store.summary(rid) for rid in added])
        self._process_parser.limit = AHEAD - len(self._finished_early)  # parse ahead, but not too far
        self._process_parser.pump()
        if self._store_next in self._finished_early:
            self._store_timer.start()
        if self._pending == 0:
            self._batch_stored()

    def _store_chunk(self, chunk: list[ParsedFile], index: DuplicateIndex) -> list[int]:
        """Store a few parsed files in one transaction (one by one when it fails, to name the file refused);
        the ids of the reports added (duplicates of reports in the workspace are not added again)."""
        fresh: list[ParsedFile] = []
        for parsed in chunk:
            rid = index.find(parsed)
            if rid is None:
                twin = next((f for f in fresh if f.digest == parsed.digest and f.data == parsed.data), None)
                if twin is None and self._revise(parsed, index):
                    self._pending -= 1
                    continue
                if twin is None:
                    fresh.append(parsed)
                    continue
                self._duplicates.append(f"{parsed.path.name} = {twin.path.name}")
            else:
                self._duplicates.append(f"{parsed.path.name} = {index.names.get(rid, rid)}")
                if self._select_after_parse is None:
                    self._select_after_parse = rid
            self._pending -= 1
        items = [(str(p.path), p.data, p.report, p.error) for p in fresh]
        try:
            ids = self.store.add_documents(items) if items else []
            stored = list(zip(fresh, ids, strict=True))
        except Exception:  # find the file the workspace refused; store the others
            stored = []
            for parsed, item in zip(fresh, items, strict=True):
                try:
                    stored.append((parsed, self.store.add_document(*item)))
                except Exception as exc:
                    log.exception("storing %s failed", parsed.path)
                    self.statusBar().showMessage(self.tr("无法保存到工作区：") + f"{parsed.path.name}: {exc}")
        for parsed, rid in stored:
            index.add(rid, parsed)
            self._added_in_batch.add(rid)
            if self._select_after_parse is None:
                self._select_after_parse = rid
        self._pending -= len(fresh)
        return [rid for _parsed, rid in stored]

    def _revise(self, parsed: ParsedFile, index: DuplicateIndex) -> bool:
        """A readable file with the name of a report queued before this batch (and not naming another organ or
        year) replaces that report as its new version (Workspace.revise). True when it did."""
        if parsed.report is None:
            return False
        rid = self.store.revision_of(str(parsed.path), parsed.report)
        if rid is None or rid in self._added_in_batch:
            return False
        earlier = self.store.summary(rid).file
        try:
            self.store.revise(rid, str(parsed.path), parsed.data, parsed.report)
        except Exception as exc:  # refused (another reviewer has it) or not stored: say so, keep going
            log.exception("revising %s with %s failed", earlier, parsed.path)
            self.statusBar().showMessage(self.tr("无法保存到工作区：") + f"{parsed.path.name}: {exc}")
            return True
        index.add(rid, parsed)
        if rid == self.current_rid:
            self.report_ops.refresh(rid)
        else:
            self.report_ops.forget(rid)
            self.queue_model.upsert(self.store.summary(rid))
        self._revisions.append(f"{parsed.path.name} → {earlier}")
        if self._select_after_parse is None:
            self._select_after_parse = rid
        return True

    def _batch_stored(self) -> None:
        """Everything asked for is parsed and stored: say so and show the first new report."""
        self.progress.hide()
        self.cancel_scans_button.hide()
        self._signals.clear()
        self._duplicate_index = None
        self.overview.report_changed(-1)  # new reports: recount the overview (now if shown)
        message = self.tr("解析完成：") + str(self._batch_done)
        if self._duplicates:
            message += self.tr("；与工作区中已有报告完全相同、未重复添加：") + "；".join(self._duplicates)
            self._duplicates.clear()
        if self._revisions:
            message += self.tr(
                "；作为已有报告的新版本替换（旧版本保存在工作区，审核修改保留）："
            ) + "；".join(self._revisions)
            self._revisions.clear()
        self._added_in_batch.clear()
        # show the first new report, unless the reviewer moved to another report while the batch was parsing
        if (
            self._select_after_parse is not None
            and (self.current_rid == self._report_at_batch_start or self.previewing)
            and not self._is_typing()  # never pull the report away from under a half-typed value or note
        ):
            self.select_report(self._select_after_parse)
        elif self.previewing:  # the scan was not stored (cancelled, unreadable): no preview of it stays
            self.show_nothing()
        if self._preview is not None:
            self._preview.deleteLater()
            self._preview, self._preview_file = None, ""
        self._select_after_parse = None
        self.statusBar().showMessage(message, 20000)  # after showing the report (that clears the bar)
        self.parsingIdle.emit()
