"""Choose a reader by content (magic bytes), not by file name."""

from __future__ import annotations

from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.limits import Limits


def read_path(path: Path, limits: Limits) -> SourceDocument:
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(name, f"无法打开文件 cannot open: {exc.strerror or exc}") from exc
    if limits.max_file_bytes and size > limits.max_file_bytes:
        raise InputError(name, f"文件过大 file too large ({size // (1024 * 1024)} MB)")
    if size == 0:
        raise InputError(name, "空文件 empty file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"无法读取文件 cannot read: {exc.strerror or exc}") from exc
    return read_bytes(data, name, limits)


def read_bytes(data: bytes, name: str, limits: Limits) -> SourceDocument:
    if not data:
        raise InputError(name, "空文件 empty file")
    text = data.decode("utf-8-sig", errors="strict")
    return SourceDocument(path=name, kind="text", text=text)
