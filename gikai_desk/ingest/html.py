"""HTML pages saved from government sites: prose as lines, tables in the TAB convention."""
# The page is read with a handful of linear regular-expression passes (no DOM, no recursion): comments, scripts,
# styles and the head are cut out; the innermost tables become TAB-convention rows (rowspan/colspan expanded);
# everything else, layout tables included, becomes prose lines.

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import GridCell, render_grid, table_rows
from gikai_desk.ingest.text import decode_bytes, finish_text, normalise_encoding
from gikai_desk.limits import Limits

_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}encoding\s*=\s*["']([A-Za-z0-9_.:-]{2,40})""")


def _ci(names: str) -> str:
    """Case-insensitive alternation of tag names as a letter trie with letter classes ("br" -> "[bB][rR]").

    Several times faster than re.IGNORECASE with a flat alternation, which the regex engine tries name by name.
    """
    words = sorted(set(names.split("|")))
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches: list[str] = []
    for first, rests in by_first.items():
        letter = f"[{first}{first.upper()}]" if first.isalpha() else re.escape(first)
        longer = [rest for rest in rests if rest]
        if not longer:
            branches.append(letter)
            continue
        optional = "?" if "" in rests else ""
        branches.append(f"{letter}(?:{_ci('|'.join(longer))}){optional}")
    return "|".join(branches)


_SKIPPED = "script|style|noscript|template|select|button|textarea|xmp|object|svg|math|iframe|title"
_SPECIAL = re.compile(rf"<!--|<({_ci(_SKIPPED)})\b[^<>]*+>")
"""Openings of what is never report text (comments, scripts, ...) and of the title, which is kept apart."""
_SPECIAL_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _SKIPPED.split("|")}
_HEAD = re.compile(r"<head\b[^<>]*+>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>|<body\b", re.IGNORECASE)
_TABLE_TAG = re.compile(rf"<(/?){_ci('table')}\b[^<>]*+>")

_BLOCK_NAMES = (
    "address|article|aside|blockquote|br|caption|center|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|"
    "figure|footer|form|frameset|h1|h2|h3|h4|h5|h6|header|hr|legend|li|main|menu|nav|ol|p|pre|section|summary|ul|body|"
    "table|tbody|thead|tfoot|tr|td|th"
)
_BLOCK_TAG = re.compile(rf"</?(?:{_ci(_BLOCK_NAMES)})\b[^<>]*+>")
_ANY_TAG = re.compile(r"<[/!?]?[A-Za-z][^<>]*+>|<!\[[^<>]*+>")
"""Any tag, and Word's downlevel conditionals (<![if !supportLists]>, <![endif]>)."""
_CELL_BLOCK_NAMES = "br|p|div|li|ul|ol|dl|dt|dd|h1|h2|h3|h4|h5|h6|hr|blockquote|center|pre|section|caption"
_CELL_BLOCK_TAG = re.compile(rf"</?(?:{_ci(_CELL_BLOCK_NAMES)})\b[^<>]*+>")
"""Line-breaking tags inside a table cell (<br>, <p>, <div> ...): a space there."""
_NON_CELL_TAG = re.compile(r"<(?![tT][rRdDhH]\b)[/!?]?[A-Za-z][^<>]*+>|<!\[[^<>]*+>")
"""Every tag but the <tr>, <td>, <th> openings that delimit rows and cells."""
_ROW_START = re.compile(r"<[tT][rR]\b[^<>]*+>")
_CELL_START = re.compile(r"<[tT][dDhH]\b([^<>]*+)>")
_BRACKETED = re.compile(r"[^<>]*+(?:<[^<>]*+>[^<>]*+)*+")
"""Markup in which every `<` opens a tag that the next `>` closes (no stray `<` or `>`): each tag stands alone."""
_PLAIN_TAGS = ("</td>", "</tr>", "</th>", "</table>", "<tbody>", "</tbody>", "<thead>", "</thead>")
"""Tags the substitutions remove, in their usual spelling."""
_SPAN_ATTR = re.compile(r"""\b(rowspan|colspan)\s*=\s*["']?\s*(\d{1,6})""", re.IGNORECASE)


