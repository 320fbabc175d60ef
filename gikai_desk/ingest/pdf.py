"""PDF reader: text-layer PDFs to displayed text, tables read from ruling lines and column geometry as TAB rows."""

from __future__ import annotations

import ctypes
import math
import re
import threading
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import pypdfium2 as pdfium

from gikai_desk.errors import InputError
from gikai_desk.ingest import OFF_PAGE_MARK, SourceDocument, row_cut_mark
from gikai_desk.limits import Limits

_raw: Any = pdfium.raw

# PDFium is not thread-safe: the GUI reads in a worker thread while tests or the CLI may read too.
_PDFIUM_LOCK = threading.Lock()


_VP, _INT = ctypes.c_void_p, ctypes.c_int


def _address(handle: Any) -> int:
    return ctypes.cast(handle, ctypes.c_void_p).value or 0


def _retype(function: Any, restype: Any, *argtypes: Any) -> Any:
    """A second ctypes prototype of a PDFium function taking plain addresses. The hot loops call these
    about 40 % faster than pypdfium2's typed-pointer bindings, which stay untouched."""
    try:
        clone = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
        clone.restype = restype
        clone.argtypes = argtypes
        return clone
    except Exception:  # an unexpected kind of binding: adapt plain addresses to its own pointer types
        typed = [
            t if isinstance(t, type) and issubclass(t, ctypes._Pointer) else None for t in function.argtypes
        ]

        def adapter(*args: Any) -> Any:
            result = function(*(ctypes.cast(a, t) if t else a for a, t in zip(args, typed, strict=True)))
            return _address(result) if restype is _VP else result

        return adapter


_char_box = _retype(_raw.FPDFText_GetLooseCharBox, _INT, _VP, _INT, _VP)
_char_origin = _retype(_raw.FPDFText_GetCharOrigin, _INT, _VP, _INT, _VP, _VP)
_page_object = _retype(_raw.FPDFPage_GetObject, _VP, _VP, _INT)
_form_object = _retype(_raw.FPDFFormObj_GetObject, _VP, _VP, ctypes.c_ulong)
_object_type = _retype(_raw.FPDFPageObj_GetType, _INT, _VP)
_object_bounds = _retype(_raw.FPDFPageObj_GetBounds, _INT, _VP, _VP, _VP, _VP, _VP)


_SCANNED = "扫描件无文字层 no text layer: scanned document"
_GRID_TOL = 3.0
"""Ruling positions closer than this (pt) are one boundary."""
_TOUCH_TOL = 2.0
"""Slack (pt) when deciding whether two rulings meet or a ruling covers a point."""
_THIN = 2.5
"""A path no thicker than this (pt) is a ruling line."""
_MAX_RULING_PAIRS = 2_000_000
"""Ruling crossings examined per page at most."""
_MAX_GRID_UNITS = 40_000
"""Largest grid (rows x columns) read as a table."""
_COLUMN_GAP = 1.5
"""A gap of this many em inside a line separates table columns (tables without rulings)."""
_MARGIN_ZONE = 0.12
"""Fraction of the page height at the top and bottom where page numbers and running headers may sit."""

# Char tuple fields: text, x0, y0, x1, y1, baseline (PDF user space, y grows upwards).
Char = tuple[str, float, float, float, float, float]
_Box = tuple[float, float, float, float]
"""The page's visible box (left, bottom, right, top): MediaBox and CropBox intersected."""

_X0 = itemgetter(1)

_PAGE_NUMBER = re.compile(
    r"^[\s\-－—–―·•.]*"
    r"(?:第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*[/／]\s*\d{1,4}"
    r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4})"
    r"[\s\-－—–―·•.]*$"
)
_ORDINAL_START = re.compile(r"^\s*[（(]?[一二三四五六七八九十\d]{1,3}\s*[)）、.．]")
_NUMERIC = re.compile(r"^[\s\d.,，+\-−%元万]*$")
_BLANK_WORD = re.compile(r"[\s\-—–~/\\_*….]*|无|空")
"""Text standing for an empty value cell."""


@dataclass
class _Line:
    """A line of prose: characters sharing a baseline."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    em: float
    cuts: list[tuple[float, float, str]] = field(default_factory=list)
    """Pieces of the line separated by gaps wide enough to be table columns: (x0, x1, text)."""
    chars: list[Char] = field(default_factory=list)


@dataclass
class _TextTable:
    """A table without rulings: rows of lines whose pieces line up in columns."""

    cells: list[list[str]]
    top: float
    bottom: float
    columns: list[tuple[float, float]] = field(default_factory=list)
    """The x-range of each column's text."""
    off_cols: frozenset[int] = frozenset()
    """Columns running past the page's visible box (their cells get OFF_PAGE_MARK)."""
    cut: int | None = None
    """As _Table.cut: the table ends at the page edge; how many value columns the page shows."""

    def rows(self) -> list[list[str]]:
        out: list[list[str]] = []
        for row in self.cells:
            if not any(row):
                continue
            row = _mark_off_page(row, self.off_cols) if self.off_cols else row
            out.append([*row, row_cut_mark(self.cut)] if self.cut is not None else row)
        return out


def _mark_off_page(cells: list[str], off_cols: frozenset[int] | set[int]) -> list[str]:
    return [cell + OFF_PAGE_MARK if c in off_cols else cell for c, cell in enumerate(cells)]


