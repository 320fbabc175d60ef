"""Plain text reading: encodings detected (never assumed), BOMs, mixed encodings, binary junk, limits."""

from __future__ import annotations

import random

import pytest
from conftest import seed_path

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.ingest.text import decode_bytes, normalise_encoding
from gikai_desk.limits import Limits

REPORT = (
    "泉州市丰泽区2019年政府信息公开工作年度报告\n"
    "一、总体情况\n"
    "2019年度，区政府各级各部门共收到政府信息公开申请45件，结转下年度继续办理的3件。\n"
    "一、本年新收政府信息公开申请数量\t42\t0\t0\t0\t0\t0\t42\n"
    "（三）不予公开\t1.属于国家秘密\t0\n"
)
LIMITS = Limits()


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "gbk", "gb2312", "utf-16-le", "utf-16-be"])
def test_report_text_in_each_chinese_encoding_is_read_exactly(encoding: str) -> None:
    data = REPORT.encode(encoding)
    doc = read_bytes(data, "r.txt", LIMITS)
    assert doc.kind == "text"
    assert doc.structured is False
    assert doc.text == REPORT


def test_big5_text_is_detected() -> None:
    text = "臺北市政府資訊公開年度報告\n本年度共收到政府資訊公開申請四十五件，已全部辦理完畢。\n" * 3
    doc = read_bytes(text.encode("big5"), "tw.txt", LIMITS)
    assert doc.text == text
    assert any("big5" in note for note in doc.notes)


@pytest.mark.parametrize(
    "text", ["规章", "总计", "行政许可 5", "（一）予以公开 11", "年度报告\n规章\t0\t0\t0\n", "泉州市人民政府信访局"]
)
def test_short_gbk_texts_are_not_taken_for_big5_or_utf16(text: str) -> None:
    assert read_bytes(text.encode("gbk"), "short.txt", LIMITS).text == text


def test_long_big5_text_is_detected_beyond_the_sample() -> None:
    text = "臺北市政府資訊公開年度報告，本年度共收到政府資訊公開申請四十五件。\n" * 3000
    assert read_bytes(text.encode("big5"), "tw.txt", LIMITS).text == text


def test_gbk_detection_is_noted() -> None:
    doc = read_bytes(REPORT.encode("gbk"), "r.txt", LIMITS)
    assert doc.notes == ["编码 encoding: gb18030 (detected)"]


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")],
)
def test_bom_decides_the_encoding_and_is_dropped(bom: bytes, encoding: str) -> None:
    doc = read_bytes(bom + REPORT.encode(encoding), "r.txt", LIMITS)
    assert doc.text == REPORT
    assert not doc.text.startswith("\ufeff")


def test_line_ends_are_normalised_to_newline() -> None:
    data = REPORT.replace("\n", "\r\n").encode("utf-8")
    assert read_bytes(data, "r.txt", LIMITS).text == REPORT
    assert read_bytes(REPORT.replace("\n", "\r").encode(), "r.txt", LIMITS).text == REPORT


def test_lines_in_utf8_and_gbk_mixed_in_one_file_all_decode() -> None:
    lines = REPORT.splitlines(keepends=True)
    data = b"".join(line.encode("gbk" if index % 2 else "utf-8") for index, line in enumerate(lines))
    doc = read_bytes(data, "mixed.txt", LIMITS)
    assert doc.text == REPORT
    assert len(doc.notes) == 1 and doc.notes[0].startswith("编码混杂 mixed encodings")


def test_gbk_file_with_a_utf8_line_and_nbsp() -> None:
    lines = ("申请\xa0情况\n" + REPORT).splitlines(keepends=True)
    data = b"".join(line.encode("utf-8" if index == 0 else "gb18030") for index, line in enumerate(lines))
    assert read_bytes(data, "mixed.txt", LIMITS).text == "申请\xa0情况\n" + REPORT


def test_invalid_utf8_bytes_are_replaced_and_noted_not_fatal() -> None:
    data = REPORT.encode("utf-8")
    cut = data.index("一、总体".encode())
    broken = data[:cut] + b"\xff\xfe\xff" + data[cut:]
    doc = read_bytes(broken, "broken.txt", LIMITS)
    assert doc.text.count("\ufffd") == 3
    assert doc.text.replace("\ufffd", "") == REPORT
    assert "无法解码" in doc.notes[0]


@pytest.mark.parametrize(
    "junk",
    [
        random.Random(1).randbytes(4096),
        bytes(range(256)) * 8,
        b"PK\x01\x02" + bytes(100),
        b"\x00" * 10 + b"abc",
        b"\x7fELF\x02\x01\x01" + bytes(range(32)) * 20,
    ],
)
def test_binary_junk_is_refused_naming_the_file(junk: bytes) -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(junk, "junk.txt", LIMITS)
    assert caught.value.file == "junk.txt"
    assert "不是文本文件" in caught.value.reason
    assert str(caught.value).startswith("junk.txt: ")


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t "])
def test_empty_or_blank_file_is_refused(data: bytes) -> None:
    with pytest.raises(InputError, match="空文件 empty file"):
        read_bytes(data, "empty.txt", LIMITS)


def test_text_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(InputError, match="文本过长 text too long"):
        read_bytes(("年度报告 " * 120).encode(), "long.txt", Limits(max_text_chars=500))


def test_utf16_without_bom_is_detected() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        assert read_bytes(REPORT.encode(encoding), "r.txt", LIMITS).text == REPORT


def test_declared_charset_that_does_not_fit_falls_back_to_detection() -> None:
    decoded = decode_bytes(REPORT.encode("utf-8"), "x", declared="gb2312")
    assert decoded.text == REPORT
    assert decoded.encoding == "utf_8"


@pytest.mark.parametrize(
    ("label", "codec"),
    [("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"), ("UTF-8", "utf_8"), ("big5", "big5"),
     ("no-such-charset", None), ("", None)],
)  # fmt: skip
def test_charset_labels_map_gbk_family_to_gb18030(label: str, codec: str | None) -> None:
    assert normalise_encoding(label) == codec


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_seed_text_passes_through_unchanged(prefix: str) -> None:
    path = seed_path(prefix)
    raw = path.read_bytes()
    doc = read_bytes(raw, str(path), LIMITS)
    assert doc.text == raw.decode("utf-8").replace("\r\n", "\n")
    assert doc.notes == []
