"""Word .docx: paragraphs in order, tables in the TAB convention (gridSpan and vMerge expanded)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.etree.ElementTree import Element

from gikai_desk.errors import InputError
from gikai_desk.ingest import SourceDocument
from gikai_desk.ingest.grid import GridCell, clean_cell_text, render_grid, table_rows
from gikai_desk.ingest.text import finish_text
from gikai_desk.ingest.zipsafe import check_members, guarded, open_zip, parse_xml, read_member
from gikai_desk.limits import Limits

CORRUPT = "损坏的Word文件 corrupt .docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
RELATIONSHIP = re.compile(rb"<Relationship\b[^<>]*+>")
REL_TYPE = re.compile(rb'\bType="([^"]*+)"')
REL_TARGET = re.compile(rb'\bTarget="([^"]*+)"')
_P, _TBL, _TR, _TC, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "t"
_TAB, _BR, _CR, _NBH = W + "tab", W + "br", W + "cr", W + "noBreakHyphen"
_WRAPPERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "smartTag"})


def main_part(archive: zipfile.ZipFile, name: str, limits: Limits) -> str:
    """The document part named by _rels/.rels (word/document.xml in almost every file)."""
    if "_rels/.rels" in archive.namelist():
        rels = read_member(archive, "_rels/.rels", name, limits, CORRUPT)
        for relationship in RELATIONSHIP.finditer(rels):
            kind = REL_TYPE.search(relationship.group(0))
            target = REL_TARGET.search(relationship.group(0))
            if kind and target and kind.group(1).endswith(b"/officeDocument"):
                part = posixpath.normpath(target.group(1).decode("utf-8", errors="replace").lstrip("/"))
                if part in archive.namelist():
                    return part
    return "word/document.xml"


def _parse(xml: bytes, member: str, name: str) -> Element:
    return parse_xml(xml, member, name, CORRUPT)


def _run_text(element: Element, in_cell: bool) -> str:
    """Text of a paragraph (or any element), walked with an explicit stack: deep nesting cannot recurse."""
    parts: list[str] = []
    stack: list[Element] = [element]
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append(" ")
        elif tag in (_BR, _CR):
            parts.append(" " if in_cell else "\n")
        elif tag == _NBH:
            parts.append("-")
        elif tag == _P and node is not element:
            parts.append(" ")
        if tag != MC_FALLBACK:
            stack.extend(reversed(list(node)))
    return "".join(parts)


def _attr(node: Element | None, name: str) -> str | None:
    if node is None:
        return None
    return node.get(W + name)


def _table_lines(table: Element) -> list[str]:
    """Rows of a table: gridSpan cells, vMerge continuations empty, gridBefore positions empty; a row that ends
    early (gridAfter, or fewer cells than the grid) stays short; sliver grid columns are dropped."""
    rows: list[list[GridCell]] = []
    for row in _wrapped_children(table, _TR):
        cells: list[GridCell] = []
        before = _int(_attr(row.find(f"{W}trPr/{W}gridBefore"), "val"))
        if before:
            cells.append(GridCell("", colspan=min(before, 64), absent=True))
        for cell in _wrapped_children(row, _TC):
            props = cell.find(W + "tcPr")
            span = _int(_attr(props.find(W + "gridSpan") if props is not None else None, "val")) or 1
            merge = props.find(W + "vMerge") if props is not None else None
            hmerge = props.find(W + "hMerge") if props is not None else None
            if (
                hmerge is not None
                and _attr(hmerge, "val") in (None, "continue")
                and cells
                and not cells[-1].absent
            ):
                cells[-1].colspan += span  # legacy horizontal merge: the cell on the left grows
                extra = clean_cell_text(_run_text(cell, in_cell=True))
                if extra:
                    cells[-1].text = f"{cells[-1].text} {extra}".strip()
                continue
            continued = merge is not None and _attr(merge, "val") in (None, "continue")
            text = clean_cell_text(_run_text(cell, in_cell=True))
            cells.append(GridCell(text, colspan=span, continues_above=continued))
        rows.append(cells)
    return render_grid(table_rows(rows), keep_blank_rows=True)


def _wrapped_children(parent: Element, tag: str) -> list[Element]:
    """Children with `tag` (rows of a table, cells of a row), also those wrapped in content controls."""
    found: list[Element] = []
    stack = list(reversed(list(parent)))
    while stack:
        node = stack.pop()
        if node.tag == tag:
            found.append(node)
        elif node.tag in _WRAPPERS:
            stack.extend(reversed(list(node)))
    return found


def _int(value: str | None) -> int:
    if value is None:
        return 0
    digits = re.match(r"\s*(\d{1,4})", value)
    return int(digits.group(1)) if digits else 0


def body_lines(body: Element) -> list[str]:
    """Paragraphs and tables of the body, in document order (content controls opened)."""
    lines: list[str] = []
    stack = list(reversed(list(body)))
    while stack:
        node = stack.pop()
        if node.tag == _P:
            for line in _run_text(node, in_cell=False).split("\n"):
                cleaned = clean_cell_text(line)
                if cleaned:
                    lines.append(cleaned)
        elif node.tag == _TBL:
            lines.extend(_table_lines(node))
        elif node.tag in _WRAPPERS:
            stack.extend(reversed(list(node)))
    return lines


def read_docx(data: bytes, name: str, limits: Limits) -> SourceDocument:
    with guarded(name, CORRUPT):
        archive = open_zip(data, name, CORRUPT)
        check_members(archive, name, limits)
        part = main_part(archive, name, limits)
        root = _parse(read_member(archive, part, name, limits, CORRUPT), part, name)
        body = root.find(W + "body")
        if body is None:
            raise InputError(name, f"{CORRUPT}: 没有正文 no w:body in {part}")
        lines = body_lines(body)
    text = finish_text("\n".join(lines) + "\n" if lines else "", name, limits)
    if not text.strip():
        raise InputError(name, "Word文件中没有文字 .docx without text")
    return SourceDocument(path=name, kind="docx", text=text, structured=True)