@dataclass
class _Table:
    """A ruled table on one page: its grid, merged cells and the text of each cell."""

    xs: list[float]
    ys: list[float]
    """Row boundaries, top to bottom (descending y)."""
    hsegs: list[tuple[float, float, float]]
    vsegs: list[tuple[float, float, float]]
    chars: list[Char] = field(default_factory=list)
    root: list[list[int]] = field(default_factory=list)
    """Merged-cell id of every grid unit [row][col]."""
    text: dict[int, str] = field(default_factory=dict)
    origin: dict[int, tuple[int, int]] = field(default_factory=dict)
    """Top-left unit of each merged cell."""
    last_row: dict[int, int] = field(default_factory=dict)
    """Bottom grid row of each merged cell."""
    first_col: dict[int, int] = field(default_factory=dict)
    last_col: dict[int, int] = field(default_factory=dict)
    skip: int = 0
    """Leading grid rows not output (a header row repeated from the previous page)."""
    off_cols: frozenset[int] = frozenset()
    """Grid columns running past the page's visible box: their cells are written with OFF_PAGE_MARK."""
    off_cells: frozenset[int] = frozenset()
    """Merged cells holding a character outside the page's visible box (below its bottom edge, say): marked too."""
    cut: int | None = None
    """When the table ends at the page edge, cut off there (more columns may lie beyond): how many value columns
    (after the label columns) the page shows. Rows then end in row_cut_mark(cut)."""
    box: _Box | None = None
    """The visible box of the table's page, kept when the table reaches past it (to mark it again should its
    grid change: a continued table takes the previous page's columns)."""

    @property
    def top(self) -> float:
        return self.ys[0]

    @property
    def bottom(self) -> float:
        return self.ys[-1]

    def row_texts(self, r: int, covered: bool = False) -> list[str]:
        """Cell texts of grid row r: merged cells in their top-left position only (or, with `covered`, in
        every position they cover)."""
        return [
            self.text.get(cell, "") if covered or self.origin[cell] == (r, c) else ""
            for c, cell in enumerate(self.root[r])
        ]

    def rows(self) -> list[list[str]]:
        out: list[list[str]] = []
        for r in range(self.skip, len(self.root)):
            cells = self.row_texts(r)
            if not any(cells):
                continue
            if self.off_cols or self.off_cells:
                # A merged cell reaching past the edge is marked in its top-left position only.
                off = {
                    c
                    for c, cell in enumerate(self.root[r])
                    if self.origin[cell] == (r, c) and self._off(cell)
                }
                cells = _mark_off_page(cells, off)
            if self.cut is not None:
                cells.append(row_cut_mark(self.cut))
            out.append(cells)
        return out

    def _off(self, cell: int) -> bool:
        if cell in self.off_cells:
            return True
        return any(c in self.off_cols for c in range(self.first_col[cell], self.last_col[cell] + 1))


_Block = _Line | _Table | _TextTable


@dataclass
class _Page:
    index: int
    blocks: list[_Block]
    """Content top to bottom."""
    bottom: float = 0.0
    top: float = 842.0
    """Page box edges (y): headers, footers and page numbers live near them."""

    def in_margin(self, block: _Block) -> bool:
        zone = _MARGIN_ZONE * (self.top - self.bottom)
        return block.bottom >= self.top - zone or block.top <= self.bottom + zone


def read_pdf(data: bytes, name: str, limits: Limits) -> SourceDocument:
    """Read a text-layer PDF. Raises InputError for encrypted, scanned, corrupt, oversized or slow files."""
    started = time.monotonic()
    deadline = started + limits.timeout_seconds if limits.timeout_seconds > 0 else math.inf
    if b"%PDF" not in data[:1024]:
        raise InputError(name, "不是PDF文件 not a PDF: missing %PDF header")
    if b"%%EOF" not in data[-65536:]:
        raise InputError(name, "PDF文件不完整 truncated PDF: no %%EOF trailer (file cut short?)")
    notes: list[str] = []
    with _PDFIUM_LOCK:
        raw_pages = _extract(data, name, limits, deadline, notes)
    if sum(len(page[0]) for page in raw_pages) == 0:  # no text layer: a scan
        from gikai_desk.ingest.ocr import read_scanned_pdf

        return read_scanned_pdf(data, name, limits, len(raw_pages))
    return compose_pages(raw_pages, name, limits, deadline, notes, "pdf")


def compose_pages(
    raw_pages: list[_RawPage], name: str, limits: Limits, deadline: float, notes: list[str], kind: str
) -> SourceDocument:
    """The document from its pages' characters and ruling segments (PDF user space, y upwards): ruled and
    space-aligned tables, running headers and page numbers dropped, tables continued across pages. Shared by
    every fixed-layout reader (PDF through PDFium, OFD from its XML)."""
    total_chars = sum(len(page[0]) for page in raw_pages)
    if total_chars == 0:
        raise InputError(name, _SCANNED)
    empty_pages = [i + 1 for i, page in enumerate(raw_pages) if not page[0]]
    if empty_pages:
        notes.append(f"第{'、'.join(map(str, empty_pages))}页没有文字层（可能是扫描页），已跳过")
    pages: list[_Page] = []
    hidden = 0
    for index, (chars, hsegs, vsegs, box) in enumerate(raw_pages):
        if time.monotonic() > deadline:
            raise InputError(name, f"读取超时 timeout: more than {limits.timeout_seconds:g} s")
        layout = _PageLayout(index, box)
        pages.append(_Page(index, layout.blocks(chars, hsegs, vsegs), box[1], box[3]))
        notes.extend(layout.notes)
        hidden += layout.hidden
    if hidden:
        notes.append(f"页面可见区域之外有 {hidden} 个字符（不在表格中），页面上看不到，未读取")
    text = _compose(pages, notes)
    if limits.max_text_chars and len(text) > limits.max_text_chars:
        raise InputError(name, f"文字过多 too much text ({len(text)} characters)")
    boxes = cell_boxes(pages, text)
    return SourceDocument(path=name, kind=kind, text=text, structured=True, notes=notes, boxes=boxes)


