"""Background reading and parsing of report files (QRunnable on a QThreadPool); results reach the main thread."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from gikai_desk.errors import InputError
from gikai_desk.ingest import LEGACY_SUFFIXES, PAGE_IMAGE_SUFFIXES, REPORT_SUFFIXES
from gikai_desk.model import Report

log = logging.getLogger(__name__)

SUFFIXES = (REPORT_SUFFIXES | LEGACY_SUFFIXES) - PAGE_IMAGE_SUFFIXES
"""File types taken when a folder is opened (legacy .doc/.xls are queued with a "save as" message). Page images
are read when opened one by one; a folder of pages as one report is for the command line only (the workspace
stores one file per report)."""


@dataclass
class ParsedFile:
    path: Path
    data: bytes
    report: Report | None
    error: str | None
    order: int = 0
    """Position in the order the files were asked for (results are stored in that order)."""


class ParseSignals(QObject):
    """Lives in the main thread; `finished` is delivered there (queued) with a ParsedFile."""

    finished = Signal(object)
    page = Signal(str, int, int)
    """A scan being read by OCR: file, pages done, pages in all (after each page)."""


def parse_file(path: Path) -> ParsedFile:
    """Read and parse one file; any failure becomes a reason, never an exception."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return ParsedFile(path, b"", None, f"无法读取文件 cannot read: {exc.strerror or exc}")
    from gikai_desk.extract import extract

    try:
        return ParsedFile(path, data, extract(path), None)
    except InputError as exc:
        return ParsedFile(path, data, None, exc.reason)
    except Exception as exc:  # a parser bug must not stop the batch
        log.exception("parsing %s failed", path)
        return ParsedFile(
            path, data, None, f"解析出错（程序内部错误）internal error: {type(exc).__name__}: {exc}"
        )


CANCELLED = "已取消扫描件识别 OCR cancelled (open the file again to read it)"


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
        from gikai_desk.ingest.ocr import on_page

        name = str(self.path)

        def page(done: int, total: int) -> None:
            self.signals.page.emit(name, done, total)
            if self.cancel is not None and self.cancel.is_set() and done < total:
                raise InputError(name, CANCELLED)

        with on_page(page):
            parsed = parse_file(self.path)
        parsed.order = self.order
        self.signals.finished.emit(parsed)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given, and the report files inside given folders (recursively, sorted)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        else:
            out.append(path)
    return out
