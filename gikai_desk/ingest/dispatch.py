"""Choose a reader by content (magic bytes), not by file name; every failure becomes InputError."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.limits import Limits

SNIFF_BYTES = 8192
TEXT_BYTES_PER_CHAR = 4
"""A text file of n bytes decodes to at least n/4 characters (UTF-8 worst case): bigger ones cannot fit the limit."""

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|style|script)\b")
"""How an HTML page begins, once the XML declaration and leading comments are skipped."""
_HTML_ANYWHERE = re.compile(r"<html[\s>]|<body[\s>]|<table[\s>]")
_MIME_HEADER = re.compile(rb"\s*[A-Za-z][A-Za-z0-9-]*:")
_MIME_RELATED = re.compile(rb"(?:^|\n)content-type:[ \t]*multipart/related", re.IGNORECASE)
MIME_HEADER_LINES = 40
"""Header lines looked at for a web archive's Content-Type (Chrome, IE and Word write fewer than ten)."""
_Reader = Callable[[bytes, str, Limits], SourceDocument]


def sniff_kind(head: bytes) -> str:
    """pdf, zip, ole (legacy .doc/.xls), rtf, image, mhtml, html or text, from the first bytes of a file."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")) or (
        head.startswith(b"BM") and head[6:10] == b"\0\0\0\0"
    ):
        return "image"
    if _is_web_archive(head):
        return "mhtml"
    if _looks_like_html(head):
        return "html"
    return "text"


def _is_web_archive(head: bytes) -> bool:
    """A web page saved as one file (.mht/.mhtml): mail-style headers, up to the first blank line, that declare
    multipart/related. A header line that is not a header (a folded Subject whose continuation lost its leading
    space, as some savers write it) does not end the headers."""
    if _MIME_HEADER.match(head) is None:
        return False
    block = re.split(rb"\r?\n[ \t\r]*\n", head.lstrip(), maxsplit=1)[0]
    lines = block.split(b"\n", MIME_HEADER_LINES)[:MIME_HEADER_LINES]
    return _MIME_RELATED.search(b"\n".join(lines)) is not None


def _looks_like_html(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        probe = head.decode("utf-16", errors="ignore")
    elif head[:64].count(0) > 8:  # UTF-16 without a BOM
        probe = head.decode("utf-16-le" if head[1] == 0 else "utf-16-be", errors="ignore")
    else:
        probe = head.decode("latin-1")
    probe = probe.lstrip("\ufeff\xef\xbb\xbf").lower()
    start = probe.lstrip()
    if start.startswith("<?xml"):
        start = start[start.find(">") + 1 :].lstrip()
    while start.startswith("<!--"):  # skipped with find(), not a regex: no backtracking over comments
        end = start.find("-->")
        start = "" if end < 0 else start[end + 3 :].lstrip()
    return bool(_HTML_START.match(start) or _HTML_ANYWHERE.search(probe[:4096]))


def _text_byte_cap(limits: Limits) -> int:
    return limits.max_text_chars * TEXT_BYTES_PER_CHAR if limits.max_text_chars else 0


def human_size(size: int) -> str:
    """Bytes for a message: 200 MB, 1.5 MB, 12 KB, 600 bytes."""
    if size >= 10 * 1024 * 1024:
        return f"{size / (1024 * 1024):.0f} MB"
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def _refuse_size(name: str, size: int, limits: Limits, kind: str) -> None:
    if limits.max_file_bytes and size > limits.max_file_bytes:
        raise InputError(
            name,
            f"文件过大 file too large ({human_size(size)}, limit {human_size(limits.max_file_bytes)}; "
            "GIKAI_MAX_FILE_MB)",
        )
    cap = _text_byte_cap(limits)
    if kind in ("text", "html", "mhtml") and cap and size > cap:
        raise InputError(
            name,
            f"文本文件过大 text file too large ({human_size(size)}; text is limited to "
            f"{limits.max_text_chars} characters, GIKAI_MAX_TEXT_CHARS)",
        )


def read_path(path: Path, limits: Limits) -> SourceDocument:
    """Read a file: refuse by size from stat and the first bytes, before reading the whole of it."""
    name = str(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError(name, f"无法打开文件 cannot open: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        from gikai_desk.ingest import PAGE_IMAGE_SUFFIXES

        if any(p.suffix.lower() in PAGE_IMAGE_SUFFIXES for p in path.iterdir()):
            from gikai_desk.ingest.ocr import read_image_folder

            return read_image_folder(path, limits)  # a folder of scanned pages is one report
        raise InputError(name, "是文件夹，不是文件 a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(name, "不是普通文件 not a regular file")
    if info.st_size == 0:
        raise InputError(name, "空文件 empty file")
    _refuse_size(name, info.st_size, limits, "any")
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            _refuse_size(name, info.st_size, limits, sniff_kind(head))
            rest = stream.read()  # sized from fstat; read(n) would allocate n bytes up front
    except OSError as exc:
        raise InputError(name, f"无法读取文件 cannot read: {exc.strerror or exc}") from exc
    data = head + rest
    if limits.max_file_bytes and len(data) > limits.max_file_bytes:
        raise InputError(name, "文件过大 file too large (it grew while being read)")
    return read_bytes(data, name, limits)


def read_bytes(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Read a document held in memory; raises only InputError (naming the file and the reason)."""
    if not data or not data.strip():
        raise InputError(name, "空文件 empty file")
    kind = sniff_kind(data[:SNIFF_BYTES])
    _refuse_size(name, len(data), limits, kind)
    try:
        return _reader_for(kind, data, name)(data, name, limits)
    except InputError:
        raise
    except MemoryError as exc:
        raise InputError(name, "内存不足，文件过大或已损坏 out of memory reading this file") from exc
    except RecursionError as exc:
        raise InputError(name, "文件结构嵌套过深 structure nested too deeply") from exc
    except Exception as exc:
        raise InputError(name, f"无法读取 unexpected reader error: {type(exc).__name__}: {exc}") from exc


