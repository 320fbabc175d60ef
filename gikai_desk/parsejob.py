"""Reading and parsing one report file for the window's background workers (Qt-free, so a worker process
imports only the parser, never Qt)."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.model import Report

log = logging.getLogger(__name__)


@dataclass
class ParsedFile:
    path: Path
    data: bytes
    report: Report | None
    error: str | None
    order: int = 0
    """Position in the order the files were asked for (results are stored in that order)."""
    digest: bytes = b""
    """SHA-256 of `data` (taken in the worker), to find a file already in the workspace without reading it."""


def lower_priority() -> None:
    """Run this worker process below the window's priority, so parsing never takes the CPU from the window."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
        else:
            os.nice(10)
    except (OSError, AttributeError):  # not allowed here: run at normal priority
        pass


def parse_file(path: Path) -> ParsedFile:
    """Read and parse one file; any failure becomes a reason, never an exception."""
    parsed = _parse_file(path)
    parsed.digest = hashlib.sha256(parsed.data).digest()
    return parsed


def _parse_file(path: Path) -> ParsedFile:
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