def sniff_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta charset>, http-equiv Content-Type, or the XML declaration."""
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if found is None:
        found = _META_CHARSET.search(data[:65536])
    return found.group(1).decode("ascii") if found else None


def _cut_specials(page: str) -> tuple[str, str]:
    """The page without comments, scripts, styles, forms' option lists ...; and the <title> text."""
    pieces: list[str] = []
    title = ""
    position = 0
    while True:
        found = _SPECIAL.search(page, position)
        if found is None:
            break
        pieces.append(page[position : found.start()])
        name = found.group(1)
        if name is None:  # a comment runs to "-->", or to the end when unclosed (as in browsers)
            end = page.find("-->", found.end())
            position = len(page) if end < 0 else end + 3
            continue
        closer = _SPECIAL_END[name.lower()].search(page, found.end())
        stop = len(page) if closer is None else closer.start()
        if name.lower() == "title" and not title:
            title = page[found.end() : stop]
        position = len(page) if closer is None else closer.end()
        pieces.append(" ")
    pieces.append(page[position:])
    return "".join(pieces), title


def _cut_head(page: str) -> str:
    head = _HEAD.search(page)
    if head is None:
        return page
    end = _HEAD_END.search(page, head.end())
    if end is None:
        return page
    stop = end.end() if end.group(0).startswith("</") else end.start()
    return page[: head.start()] + page[stop:]


def _leaf_tables(page: str, max_depth: int) -> tuple[list[tuple[int, int]], bool]:
    """Regions of the innermost tables (no table inside), in order; tables nested deeper than the limit are
    left to the prose (flattened)."""
    regions: list[tuple[int, int]] = []
    stack: list[list[int]] = []  # [start, has inner table]
    flattened = False
    for found in _TABLE_TAG.finditer(page):
        if not found.group(1):
            if stack:
                stack[-1][1] = 1
            stack.append([found.start(), 0])
        elif stack:
            start, has_inner = stack.pop()
            if not has_inner:
                if max_depth and len(stack) + 1 > max_depth:
                    flattened = True
                else:
                    regions.append((start, found.end()))
    if stack and not stack[-1][1]:  # a page cut off inside its table
        if max_depth and len(stack) > max_depth:
            flattened = True
        else:
            regions.append((stack[-1][0], len(page)))
    return regions, flattened


def _prose_lines(fragment: str) -> list[str]:
    if "<" in fragment:
        fragment = _ANY_TAG.sub("", _BLOCK_TAG.sub("\n", fragment))
    if "&" in fragment:
        fragment = fragment.replace("&nbsp;", " ")
        if "&" in fragment:
            fragment = unescape(fragment)
    return [line for line in (" ".join(raw.split()) for raw in fragment.split("\n")) if line]


def _cell_text(content: str) -> str:
    """A cell's text, entities resolved (&nbsp; is a blank), whitespace collapsed."""
    if "&" in content:
        content = content.replace("&nbsp;", " ")  # the common case, without unescape()'s regex
        if "&" in content:
            content = unescape(content)
    return " ".join(content.split())


@lru_cache(maxsize=4096)
def _spans(attrs: str) -> tuple[int, int]:
    """(rowspan, colspan) from a cell's attribute text (cached: pages repeat the same few attribute strings)."""
    if "span" not in attrs and "SPAN" not in attrs and "Span" not in attrs:
        return 1, 1
    rowspan = colspan = 1
    for name, value in _SPAN_ATTR.findall(attrs):
        if name.lower() == "rowspan":
            rowspan = max(1, int(value))
        else:
            colspan = max(1, int(value))
    return rowspan, colspan