def _reader_for(kind: str, data: bytes, name: str) -> _Reader:
    if kind == "pdf":
        from gikai_desk.ingest.pdf import read_pdf

        return read_pdf
    if kind == "zip":
        return _zip_reader(data, name)
    if kind == "ole":
        return _ole_reader(data, name)
    if kind == "rtf":
        from gikai_desk.ingest.rtf import read_rtf

        return read_rtf
    if kind == "image":
        from gikai_desk.ingest.ocr import read_image_bytes

        return read_image_bytes
    if kind == "html":
        from gikai_desk.ingest.html import read_html

        return read_html
    if kind == "mhtml":
        from gikai_desk.ingest.html import read_mhtml

        return read_mhtml
    from gikai_desk.ingest.text import read_text

    return read_text


def _zip_reader(data: bytes, name: str) -> _Reader:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except Exception as exc:
        raise InputError(name, f"损坏的压缩文件 corrupt zip container (.docx/.xlsx): {exc}") from exc
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        from gikai_desk.ingest.docx import read_docx

        return read_docx
    if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
        from gikai_desk.ingest.xlsx import read_xlsx

        return read_xlsx
    if "OFD.xml" in names:
        from gikai_desk.ingest.ofd import read_ofd

        return read_ofd
    if "content.xml" in names:
        raise InputError(name, "OpenDocument文件不支持，请另存为 .docx/.xlsx OpenDocument is not supported")
    raise InputError(name, "压缩包不是 .docx 或 .xlsx zip archive that is neither .docx nor .xlsx")


def _ole_reader(data: bytes, name: str) -> _Reader:
    """An OLE compound file, by the streams it holds: Word/WPS text, Excel/WPS spreadsheet, or refused."""
    from gikai_desk.ingest.ole import ENCRYPTED, ole_kind, open_ole

    kind = ole_kind(open_ole(data, name))
    if kind == "word":
        from gikai_desk.ingest.doc import read_doc

        return read_doc
    if kind == "excel":
        from gikai_desk.ingest.xls import read_xls

        return read_xls
    if kind == "encrypted":
        raise InputError(name, ENCRYPTED)
    if kind == "presentation":
        raise InputError(name, "演示文稿（.ppt）不是报告 a PowerPoint presentation, not a report document")
    raise InputError(
        name,
        "无法识别的Office文件（既不是Word也不是Excel）OLE compound file that holds neither a Word document nor "
        "an Excel workbook",
    )
