"""HTML pages: charset from the page or detected, noise dropped, tables in the TAB convention."""

from __future__ import annotations

import base64
import quopri

import pytest

from gikai_desk.errors import InputError
from gikai_desk.ingest.dispatch import read_bytes, sniff_kind
from gikai_desk.ingest.html import html_to_text, sniff_charset
from gikai_desk.limits import Limits

LIMITS = Limits()

PAGE = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>某县人民政府2019年政府信息公开工作年度报告</title>
<style>td {{ border: 1px solid }}</style>
<script type="text/javascript">var cell = "<td>99</td>"; if (a < b) {{}}</script>
</head>
<body>
<!-- 导航 <table><tr><td>隐藏</td></tr></table> -->
<h1>某县人民政府2019年政府信息公开工作年度报告</h1>
<p>　　2019年，本机关共收到政府信息公开申请<span>45</span>件。</p>
<table border="1" cellspacing="0">
<tr><td rowspan="3" colspan="3">本年度办理结果</td><td colspan="7">申请人情况</td></tr>
<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>
<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>
<tr><td colspan="3">一、本年新收政府信息公开申请数量</td><td>40</td><td>&nbsp;</td><td>2</td><td></td><td>0</td><td>3</td><td>45</td></tr>
<tr><td rowspan="2">三、本年度办理结果</td><td colspan="2">（一）予以公开</td><td>11</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>11</td></tr>
<tr><td rowspan="1">（三）不予公开</td><td>1.属于<br>国家秘密</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
</table>
<table><tr><td>本年增/减</td><td>采购总金额</td><td>行政处罚</td></tr>
<tr><td>+5174</td><td>251000元</td><td>-183</td></tr></table>
<p>五、存在的主要问题及改进情况</p>
</body></html>
"""

EXPECTED = (
    "某县人民政府2019年政府信息公开工作年度报告\n"
    "2019年，本机关共收到政府信息公开申请45件。\n"
    "本年度办理结果\t\t\t申请人情况\t\t\t\t\t\t\n"
    "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计\n"
    "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
    "一、本年新收政府信息公开申请数量\t\t\t40\t\t2\t\t0\t3\t45\n"
    "三、本年度办理结果\t（一）予以公开\t\t11\t0\t0\t0\t0\t0\t11\n"
    "\t（三）不予公开\t1.属于 国家秘密\t0\t0\t0\t0\t0\t0\t0\n"
    "本年增/减\t采购总金额\t行政处罚\n"
    "+5174\t251000元\t-183\n"
    "五、存在的主要问题及改进情况\n"
)


@pytest.mark.parametrize("charset", ["utf-8", "gbk", "gb2312", "GB18030"])
def test_report_page_renders_in_the_tab_convention(charset: str) -> None:
    data = PAGE.format(charset=charset).encode("gb18030" if charset != "utf-8" else "utf-8")
    doc = read_bytes(data, "report.htm", LIMITS)
    assert doc.kind == "html"
    assert doc.structured is True
    assert doc.text == EXPECTED


def test_gbk_page_without_declared_charset_is_detected() -> None:
    page = PAGE.format(charset="x").replace('<meta http-equiv="Content-Type" content="text/html; charset=x">', "")
    doc = read_bytes(page.encode("gbk"), "report.html", LIMITS)
    assert doc.text == EXPECTED
    assert any("gb18030" in note and "detected" in note for note in doc.notes)


def test_page_that_declares_the_wrong_charset_is_still_read() -> None:
    data = PAGE.format(charset="gb2312").encode("utf-8")
    doc = read_bytes(data, "report.html", LIMITS)
    assert doc.text == EXPECTED
    assert doc.notes[0] == "编码 encoding: utf_8 (页面声明 declared gb2312, 实为 UTF-8)"


def test_html5_meta_charset_and_xml_declaration_are_honoured() -> None:
    assert sniff_charset(b'<html><head><meta charset="GBK"></head>') == "GBK"
    assert sniff_charset(b"<?xml version='1.0' encoding='gb2312'?><html>") == "gb2312"
    assert sniff_charset(b"<meta content='text/html;charset=utf-8' http-equiv='Content-Type'>") == "utf-8"
    assert sniff_charset(b"<html><body>no charset</body></html>") is None


def test_utf16_page_with_bom() -> None:
    data = b"\xff\xfe" + PAGE.format(charset="utf-16").encode("utf-16-le")
    assert read_bytes(data, "report.html", LIMITS).text == EXPECTED


def _text(html: str) -> str:
    return html_to_text(html, 400)[0]


def test_missing_end_tags_and_uppercase_tags() -> None:
    html = "<TABLE><TR><TD>规章<TD>1<TD>2<TR><TD ROWSPAN=2>规范性文件<TD>3<td>4<tr><td>5<td>6</TABLE>"
    assert _text(html) == "规章\t1\t2\n规范性文件\t3\t4\n\t5\t6\n"


def test_inline_tags_inside_a_number_do_not_split_it() -> None:
    html = '<table><tr><td><span lang="EN-US">25</span><span>1000</span>元</td><td><b>7</b></td></tr></table>'
    assert _text(html) == "251000元\t7\n"


def test_layout_table_around_the_report_keeps_prose_lines_and_inner_tables() -> None:
    html = (
        "<table width=100%><tr><td><p>一、总体情况</p><p>本年度收到申请5件。</p>"
        "<table><tr><td>规章</td><td>1</td></tr></table><p>二、存在的问题</p></td>"
        "<td>右栏</td></tr></table>"
    )
    assert _text(html) == "一、总体情况\n本年度收到申请5件。\n规章\t1\n二、存在的问题\n右栏\n"


def test_one_column_table_is_prose() -> None:
    assert _text("<table><tr><td><p>第一段</p><p>第二段</p></td></tr></table>") == "第一段 第二段\n"


def test_caption_is_a_line_above_the_rows() -> None:
    html = "<table><caption>表三</caption><tr><th>项目</th><th>数量</th></tr><tr><td>规章</td><td>0</td></tr></table>"
    assert _text(html) == "表三\n项目\t数量\n规章\t0\n"


def test_entities_and_whitespace_in_cells() -> None:
    html = "<table><tr><td>&nbsp;</td><td>\n  a&amp;b\t c </td><td>&#20108;&#x4e09;</td><td>　</td></tr></table>"
    assert _text(html) == "\ta&b c\t二三\t\n"


def test_unclosed_comment_and_script_swallow_the_rest_without_hanging() -> None:
    assert _text("<p>正文</p><!-- 未结束的注释 <p>看不见</p>") == "正文\n"
    assert _text("<p>正文</p><script>var x = '<p>看不见</p>';") == "正文\n"


def test_page_cut_off_inside_its_table_keeps_the_rows() -> None:
    assert _text("<p>标题</p><table><tr><td>规章</td><td>1</td></tr><tr><td>行政许可</td><td>2") == (
        "标题\n规章\t1\n行政许可\t2\n"
    )


def test_huge_spans_are_clamped() -> None:
    html = '<table><tr><td colspan="100000" rowspan="100000">x</td><td>y</td></tr><tr><td>z</td></tr></table>'
    lines = _text(html).splitlines()
    # y and z fall beyond the 256-column grid; the covered second row has no text; x's 256 columns hold no other
    # cell, so they collapse into one
    assert lines == ["x"]


def test_page_without_tables_is_read_with_a_note() -> None:
    doc = read_bytes("<html><body><p>关于做好政务公开工作的通知</p></body></html>".encode(), "n.html", LIMITS)
    assert doc.text == "关于做好政务公开工作的通知\n"
    assert "页面中没有表格 the page holds no tables" in doc.notes


def test_page_with_no_text_is_refused() -> None:
    with pytest.raises(InputError, match="HTML page without text"):
        read_bytes(b"<html><head><title></title></head><body><script>x</script></body></html>", "e.html", LIMITS)


def test_deep_nesting_is_linear_and_keeps_the_table() -> None:
    levels = 50_000
    html = "<div>" * levels + "<table><tr><td>规章</td><td>1</td></tr></table>" + "</div>" * levels
    assert _text(html) == "规章\t1\n"


def test_tables_nested_deeper_than_the_limit_are_read_as_prose() -> None:
    html = "<table><tr><td>" * 5 + "<table><tr><td>规章</td><td>1</td></tr></table>" + "</td></tr></table>" * 5
    text, flattened, tables = html_to_text(html, 3)
    assert flattened and tables == 0
    assert text == "规章\n1\n"
    assert html_to_text(html, 10)[0] == "规章\t1\n"


def test_organ_name_starting_with_equals_stays_text() -> None:
    html = '<p>=HYPERLINK("http://x","y")市某局</p><table><tr><td>=1+1</td><td>2</td></tr></table>'
    assert _text(html) == '=HYPERLINK("http://x","y")市某局\n=1+1\t2\n'


def test_word_exported_html_conditionals_and_office_tags() -> None:
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><!--[if gte mso 9]><xml><o:p>x</o:p>'
        "</xml><![endif]--></head><body><p class=MsoNormal><![if !supportLists]>1.<![endif]>总体情况<o:p></o:p></p>"
        "<table class=MsoTableGrid><tr><td><p class=MsoNormal><span lang=EN-US>3<o:p></o:p></span></p></td>"
        "<td><![if !supportMisc]>&nbsp;<![endif]></td><td>9</td></tr></table></body></html>"
    )
    assert _text(html) == "1.总体情况\n3\t\t9\n"


def test_page_saved_as_mhtml_by_a_browser() -> None:
    page = PAGE.format(charset="gb2312").encode("gb18030")
    archive = (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.example.gov.cn/nb.htm\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\";\r\n"
        b'\tboundary="----MultipartBoundary--x----"\r\n\r\n------MultipartBoundary--x----\r\n'
        b"Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        + quopri.encodestring(page)
        + b"\r\n------MultipartBoundary--x----\r\nContent-Type: image/png\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n------MultipartBoundary--x------\r\n"
    )
    doc = read_bytes(archive, "report.mhtml", LIMITS)
    assert doc.kind == "html" and doc.text == EXPECTED
    assert doc.notes[0].startswith("网页存档 MHTML")


def test_single_file_web_page_saved_by_word_or_ie_with_transport_charset() -> None:
    page = "<html><body><table><tr><td>规章</td><td>1</td></tr></table></body></html>".encode("gbk")
    archive = (
        b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01"\r\n\r\n'
        b"------=_NextPart_01\r\nContent-Transfer-Encoding: base64\r\n"
        b'Content-Type: text/html; charset="gb2312"\r\n\r\n' + base64.encodebytes(page) + b"\r\n------=_NextPart_01--\r\n"
    )
    doc = read_bytes(archive, "report.mht", LIMITS)
    assert doc.text == "规章\t1\n"
    assert "编码 encoding: gb18030 (declared gb2312)" in doc.notes


def test_mhtml_without_an_html_part_is_refused() -> None:
    archive = b'MIME-Version: 1.0\nContent-Type: multipart/related; boundary="b"\n\n--b\nContent-Type: image/png\n\nx\n--b--\n'
    with pytest.raises(InputError, match="MHTML archive without an HTML page"):
        read_bytes(archive, "x.mht", LIMITS)


def _archive_with_subject(subject_lines: bytes) -> bytes:
    page = "<html><body><table><tr><td>规章</td><td>1</td></tr></table></body></html>".encode()
    return (
        b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://www.example.gov.cn/nb.htm\r\n"
        + subject_lines
        + b"Date: Thu, 28 Jan 2021 17:02:11 +0800\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
        b'\ttype="text/html";\r\n\tboundary="----B----"\r\n\r\n------B----\r\n'
        b"Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(page)
        + b"\r\n------B------\r\n"
    )


def test_mhtml_whose_folded_subject_lost_its_leading_space_is_still_an_archive() -> None:
    """Some savers fold a long encoded Subject without indenting the continuation: a line that is no header
    must not end the headers (the Content-Type and boundary come after it)."""
    broken = b"Subject: =?utf-8?B?5Y2X5rmW5Yy6?=\r\n=?utf-8?B?5bm05bqm5oql5ZGK?=\r\n"
    assert sniff_kind(_archive_with_subject(broken)) == "mhtml"
    doc = read_bytes(_archive_with_subject(broken), "report.mhtml", LIMITS)
    assert doc.text == "规章\t1\n"
    assert doc.notes[0].startswith("网页存档 MHTML")
    proper = read_bytes(_archive_with_subject(b"Subject: =?utf-8?B?5Y2X?=\r\n =?utf-8?B?5bm0?=\r\n"), "ok.mht", LIMITS)
    assert proper.text == doc.text


def test_mhtml_whose_headers_cannot_be_read_gets_a_clear_message() -> None:
    archive = b'MIME-Version: 1.0\nContent-Type: multipart/related; boundary=\n\n<html><table><tr><td>1</td></tr></table>'
    assert sniff_kind(archive) == "mhtml"
    with pytest.raises(InputError, match="MHTML archive could not be read"):
        read_bytes(archive, "x.mht", LIMITS)
