"""PDF reader: table rows as TAB lines, page furniture dropped, bad PDFs refused; golden cells of a real PDF."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from gikai_desk.errors import InputError
from gikai_desk.ingest import pdf as pdf_reader
from gikai_desk.ingest.pdf import read_pdf
from gikai_desk.limits import Limits
from tests.conftest import corpus_path

GOLDEN = Path(__file__).resolve().parent / "golden" / "huaian-city-2024.json"
LIMITS = Limits()

# ---------------------------------------------------------------------------------------------------------
# A minimal PDF writer: enough to draw text (Helvetica for ASCII, an Identity-H CID font whose codes are
# Unicode code points for Chinese) and ruling lines, with a correct xref table.

_TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Uni def "
    b"1 begincodespacerange <0000> <FFFF> endcodespacerange "
    b"1 beginbfrange <0000> <FFFF> <0000> endbfrange endcmap "
    b"CMapName currentdict /CMap defineresource pop end end"
)


# PDFium drops a one-character string shown in a CID font that has no embedded font program, so single
# Chinese characters (vertical labels) are drawn with a simple font whose ToUnicode map gives byte 0x41+i the
# i-th character of SINGLE_GLYPHS.
SINGLE_GLYPHS = "三、本年度办理结果"
_SINGLE_TO_UNICODE = (
    b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /One def "
    b"1 begincodespacerange <00> <FF> endcodespacerange "
    + b"%d beginbfchar " % len(SINGLE_GLYPHS)
    + " ".join(f"<{0x41 + i:02x}> <{ord(c):04x}>" for i, c in enumerate(SINGLE_GLYPHS)).encode()
    + b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _assemble(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        trailer_extra,
        xref,
    )
    return bytes(out)


def make_pdf(
    pages: list[str],
    *,
    page_count: int | None = None,
    encrypt: bool = False,
    owner_password: bytes | None = None,
    form: str | None = None,
) -> bytes:
    """A PDF whose pages have the given content streams. `page_count` overrides the page tree's /Count;
    `encrypt` adds a security handler no password opens; `owner_password` encrypts the file for real
    (RC4-40) with an empty user password, so it opens without one; `form` is the content of a form XObject
    every page may draw with `/Fm1 Do`."""
    n = len(pages)
    first_page = 9
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(n))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {page_count or n} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /CIDToGIDMap /Identity >>",
        _stream(_TO_UNICODE),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 8 0 R >>",
        _stream(_SINGLE_TO_UNICODE),
    ]
    for i, content in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R "
            f"/F2 4 0 R /F3 7 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(_stream(content.encode("latin-1")))
    trailer = b""
    if form is not None:
        objects.append(_stream(form.encode("latin-1"), b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] "))
        xobject = b"/XObject << /Fm1 %d 0 R >> " % len(objects)
        objects = [o.replace(b"/Resources << ", b"/Resources << " + xobject) for o in objects]
    if encrypt:
        # Standard security handler, revision 2, with owner/user hashes no empty password satisfies.
        objects.append(
            b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>"
        )
        trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (len(objects), b"ab" * 16, b"ab" * 16)
    if owner_password is not None:
        objects, encrypt_dict, file_id = _rc4_encrypt(objects, owner_password)
        objects.append(encrypt_dict)
        trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>] " % (
            len(objects),
            file_id.hex().encode(),
            file_id.hex().encode(),
        )
    return _assemble(objects, trailer)


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    box = list(range(256))
    j = 0
    for i in range(256):
        j = (j + box[i] + key[i % len(key)]) % 256
        box[i], box[j] = box[j], box[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + box[i]) % 256
        box[i], box[j] = box[j], box[i]
        out.append(byte ^ box[(box[i] + box[j]) % 256])
    return bytes(out)


def _rc4_encrypt(objects: list[bytes], owner_password: bytes) -> tuple[list[bytes], bytes, bytes]:
    """Standard security handler revision 2 (PDF 1.7, 7.6.3, algorithms 2-4), empty user password."""
    file_id = bytes(range(16))
    permissions = -4 & 0xFFFFFFFF
    owner = _rc4(hashlib.md5((owner_password + _PAD)[:32]).digest()[:5], _PAD)
    key = hashlib.md5(_PAD + owner + permissions.to_bytes(4, "little") + file_id).digest()[:5]
    user = _rc4(key, _PAD)
    encrypted = []
    for number, body in enumerate(objects, start=1):
        start, end = body.find(b"stream\n"), body.rfind(b"\nendstream")
        if start >= 0:
            object_key = hashlib.md5(key + number.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
            start += len(b"stream\n")
            body = body[:start] + _rc4(object_key, body[start:end]) + body[end:]
        encrypted.append(body)
    encrypt_dict = b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>" % (
        owner.hex().encode(),
        user.hex().encode(),
    )
    return encrypted, encrypt_dict, file_id


def text(x: float, y: float, s: str, size: float = 10) -> str:
    """Draw `s` at (x, y): ASCII in Helvetica, anything else in the CID font."""
    if len(s) == 1 and s in SINGLE_GLYPHS:
        return f"BT /F3 {size:g} Tf {x:g} {y:g} Td ({chr(0x41 + SINGLE_GLYPHS.index(s))}) Tj ET\n"
    if s.isascii():
        escaped = s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"BT /F1 {size:g} Tf {x:g} {y:g} Td ({escaped}) Tj ET\n"
    return f"BT /F2 {size:g} Tf {x:g} {y:g} Td <{s.encode('utf-16-be').hex()}> Tj ET\n"


def hline(y: float, x0: float, x1: float) -> str:
    return f"0.8 w {x0:g} {y:g} m {x1:g} {y:g} l S\n"


def vline(x: float, y0: float, y1: float) -> str:
    return f"0.8 w {x:g} {y0:g} m {x:g} {y1:g} l S\n"


def grid(xs: list[float], ys: list[float]) -> str:
    """A full grid of ruling lines (ys top to bottom)."""
    return "".join(hline(y, xs[0], xs[-1]) for y in ys) + "".join(vline(x, ys[-1], ys[0]) for x in xs)


def lines_of(data: bytes) -> list[str]:
    return read_pdf(data, "t.pdf", LIMITS).text.splitlines()


# ---------------------------------------------------------------------------------------------------------
# Tables


def test_ruled_table_rows_are_tab_separated_with_blank_cells_empty() -> None:
    xs, ys = [72.0, 250.0, 320.0, 390.0, 460.0], [700.0, 680.0, 660.0]
    page = grid(xs, ys)
    page += text(75, 686, "规章") + text(255, 686, "1") + text(395, 686, "11")
    page += (
        text(75, 666, "行政规范性文件") + text(255, 666, "8") + text(325, 666, "26") + text(395, 666, "66")
    )
    doc = read_pdf(make_pdf([text(72, 760, "二、主动公开政府信息情况", 14) + page]), "t.pdf", LIMITS)
    assert doc.kind == "pdf" and doc.structured
    assert doc.text.splitlines() == ["二、主动公开政府信息情况", "规章\t1\t\t11", "行政规范性文件\t8\t26\t66"]


def test_rectangles_drawn_per_cell_are_rulings_too() -> None:
    page = "0.5 w 72 680 100 20 re S 172 680 60 20 re S 232 680 60 20 re S\n"
    page += text(75, 686, "行政许可") + text(235, 686, "447228")
    assert lines_of(make_pdf([page])) == ["行政许可\t\t447228"]


def test_rulings_inside_a_transformed_form_xobject() -> None:
    form = grid([0.0, 100.0, 150.0], [40.0, 20.0, 0.0])
    page = "q 1 0 0 1 72 640 cm /Fm1 Do Q\n"  # the grid lands on x 72..222, y 640..680
    page += (
        text(75, 666, "行政处罚")
        + text(175, 666, "3985758")
        + text(75, 646, "行政强制")
        + text(175, 646, "88283")
    )
    assert lines_of(make_pdf([page], form=form)) == ["行政处罚\t3985758", "行政强制\t88283"]


def test_label_wrapped_inside_a_cell_is_one_cell() -> None:
    xs, ys = [72.0, 240.0, 300.0], [700.0, 660.0]
    page = grid(xs, ys)
    page += text(75, 686, "（二）部分公开（区分处理的，") + text(75, 670, "只计这一情形）")
    page += text(245, 678, "447")
    assert lines_of(make_pdf([page])) == ["（二）部分公开（区分处理的，只计这一情形）\t447"]


def test_vertical_label_one_character_per_line_becomes_one_label() -> None:
    xs, ys = [72.0, 96.0, 220.0, 280.0], [700.0, 680.0, 660.0, 640.0, 620.0]
    page = hline(700, 72, 280) + hline(620, 72, 280)
    page += "".join(hline(y, 96, 280) for y in ys[1:-1])  # the first column is one tall merged cell
    page += "".join(vline(x, 620, 700) for x in xs)
    for k, ch in enumerate("三、本年度办理结果"):
        page += text(78, 692 - 8 * k, ch, size=7)
    for k, (label, value) in enumerate(
        [("（一）予以公开", "5"), ("（二）部分公开", "6"), ("（三）不予公开", "7"), ("（七）总计", "18")]
    ):
        page += text(100, 686 - 20 * k, label) + text(225, 686 - 20 * k, value)
    assert lines_of(make_pdf([page])) == [
        "三、本年度办理结果\t（一）予以公开\t5",
        "\t（二）部分公开\t6",
        "\t（三）不予公开\t7",
        "\t（七）总计\t18",
    ]


def test_table_continues_across_pages_and_split_group_label_is_rejoined() -> None:
    xs = [72.0, 130.0, 300.0, 360.0]
    first = text(72, 800, "三、收到和处理政府信息公开申请情况", 14)
    first += hline(120, 72, 360) + hline(100, 130, 360) + hline(80, 72, 360)
    first += "".join(vline(x, 80, 120) for x in xs)
    first += text(75, 90, "（三）不予") + text(135, 106, "1.属于国家秘密") + text(305, 106, "2")
    first += text(135, 86, "2.禁止公开") + text(305, 86, "3")
    first += text(290, 40, "- 1 -")
    second = hline(780, 72, 360) + hline(760, 130, 360) + hline(740, 72, 360)
    second += "".join(vline(x, 740, 780) for x in xs)
    second += text(75, 756, "公开") + text(135, 766, "3.危及安全") + text(305, 766, "0")
    second += text(135, 746, "4.第三方权益") + text(305, 746, "4")
    second += text(72, 700, "四、政府信息公开行政复议、行政诉讼情况", 14) + text(290, 40, "- 2 -")
    assert lines_of(make_pdf([first, second])) == [
        "三、收到和处理政府信息公开申请情况",
        "（三）不予公开\t1.属于国家秘密\t2",
        "\t2.禁止公开\t3",
        "\t3.危及安全\t0",
        "\t4.第三方权益\t4",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_table_without_rulings_is_read_from_column_positions() -> None:
    page = text(72, 700, "信息内容") + text(250, 700, "本年制发件数") + text(330, 700, "本年废止件数")
    page += text(410, 700, "现行有效件数")
    page += text(72, 680, "规章") + text(250, 680, "1") + text(410, 680, "11")
    page += (
        text(72, 660, "行政规范性文件") + text(250, 660, "8") + text(330, 660, "26") + text(410, 660, "66")
    )
    page += text(72, 600, "四、政府信息公开行政复议、行政诉讼情况")
    assert lines_of(make_pdf([page])) == [
        "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        "规章\t1\t\t11",
        "行政规范性文件\t8\t26\t66",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_table_without_rulings_joins_a_wrapped_label() -> None:
    page = text(72, 700, "（二）部分公开（区分处理的，") + text(260, 700, "447") + text(320, 700, "7")
    page += text(72, 688, "只计这一情形）")
    page += text(72, 670, "（三）不予公开") + text(260, 670, "5") + text(320, 670, "0")
    assert lines_of(make_pdf([page])) == [
        "（二）部分公开（区分处理的，只计这一情形）\t447\t7",
        "（三）不予公开\t5\t0",
    ]


def test_prose_with_a_wide_gap_stays_prose() -> None:
    page = text(72, 700, "淮安市人民政府办公室") + text(400, 700, "2025年1月20日")
    assert lines_of(make_pdf([page])) == ["淮安市人民政府办公室 2025年1月20日"]


def test_continued_table_drops_the_repeated_header_and_rejoins_a_row_cut_by_the_page_break() -> None:
    xs = [72.0, 300.0, 400.0]
    first = grid(xs, [120.0, 100.0, 80.0])
    first += text(75, 106, "信息内容") + text(305, 106, "本年处理决定数量")
    first += text(75, 86, "5.要求行政机关确认或重新出") + text(305, 86, "1")
    second = grid(xs, [780.0, 760.0, 740.0, 720.0])
    second += text(75, 766, "信息内容") + text(305, 766, "本年处理决定数量")
    second += text(75, 746, "具已获取信息")
    second += text(75, 726, "（六）其他处理") + text(305, 726, "6")
    assert lines_of(make_pdf([first, second])) == [
        "信息内容\t本年处理决定数量",
        "5.要求行政机关确认或重新出具已获取信息\t1",
        "（六）其他处理\t6",
    ]


def test_new_table_at_the_top_of_a_page_is_not_merged_into_the_previous_one() -> None:
    first = grid([72.0, 200.0, 300.0], [120.0, 100.0, 80.0])
    first += text(75, 106, "行政许可") + text(205, 106, "12") + text(75, 86, "行政处罚") + text(205, 86, "34")
    second = grid([72.0, 150.0, 230.0, 300.0], [780.0, 760.0])
    second += text(75, 766, "行政复议") + text(155, 766, "5") + text(235, 766, "6")
    assert lines_of(make_pdf([first, second])) == ["行政许可\t12", "行政处罚\t34", "行政复议\t5\t6"]


# ---------------------------------------------------------------------------------------------------------
# Page furniture and prose


@pytest.mark.parametrize("number", ["- {n} -", "第{n}页", "{n}/3", "— {n} —", "{n}"])
def test_page_numbers_are_dropped(number: str) -> None:
    pages = [
        text(72, 600, f"Paragraph {n} of the report stays.") + text(290, 40, number.format(n=n))
        for n in (1, 2, 3)
    ]
    assert lines_of(make_pdf(pages)) == [f"Paragraph {n} of the report stays." for n in (1, 2, 3)]


def test_running_header_is_dropped_but_the_title_stays() -> None:
    header = "XX市人民政府2024年政府信息公开工作年度报告"
    pages = [text(72, 800, header) + text(72, 700, f"第{n}部分正文。") for n in (1, 2, 3)]
    assert lines_of(make_pdf(pages)) == [header, "第1部分正文。", "第2部分正文。", "第3部分正文。"]


def test_wrapped_prose_lines_join_into_one_paragraph_and_indents_start_new_ones() -> None:
    width = 20  # characters per full line at 10 pt between x=72 and x=272
    body = "全市共受理政府信息公开申请三千一百一十九件答复三千零五十件含上年度结转申请三十四件"
    page = text(72, 760, "一、总体情况")
    page += text(92, 740, body[: width - 2]) + text(72, 725, body[width - 2 : 2 * width - 2])
    page += text(72, 710, body[2 * width - 2 :]) + text(92, 695, "第二段。")
    assert lines_of(make_pdf([page])) == ["一、总体情况", body, "第二段。"]


def test_kangxi_radicals_are_normalised() -> None:
    assert lines_of(make_pdf([text(72, 760, "⼀、本年新收政府信息公开申请数量")])) == [
        "一、本年新收政府信息公开申请数量"
    ]


def test_amount_with_decimals_stays_text() -> None:
    page = (
        grid([72.0, 200.0, 300.0], [700.0, 680.0])
        + text(75, 686, "行政事业性收费")
        + text(205, 686, "96171.6")
    )
    assert lines_of(make_pdf([page])) == ["行政事业性收费\t96171.6"]


# ---------------------------------------------------------------------------------------------------------
# Bad input


def _reason(data: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(InputError) as info:
        read_pdf(data, "bad.pdf", limits)
    assert info.value.file == "bad.pdf"
    return info.value.reason


def test_scanned_pdf_without_text_layer() -> None:
    image_only = "q 595 0 0 842 0 0 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x80\x40\x20\x10 EI Q\n"
    no_ocr = Limits(ocr=False)
    assert "no text layer: scanned document" in _reason(make_pdf([image_only, image_only]), no_ocr)
    assert "no text layer: scanned document" in _reason(make_pdf([""]), no_ocr)
    # with OCR on (or its extra absent) a scan that holds nothing legible is refused just the same
    assert "扫描件" in _reason(make_pdf([image_only, image_only]))


def test_encrypted_pdf() -> None:
    assert _reason(make_pdf([text(72, 700, "secret")], encrypt=True)).startswith("加密的PDF encrypted PDF")


def test_pdf_with_only_an_owner_password_is_read() -> None:
    doc = read_pdf(
        make_pdf([text(72, 700, "Readable without a password.")], owner_password=b"owner"), "p.pdf", LIMITS
    )
    assert doc.text.splitlines() == ["Readable without a password."]
    assert any("权限加密" in note for note in doc.notes)


def test_corrupt_and_truncated_pdfs() -> None:
    good = make_pdf([text(72, 700, "hello")])
    assert "PDF" in _reason(good[: len(good) // 2])
    assert "PDF" in _reason(b"%PDF-1.7\n" + b"\x00garbage" * 100 + b"\n%%EOF\n")
    assert "PDF" in _reason(b"not a pdf at all %%EOF")


def test_truncated_real_pdf() -> None:
    data = corpus_path("huaian-city-2024.pdf").read_bytes()
    for cut in (len(data) // 3, len(data) - 100):
        assert "PDF" in _reason(data[:cut])


def test_page_count_claim_is_refused_without_loading_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_page_loading(*args: Any) -> None:
        raise AssertionError("pages must not be loaded")

    monkeypatch.setattr(pdf_reader._raw, "FPDF_LoadPage", no_page_loading)
    reason = _reason(make_pdf([text(72, 700, "one real page")], page_count=1_000_000))
    assert "1000000" in reason and "too many pages" in reason


def test_page_limit_from_limits() -> None:
    data = make_pdf([text(72, 700, f"page {n}.") for n in range(3)])
    assert "too many pages" in _reason(data, Limits(max_pdf_pages=2))
    assert len(read_pdf(data, "ok.pdf", Limits(max_pdf_pages=3)).text.splitlines()) == 3


def test_time_budget() -> None:
    data = make_pdf([text(72, 700, "slow")] * 3)
    assert "timeout" in _reason(data, Limits(timeout_seconds=1e-9))


def test_text_limit() -> None:
    assert "too much text" in _reason(make_pdf([text(72, 700, "x" * 80)]), Limits(max_text_chars=10))


def test_address_prototypes_and_their_fallback_agree() -> None:
    import ctypes

    import pypdfium2 as pdfium

    class Binding:  # not a ctypes function pointer: _retype must fall back to an adapter
        argtypes = pdfium.raw.FPDFText_GetLooseCharBox.argtypes

        def __call__(self, *args: Any) -> Any:
            return pdfium.raw.FPDFText_GetLooseCharBox(*args)

    adapter = pdf_reader._retype(Binding(), ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    document = pdfium.PdfDocument(make_pdf([text(72, 700, "AB")]))
    textpage = document[0].get_textpage()
    handle = pdf_reader._address(textpage.raw)
    boxes = [pdfium.raw.FS_RECTF(), pdfium.raw.FS_RECTF()]
    assert pdf_reader._char_box(handle, 1, ctypes.addressof(boxes[0])) == 1
    assert adapter(handle, 1, ctypes.addressof(boxes[1])) == 1
    assert (boxes[0].left, boxes[0].right) == (boxes[1].left, boxes[1].right) and boxes[0].left > 72
    textpage.close()
    document.close()


# ---------------------------------------------------------------------------------------------------------
# The real PDF


def test_real_pdf_tables_and_furniture() -> None:
    doc = read_pdf(corpus_path("huaian-city-2024.pdf").read_bytes(), "huaian.pdf", LIMITS)
    lines = doc.text.splitlines()
    assert not any(line.strip() in {"-1-", "- 4 -", "-4-", "- 5 -"} for line in lines)
    rows = [line.split("\t") for line in lines if "\t" in line]
    new = next(r for r in rows if r[0].startswith("一、本年新收"))
    assert [c for c in new[1:] if c] == ["3001", "53", "0", "0", "61", "4", "3119"]
    assert any(r[0] == "三、本年度办理结果" for r in rows)
    assert any("（四）无法提供" in r for r in rows)
    assert any(r[0] == "行政事业性收费" and "96171.6" in r for r in rows)
    widths = {len(r) for r in rows if any(c.startswith(("1.属于国家秘密", "2.没有现成信息")) for c in r)}
    assert len(widths) == 1, "the table continued on the next page keeps its columns"


def test_golden_huaian_every_cell() -> None:
    from gikai_desk.extract import extract

    path = corpus_path("huaian-city-2024.pdf")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    report = extract(path)
    assert report.kind == "pdf"
    assert report.template == golden["template"]
    assert report.forms == golden["forms"]
    assert report.year == golden["year"]
    assert report.agency == golden["agency"]
    assert {key: cell.value for key, cell in report.cells.items()} == golden["cells"]
    assert sorted(report.flags()) == golden["flagged"]
    for key, cell in report.cells.items():  # provenance: the spans hold exactly the raw text
        assert cell.spans and "".join(report.text[a:b] for a, b in cell.spans) == cell.raw, key


def test_cell_boxes_frame_the_characters_of_each_table_cell() -> None:
    """Report.boxes: every table cell read from a text-layer PDF has the box of its characters on its page."""
    from conftest import corpus_path

    from gikai_desk.parse import parse_document

    path = corpus_path("huaian-city-2024.pdf")
    doc = read_pdf(path.read_bytes(), path.name, LIMITS)
    report = parse_document(doc)
    placed = [c for c in report.cells.values() if c.spans]
    assert placed and all(c.spans[0][0] in report.boxes for c in placed)
    page, x0, y0, x1, y1 = report.boxes[report.cells["t3.new.total"].spans[0][0]]
    assert page in range(6) and 0 < x0 < x1 < 600 and 0 < y0 < y1 < 850 and y1 - y0 < 20
