"""Background reading and parsing of report files; results reach the main thread as a queued signal.

A few files are parsed in threads (QRunnable on a QThreadPool: no start-up cost). A big batch is parsed in
worker processes (`ProcessParser`): the parser is pure Python, and parser threads would hold the interpreter
lock the window needs for every paint and every call back from Qt, so the window would stutter while a batch
of hundreds loads. A worker process that dies takes only its file's parse with it: that file is parsed again
in a thread. A scan read by OCR in a thread reports its pages and can be cancelled between pages; in a worker
process it reports only when done.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from gikai_desk.errors import InputError
from gikai_desk.ingest import LEGACY_SUFFIXES, PAGE_IMAGE_SUFFIXES, REPORT_SUFFIXES, SourceDocument
from gikai_desk.parsejob import ParsedFile, lower_priority, parse_file

__all__ = [
    "CANCELLED",
    "SUFFIXES",
    "ParseSignals",
    "ParseTask",
    "ParsedFile",
    "ProcessParser",
    "expand_paths",
    "parse_file",
]

log = logging.getLogger(__name__)

SUFFIXES = (REPORT_SUFFIXES | LEGACY_SUFFIXES) - PAGE_IMAGE_SUFFIXES
"""File types taken when a folder is opened (LEGACY_SUFFIXES would be queued with a "save as" message). Page images
are read when opened one by one; a folder of pages as one report is for the command line only (the workspace
stores one file per report)."""

CANCELLED = "已取消扫描件识别 OCR cancelled (open the file again to read it)"


class ParseSignals(QObject):
    """Lives in the main thread; `finished` is delivered there (queued) with a ParsedFile."""

    finished = Signal(object)
    page = Signal(str, int, int)
    """A scan being read by OCR: file, pages done, pages in all (after each page)."""
    partial = Signal(str, object)
    """A scan being read by OCR: file, the Report of the pages read so far (after each page but the last)."""


class ParseTask(QRunnable):
    def __init__(
        self, path: Path, signals: ParseSignals, order: int = 0, cancel: threading.Event | None = None
    ) -> None:
        super().__init__()
        self.path = path
        self.signals = signals
        self.order = order
        self.cancel = cancel
        """Set: a scan being read by OCR stops after its current page (the file is kept with that reason)."""
        self.setAutoDelete(True)

    def run(self) -> None:
        from gikai_desk.ingest.ocr import on_page, on_partial

        name = str(self.path)

        def page(done: int, total: int) -> None:
            self.signals.page.emit(name, done, total)
            if self.cancel is not None and self.cancel.is_set() and done < total:
                raise InputError(name, CANCELLED)

        def partial(document: SourceDocument) -> None:
            from gikai_desk.parse import parse_document

            try:
                report = parse_document(document)
            except Exception:  # the first pages may hold no table yet: nothing to show
                log.debug("no preview of %s after its first pages", name, exc_info=True)
                return
            self.signals.partial.emit(name, report)

        with on_page(page), on_partial(partial):
            parsed = parse_file(self.path)
        parsed.order = self.order
        self.signals.finished.emit(parsed)


AHEAD = 12
"""Files parsed ahead of the window storing them (the workers are kept busy, memory stays small)."""
PROCESS_MIN_FILES = 12
"""Batches of at least this many files are parsed in worker processes (starting one costs about half a second)."""


def process_workers() -> int:
    """Worker processes: one core is left to the window (and SQLite); at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class ProcessParser(QObject):
    """Parses files in a pool of worker processes (spawned: no fork of a process running Qt threads).

    `finished` is emitted from the pool's result thread and delivered queued to the main thread, like
    ParseSignals. The pool starts on the first batch and stays for the next; `shutdown` waits for its files.
    """

    finished = Signal(object)

    def __init__(self, fallback: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._waiting: deque[tuple[Path, int]] = deque()
        self._in_flight = 0
        self.limit = AHEAD
        """Files given to the workers at a time (the window lowers it while it has results left to store):
        a thousand parsed reports waiting in memory would make every garbage collection a visible stall."""
        self.finished.connect(self._on_finished)  # queued: runs in the main thread
        self._executor: ProcessPoolExecutor | None = None
        self._unavailable = False
        """Worker processes could not be started here: threads from then on."""
        self._fallback = fallback
        self._fallback_signals = ParseSignals()
        self._fallback_signals.finished.connect(self.finished)

    def start(self, path: Path, order: int) -> None:
        """Parse `path` (now, or once fewer than `limit` files are being parsed)."""
        self._waiting.append((path, order))
        self.pump()

    def pump(self) -> None:
        """Hand waiting files to the workers up to `limit` at a time."""
        while self._waiting and self._in_flight < max(1, self.limit):
            self._in_flight += 1
            self._submit(*self._waiting.popleft())

    def pending(self) -> int:
        """Files given and not yet reported back."""
        return len(self._waiting) + self._in_flight

    def _on_finished(self, _parsed: ParsedFile) -> None:
        self._in_flight -= 1
        self.pump()

    def _submit(self, path: Path, order: int) -> None:
        if self._unavailable:
            self._fallback.start(ParseTask(path, self._fallback_signals, order))
            return
        try:
            if self._executor is None:
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(
                    process_workers(), mp_context=context, initializer=lower_priority
                )
            future = self._executor.submit(parse_file, path)
        except Exception:  # no processes here (a locked-down PC, a broken pool): parse in threads
            log.exception("worker processes unavailable; parsing in threads")
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=False)
            self._executor = None
            self._unavailable = True
            self._fallback.start(ParseTask(path, self._fallback_signals, order))
            return
        future.add_done_callback(lambda done: self._done(path, order, done))

    def _done(self, path: Path, order: int, future: Future[ParsedFile]) -> None:
        try:
            parsed = future.result()
        except Exception:  # the worker process died (or the result did not come back): parse it here
            log.exception("worker process failed on %s; parsing it in a thread", path)
            self._fallback.start(ParseTask(path, self._fallback_signals, order))
            return
        parsed.order = order
        self.finished.emit(parsed)

    def shutdown(self) -> None:
        """Wait for every file given (their results are then queued to the main thread) and end the workers."""
        self.limit = 1 << 30
        self.pump()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        self._fallback.waitForDone(30000)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the report files inside given folders (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            out.append(path)
    return out
