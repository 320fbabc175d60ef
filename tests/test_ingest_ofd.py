"""OFD (GB/T 33190): text objects and rulings of hand-written packages go through the PDF page reader."""

from __future__ import annotations

import io
import zipfile

import pytest

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.limits import Limits

LIMITS = Limits()
NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'


def _package(
    pages: list[str],
    extra: dict[str, str] | None = None,
    document_extra: str = "",
    root: str = "Doc_0/Document.xml",
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml", f"<ofd:OFD {NS}><ofd:DocBody><ofd:DocRoot>{root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
        )
        listed = "".join(
            f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages))
        )
        archive.writestr(
            "Doc_0/Document.xml",
            f"<ofd:Document {NS}><ofd:CommonData><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>"
            f"</ofd:PageArea>{document_extra}</ofd:CommonData><ofd:Pages>{listed}</ofd:Pages></ofd:Document>",
        )
        for i, body in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", body)
        for member, text in (extra or {}).items():
            archive.writestr(member, text)
    return out.getvalue()


def _page(objects: str, before: str = "") -> str:
    return f"<ofd:Page {NS}>{before}<ofd:Content><ofd:Layer ID='1'>{objects}</ofd:Layer></ofd:Content></ofd:Page>"


def _text(x: float, y: float, text: str, size: float = 4.0, attrs: str = "", delta: str = "") -> str:
    delta_attr = f' DeltaX="{delta}"' if delta else ""
    return (
        f'<ofd:TextObject ID="9" Size="{size}" Boundary="{x} {y} 150 {size * 1.5}"{attrs}>'
        f'<ofd:TextCode X="0" Y="{size}"{delta_attr}>{text}</ofd:TextCode></ofd:TextObject>'
    )


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    left, top = min(x0, x1), min(y0, y1)
    return (
        f'<ofd:PathObject ID="8" Boundary="{left} {top} {abs(x1 - x0) or 0.2} {abs(y1 - y0) or 0.2}">'
        f"<ofd:AbbreviatedData>M {x0 - left} {y0 - top} L {x1 - left} {y1 - top}</ofd:AbbreviatedData>"
        "</ofd:PathObject>"
    )


def _grid(
    rows: list[list[str]], left: float = 20, top: float = 60, width: float = 30, height: float = 10
) -> str:
    """A ruled table: every cell's text inside its box, rulings on every edge."""
    parts: list[str] = []
    columns = len(rows[0])
    for r in range(len(rows) + 1):
        parts.append(_line(left, top + r * height, left + columns * width, top + r * height))
    for c in range(columns + 1):
        parts.append(_line(left + c * width, top, left + c * width, top + len(rows) * height))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell:
                parts.append(_text(left + c * width + 2, top + r * height + 2.5, cell, size=4))
    return "".join(parts)


def test_ruled_table_becomes_tab_rows() -> None:
    rows = [["信息内容", "本年制发件数", "本年废止件数"], ["规章", "3", "0"], ["规范性文件", "12", "4"]]
    data = _package([_page(_text(20, 30, "二、主动公开政府信息情况") + _grid(rows))])
    document = read_bytes(data, "report.ofd", LIMITS)
    assert document.kind == "ofd" and document.structured
    lines = document.text.splitlines()
    assert lines[0] == "二、主动公开政府信息情况"
    assert "规章\t3\t0" in lines and "规范性文件\t12\t4" in lines


def test_glyph_positions_delta_x_abbreviation_and_ctm() -> None:
    """`g 3 4` repeats an advance; a CTM scales the object's own space (half size here: Size 8 draws 4 mm)."""
    spaced = _text(20, 30, "甲乙丙丁", size=4, delta="g 3 4")
    scaled = _text(20, 50, "规章", size=8, attrs=' CTM="0.5 0 0 0.5 0 0"', delta="8")
    document = read_bytes(_package([_page(spaced + scaled)]), "a.ofd", LIMITS)
    assert document.text.splitlines() == ["甲乙丙丁", "规章"]


def test_blocks_templates_and_pages_in_order() -> None:
    template = f"<ofd:Page {NS}><ofd:Content><ofd:Layer ID='2'>{_text(20, 10, '某县人民政府')}</ofd:Layer></ofd:Content></ofd:Page>"
    first = _page(
        f"<ofd:PageBlock ID='3'>{_text(20, 40, '第一页正文')}</ofd:PageBlock>",
        before="<ofd:Template TemplateID='7'/>",
    )
    second = _page(_text(20, 40, "第二页正文"))
    data = _package(
        [first, second],
        extra={"Doc_0/Tpls/Tpl_0/Content.xml": template},
        document_extra="<ofd:TemplatePage ID='7' BaseLoc='Tpls/Tpl_0/Content.xml'/>",
    )
    lines = read_bytes(data, "a.ofd", LIMITS).text.splitlines()
    assert lines.index("第一页正文") < lines.index("第二页正文")
    assert "某县人民政府" in lines


def test_other_namespaces_are_read_too() -> None:
    """Producers differ in namespace (easyofd writes its own): elements are matched by local name."""
    data = _package(
        [_page(_text(20, 30, "规章")).replace("http://www.ofdspec.org/2016", "http://example.invalid/x")]
    )
    assert read_bytes(data, "a.ofd", LIMITS).text.strip() == "规章"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_package([_page("")]), "扫描件无文字层"),
        (_package([]), "no pages"),
        (_package([_page(_text(20, 30, "x"))], root="Doc_9/Document.xml"), "missing part"),
        (_package(["<!DOCTYPE x [<!ENTITY a 'b'>]><ofd:Page/>"]), "DTD"),
        (_package(["<ofd:Page"]), "损坏的OFD文件"),
    ],
)
def test_broken_packages_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        read_bytes(data, "bad.ofd", LIMITS)


def test_zip_bomb_inside_ofd_is_refused_from_the_headers() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", "<OFD/>")
        archive.writestr("Doc_0/Pages/Page_0/Content.xml", b" " * (80 * 1024 * 1024))
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes(out.getvalue(), "bomb.ofd", LIMITS)


def test_too_many_pages_refused() -> None:
    data = _package([_page(_text(20, 30, "页"))] * 3)
    with pytest.raises(InputError, match="too many pages"):
        read_bytes(data, "a.ofd", Limits(max_pdf_pages=2))
