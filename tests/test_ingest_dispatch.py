"""Dispatch by content, never by file name; size limits before reading; only InputError ever escapes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile.make_hostile import document_xml, docx_bytes, paragraph, xlsx_bytes

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument, read_source
from gikai_desk.ingest.dispatch import read_bytes, read_path, sniff_kind
from gikai_desk.limits import Limits

LIMITS = Limits()
HTML = "<html><body><table><tr><td>规章</td><td>1</td></tr></table></body></html>"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\r\n%PDF-1.4", "pdf"),
        (b"PK\x03\x04rest", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
        (b"{\\rtf1\\ansi", "rtf"),
        (b"\x89PNG\r\n", "image"),
        (b"<!DOCTYPE html>", "html"),
        (b"\xef\xbb\xbf  <html lang=zh>", "html"),
        (b"<!-- saved from url=(0042)http://x.gov.cn -->\n<HTML>", "html"),
        (b"<table border=1><tr>", "html"),
        (b"From: <Saved by Blink>\nMIME-Version: 1.0\nContent-Type: multipart/related;\n\ttype=x\n", "mhtml"),
        (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="x"\r\n', "mhtml"),
        ("说明: 本文\n规章：1\n".encode(), "text"),
        ("<html><body>一</body></html>".encode("utf-16"), "html"),
        ("<html><body>一</body></html>".encode("utf-16-le"), "html"),
        ("<html><body>一</body></html>".encode("utf-16-be"), "html"),
        ("一、总体情况\n<table>不是开头".encode(), "html"),
        ("一、总体情况\n规章\t1\n".encode(), "text"),
        (b"a < b and <b> bold", "text"),
        (b"BMI report\n", "text"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00", "image"),
        (b"<!-- a -->\n<!-- b -->\n<html>", "html"),
        (b"<!---->" * 2000 + b"x", "text"),
    ],
)
def test_kind_is_sniffed_from_the_bytes(head: bytes, kind: str) -> None:
    assert sniff_kind(head) == kind


@pytest.mark.parametrize("suffix", [".txt", ".pdf", ".doc", ".xlsx", ""])
def test_file_name_does_not_decide_the_reader(tmp_path: Path, suffix: str) -> None:
    files = {
        "docx": docx_bytes(document_xml(paragraph("正文"))),
        "xlsx": xlsx_bytes([["规章", 1]]),
        "html": HTML.encode(),
        "text": "规章 1\n".encode("gbk"),
    }
    for kind, data in files.items():
        path = tmp_path / f"{kind}-file{suffix}"
        path.write_bytes(data)
        assert read_path(path, LIMITS).kind == kind


def test_pdf_bytes_go_to_the_pdf_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    import gikai_desk.ingest.pdf as pdf

    seen: list[tuple[bytes, str]] = []

    def fake_read_pdf(data: bytes, name: str, limits: Limits) -> SourceDocument:
        seen.append((data[:5], name))
        return SourceDocument(path=name, kind="pdf", text="x\n", structured=True)

    monkeypatch.setattr(pdf, "read_pdf", fake_read_pdf)
    assert read_bytes(b"%PDF-1.7 ...", "a.txt", LIMITS).kind == "pdf"
    assert seen == [(b"%PDF-", "a.txt")]


def test_unexpected_reader_failure_becomes_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import gikai_desk.ingest.html as html

    def broken(data: bytes, name: str, limits: Limits) -> SourceDocument:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(html, "read_html", broken)
    with pytest.raises(InputError) as caught:
        read_bytes(HTML.encode(), "page.html", LIMITS)
    assert caught.value.file == "page.html"
    assert "ZeroDivisionError" in caught.value.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "损坏的Office文件"),
        (b"{\\rtf1\\ansi {\\fonttbl hello}}", "RTF文件中没有文字"),
        (b"\x89PNG\r\n\x1a\n" + bytes(64), "图片"),
        (b"PK\x03\x04" + bytes(64), "损坏的压缩文件"),
    ],
)
def test_unsupported_formats_are_named(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        read_bytes(data, "x.bin", LIMITS)


def test_zip_that_is_neither_docx_nor_xlsx(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(InputError, match=r"neither \.docx nor \.xlsx"):
        read_path(path, LIMITS)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("OFD.xml", "<ofd/>")
    with pytest.raises(InputError, match="OFD"):
        read_path(path, LIMITS)


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    with path.open("wb") as stream:
        stream.write(b"<html>")
        stream.truncate(3 * 1024 * 1024)
    with pytest.raises(InputError) as caught:
        read_path(path, Limits(max_file_bytes=1024 * 1024))
    assert caught.value.file == str(path)
    assert caught.value.reason.startswith("文件过大 file too large (3.0 MB, limit 1.0 MB")


def test_text_file_that_cannot_fit_the_text_limit_is_refused_from_its_size(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    with path.open("wb") as stream:
        stream.write("年度报告\n".encode())
        stream.truncate(50 * 1024 * 1024)
    with pytest.raises(InputError, match="文本文件过大 text file too large"):
        read_path(path, Limits(max_file_bytes=64 * 1024 * 1024))


def test_a_docx_may_be_larger_than_the_text_cap(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(docx_bytes(document_xml(paragraph("正文"))))
    assert read_path(path, Limits(max_text_chars=100)).text == "正文\n"


def test_missing_file_folder_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="无法打开文件 cannot open"):
        read_path(tmp_path / "nope.txt", LIMITS)
    with pytest.raises(InputError, match="a folder"):
        read_path(tmp_path, LIMITS)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(InputError, match="空文件 empty file"):
        read_path(tmp_path / "empty.txt", LIMITS)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_path(fifo, LIMITS)


def test_read_source_uses_limits_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(("规章\n" * 600).encode())
    monkeypatch.setenv("GIKAI_MAX_TEXT_CHARS", "1000")
    with pytest.raises(InputError, match="GIKAI_MAX_TEXT_CHARS"):
        read_source(path)
    monkeypatch.delenv("GIKAI_MAX_TEXT_CHARS")
    assert read_source(path).text.count("规章") == 600


def test_folder_check_takes_every_suffix_the_readers_read(tmp_path: Path) -> None:
    """The readable endings (gikai_desk.ingest.REPORT_SUFFIXES) plus the legacy office endings (listed as
    unreadable with a "save as" message) decide what `gikai-desk check FOLDER` takes; other files are skipped."""
    from gikai_desk import cli
    from gikai_desk.ingest import LEGACY_SUFFIXES, REPORT_SUFFIXES

    assert cli.REPORT_SUFFIXES is REPORT_SUFFIXES
    assert {".mht", ".mhtml", ".html", ".txt", ".docx", ".pdf", ".xlsx", ".xlsm"} <= REPORT_SUFFIXES
    assert not LEGACY_SUFFIXES & REPORT_SUFFIXES
    from gikai_desk.ingest import PAGE_IMAGE_SUFFIXES

    for suffix in [*REPORT_SUFFIXES, ".MHT", ".gif", ".doc", ".XLS"]:
        (tmp_path / f"report{suffix}").write_bytes(b"x")
    pages = tmp_path / "pages"
    pages.mkdir()
    for suffix in PAGE_IMAGE_SUFFIXES:
        (pages / f"page{suffix}").write_bytes(b"x")
    taken = {path.name for path, _reason in cli.collect_files([str(tmp_path)])}
    # page images beside other reports are left out; a folder holding only page images is one report
    documents = [s for s in REPORT_SUFFIXES if s not in PAGE_IMAGE_SUFFIXES]
    assert taken == {f"report{suffix}" for suffix in [*documents, ".MHT", ".doc", ".XLS"]} | {"pages"}
