"""Word .docx: paragraphs in order, tables in the TAB convention with merged cells; corrupt and hostile files."""

from __future__ import annotations

import io
import zipfile

import pytest
from hostile.make_hostile import BILLION_LAUGHS_DTD, W_NS, document_xml, docx_bytes, paragraph

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes
from gikai_desk.limits import Limits

LIMITS = Limits()


def cell(text: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    runs = "".join(f"<w:r><w:t>{part}</w:t></w:r>" for part in text.split("|")) if text else ""
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p>{runs}</w:p></w:tc>"


def row(*cells: str, before: int = 0, after: int = 0) -> str:
    props = f'<w:gridBefore w:val="{before}"/>' if before else ""
    props += f'<w:gridAfter w:val="{after}"/>' if after else ""
    return f"<w:tr>{f'<w:trPr>{props}</w:trPr>' if props else ''}{''.join(cells)}</w:tr>"


TABLE = (
    "<w:tbl><w:tblGrid/>"
    + row(cell("本年度办理结果", span=3, vmerge="restart"), cell("申请人情况", span=3))
    + row(cell("", span=3, vmerge="continue"), cell("自然人"), cell("商业企业"), cell("总计"))
    + row(cell("一、本年新收|政府信息公开申请数量", span=3), cell("4|0"), cell(""), cell("40"))
    + row(cell("三、本年度办理结果", vmerge="restart"), cell("（一）予以公开", span=2), cell("11"), cell("0"), cell("11"))
    + row(cell("", vmerge="continue"), cell("（三）不予公开"), cell("1.属于国家秘密"), cell("0"), cell("0"), cell("0"))
    + row(cell("251000元"), cell("+5174"), cell("-183"), before=3)
    + "</w:tbl>"
)
EXPECTED = (
    "某县人民政府2019年政府信息公开工作年度报告\n"
    "一、总体情况\n"
    "本年度办理结果\t\t\t申请人情况\t\t\n"
    "\t\t\t自然人\t商业企业\t总计\n"
    "一、本年新收政府信息公开申请数量\t\t\t40\t\t40\n"
    "三、本年度办理结果\t（一）予以公开\t\t11\t0\t11\n"
    "\t（三）不予公开\t1.属于国家秘密\t0\t0\t0\n"
    "\t\t\t251000元\t+5174\t-183\n"
    "五、存在的主要问题及改进情况\n"
)


def test_paragraphs_and_merged_table_cells_in_document_order() -> None:
    body = (
        paragraph("某县人民政府2019年政府信息公开工作年度报告")
        + paragraph("一、总体情况")
        + paragraph("")
        + TABLE
        + paragraph("五、存在的主要问题及改进情况")
        + "<w:sectPr/>"
    )
    doc = read_bytes(docx_bytes(document_xml(body)), "report.docx", LIMITS)
    assert doc.kind == "docx"
    assert doc.structured is True
    assert doc.text == EXPECTED


def _table_text(*rows: str) -> str:
    return read_bytes(docx_bytes(document_xml("<w:tbl>" + "".join(rows) + "</w:tbl>")), "t.docx", LIMITS).text


def test_row_with_a_deleted_cell_ends_early_and_is_not_padded() -> None:
    """Word's 'delete cell, shift cells left' leaves gridAfter: the row is written short, so the parser sees it
    lost a cell instead of reading a padded blank as the last value."""
    text = _table_text(
        row(cell("标签"), cell("自然人"), cell("商业企业"), cell("总计")),
        row(cell("1.本机关不掌握"), cell("8"), cell("9"), after=1),
        row(cell("2.没有现成信息"), cell("1"), cell("0"), cell("1")),
        row(cell("3.补正后"), cell("2")),  # fewer cells than the grid without gridAfter: short as well
    )
    assert text == "标签\t自然人\t商业企业\t总计\n1.本机关不掌握\t8\t9\n2.没有现成信息\t1\t0\t1\n3.补正后\t2\n"


def test_grid_before_keeps_the_cells_under_their_columns() -> None:
    """gridBefore: the row starts in a later grid column and Word draws its cells under their columns, so the
    leading positions are empty cells (as a vMerge continuation would be)."""
    text = _table_text(
        row(cell("甲"), cell("乙"), cell("丙")),
        row(cell("2"), cell("3"), before=1),
    )
    assert text == "甲\t乙\t丙\n\t2\t3\n"


def test_sliver_grid_column_from_gridspan_is_dropped() -> None:
    """A grid column reached only by gridSpans (cell edges that almost line up) gives no TAB cell."""
    text = _table_text(
        row(cell("行政复议", span=3), cell("行政诉讼", span=3)),
        row(cell("维持"), cell("纠正"), cell("总计", span=2), cell("维持"), cell("总计")),
        row(cell("1"), cell("2"), cell("3", span=2), cell("4"), cell("5")),
    )
    assert text == "行政复议\t\t\t行政诉讼\t\n维持\t纠正\t总计\t维持\t总计\n1\t2\t3\t4\t5\n"


def test_legacy_horizontal_merge_widens_the_cell_on_its_left() -> None:
    restart = '<w:tc><w:tcPr><w:hMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>申请人情况</w:t></w:r></w:p></w:tc>'
    cont = "<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"
    text = _table_text(
        row(cell("项目"), restart, cont),
        row(cell("新收"), cell("40"), cell("3")),
    )
    assert text == "项目\t申请人情况\t\n新收\t40\t3\n"


def test_tabs_breaks_content_controls_and_fallback_drawings() -> None:
    body = (
        '<w:sdt><w:sdtContent><w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r></w:p>'
        "</w:sdtContent></w:sdt>"
        '<w:p><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        "<mc:Choice><w:t>文本框</w:t></mc:Choice><mc:Fallback><w:t>文本框</w:t></mc:Fallback>"
        "</mc:AlternateContent></w:r></w:p>"
        "<w:tbl>"
        + row("<w:tc><w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t></w:r></w:p></w:tc>", cell("1"))
        + "</w:tbl>"
    )
    doc = read_bytes(docx_bytes(document_xml(body)), "x.docx", LIMITS)
    assert doc.text == "甲 乙\n丙\n文本框\n第一行 第二行\t1\n"
    assert W_NS in document_xml("")


def test_main_part_found_through_the_package_relationships() -> None:
    buffer = io.BytesIO()
    rels = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="/word/document2.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document2.xml", document_xml(paragraph("正文在这里")))
    assert read_bytes(buffer.getvalue(), "x.docx", LIMITS).text == "正文在这里\n"