def _split_rows(body: str) -> tuple[str, list[list[str]]]:
    """A table's markup without tags other than row and cell openings (line-breaking tags a space), and that
    split into [words before the first row] and per row [text before its first cell, attributes, text, ...]."""
    head = body[:2048]  # a cheap first look for other tags (<p>, <span> ...)
    if (
        head.count("<") == head.count("<t") + head.count("</")
        and body.count("<") == body.count("<t") + body.count("</")
        and _BRACKETED.fullmatch(body) is not None
    ):
        # Every tag stands alone, so the tag substitutions below act tag by tag: the plain tags they remove can
        # go first; and when only row and cell openings are left, the substitutions change nothing.
        for plain in _PLAIN_TAGS:
            if plain in body:
                body = body.replace(plain, "")
        tags = body.count("<")
        rows = _ROW_START.split(body)
        split = [[rows[0]], *(_CELL_START.split(chunk) for chunk in rows[1:])]
        if tags == len(rows) - 1 + sum(len(pieces) // 2 for pieces in split[1:]):  # only openings are left
            return body, split
    body = _NON_CELL_TAG.sub("", _CELL_BLOCK_TAG.sub(" ", body))
    rows = _ROW_START.split(body)
    return body, [[rows[0]], *(_CELL_START.split(chunk) for chunk in rows[1:])]


def _table_lines(region: str) -> list[str]:
    """One innermost table: TAB-convention rows (a row with fewer cells than its peers stays short); a one-column
    box is prose."""
    opening = _TABLE_TAG.match(region)
    body = region[opening.end() :] if opening else region
    body, row_chunks = _split_rows(body)
    lines = _prose_lines(row_chunks[0][0])  # a caption, or words outside any row
    merged = "span" in body or "SPAN" in body or "Span" in body
    grid: list[list[str]] = []
    spanned: list[list[GridCell]] = []
    for pieces in row_chunks[1:]:
        texts = [_cell_text(content) for content in pieces[2::2]]
        if merged:
            spanned.append(
                [GridCell(text, *_spans(attrs)) for text, attrs in zip(texts, pieces[1::2], strict=True)]
            )
        else:
            grid.append(texts)
    if merged:
        grid = table_rows(spanned)
    if max((len(row) for row in grid), default=0) <= 1:
        lines.extend(text for row in grid for text in row if text)
        return lines
    lines.extend(render_grid(grid, keep_blank_rows=True))
    return lines


def html_to_text(page: str, max_depth: int) -> tuple[str, bool, int]:
    """Text of a page (lines), whether table nesting beyond the limit was flattened, and how many tables it held."""
    page, title = _cut_specials(page)
    page = _cut_head(page)
    regions, flattened = _leaf_tables(page, max_depth)
    lines: list[str] = []
    position = 0
    for start, end in regions:
        lines.extend(_prose_lines(page[position:start]))
        lines.extend(_table_lines(page[start:end]))
        position = end
    lines.extend(_prose_lines(page[position:]))
    title_line = " ".join(_prose_lines(title))
    if title_line and (not lines or title_line not in lines[0]):
        lines.insert(0, title_line)
    text = "\n".join(lines)
    return (text + "\n" if text else ""), flattened, len(regions)


def read_html(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Decode (BOM, declared charset, else detected) and render the page in the TAB convention."""
    return _read_page(data, name, limits, None, [])


def read_mhtml(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """A page saved as one file (.mht/.mhtml, MIME multipart/related): its first text/html part."""
    import email
    import email.policy

    message = email.message_from_bytes(_mend_headers(data), policy=email.policy.compat32)
    if not message.is_multipart():
        raise InputError(
            name,
            "网页存档无法读取：邮件头损坏，找不到各部分的分界 MHTML archive could not be read "
            "(malformed headers, no multipart boundary); open it in a browser and save it as .html",
        )
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload.strip():
                note = "网页存档 MHTML web archive: text/html part read"
                return _read_page(payload, name, limits, part.get_content_charset(), [note])
    raise InputError(name, "网页存档中没有HTML MHTML archive without an HTML page")


_HEADER_LINE = re.compile(rb"[!-9;-~]+:")
"""A mail header line: a field name (printable ASCII but the colon) and a colon."""


def _mend_headers(data: bytes) -> bytes:
    """The archive with its top-level header block mended: a line inside it that is neither a header nor
    indented (a folded Subject whose continuation lost its leading space) is made a continuation line, instead
    of ending the headers and hiding the Content-Type and boundary below it."""
    end = re.search(rb"\r?\n[ \t\r]*\n", data)
    if end is None:
        return data
    lines = data[: end.start()].split(b"\n")
    mended = [
        line if index == 0 or line[:1] in (b" ", b"\t") or _HEADER_LINE.match(line) else b" " + line
        for index, line in enumerate(lines)
    ]
    if mended == lines:
        return data
    return b"\n".join(mended) + data[end.start() :]


def _read_page(
    data: bytes, name: str, limits: Limits, transport_charset: str | None, notes: list[str]
) -> SourceDocument:
    declared = sniff_charset(data) or transport_charset
    if declared is not None and normalise_encoding(declared) is None:
        declared = None
    decoded = decode_bytes(data, name, declared)
    text, flattened, tables = html_to_text(decoded.text, limits.max_html_depth)
    notes = [*notes, *decoded.notes]
    if flattened:
        notes.append(
            f"表格嵌套超过 {limits.max_html_depth} 层，更深的表格按正文读取 tables nested deeper than the limit read as prose"
        )
    if tables == 0:
        notes.append("页面中没有表格 the page holds no tables")
    text = finish_text(text, name, limits)
    if not text.strip():
        raise InputError(name, "网页中没有文字 HTML page without text")
    return SourceDocument(path=name, kind="html", text=text, structured=True, notes=notes)