def table_cell_chars(pages: list[_Page], text: str) -> Iterator[tuple[int, int, list[Char]]]:
    """(where the cell's text starts in `text`, page index, its characters) of every ruled table cell holding
    text. Table rows are written one per line, cells joined by TAB, in block order (as _compose writes them);
    a table with marked cells (beyond the page edge) is left out."""
    cursor = 0
    for page in pages:
        for block in page.blocks:
            if not isinstance(block, _Table) or not block.root:
                continue
            if block.off_cols or block.off_cells or block.cut is not None:
                continue
            xs, neg_ys = block.xs, [-y for y in block.ys]
            ncols, nrows = len(xs) - 1, len(neg_ys) - 1
            by_cell: dict[int, list[Char]] = {}
            for ch in block.chars:
                cx, cy = (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2
                c = min(max(bisect_right(xs, cx) - 1, 0), ncols - 1)
                r = min(max(bisect_right(neg_ys, -cy) - 1, 0), nrows - 1)
                by_cell.setdefault(block.root[r][c], []).append(ch)
            for r in range(block.skip, len(block.root)):
                cells = block.row_texts(r)
                if not any(cells):
                    continue
                found = text.find("\t".join(cell.replace("\t", " ") for cell in cells), cursor)
                if found < 0:
                    continue
                cursor = offset = found
                for c, cell_text in enumerate(cells):
                    chars = by_cell.get(block.root[r][c])
                    if cell_text and chars:
                        yield offset, page.index, chars
                    offset += len(cell_text) + 1


def cell_boxes(pages: list[_Page], text: str) -> dict[int, tuple[int, float, float, float, float]]:
    """Where each ruled table cell's text starts in `text` -> (page index, x0, y0, x1, y1): the box of the
    characters it was read from, in PDF points (y up). The page view draws it around the cell's value."""
    return {
        offset: (
            page,
            min(ch[1] for ch in chars),
            min(ch[2] for ch in chars),
            max(ch[3] for ch in chars),
            max(ch[4] for ch in chars),
        )
        for offset, page, chars in table_cell_chars(pages, text)
    }


# ---------------------------------------------------------------------------------------------------------
# PDFium access


_Segments = list[tuple[float, float, float]]
_RawPage = tuple[list[Char], _Segments, _Segments, _Box]


def _extract(data: bytes, name: str, limits: Limits, deadline: float, notes: list[str]) -> list[_RawPage]:
    """Characters with boxes and ruling segments of every page (PDFium calls only, under the lock)."""
    buffer = ctypes.create_string_buffer(data, len(data))
    doc = _raw.FPDF_LoadMemDocument64(buffer, len(data), None)
    if not doc:
        code = _raw.FPDF_GetLastError()
        if code in (_raw.FPDF_ERR_PASSWORD, _raw.FPDF_ERR_SECURITY):
            raise InputError(name, "加密的PDF encrypted PDF: 需要密码才能打开 a password is required")
        reason = {
            _raw.FPDF_ERR_FORMAT: "文件格式错误 format error",
            _raw.FPDF_ERR_FILE: "无法读取 cannot read",
        }.get(code, f"PDFium error {code}")
        raise InputError(name, f"PDF文件损坏 corrupt PDF: {reason}")
    try:
        count = _raw.FPDF_GetPageCount(doc)
        if count <= 0:
            raise InputError(name, "PDF文件损坏 corrupt PDF: 没有页面 no pages")
        if limits.max_pdf_pages and count > limits.max_pdf_pages:
            raise InputError(name, f"页数过多 too many pages: {count} (limit {limits.max_pdf_pages})")
        if _raw.FPDF_GetSecurityHandlerRevision(doc) != -1:
            notes.append("PDF 设有权限加密（无需密码即可打开），已照常读取")
        pages: list[_RawPage] = []
        box = _raw.FS_RECTF()
        total_chars = 0
        for index in range(count):
            if time.monotonic() > deadline:
                raise InputError(name, f"读取超时 timeout: more than {limits.timeout_seconds:g} s")
            page = _raw.FPDF_LoadPage(doc, index)
            if not page:
                raise InputError(
                    name, f"PDF文件损坏 corrupt PDF: 第{index + 1}页无法读取 page {index + 1} unreadable"
                )
            try:
                chars = _page_chars(page, deadline)
                total_chars += len(chars)
                if limits.max_text_chars and total_chars > limits.max_text_chars:
                    raise InputError(
                        name, f"文字过多 too much text (more than {limits.max_text_chars} characters)"
                    )
                hsegs, vsegs = _page_rulings(page, deadline)
                edges: _Box
                if _raw.FPDF_GetPageBoundingBox(page, box):
                    edges = (
                        min(box.left, box.right),
                        min(box.bottom, box.top),
                        max(box.left, box.right),
                        max(box.bottom, box.top),
                    )
                else:
                    edges = (0.0, 0.0, _raw.FPDF_GetPageWidthF(page), _raw.FPDF_GetPageHeightF(page))
            finally:
                _raw.FPDF_ClosePage(page)
            pages.append((chars, hsegs, vsegs, edges))
        if time.monotonic() > deadline:
            raise InputError(name, f"读取超时 timeout: more than {limits.timeout_seconds:g} s")
        return pages
    finally:
        _raw.FPDF_CloseDocument(doc)
        del buffer


def _page_chars(page: Any, deadline: float) -> list[Char]:
    textpage = _raw.FPDFText_LoadPage(page)
    if not textpage:
        return []
    try:
        count = _raw.FPDFText_CountChars(textpage)
        if count <= 0:
            return []
        buf = (ctypes.c_ushort * (count + 1))()
        written = _raw.FPDFText_GetText(textpage, 0, count, buf)
        text = ctypes.string_at(buf, max(0, written - 1) * 2).decode("utf-16-le", errors="surrogatepass")
        if len(text) != count:  # characters outside the BMP: fall back to one code point per call
            text = "".join(chr(_raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
        origin_x, origin_y = ctypes.c_double(), ctypes.c_double()
        box = _raw.FS_RECTF()
        handle = _address(textpage)
        box_at, x_at, y_at = ctypes.addressof(box), ctypes.addressof(origin_x), ctypes.addressof(origin_y)
        get_box, get_origin = _char_box, _char_origin
        chars: list[Char] = []
        for i, ch in enumerate(text):
            if i & 4095 == 4095 and time.monotonic() > deadline:
                break  # the caller reports the timeout
            if ch.isspace() or ch < " " or ch in "\ufffe\uffff\u00ad":
                continue
            # The loose box spans the glyph's advance and the font's ascent/descent, so a gap between two
            # boxes is a real gap on the page; the origin gives the baseline.
            if not get_box(handle, i, box_at) or not get_origin(handle, i, x_at, y_at):
                continue
            if "\u2f00" <= ch <= "\u2fdf":  # Kangxi radicals (⼀ U+2F00) stand in for ordinary CJK characters
                ch = unicodedata.normalize("NFKC", ch)
            chars.append((ch, box.left, box.bottom, box.right, box.top, origin_y.value))
        return chars
    finally:
        _raw.FPDFText_ClosePage(textpage)


_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_OBJECTS = 200_000
"""Page objects examined per page at most (a page of hatching must not stall the reader)."""


def _then(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """The transform applying `inner` first, then `outer` (PDF row-vector convention)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _apply(m: _Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _page_rulings(page: Any, deadline: float) -> tuple[_Segments, _Segments]:
    """Horizontal (y, x0, x1) and vertical (x, y0, y1) ruling segments drawn as paths, forms included."""
    hsegs: _Segments = []
    vsegs: _Segments = []
    handle = _address(page)
    count = min(_raw.FPDFPage_CountObjects(page), _MAX_OBJECTS)
    objects = [_page_object(handle, j) for j in range(count)]
    _collect_rulings(objects, _IDENTITY, hsegs, vsegs, deadline, 0)
    return hsegs, vsegs


def _collect_rulings(
    objects: list[int], matrix: _Matrix, hsegs: _Segments, vsegs: _Segments, deadline: float, depth: int
) -> None:
    """Rulings among `objects` (addresses of page objects) drawn under the transform `matrix`."""
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    out_params = tuple(ctypes.addressof(v) for v in (left, bottom, right, top))
    path_type, form_type = _raw.FPDF_PAGEOBJ_PATH, _raw.FPDF_PAGEOBJ_FORM
    get_type, get_bounds = _object_type, _object_bounds
    plain = matrix == _IDENTITY
    for k, address in enumerate(objects):
        if k & 4095 == 4095 and time.monotonic() > deadline:
            return
        kind = get_type(address)
        if kind == form_type and depth < 8:
            obj = ctypes.cast(address, _raw.FPDF_PAGEOBJECT)
            form_matrix = _raw.FS_MATRIX()
            if _raw.FPDFPageObj_GetMatrix(obj, form_matrix):
                fm = (
                    form_matrix.a,
                    form_matrix.b,
                    form_matrix.c,
                    form_matrix.d,
                    form_matrix.e,
                    form_matrix.f,
                )
                count = min(_raw.FPDFFormObj_CountObjects(obj), _MAX_OBJECTS)
                children = [_form_object(address, j) for j in range(count)]
                _collect_rulings(children, _then(fm, matrix), hsegs, vsegs, deadline, depth + 1)
            continue
        if kind != path_type or not get_bounds(address, *out_params):
            continue
        x0, y0, x1, y1 = left.value, bottom.value, right.value, top.value
        if not plain:
            (ax, ay), (bx, by) = _apply(matrix, x0, y0), _apply(matrix, x1, y1)
            x0, x1, y0, y1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        width, height = x1 - x0, y1 - y0
        if width <= _THIN and height > _THIN:
            vsegs.append(((x0 + x1) / 2, y0, y1))
        elif height <= _THIN and width > _THIN:
            hsegs.append(((y0 + y1) / 2, x0, x1))
        elif width > _THIN and height > _THIN:
            _stroked_edges(ctypes.cast(address, _raw.FPDF_PAGEOBJECT), matrix, hsegs, vsegs)


def _stroked_edges(obj: Any, parent: _Matrix, hsegs: _Segments, vsegs: _Segments) -> None:
    """Axis-parallel straight segments of a stroked path (cell borders drawn as one path or rectangles)."""
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not _raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke) or not stroke.value:
        return
    nsegs = _raw.FPDFPath_CountSegments(obj)
    if nsegs < 2 or nsegs > 4000:
        return
    raw_matrix = _raw.FS_MATRIX()
    if not _raw.FPDFPageObj_GetMatrix(obj, raw_matrix):
        return
    own = (raw_matrix.a, raw_matrix.b, raw_matrix.c, raw_matrix.d, raw_matrix.e, raw_matrix.f)
    matrix = _then(own, parent)
    px, py = ctypes.c_float(), ctypes.c_float()
    start = prev = (0.0, 0.0)
    for k in range(nsegs):
        seg = _raw.FPDFPath_GetPathSegment(obj, k)
        if not _raw.FPDFPathSegment_GetPoint(seg, px, py):
            return
        point = _apply(matrix, px.value, py.value)
        kind = _raw.FPDFPathSegment_GetType(seg)
        if kind == _raw.FPDF_SEGMENT_MOVETO:
            start = point
        elif kind == _raw.FPDF_SEGMENT_LINETO:
            _add_segment(prev, point, hsegs, vsegs)
            if _raw.FPDFPathSegment_GetClose(seg):
                _add_segment(point, start, hsegs, vsegs)
        prev = point


def _add_segment(
    p: tuple[float, float],
    q: tuple[float, float],
    hsegs: list[tuple[float, float, float]],
    vsegs: list[tuple[float, float, float]],
) -> None:
    if abs(p[1] - q[1]) <= 0.5 and abs(p[0] - q[0]) > _THIN:
        hsegs.append(((p[1] + q[1]) / 2, min(p[0], q[0]), max(p[0], q[0])))
    elif abs(p[0] - q[0]) <= 0.5 and abs(p[1] - q[1]) > _THIN:
        vsegs.append(((p[0] + q[0]) / 2, min(p[1], q[1]), max(p[1], q[1])))


# ---------------------------------------------------------------------------------------------------------
# Page layout: lines and ruled tables


def _layout_page(
    chars: list[Char], hsegs: list[tuple[float, float, float]], vsegs: list[tuple[float, float, float]]
) -> list[_Block]:
    """The page's blocks, as on a page without a visible box to respect (tests and tools)."""
    return _PageLayout(0, (-math.inf, -math.inf, math.inf, math.inf)).blocks(chars, hsegs, vsegs)


class _PageLayout:
    """One page's blocks, and what lies beyond its visible box (MediaBox and CropBox intersected).

    A table wider than the page (a Word table whose right columns run past the page edge) keeps every column:
    those reaching past the box are marked (OFF_PAGE_MARK after their text, so the parser flags those cells
    and nothing else), and a table that ends right at the edge (the producer cut it there, and further
    columns may be lost) ends each row with row_cut_mark(), which says how many value columns the page shows.
    Characters outside the box are not shown on the page, so they are never read sure: inside an off-page
    column they are kept, marked; elsewhere (prose) they are dropped and counted."""

    def __init__(self, index: int, box: _Box) -> None:
        self.index = index
        self.left, self.bottom, self.right, self.top = box
        self.notes: list[str] = []
        self.hidden = 0

    def outside(self, ch: Char) -> bool:
        return _outside(ch, (self.left, self.bottom, self.right, self.top))

    def blocks(
        self,
        chars: list[Char],
        hsegs: list[tuple[float, float, float]],
        vsegs: list[tuple[float, float, float]],
    ) -> list[_Block]:
        tables = _find_tables(hsegs, vsegs)
        prose: list[Char] = []
        # A table ending at the page edge takes the characters beyond it too: they belong to its last column,
        # which the producer cut there (a label running past the edge stays whole).
        boxes = [
            (t.xs[0] - 1, math.inf if self.at_edge(t) else t.xs[-1] + 1, t.ys[-1] - 1, t.ys[0] + 1, t.chars)
            for t in tables
        ]
        for ch in chars:
            cx, cy = (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2
            for left, right, bottom, top, inside in boxes:
                if left <= cx <= right and bottom <= cy <= top:
                    inside.append(ch)
                    break
            else:
                prose.append(ch)
        for table in tables:
            _fill_table(table)
        blocks: list[_Block] = [t for t in tables if t.text]
        for table in tables:
            if table.text:
                self._mark_ruled(table)
        prose.extend(ch for t in tables if not t.text for ch in t.chars)
        beyond = math.isfinite(self.right) and any(self.outside(ch) for ch in prose)
        for block in _text_tables(_group_lines(prose)):
            if isinstance(block, _TextTable):
                if math.isfinite(self.right):
                    self._mark_text(block)
            elif beyond and any(self.outside(ch) for ch in block.chars):
                # prose is never read from outside the page: those characters are dropped, and counted
                visible = [ch for ch in block.chars if not self.outside(ch)]
                self.hidden += len(block.chars) - len(visible)
                if not visible:
                    continue
                block = _make_line(visible)
            blocks.append(block)
        blocks.sort(key=lambda block: -block.top)
        return blocks

    def _mark_text(self, table: _TextTable) -> None:
        """Columns of a table without rulings whose text runs past the page edge, or a table cut at the edge."""
        columns = table.columns
        # text (unlike a cell border) is cut by the edge as soon as it passes it
        off = {c for c, (x0, x1) in enumerate(columns) if x1 > self.right + 0.5 or x0 < self.left - 0.5}
        beyond = [c for c in off if columns[c][1] > self.right + 0.5]
        # Text reaching the edge with none wholly beyond it: the producer clipped the table there, and further
        # columns may be lost.
        cut = columns[-1][1] >= self.right - 1.0 and not any(x0 >= self.right for x0, _ in columns)
        if cut:
            off.add(len(columns) - 1)
            rows = [[(c, c, text) for c, text in enumerate(row)] for row in table.cells]
            table.cut = len(columns) - _label_columns_of(rows)
        if off:
            table.off_cols = frozenset(off)
            self._note(cut, len(beyond), any(columns[c][0] < self.left - 0.5 for c in off))

    def at_edge(self, table: _Table) -> bool:
        """The table's right border lies on the page's right edge: cut there (tables sit inside the margins)."""
        return abs(table.xs[-1] - self.right) <= _GRID_TOL

    def _mark_ruled(self, table: _Table) -> None:
        """Columns of a ruled table beyond the page's left or right edge, and a table cut at the right edge."""
        if not math.isfinite(self.right):
            return
        box = (self.left, self.bottom, self.right, self.top)
        _mark_ruled_edges(table, box)
        if table.off_cols or table.off_cells or table.cut is not None:
            table.box = box
            xs, tol = table.xs, _GRID_TOL
            beyond = sum(xs[c + 1] > self.right + tol for c in table.off_cols)
            self._note(table.cut is not None, beyond, any(xs[c] < self.left - tol for c in table.off_cols))
            if table.off_cells:
                note = f"第{self.index + 1}页的表格有文字在页面可见区域之外，这些单元格已标记待核对"
                if note not in self.notes:
                    self.notes.append(note)

    def _note(self, cut: bool, beyond: int, left: bool) -> None:
        """One note per page and kind (a table the reader splits in two is still one table on the page)."""
        page = self.index + 1
        found: list[str] = []
        if cut:
            found.append(f"第{page}页的表格在页面右边缘被截断，超出页面的列未能读取，这些单元格已标记待核对")
        elif beyond:
            found.append(
                f"第{page}页的表格宽于页面，右侧{beyond}列超出页面边缘，页面上看不到，这些单元格已标记待核对"
                "（文件中留有的文字照录，但不作为确定的值）"
            )
        if left:
            found.append(f"第{page}页的表格左侧超出页面边缘，这些单元格已标记待核对")
        self.notes.extend(note for note in found if note not in self.notes)


def _outside(ch: Char, box: _Box) -> bool:
    cx, cy = (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2
    return not (box[0] <= cx <= box[2] and box[1] <= cy <= box[3])


def _mark_ruled_edges(table: _Table, box: _Box) -> None:
    """Set the columns of a ruled table that reach past the page's visible box, and whether (with how many value
    columns on the page) it is cut at the right edge."""
    left, _, right, _ = box
    xs, tol = table.xs, _GRID_TOL
    off = {c for c in range(len(xs) - 1) if xs[c + 1] > right + tol or xs[c] < left - tol}
    cut = abs(xs[-1] - right) <= tol
    if cut:
        # The edge cuts the last column, whether or not a line is drawn there (LibreOffice draws one along the
        # edge, and keeps the text of the cut cells, running on beyond it).
        off.add(len(xs) - 2)
    off_cells: set[int] = set()
    neg_ys = [-y for y in table.ys]
    for ch in table.chars:  # and a character the page box does not show is never read sure
        if _outside(ch, box):
            c = min(max(bisect_right(xs, (ch[1] + ch[3]) / 2) - 1, 0), len(xs) - 2)
            r = min(max(bisect_right(neg_ys, -(ch[2] + ch[4]) / 2) - 1, 0), len(table.root) - 1)
            if c not in off:
                off_cells.add(table.root[r][c])
    table.off_cols, table.off_cells = frozenset(off), frozenset(off_cells)
    table.cut = None
    if cut:
        rows = [
            [(c, table.last_col[cell], table.text.get(cell, "")) for c, cell in enumerate(units)]
            for units in table.root
        ]
        # Value columns: after the labels, those holding a one-column cell with text (a header name, a number),
        # and those the edge cuts. A sliver column between the labels and the values (cell edges of different
        # rows almost lining up) holds none: it is no value column, and its empty cells lead the row's values,
        # where the parser expects covered label positions.
        named = {
            c
            for r, units in enumerate(table.root)
            for c, cell in enumerate(units)
            if table.first_col[cell] == table.last_col[cell] == c and table.text.get(cell)
        }
        table.cut = sum(1 for c in range(_label_columns_of(rows), len(xs) - 1) if c in named or c in off)


def _label_columns_of(rows: list[list[tuple[int, int, str]]]) -> int:
    """How many columns of a table hold row labels, from its rows' cells (first column, last column, text): in
    the rows that hold a number the labels end before the same column (the most common such column wins; a
    value column left blank in every row still counts as a value column)."""
    ends: Counter[int] = Counter()
    for cells in rows:
        if not any(_is_number(text) for _, _, text in cells):
            continue
        labels = [
            last
            for _, last, text in cells
            if text and not _is_number(text) and _BLANK_WORD.fullmatch(text) is None
        ]
        if labels:
            ends[max(labels) + 1] += 1
    return ends.most_common(1)[0][0] if ends else 0


def _cluster(values: list[float], tol: float = _GRID_TOL) -> list[float]:
    """Sorted distinct positions: values within `tol` of the previous one are merged (their mean)."""
    out: list[float] = []
    group: list[float] = []
    for value in sorted(values):
        if group and value - group[-1] > tol:
            out.append(sum(group) / len(group))
            group = []
        group.append(value)
    if group:
        out.append(sum(group) / len(group))
    return out


def _merge_collinear(segs: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Join segments on one line whose extents touch or overlap."""
    lines: list[list[tuple[float, float, float]]] = []
    for seg in sorted(segs):
        if lines and seg[0] - lines[-1][-1][0] <= 1.0:
            lines[-1].append(seg)
        else:
            lines.append([seg])
    out: list[tuple[float, float, float]] = []
    for line in lines:
        pos = sum(s[0] for s in line) / len(line)
        merged: list[tuple[float, float, float]] = []
        for _, a, b in sorted(line, key=lambda s: s[1]):
            if merged and a <= merged[-1][2] + _TOUCH_TOL:
                merged[-1] = (pos, merged[-1][1], max(merged[-1][2], b))
            else:
                merged.append((pos, a, b))
        out.extend(merged)
    return out


def _find(parent: list[int], i: int) -> int:
    """Union-find root of `i`, halving the path on the way."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _find_tables(
    hsegs: list[tuple[float, float, float]], vsegs: list[tuple[float, float, float]]
) -> list[_Table]:
    """Ruled tables: connected groups of horizontal and vertical rulings."""
    hs, vs = _merge_collinear(hsegs), _merge_collinear(vsegs)
    if not hs or not vs:
        return []
    parent = list(range(len(hs) + len(vs)))

    tol = _TOUCH_TOL
    vs.sort()
    v_xs = [x for x, _, _ in vs]
    budget = _MAX_RULING_PAIRS
    for i, (y, x0, x1) in enumerate(hs):
        lo, hi = bisect_left(v_xs, x0 - tol), bisect_right(v_xs, x1 + tol)
        budget -= hi - lo
        if budget < 0:
            return []  # thousands of crossing lines: hatching or a drawing, not a table worth reading
        for j in range(lo, hi):
            _, y0, y1 = vs[j]
            if y0 - tol <= y <= y1 + tol:
                parent[_find(parent, i)] = _find(parent, len(hs) + j)
    groups: dict[int, tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]] = {}
    for i, seg in enumerate(hs):
        groups.setdefault(_find(parent, i), ([], []))[0].append(seg)
    for j, seg in enumerate(vs):
        groups.setdefault(_find(parent, len(hs) + j), ([], []))[1].append(seg)
    tables: list[_Table] = []
    for group_h, group_v in groups.values():
        xs = _cluster([x for x, _, _ in group_v] + [s[1] for s in group_h] + [s[2] for s in group_h])
        ys = _cluster([y for y, _, _ in group_h] + [s[1] for s in group_v] + [s[2] for s in group_v])
        xs = _cluster([x for x, _, _ in group_v] + [xs[0], xs[-1]])
        ys = _cluster([y for y, _, _ in group_h] + [ys[0], ys[-1]])
        if len(xs) < 3 or len(ys) < 2 or (len(xs) - 1) * (len(ys) - 1) > _MAX_GRID_UNITS:
            continue  # a table has at least two columns and one row; a huge grid is a drawing
        tables.append(_Table(xs=xs, ys=ys[::-1], hsegs=group_h, vsegs=group_v))
    return tables


def _fill_table(table: _Table, extra_xs: list[float] | None = None) -> None:
    """Merged cells from the rulings (a missing separator joins two grid units) and the text of each cell."""
    if extra_xs:
        table.xs = _cluster(table.xs + [x for x in extra_xs if table.xs[0] < x < table.xs[-1]])
    xs, ys = table.xs, table.ys
    ncols, nrows = len(xs) - 1, len(ys) - 1
    parent = list(range(nrows * ncols))

    tol = _TOUCH_TOL
    # rulings lying on each inner grid line, so each unit looks only at its own boundary's segments
    v_on = [[(y0, y1) for vx, y0, y1 in table.vsegs if abs(vx - x) <= _GRID_TOL] for x in xs[1:-1]]
    h_on = [[(x0, x1) for hy, x0, x1 in table.hsegs if abs(hy - y) <= _GRID_TOL] for y in ys[1:-1]]
    for r in range(nrows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(ncols - 1):
            if not any(y0 - tol <= ymid <= y1 + tol for y0, y1 in v_on[c]):
                parent[_find(parent, r * ncols + c + 1)] = _find(parent, r * ncols + c)
    for c in range(ncols):
        xmid = (xs[c] + xs[c + 1]) / 2
        for r in range(nrows - 1):
            if not any(x0 - tol <= xmid <= x1 + tol for x0, x1 in h_on[r]):
                parent[_find(parent, (r + 1) * ncols + c)] = _find(parent, r * ncols + c)
    table.root = [[_find(parent, r * ncols + c) for c in range(ncols)] for r in range(nrows)]
    table.origin, table.last_row, table.first_col, table.last_col = {}, {}, {}, {}
    for r in range(nrows):
        for c in range(ncols):
            cell = table.root[r][c]
            table.origin.setdefault(cell, (r, c))
            table.last_row[cell] = r
            table.first_col[cell] = min(table.first_col.get(cell, c), c)
            table.last_col[cell] = max(table.last_col.get(cell, c), c)
    neg_ys = [-y for y in ys]
    by_cell: dict[int, list[Char]] = {}
    for ch in table.chars:
        cx, cy = (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2
        c = min(max(bisect_right(xs, cx) - 1, 0), ncols - 1)
        r = min(max(bisect_right(neg_ys, -cy) - 1, 0), nrows - 1)
        by_cell.setdefault(table.root[r][c], []).append(ch)
    table.text = {cell: _cell_text(cs) for cell, cs in by_cell.items()}


def _cell_text(chars: list[Char]) -> str:
    """One cell's text: wrapped lines and vertical one-character lines joined into one label."""
    baselines = [ch[5] for ch in chars]
    if max(baselines) - min(baselines) <= 0.4:  # one line, the common case
        return _line_text(sorted(chars, key=_X0))
    out = ""
    for line in _group_lines(chars):
        if out and _wordish(out[-1]) and _wordish(line.text[0]):
            out += " "
        out += line.text
    return out


def _line_text(group: list[Char]) -> str:
    """Text of characters on one line, sorted left to right, with spaces where the page shows gaps."""
    em = min(ch[4] - ch[2] for ch in group)
    cjk_gap, latin_gap = em, 0.15 * em
    parts: list[str] = [group[0][0]]
    prev = group[0]
    for ch in group[1:]:
        gap = ch[1] - prev[3]
        if gap > (cjk_gap if not prev[0].isascii() and not ch[0].isascii() else latin_gap):
            parts.append(" ")
        parts.append(ch[0])
        prev = ch
    return "".join(parts)


def _wordish(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _group_lines(chars: list[Char]) -> list[_Line]:
    """Characters grouped into lines by baseline, top to bottom, each line read left to right."""
    if not chars:
        return []
    ordered = sorted(chars, key=lambda ch: (-ch[5], ch[1]))
    lines: list[_Line] = []
    group: list[Char] = [ordered[0]]
    base = ordered[0][5]
    for ch in ordered[1:]:
        tolerance = 0.4 * (ch[4] - ch[2])
        if -0.4 <= ch[5] - base <= 0.4 or abs(base - ch[5]) <= tolerance:
            group.append(ch)
        else:
            lines.append(_make_line(group))
            group, base = [ch], ch[5]
    lines.append(_make_line(group))
    lines.sort(key=lambda line: -line.top)
    return lines


def _make_line(group: list[Char]) -> _Line:
    group.sort(key=_X0)
    first = group[0]
    em, top, bottom, x1 = first[4] - first[2], first[4], first[2], first[3]
    for ch in group:
        height = ch[4] - ch[2]
        if height < em:
            em = height
        if ch[4] > top:
            top = ch[4]
        if ch[2] < bottom:
            bottom = ch[2]
        if ch[3] > x1:
            x1 = ch[3]
    column_gap, cjk_gap, latin_gap = _COLUMN_GAP * em, em, 0.15 * em
    parts: list[str] = [first[0]]
    cuts: list[tuple[float, float, str]] = []
    cut_start, cut_from = first[1], 0
    prev = first
    prev_ascii = first[0].isascii()
    for ch in group[1:]:
        text = ch[0]
        is_ascii = text.isascii()
        gap = ch[1] - prev[3]
        if gap >= column_gap:
            cuts.append((cut_start, prev[3], "".join(parts[cut_from:]).strip()))
            cut_start, cut_from = ch[1], len(parts) + 1
            parts.append(" ")
        elif gap > (latin_gap if prev_ascii or is_ascii else cjk_gap):
            parts.append(" ")
        parts.append(text)
        prev, prev_ascii = ch, is_ascii
    cuts.append((cut_start, prev[3], "".join(parts[cut_from:]).strip()))
    return _Line(
        text="".join(parts), x0=first[1], x1=x1, top=top, bottom=bottom, em=em, cuts=cuts, chars=group
    )


def _is_number(text: str) -> bool:
    return bool(text) and _NUMERIC.match(text) is not None and any(ch.isdigit() for ch in text)


def _text_tables(lines: list[_Line]) -> list[_Line | _TextTable]:
    """Runs of lines whose pieces line up in columns become tables; other lines stay prose."""
    out: list[_Line | _TextTable] = []
    i, n = 0, len(lines)
    while i < n:
        if len(lines[i].cuts) >= 2:
            last_multi, k = i, i
            while k + 1 < n and lines[k].bottom - lines[k + 1].top < 2.0 * max(lines[k].em, lines[k + 1].em):
                k += 1
                if len(lines[k].cuts) >= 2:
                    last_multi = k
                elif k - last_multi > 2:
                    break
            region = lines[i : last_multi + 1]
            multi = sum(len(line.cuts) >= 2 for line in region)
            numbers = any(_is_number(cut[2]) for line in region for cut in line.cuts)
            if multi >= 2 and numbers:
                out.append(_build_text_table(region))
                i = last_multi + 1
                continue
        out.append(lines[i])
        i += 1
    return out


def _build_text_table(region: list[_Line]) -> _TextTable:
    """Columns from the fullest rows; wrapped label lines joined to the nearest row that holds numbers."""
    widest = max(len(line.cuts) for line in region)
    basis = [line for line in region if len(line.cuts) >= max(2, math.ceil(0.6 * widest))]
    columns: list[list[float]] = []
    for x0, x1, _ in sorted(cut for line in basis for cut in line.cuts):
        if columns and x0 <= columns[-1][1]:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])

    def column_of(x0: float, x1: float) -> int:
        overlaps = [min(x1, c1) - max(x0, c0) for c0, c1 in columns]
        best = max(range(len(columns)), key=overlaps.__getitem__)
        if overlaps[best] > 0:
            return best
        middle = (x0 + x1) / 2
        return min(range(len(columns)), key=lambda c: abs((columns[c][0] + columns[c][1]) / 2 - middle))

    rows: list[list[str]] = []
    for line in region:
        cells = [""] * len(columns)
        for x0, x1, piece in line.cuts:
            c = column_of(x0, x1)
            cells[c] = f"{cells[c]} {piece}".strip() if cells[c] else piece
        rows.append(cells)
    anchors = [any(_is_number(cell) for cell in row) for row in rows]
    keep = [True] * len(rows)
    for k, row in enumerate(rows):
        if anchors[k] or any(row[1:]) or not row[0]:
            continue
        line = region[k]
        near: list[tuple[float, int]] = []
        if k > 0 and anchors[k - 1]:
            near.append((region[k - 1].bottom - line.top, k - 1))
        if k + 1 < len(rows) and anchors[k + 1]:
            near.append((line.bottom - region[k + 1].top, k + 1))
        if not near:
            continue
        gap, target = min(near)
        if gap > line.em:
            continue
        label = rows[target][0]
        rows[target][0] = label + row[0] if target < k else row[0] + label
        keep[k] = False
    kept_rows = [row for row, kept in zip(rows, keep, strict=True) if kept]
    spans = [(c0, c1) for c0, c1 in columns]
    return _TextTable(kept_rows, top=region[0].top, bottom=region[-1].bottom, columns=spans)


# ---------------------------------------------------------------------------------------------------------
# Whole document: page furniture, tables across pages, paragraphs


def _furniture_key(line: _Line) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))


def _is_page_number(page: _Page, block: _Block) -> bool:
    return isinstance(block, _Line) and page.in_margin(block) and _PAGE_NUMBER.match(block.text) is not None


def _drop_furniture(pages: list[_Page], notes: list[str]) -> None:
    """Remove page numbers and running headers/footers (lines repeated at the top or bottom of pages)."""
    dropped = 0
    for page in pages:
        n = len(page.blocks)
        ends = {k for k in (0, 1, n - 2, n - 1) if 0 <= k < n}
        drop = {k for k in ends if _is_page_number(page, page.blocks[k])}
        if drop:
            page.blocks = [b for k, b in enumerate(page.blocks) if k not in drop]
            dropped += len(drop)
    if len(pages) >= 2:

        def furniture(page: _Page, k: int) -> str | None:
            block = page.blocks[k] if page.blocks else None
            if isinstance(block, _Line) and page.in_margin(block):
                return _furniture_key(block)
            return None

        heads = Counter(furniture(p, 0) for p in pages)
        feet = Counter(furniture(p, -1) for p in pages)
        need = max(2, math.ceil(len(pages) / 2))
        for page in pages:
            head = furniture(page, 0)
            if page.index > 0 and head is not None and heads[head] >= need:
                page.blocks.pop(0)
                dropped += 1
            foot = furniture(page, -1)
            if foot is not None and feet[foot] >= need:
                page.blocks.pop()
                dropped += 1
    if dropped:
        notes.append(f"已去掉页码和页眉页脚 {dropped} 行")


def _continue_table(prev: _Table, cur: _Table) -> None:
    """A table continued from the previous page: align its columns, drop a repeated header row and rejoin
    cells the page break split."""
    if abs(prev.xs[0] - cur.xs[0]) > _GRID_TOL or abs(prev.xs[-1] - cur.xs[-1]) > _GRID_TOL:
        return
    if any(all(abs(x - y) > _GRID_TOL for y in prev.xs) for x in cur.xs):
        return  # a column boundary the previous table lacks: a new table, not the continuation
    missing = [x for x in prev.xs if all(abs(x - y) > _GRID_TOL for y in cur.xs)]
    if missing:
        _fill_table(cur, missing)
        if cur.box is not None:  # its columns changed: mark those beyond the page edge again
            _mark_ruled_edges(cur, cur.box)
    if not prev.root or not cur.root or len(prev.xs) != len(cur.xs):
        return
    start = 0  # header rows Word repeats at the top of each page
    while start < min(len(prev.root), len(cur.root)) and any(cur.row_texts(start)):
        if cur.row_texts(start) != prev.row_texts(start):
            break
        start += 1
    cur.skip = start
    if start >= len(cur.root):
        return
    last, first = prev.root[-1], cur.root[start]
    done: set[int] = set()
    for c in range(len(last)):
        above, below = last[c], first[c]
        if above in done or below in done or cur.origin[below][0] != start:
            continue
        done.update((above, below))
        same_span = (
            prev.first_col[above] == cur.first_col[below] and prev.last_col[above] == cur.last_col[below]
        )
        tall = prev.origin[above][0] < prev.last_row[above] or cur.last_row[below] > start
        upper, lower = prev.text.get(above, ""), cur.text.get(below, "")
        if same_span and tall and upper and _NUMERIC.match(upper) is None and _label_part(lower):
            prev.text[above] = upper + lower
            cur.text[below] = ""
    # a row the page break cut in two: the lower part holds only the rest of its labels, no numbers
    upper_row, lower_row = prev.row_texts(len(prev.root) - 1, covered=True), cur.row_texts(start)
    if (
        any(_is_number(cell) for cell in upper_row)
        and any(lower_row)
        and all(not cell or _label_part(cell) for cell in lower_row)
    ):
        for c, piece in enumerate(lower_row):
            above = last[c]
            if piece and prev.text.get(above) and _NUMERIC.match(prev.text[above]) is None:
                prev.text[above] += piece
                cur.text[first[c]] = ""


def _label_part(text: str) -> bool:
    """Text that may be one part of a label split by a page break (not a number, not a new numbered item)."""
    return bool(text) and _NUMERIC.match(text) is None and _ORDINAL_START.match(text) is None


def _compose(pages: list[_Page], notes: list[str]) -> str:
    _drop_furniture(pages, notes)
    blocks: list[tuple[int, _Block]] = [(p.index, b) for p in pages for b in p.blocks]
    for k in range(1, len(blocks)):
        (page_a, a), (page_b, b) = blocks[k - 1], blocks[k]
        if page_b == page_a + 1 and isinstance(a, _Table) and isinstance(b, _Table):
            _continue_table(a, b)
    margins = _page_margins(pages)
    out: list[str] = []
    prev_line: tuple[int, _Line] | None = None
    for page_index, block in blocks:
        if not isinstance(block, _Line):
            for row in block.rows():
                out.append("\t".join(cell.replace("\t", " ") for cell in row))
            prev_line = None
            continue
        if prev_line is not None and _continues(prev_line, (page_index, block), margins):
            joiner = " " if _wordish(out[-1][-1]) and _wordish(block.text[0]) else ""
            out[-1] += joiner + block.text
        else:
            out.append(block.text)
        prev_line = (page_index, block)
    return "\n".join(out) + "\n"


def _page_margins(pages: list[_Page]) -> dict[int, tuple[float, float]]:
    """Left and right edge of the prose on each page."""
    margins: dict[int, tuple[float, float]] = {}
    for page in pages:
        lines = [b for b in page.blocks if isinstance(b, _Line)]
        if len(lines) >= 3:  # fewer lines tell nothing about where a full line ends
            lefts = sorted(line.x0 for line in lines)
            margins[page.index] = (lefts[len(lefts) // 10], max(line.x1 for line in lines))
    return margins


def _continues(
    prev: tuple[int, _Line], cur: tuple[int, _Line], margins: dict[int, tuple[float, float]]
) -> bool:
    """True when `cur` is the wrapped continuation of the paragraph ending with `prev`."""
    (page_a, a), (page_b, b) = prev, cur
    if page_a not in margins or page_b not in margins:
        return False
    right_a = margins[page_a][1]
    left_b = margins[page_b][0]
    em = max(a.em, b.em)
    if abs(a.em - b.em) > 0.25 * em:
        return False
    if a.x1 < right_a - 1.5 * em or b.x0 > left_b + 0.5 * em:
        return False
    if page_a == page_b:
        return a.bottom - b.top < 1.2 * em
    return page_b == page_a + 1