def test_truncated_docx_is_a_clear_input_error() -> None:
    data = docx_bytes(document_xml(paragraph("政府信息公开") * 300))
    with pytest.raises(InputError) as caught:
        read_bytes(data[: len(data) - 40], "cut.docx", LIMITS)
    assert caught.value.file == "cut.docx"
    assert "corrupt" in caught.value.reason


def test_malformed_xml_is_corrupt_docx() -> None:
    with pytest.raises(InputError, match="损坏的Word文件"):
        read_bytes(docx_bytes("<w:document><w:body><w:p>"), "bad.docx", LIMITS)


def test_docx_without_body_or_text() -> None:
    with pytest.raises(InputError, match="no w:body"):
        read_bytes(docx_bytes(f'<w:document xmlns:w="{W_NS}"/>'), "nobody.docx", LIMITS)
    with pytest.raises(InputError, match="without text"):
        read_bytes(docx_bytes(document_xml(paragraph(""))), "blank.docx", LIMITS)


def test_entity_bomb_is_refused_before_expansion() -> None:
    xml = BILLION_LAUGHS_DTD + f'<w:document xmlns:w="{W_NS}"><w:body>' + paragraph("&lol9;") + "</w:body></w:document>"
    with pytest.raises(InputError, match="DTD"):
        read_bytes(docx_bytes(xml), "bomb.docx", LIMITS)


def test_external_entity_is_refused() -> None:
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{paragraph("&x;")}</w:body></w:document>'
    )
    with pytest.raises(InputError, match="DTD"):
        read_bytes(docx_bytes(xml), "xxe.docx", LIMITS)


def test_member_bigger_than_the_limit_is_refused_from_its_header() -> None:
    data = docx_bytes(document_xml(paragraph("政府信息公开" * 5000)))
    with pytest.raises(InputError, match="zip bomb"):
        read_bytes(data, "big.docx", Limits(max_zip_member_bytes=10_000))


def test_highly_compressed_member_is_refused_by_ratio() -> None:
    data = docx_bytes(document_xml(paragraph("零" * 2_000_000)))
    with pytest.raises(InputError, match="压缩比"):
        read_bytes(data, "ratio.docx", LIMITS)
